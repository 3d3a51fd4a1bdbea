// The live events the UI reads from /api/events (docs/api.md): a `position` event for every fill, and a `signal`
// event for an alert rejected at the webhook as for one processed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtWebhookThreadEntry, eventually, listenEvents, startTestAgent, type TestAgent } from '../test-support/agent.js';
import type { AgentEvent, OrderView, PositionView, SignalView } from '../../shared/api-types.js';

describe('position events', () => {
  let agent: TestAgent;
  let hook: string;
  beforeAll(async () => {
    agent = await startTestAgent();
    hook = new URL(agent.demoWebhookUrl!).pathname;
  });
  afterAll(async () => agent.stop());
  const orders = async (): Promise<OrderView[]> => (await agent.api<{ items: OrderView[] }>('GET', '/api/orders')).body.items;
  const fillsOf = async (orderId: string): Promise<unknown[]> => (await agent.api<{ fills: unknown[] }>('GET', `/api/orders/${orderId}`)).body.fills;

  it('a fill publishes a position event for the account and symbol, one per fill, entry and exit alike', async () => {
    const live = await listenEvents(agent);
    try {
      const res = await agent.post(hook, JSON.stringify({ ticker: 'MSFT', action: 'buy', quantity: 2, price: 410 }));
      expect(res.status).toBe(202);
      const bought = (await eventually(orders, (o) => o.some((x) => x.symbol === 'MSFT' && x.status === 'filled'))).find((x) => x.symbol === 'MSFT')!;
      expect(bought).toMatchObject({ side: 'buy', status: 'filled' });
      const positionEvents = () => live.events.filter((e): e is Extract<AgentEvent, { type: 'position' }> => e.type === 'position' && e.symbol === 'MSFT');
      const entryFills = (await fillsOf(bought.id)).length;
      expect(entryFills).toBeGreaterThan(0);
      await eventually(positionEvents, (e) => e.length >= entryFills);
      expect(positionEvents()).toHaveLength(entryFills);
      expect(positionEvents()[0]).toEqual({ type: 'position', accountId: bought.accountId, symbol: 'MSFT' });
      // The event comes after the fill is in the books: the positions the UI reads then hold it.
      const held = (await agent.api<{ items: PositionView[] }>('GET', '/api/positions')).body.items.find((p) => p.symbol === 'MSFT');
      expect(held).toMatchObject({ accountId: bought.accountId, quantity: '2' });

      await agent.post(hook, JSON.stringify({ ticker: 'MSFT', action: 'exit', price: 411 }));
      const exit = (await eventually(orders, (o) => o.some((x) => x.symbol === 'MSFT' && x.side === 'sell' && x.status === 'filled'))).find((x) => x.symbol === 'MSFT' && x.side === 'sell')!;
      const exitFills = (await fillsOf(exit.id)).length;
      await eventually(positionEvents, (e) => e.length >= entryFills + exitFills);
      expect(positionEvents()).toHaveLength(entryFills + exitFills);
    } finally {
      live.close();
    }
  });
});

// Rejected rows reach viewzenix.db through the main thread's copy of inbox.db, whichever thread the listener runs in.
describe.each([
  { mode: 'in-process', overrides: { webhookThread: false } },
  { mode: 'thread', overrides: { webhookThread: true, webhookThreadEntry: builtWebhookThreadEntry() } },
])('signal events (webhook listener $mode)', ({ mode, overrides }) => {
  let agent: TestAgent;
  let hook: string;
  beforeAll(async () => {
    agent = await startTestAgent({}, overrides);
    hook = new URL(agent.demoWebhookUrl!).pathname;
    expect(agent.webhookMode).toBe(mode);
  });
  afterAll(async () => agent.stop());

  it('an alert rejected at the webhook is announced like a processed one: status rejected, its code and signal id', async () => {
    const live = await listenEvents(agent);
    try {
      const res = await agent.post(hook, JSON.stringify({ action: 'buy', quantity: 1, price: 10 })); // no ticker
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ status: 'rejected', code: 'MISSING_TICKER' });
      const id = res.body.signalId as string;
      const stored = (await agent.api<SignalView>('GET', `/api/signals/${id}`)).body;
      expect(stored).toMatchObject({ id, status: 'rejected', code: 'MISSING_TICKER' });
      const signalEvents = () => live.events.filter((e) => e.type === 'signal' && e.signal.id === id);
      await eventually(signalEvents, (e) => e.length > 0);
      expect(signalEvents()).toEqual([{ type: 'signal', signal: { id, strategyId: stored.strategyId, status: 'rejected', code: 'MISSING_TICKER' } }]);
    } finally {
      live.close();
    }
  });

  it('an accepted alert is still announced once, when it is processed', async () => {
    const live = await listenEvents(agent);
    try {
      const res = await agent.post(hook, JSON.stringify({ ticker: 'NVDA', action: 'buy', quantity: 1, price: 120 }));
      expect(res.status).toBe(202);
      const id = res.body.signalId as string;
      const signalEvents = () => live.events.filter((e) => e.type === 'signal' && e.signal.id === id);
      await eventually(signalEvents, (e) => e.length > 0);
      expect(signalEvents()).toEqual([{ type: 'signal', signal: expect.objectContaining({ id, status: 'done', symbol: 'NVDA' }) }]);
    } finally {
      live.close();
    }
  });
});
