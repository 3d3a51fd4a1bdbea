// Every example alert (../shared/fixtures/alerts, copied beside the parser) behaves as its `expect` says when it
// arrives the way TradingView sends it: through the HTTP route, with its content type.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { startTestAgent, type TestAgent } from '../test-support/agent.js';
import { isCode } from '../../shared/codes.js';
import type { SignalView } from '../../shared/api-types.js';

interface Example {
  name: string;
  contentType: string;
  body: string;
  expect: { accept: boolean; signal?: Record<string, string> };
}

const file = path.join(import.meta.dirname, '..', 'signals', 'parse', 'fixtures', 'examples.jsonl');
const examples = fs
  .readFileSync(file, 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as Example);

let agent: TestAgent;
let hook: string;
beforeAll(async () => {
  agent = await startTestAgent();
  hook = new URL(agent.demoWebhookUrl!).pathname;
});
afterAll(async () => agent.stop());

describe('example alerts through the webhook route', () => {
  it('has the examples', () => {
    expect(examples.length).toBeGreaterThanOrEqual(14);
  });

  it.each(examples.map((e) => [e.name, e] as const))('%s', async (_name, ex) => {
    const res = await agent.post(hook, ex.body, ex.contentType);
    if (ex.expect.accept) {
      expect(res.status).toBe(202);
      expect(res.body.status).toBe('queued');
      const stored = await agent.api<SignalView>('GET', `/api/signals/${res.body.signalId as string}`);
      expect(stored.body.rawBody).toBe(ex.body);
      expect(stored.body.contentType).toBe(ex.contentType);
      for (const [k, v] of Object.entries(ex.expect.signal ?? {})) expect((stored.body.parsed as unknown as Record<string, unknown>)[k]).toBe(v);
    } else {
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.body.status).toBe('rejected');
      expect(isCode(res.body.code)).toBe(true);
    }
  });
});
