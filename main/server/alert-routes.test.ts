import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAgent, eventually, type TestAgent } from '../test-support/agent.js';
import type { OrderView, StrategyView } from '../../shared/api-types.js';

let agent: TestAgent;
let strategy: StrategyView;
beforeAll(async () => {
  agent = await startTestAgent();
  strategy = (await agent.api<{ items: StrategyView[] }>('GET', '/api/strategies')).body.items[0]!;
});
afterAll(async () => agent.stop());

describe('trying alerts without trading', () => {
  it('the template check reports every problem and the signal a good alert becomes', async () => {
    const bad = await agent.api<{ problems: { code: string; field?: string }[] }>('POST', '/api/alerts/check', { text: '{"ticker":"{{ticker}}","action":"{{strategy.order.action}}","price":{{close}}}' });
    expect(bad.status).toBe(200);
    expect(bad.body.problems.map((p) => p.code)).toEqual(expect.arrayContaining(['UNQUOTED_NAN']));
    const good = await agent.api<{ problems: unknown[]; signal: { symbol: string; action: string } }>('POST', '/api/alerts/check', { text: '{"ticker":"NASDAQ:AAPL","action":"buy","quantity":"2"}' });
    expect(good.body.problems).toEqual([]);
    expect(good.body.signal).toMatchObject({ symbol: 'AAPL', action: 'buy' });
  });

  it('the template check warns about an id without {{timenow}} and a time from {{time}}', async () => {
    const text = '{"ticker":"{{ticker}}","action":"{{strategy.order.action}}","quantity":"{{strategy.order.contracts}}","price":"{{close}}","time":"{{time}}","id":"{{strategy.order.id}}"}';
    const res = await agent.api<{ problems: unknown[]; warnings: string[] }>('POST', '/api/alerts/check', { text, alertType: 'strategy' });
    expect(res.status).toBe(200);
    expect(res.body.problems).toEqual([]);
    expect(res.body.warnings.some((w) => w.includes('"id" has no {{timenow}}'))).toBe(true);
    expect(res.body.warnings.some((w) => w.includes('"time" uses {{time}}'))).toBe(true);
  });

  it('simulate shows the intents and every risk rule verdict, and places no order', async () => {
    const res = await agent.api<{ parse: { ok: boolean }; accounts: { outcome: string; intents: { intent: { side: string; quantity: string }; verdict: { allowed: boolean; rules: { rule: string; passed: boolean }[] } }[] }[] }>(
      'POST',
      '/api/signals/simulate',
      { strategyId: strategy.id, text: '{"ticker":"AAPL","action":"buy","quantity":"2","price":"190"}' },
    );
    expect(res.status).toBe(200);
    expect(res.body.parse.ok).toBe(true);
    const acct = res.body.accounts[0]!;
    expect(acct.outcome).toBe('orders');
    expect(acct.intents[0]!.intent).toMatchObject({ side: 'buy', quantity: '2' });
    expect(acct.intents[0]!.verdict.rules.length).toBeGreaterThan(10);
    expect(acct.intents[0]!.verdict.rules.every((r) => r.passed)).toBe(true);
    expect((await agent.api<{ items: OrderView[] }>('GET', '/api/orders')).body.items).toHaveLength(0);
  });

  it('replay reports where today\'s rules would decide differently from what happened', async () => {
    const hook = new URL(strategy.webhookUrl).pathname;
    const sent = await agent.post(hook, '{"ticker":"TSLA","action":"sell","quantity":"1","price":"250"}');
    await eventually(async () => (await agent.api<{ items: OrderView[] }>('GET', `/api/orders?signalId=${sent.body.signalId as string}`)).body.items, (o) => o.length === 1);
    const same = await agent.api<{ replayed: number; differences: unknown[] }>('POST', '/api/signals/replay', { strategyId: strategy.id });
    expect(same.body.replayed).toBeGreaterThanOrEqual(1);
    expect(same.body.differences).toEqual([]);
    const updated = await agent.api<StrategyView>('PUT', `/api/strategies/${strategy.id}`, { config: { strategy: { sides: 'long' } } });
    expect(updated.status).toBe(200);
    expect(updated.body.webhookUrl).toBe(strategy.webhookUrl);
    const changed = await agent.api<{ differences: { signalId: string; kind: string; now: { outcome: string; code?: string } }[] }>('POST', '/api/signals/replay', { strategyId: strategy.id });
    const diff = changed.body.differences.find((d) => d.signalId === sent.body.signalId);
    expect(diff).toMatchObject({ kind: 'outcome', now: { outcome: 'denied', code: 'SIDE_NOT_ALLOWED' } });
  });
});
