// A crypto exchange account (CCXT, the fake Binance spot API) traded by a strategy with no settings of its own: the
// defaults (market orders, time in force `day`) must reach the exchange, entries and exits alike.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeBinance } from './brokers/ccxt/fake-binance.js';

import { memoryVault } from './test-support/memory-secret-store.js';
import { eventually, settledSignal, startTestAgent, type TestAgent } from './test-support/agent.js';
import type { AccountView, OrderView, StrategyView } from '../shared/api-types.js';

const KEYS = { apiKey: 'e2eBinanceKeyCanary000111', secret: 'e2eBinanceSecretCanary999888' };
let fake: FakeBinance;
let agent: TestAgent;
let hook: string;

beforeAll(async () => {
  fake = await new FakeBinance({ ...KEYS }).start();
  agent = await startTestAgent({}, { vault: memoryVault() });
  const account = await agent.api<AccountView>('POST', '/api/accounts', { name: 'Binance', broker: 'ccxt', environment: 'live', baseUrl: fake.baseUrl, credentials: KEYS, config: { exchange: 'binance' } });
  expect(account.status).toBe(201);
  const strategy = await agent.api<StrategyView>('POST', '/api/strategies', { name: 'Crypto defaults', accountIds: [account.body.id] });
  hook = new URL(strategy.body.webhookUrl).pathname;
});
afterAll(async () => {
  await agent.stop();
  await fake.close();
});

async function send(alert: Record<string, unknown>): Promise<OrderView[]> {
  const res = await agent.post(hook, JSON.stringify(alert));
  expect(res.status).toBe(202);
  const id = res.body.signalId as string;
  const signal = await settledSignal<{ status: string; code?: string; message?: string }>(agent, id, 15_000);
  expect(signal, JSON.stringify(signal)).toMatchObject({ status: 'done' });
  return eventually(async () => (await agent.api<{ items: OrderView[] }>('GET', `/api/orders?signalId=${id}`)).body.items, (o) => o.length > 0 && o.every((x) => x.status === 'filled'));
}

describe('CCXT with the strategy defaults', () => {
  it('a buy and then an exit (time in force day by default) both reach the exchange and fill', async () => {
    const [entry] = await send({ ticker: 'BINANCE:ETHUSDT', action: 'buy', quantity: '0.1', price: '2000' });
    expect(entry).toMatchObject({ symbol: 'ETH/USDT', side: 'buy', quantity: '0.1', timeInForce: 'day', status: 'filled' });
    const [exit] = await send({ ticker: 'BINANCE:ETHUSDT', action: 'exit', price: '2000' });
    expect(exit).toMatchObject({ symbol: 'ETH/USDT', side: 'sell', quantity: '0.1', status: 'filled' });
    expect(fake.orders.filter((o) => o.symbol === 'ETHUSDT').map((o) => [o.side, o.type])).toEqual([
      ['BUY', 'MARKET'],
      ['SELL', 'MARKET'],
    ]);
  });
});
