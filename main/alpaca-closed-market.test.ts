// End to end while the US equity market is closed at the (fake) Alpaca. With the market-hours rule on (the
// default) an alert for a stock is denied before anything is sent: Alpaca's clock says the market is closed. With it
// off the trader lets Alpaca queue the order until the open: the order is `accepted` at Alpaca and stays working in
// the agent for as long as the market is closed, is sent once, and its fill at the open reaches the agent's orders
// and positions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeAlpaca } from './brokers/alpaca/fake-server.js';
import { memoryVault } from './test-support/memory-secret-store.js';
import { startTestAgent, eventually, settledSignal, type TestAgent } from './test-support/agent.js';
import type { AccountView, OrderView, PositionView, StrategyView } from '../shared/api-types.js';

const KEYS = { keyId: 'PKCLOSEDKEYID00000001', secretKey: 'closed-secret-Mk8Nj7Bh6Vg5Cf4' };
let agent: TestAgent;

beforeAll(async () => {
  agent = await startTestAgent({}, { vault: memoryVault() });
});
afterAll(async () => {
  await agent.stop();
});

async function alpacaAccount(fake: FakeAlpaca, name: string, config: Record<string, unknown>): Promise<{ accountId: string; hook: string }> {
  const account = await agent.api<AccountView>('POST', '/api/accounts', { name, broker: 'alpaca', environment: 'paper', baseUrl: fake.baseUrl, credentials: KEYS, config });
  expect(account.status).toBe(201);
  const strategy = await agent.api<StrategyView>('POST', '/api/strategies', { name: `${name} strategy`, accountIds: [account.body.id] });
  return { accountId: account.body.id, hook: new URL(strategy.body.webhookUrl).pathname };
}

const ordersOf = async (signalId: string) => (await agent.api<{ items: OrderView[] }>('GET', `/api/orders?signalId=${signalId}`)).body.items;

describe('an alert for a stock while the market is closed at Alpaca', () => {
  it('with the market-hours rule on (the default): denied MARKET_CLOSED, nothing sent to Alpaca', async () => {
    const fake = await new FakeAlpaca({ ...KEYS, prices: { AAPL: '190' }, session: 'closed' }).start();
    try {
      const { hook } = await alpacaAccount(fake, 'Alpaca rule on', { streaming: true, pollIntervalMs: 600000 });
      const sent = await agent.post(hook, '{"ticker":"AAPL","action":"buy","quantity":"3","price":"190"}');
      expect(sent.status).toBe(202);
      const signal = await settledSignal(agent, sent.body.signalId as string, 10_000);
      expect(signal).toMatchObject({ status: 'denied', code: 'MARKET_CLOSED' });
      expect(await ordersOf(sent.body.signalId as string)).toEqual([]);
      expect(fake.submitAttempts).toEqual([]);
    } finally {
      await fake.close();
    }
  });

  it('with the rule off: Alpaca queues the order (accepted), the agent keeps it working, and the fill at the open reaches the order and the position', async () => {
    const fake = await new FakeAlpaca({ ...KEYS, prices: { AAPL: '190' }, session: 'closed' }).start();
    try {
      const { accountId, hook } = await alpacaAccount(fake, 'Alpaca queued', { risk: { enforceMarketHours: false }, streaming: true, pollIntervalMs: 600000 });
      const sent = await agent.post(hook, '{"ticker":"NASDAQ:AAPL","action":"buy","quantity":"3","price":"190"}');
      expect(sent.status).toBe(202);
      const signalId = sent.body.signalId as string;
      // The worker waits fillWaitMs (2 s here) for the market order to settle, then lets the alert finish.
      expect(await settledSignal(agent, signalId, 10_000)).toMatchObject({ status: 'done' });
      const [queued] = await ordersOf(signalId);
      expect(queued).toMatchObject({ symbol: 'AAPL', side: 'buy', quantity: '3', status: 'accepted', filledQuantity: '0' });
      expect([...fake.orders.values()].map((o) => [o.client_order_id, o.status])).toEqual([[queued!.clientOrderId, 'accepted']]);

      fake.setPrice('AAPL', '192');
      fake.setSession('open');
      const [filled] = await eventually(() => ordersOf(signalId), (items) => items[0]?.status === 'filled', 10_000);
      expect(filled).toMatchObject({ id: queued!.id, status: 'filled', filledQuantity: '3', averageFillPrice: '192' });
      const positions = await eventually(
        async () => (await agent.api<{ items: PositionView[] }>('GET', '/api/positions')).body.items,
        (items) => items.some((p) => p.accountId === accountId && p.symbol === 'AAPL'),
      );
      expect(positions.find((p) => p.accountId === accountId && p.symbol === 'AAPL')?.quantity).toBe('3');
      expect(fake.submitAttempts).toEqual([queued!.clientOrderId]);
    } finally {
      await fake.close();
    }
  });
});
