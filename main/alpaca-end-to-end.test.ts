// End to end with a real broker adapter: an alert posted to the agent becomes an order at the (fake) Alpaca
// Trading API, its fill arrives on the trade_updates stream, and the position shows in GET /api/positions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from 'decimal.js';
import { FakeAlpaca } from './brokers/alpaca/fake-server.js';
import { EnvStore, Vault } from './secrets/index.js';
import { MemorySecretStore } from './test-support/memory-secret-store.js';
import { startTestAgent, eventually, type TestAgent } from './test-support/agent.js';
import type { AccountView, OrderEventView, OrderView, PositionView, StrategyView } from '../shared/api-types.js';

const KEYS = { keyId: 'PKE2EKEYID00000000001', secretKey: 'e2e-secret-Qw8Er7Ty6Ui5Op4As3' };
let fake: FakeAlpaca;
let agent: TestAgent;

beforeAll(async () => {
  fake = await new FakeAlpaca({ ...KEYS, prices: { AAPL: '190' } }).start();
  agent = await startTestAgent({}, { vault: new Vault({ keychain: new MemorySecretStore(), env: new EnvStore({}) }) });
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
});
