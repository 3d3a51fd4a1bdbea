// Bad input on the control API, generated: every route that takes a body gets valid bodies with one part replaced by
// something else (another type, a huge or odd string, a negative or fractional number, null, an array, a deep
// object, an extra key), and bodies that are any JSON at all. Whatever comes, the answer is never a 5xx, every refusal
// carries a documented code (shared/codes.ts) and a message, and the agent keeps answering afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { startTestAgent, type TestAgent } from '../test-support/agent.js';
import { memoryVault } from '../test-support/memory-secret-store.js';
import { isCode } from '../../shared/codes.js';
import type { AccountView, StrategyView } from '../../shared/api-types.js';

let agent: TestAgent;
let paper: string;
let strategy: StrategyView;

beforeAll(async () => {
  agent = await startTestAgent({}, { vault: memoryVault() });
  paper = (await agent.api<{ items: AccountView[] }>('GET', '/api/accounts')).body.items[0]!.id;
  strategy = (await agent.api<StrategyView>('POST', '/api/strategies', { name: 'fuzz target', accountIds: [paper] })).body;
});
afterAll(async () => agent.stop());

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** What a wrong value may be: the shapes scripts and UIs get wrong, plus anything JSON. */
const oddValue: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(null, true, false, 0, -1, 1.5, 1e308, -1e308, '', ' ', 'NaN', 'Infinity', '-0', '1e999', '0x10', '..', '{{close}}', '\u0000', '\u202e', 'a'.repeat(10_000), [], {}, [[[[]]]], { $ne: 1 }, '__proto__'),
  fc.string({ maxLength: 40 }),
  fc.double({ noNaN: true }),
  fc.integer(),
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
);

/** `body` with the value at one path (an existing key or a new one) replaced by an odd value. */
function mutated(body: Record<string, Json>): fc.Arbitrary<Json> {
  const paths: string[][] = [];
  const walk = (v: Json, at: string[]): void => {
    paths.push(at);
    if (v && typeof v === 'object' && !Array.isArray(v)) for (const [k, child] of Object.entries(v)) walk(child, [...at, k]);
  };
  walk(body, []);
  return fc.tuple(fc.constantFrom(...paths.filter((p) => p.length > 0)), oddValue, fc.boolean(), fc.string({ minLength: 1, maxLength: 12 })).map(([path, value, addKey, key]) => {
    const copy = structuredClone(body) as Record<string, Json>;
    let parent = copy as Record<string, Json>;
    for (const k of path.slice(0, -1)) parent = parent[k] as Record<string, Json>;
    if (addKey && parent[key] === undefined) parent[key] = value;
    else parent[path[path.length - 1]!] = value;
    return copy;
  });
}

interface Route {
  method: string;
  path: () => string;
  valid: () => Record<string, Json>;
}

const ROUTES: Route[] = [
  { method: 'POST', path: () => '/api/strategies', valid: () => ({ name: 'Trend', accountIds: [paper], passphrase: 'long-enough-passphrase', config: { risk: { maxOrderQuantity: '10', maxOrdersPerMinute: 5 }, strategy: { allowAdd: true } } }) },
  { method: 'PUT', path: () => `/api/strategies/${strategy.id}`, valid: () => ({ name: 'Renamed', enabled: true, config: { intake: { maxAgeSeconds: 60 }, risk: { duplicateWindowSeconds: 2 } } }) },
  { method: 'POST', path: () => '/api/accounts', valid: () => ({ name: 'Paper 2', broker: 'paper', environment: 'paper', config: { risk: { maxOrderQuantity: '5' }, paper: { startingCash: '1000' } } }) },
  { method: 'PUT', path: () => '/api/trading-state', valid: () => ({ state: 'active', reason: 'fuzz', accountId: paper }) },
  { method: 'POST', path: () => '/api/alerts/check', valid: () => ({ text: '{"ticker":"{{ticker}}","action":"{{strategy.order.action}}","quantity":"{{strategy.order.contracts}}"}', alertType: 'strategy' }) },
  { method: 'POST', path: () => '/api/signals/simulate', valid: () => ({ strategyId: strategy.id, text: '{"ticker":"AAPL","action":"buy","quantity":"1","price":"100"}', contentType: 'application/json' }) },
  { method: 'PUT', path: () => '/api/credentials/tunnel:ngrok:authtoken', valid: () => ({ value: 'fuzz-token-value-0001' }) },
  { method: 'PUT', path: () => '/api/notifications/channels/discord', valid: () => ({ enabled: false, events: ['order'], perMinute: 10 }) },
  { method: 'PUT', path: () => '/api/tunnel', valid: () => ({ provider: 'manual', url: 'https://example.com' }) },
  { method: 'POST', path: () => '/api/flatten', valid: () => ({ accountId: paper, halt: false }) },
];

async function call(method: string, p: string, body: Json): Promise<{ status: number; json: { code?: unknown; message?: unknown } | undefined }> {
  const res = await fetch(agent.controlBase + p, {
    method,
    headers: { authorization: `Bearer ${agent.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  let json: { code?: unknown; message?: unknown } | undefined;
  try {
    json = JSON.parse(text) as typeof json;
  } catch {
    json = undefined;
  }
  return { status: res.status, json };
}

describe('the control API under generated bad input', () => {
  it('answers every mutated or arbitrary body without a 5xx, each refusal with a documented code and a message, and keeps answering', { timeout: 120_000 }, async () => {
    const seen = new Map<string, number>();
    for (const route of ROUTES) {
      const bodies = fc.oneof({ weight: 4, arbitrary: mutated(route.valid()) }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }) as fc.Arbitrary<Json> });
      await fc.assert(
        fc.asyncProperty(bodies, async (body) => {
          const { status, json } = await call(route.method, route.path(), body);
          expect(status, `${route.method} ${route.path()} ${JSON.stringify(body).slice(0, 300)}`).toBeLessThan(500);
          if (status >= 400) {
            expect(isCode(json?.code), `code ${String(json?.code)} for ${route.method} ${route.path()}`).toBe(true);
            expect(typeof json?.message).toBe('string');
            seen.set(String(json!.code), (seen.get(String(json!.code)) ?? 0) + 1);
          }
        }),
        { numRuns: 150 },
      );
    }
    // Refusals happened (the generators reach the validation), and the agent still answers every kind of call.
    expect(seen.get('VALIDATION_FAILED') ?? 0).toBeGreaterThan(100);
    expect((await agent.api('GET', '/api/strategies')).status).toBe(200);
    expect((await agent.post(new URL(strategy.webhookUrl).pathname, '{"ticker":"AAPL","action":"buy","quantity":"1","price":"100"}')).status).toBeLessThan(300);
  });
});
