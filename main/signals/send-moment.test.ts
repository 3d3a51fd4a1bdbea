// The trading state is asked again at the moment an alert's order would reach the broker: the trader may halt while
// the order waits (for its alert's sync, or for the account's request budget), and a halted agent sends nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAgent, eventually, settledSignal, type TestAgent } from '../test-support/agent.js';
import { demoPaperThrough } from '../test-support/demo-paper.js';
import { FaultyAdapter } from '../brokers/paper/faulty-adapter.js';
import type { OrderView, SignalView } from '../../shared/api-types.js';

let agent: TestAgent;
let hook: string;
// The demo paper account, with a budget of one request, then one every 3 s.
const demo = demoPaperThrough((books) => new FaultyAdapter(books, { submitFaultRate: 0, capabilities: { requestsPerMinute: 20 } }));
beforeAll(async () => {
  agent = await startTestAgent({}, { adapterFactory: demo.adapterFactory });
  hook = new URL(agent.demoWebhookUrl!).pathname;
});
afterAll(async () => agent.stop());

const ordersOf = async (signalId: string) => (await agent.api<{ items: OrderView[] }>('GET', `/api/orders?signalId=${signalId}`)).body.items;

describe('the moment of sending', () => {
  it('an order allowed while active, still waiting for the account budget when the trader halts, is never sent', async () => {
    const first = await agent.post(hook, '{"ticker":"AAPL","action":"buy","quantity":1,"price":190}');
    await eventually(() => ordersOf(first.body.signalId as string), (o) => o.length === 1 && o[0]!.status === 'filled');
    // Another symbol, so it does not wait behind the first: its order is allowed and stored, then waits ~3 s.
    const second = await agent.post(hook, '{"ticker":"MSFT","action":"buy","quantity":1,"price":410}');
    const waiting = await eventually(() => ordersOf(second.body.signalId as string), (o) => o.length === 1);
    expect(waiting[0]!.status).toBe('submitting');
    expect((await agent.api('PUT', '/api/trading-state', { state: 'halted', reason: 'test' })).status).toBe(200);
    const done = await eventually(() => ordersOf(second.body.signalId as string), (o) => o[0]!.status !== 'submitting');
    expect(done[0]).toMatchObject({ status: 'rejected' });
    expect(done[0]!.reason).toMatch(/^TRADING_HALTED: /);
    expect(demo.books().orderCount(done[0]!.clientOrderId)).toBe(0);
    // The alert did not trade: its signal says so, and why (not `done`).
    const signal = await settledSignal<SignalView>(agent, second.body.signalId as string);
    expect(signal).toMatchObject({ status: 'denied', code: 'TRADING_HALTED' });
    expect(signal.message).toContain(done[0]!.clientOrderId);
    expect((await agent.api('PUT', '/api/trading-state', { state: 'active' })).status).toBe(200);
  });
});
