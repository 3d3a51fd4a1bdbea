// End to end with a real broker adapter: an alert posted to the agent becomes an order at the (fake) Alpaca
// Trading API, its fill arrives on the trade_updates stream, and the position shows in GET /api/positions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from 'decimal.js';
import { FakeAlpaca } from './brokers/alpaca/fake-server.js';

import { memoryVault } from './test-support/memory-secret-store.js';
import { startTestAgent, eventually, settledSignal, type TestAgent } from './test-support/agent.js';
import type { AccountView, OrderEventView, OrderView, PositionView, StrategyView } from '../shared/api-types.js';
import { clientOrderId } from './ids.js';

const KEYS = { keyId: 'PKE2EKEYID00000000001', secretKey: 'e2e-secret-Qw8Er7Ty6Ui5Op4As3' };
let fake: FakeAlpaca;
let agent: TestAgent;

beforeAll(async () => {
  fake = await new FakeAlpaca({ ...KEYS, prices: { AAPL: '190' } }).start();
  agent = await startTestAgent({}, { vault: memoryVault() });
});
afterAll(async () => {
  await agent.stop();
  await fake.close();
});

describe('alert → Alpaca → stream fill → position', () => {
  it('places the order at Alpaca with the client order id, applies the streamed fill and shows the position', async () => {
    const account = await agent.api<AccountView>('POST', '/api/accounts', {
      name: 'Alpaca paper',
      broker: 'alpaca',
      environment: 'paper',
      baseUrl: fake.baseUrl,
      credentials: KEYS,
      // Polling every 10 minutes: within this test the fill can only arrive on the trade_updates stream.
      config: { risk: { enforceMarketHours: false }, streaming: true, pollIntervalMs: 600000 },
    });
    expect(account.status).toBe(201);
    expect(account.body.credentials).toEqual({ keyId: 'set', secretKey: 'set' });
    const strategy = await agent.api<StrategyView>('POST', '/api/strategies', { name: 'Alpaca strategy', accountIds: [account.body.id] });
    const sent = await agent.post(new URL(strategy.body.webhookUrl).pathname, '{"ticker":"NASDAQ:AAPL","action":"buy","quantity":"3","price":"190"}');
    expect(sent.status).toBe(202);

    const [order] = await eventually(
      async () => (await agent.api<{ items: OrderView[] }>('GET', `/api/orders?signalId=${sent.body.signalId as string}`)).body.items,
      (items) => items.length === 1 && items[0]!.status === 'filled',
      10_000,
    );
    expect(order).toMatchObject({ symbol: 'AAPL', side: 'buy', quantity: '3', status: 'filled', accountId: account.body.id });
    expect(fake.countByClientId(order!.clientOrderId)).toBe(1);

    const detail = await agent.api<{ events: OrderEventView[] }>('GET', `/api/orders/${order!.id}`);
    const kinds = detail.body.events.map((e) => e.kind);
    expect(kinds).toContain('submit');
    expect(kinds.some((k) => k === 'fill' || k === 'broker_update')).toBe(true);

    const positions = await eventually(
      async () => (await agent.api<{ items: PositionView[] }>('GET', '/api/positions')).body.items,
      (items) => items.some((p) => p.accountId === account.body.id && p.symbol === 'AAPL'),
    );
    expect(positions.find((p) => p.accountId === account.body.id && p.symbol === 'AAPL')?.quantity).toBe('3');
  });

  it('measures the daily loss from Alpaca\'s last_equity: a day that began 1,000 higher is a loss of 1,000 at once', async () => {
    const fresh = await new FakeAlpaca({ ...KEYS, prices: { AAPL: '190' } }).start();
    try {
      fresh.lastEquity = new Decimal('101000'); // the previous close; the account holds 100,000 now
      const account = await agent.api<AccountView>('POST', '/api/accounts', {
        name: 'Alpaca after a losing day',
        broker: 'alpaca',
        environment: 'paper',
        baseUrl: fresh.baseUrl,
        credentials: KEYS,
        config: { risk: { enforceMarketHours: false, maxDailyLoss: '500', lossLimitAction: 'reduce' }, streaming: false },
      });
      expect(account.status).toBe(201);
      const strategy = await agent.api<StrategyView>('POST', '/api/strategies', { name: 'Alpaca loss strategy', accountIds: [account.body.id] });
      const sent = await agent.post(new URL(strategy.body.webhookUrl).pathname, '{"ticker":"AAPL","action":"buy","quantity":"1","price":"190"}');
      expect(sent.status).toBe(202);
      const signal = await eventually(
        async () => (await agent.api<{ status: string; code?: string; message?: string }>('GET', `/api/signals/${sent.body.signalId as string}`)).body,
        (x) => x.status !== 'queued' && x.status !== 'processing',
      );
      expect(signal).toMatchObject({ status: 'denied', code: 'DAILY_LOSS_LIMIT' });
      expect(signal.message).toMatch(/loss=1000, max=500/);
      expect((await agent.api<{ items: OrderView[] }>('GET', `/api/orders?signalId=${sent.body.signalId as string}`)).body.items).toEqual([]);
    } finally {
      await fresh.close();
    }
  });

  it('a bracket entry filled in part: a cancel alert leaves the 4 filled with an OCO of the bracket\'s exits at Alpaca; an exit alert that cancels such an entry places none and closes the position', async () => {
    const fresh = await new FakeAlpaca({ ...KEYS, prices: { AAPL: '100', MSFT: '100' } }).start();
    try {
      const account = await agent.api<AccountView>('POST', '/api/accounts', {
        name: 'Alpaca brackets',
        broker: 'alpaca',
        environment: 'paper',
        baseUrl: fresh.baseUrl,
        credentials: KEYS,
        config: { risk: { enforceMarketHours: false }, streaming: true, pollIntervalMs: 600000 },
      });
      expect(account.status).toBe(201);
      const acc = account.body.id;
      const strategy = await agent.api<StrategyView>('POST', '/api/strategies', { name: 'Alpaca bracket strategy', accountIds: [acc] });
      const hook = new URL(strategy.body.webhookUrl).pathname;
      const settled = (signalId: string) => settledSignal(agent, signalId, 10_000);
      const ordersOf = async (signalId: string) => (await agent.api<{ items: OrderView[] }>('GET', `/api/orders?signalId=${signalId}`)).body.items;
      const bracketAlert = (ticker: string) => `{"ticker":"${ticker}","action":"buy","quantity":"10","orderType":"limit","limitPrice":"95","price":"100","timeInForce":"gtc","takeProfit":{"limitPrice":"120"},"stopLoss":{"stopPrice":"90"}}`;
      const partlyFilled = async (ticker: string) => {
        const sent = await agent.post(hook, bracketAlert(ticker));
        expect(sent.status).toBe(202);
        const signalId = sent.body.signalId as string;
        expect((await eventually(() => ordersOf(signalId), (items) => items[0]?.status === 'accepted', 10_000))[0]?.status).toBe('accepted');
        fresh.setPrice(ticker, '95', { volume: '4' });
        const [entry] = await eventually(() => ordersOf(signalId), (items) => items[0]?.filledQuantity === '4', 10_000);
        expect(entry).toMatchObject({ status: 'partially_filled', filledQuantity: '4' });
        return { signalId, entry: entry! };
      };

      // A cancel alert: nothing follows the cancel, so the agent protects the 4 that filled.
      const aapl = await partlyFilled('AAPL');
      const cancel = await agent.post(hook, '{"ticker":"AAPL","action":"cancel"}');
      await settled(cancel.body.signalId as string);
      const exitId = clientOrderId(aapl.entry.clientOrderId, acc, 'protect');
      const protective = await eventually(async () => (await ordersOf(aapl.signalId)).find((o) => o.clientOrderId === exitId), (o) => o?.status === 'accepted', 10_000);
      expect(protective).toMatchObject({ side: 'sell', quantity: '4', type: 'limit', limitPrice: '120', status: 'accepted' });
      const oco = [...fresh.orders.values()].find((o) => o.client_order_id === exitId)!;
      expect(oco).toMatchObject({ order_class: 'oco', qty: '4', limit_price: '120', status: 'new' });
      expect(oco.legs!.map((l) => [l.type, l.stop_price])).toEqual([['stop', '90']]);

      // An exit alert cancels the protective exit first and sells the 4.
      const exit = await agent.post(hook, '{"ticker":"AAPL","action":"exit","price":"100"}');
      await settled(exit.body.signalId as string);
      expect(await eventually(() => fresh.positions.get('AAPL')?.qty.toString(), (q) => q === '0', 2000)).toBe('0');
      expect(oco.status).toBe('canceled');
      expect(fresh.countByClientId(exitId)).toBe(1);

      // An exit alert that cancels a partly filled entry: the position closes, no exits of the agent's own.
      const msft = await partlyFilled('MSFT');
      const exitMsft = await agent.post(hook, '{"ticker":"MSFT","action":"exit","price":"100"}');
      await settled(exitMsft.body.signalId as string);
      expect(await eventually(() => fresh.positions.get('MSFT')?.qty.toString(), (q) => q === '0', 2000)).toBe('0');
      await new Promise((r) => setTimeout(r, 200));
      expect(fresh.countByClientId(clientOrderId(msft.entry.clientOrderId, acc, 'protect'))).toBe(0);
      expect((await ordersOf(msft.signalId)).find((o) => o.clientOrderId === msft.entry.clientOrderId)).toMatchObject({ status: 'canceled', filledQuantity: '4' });
    } finally {
      await fresh.close();
    }
  });
});
