// End to end with the OANDA adapter: alerts posted to the webhook are sized in the account's currency and in
// MetaTrader lots, and the units that reach the (fake) OANDA v20 API are the right ones.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeOanda } from './brokers/oanda/fake-server.js';
import { addOandaAccount } from './brokers/oanda/test-support/fake-api.js';

import { memoryVault } from './test-support/memory-secret-store.js';
import { startTestAgent, eventually, type TestAgent } from './test-support/agent.js';
import type { OrderView, StrategyView } from '../shared/api-types.js';

const TOKEN = 'sizing-e2e-oanda-token-0001';
const ACCOUNT = '101-001-0000000-001';
let fake: FakeOanda;
let agent: TestAgent;
let webhook: string;

beforeAll(async () => {
  fake = await new FakeOanda({ token: TOKEN, accountId: ACCOUNT }).start();
  agent = await startTestAgent({}, { vault: memoryVault() });
  // No duplicate guard: the alerts below are distinct orders on the same symbol and side, seconds apart.
  const account = { body: await addOandaAccount(agent, fake, TOKEN, ACCOUNT, 'OANDA practice', { risk: { enforceMarketHours: false, duplicateWindowSeconds: 0 } }) };
  // Adding is allowed: each alert below buys more USD_JPY on the same account.
  const strategy = await agent.api<StrategyView>('POST', '/api/strategies', { name: 'FX', accountIds: [account.body.id], config: { strategy: { allowAdd: true } } });
  expect(strategy.status).toBe(201);
  webhook = new URL(strategy.body.webhookUrl).pathname;
});
afterAll(async () => {
  await agent.stop();
  await fake.close();
});

async function outcome(body: string, contentType?: string) {
  const sent = await agent.post(webhook, body, contentType);
  expect(sent.status).toBe(202);
  const id = sent.body.signalId as string;
  const signal = await eventually(
    async () => (await agent.api<{ status: string; code?: string }>('GET', `/api/signals/${id}`)).body,
    (s) => s.status !== 'queued' && s.status !== 'processing',
    10_000,
  );
  const orders = (await agent.api<{ items: OrderView[] }>('GET', `/api/orders?signalId=${id}`)).body.items;
  return { signal, orders };
}

describe('alert → sizing in the account currency → OANDA units', () => {
  it('dollar_amount 1000 of FX:USDJPY on the USD account sends 1,000 units (the base is USD), not 6', async () => {
    const { orders } = await outcome('{"ticker":"FX:USDJPY","action":"buy","quantity":"1000","quantityType":"dollar_amount","price":"150.000"}');
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({ symbol: 'USD_JPY', side: 'buy', quantity: '1000', status: 'filled' });
  });

  it('PineConnector vol_lots=2 on USDJPY sends 200,000 units; vol_lots=0.5 sends 50,000', async () => {
    const two = await outcome('60123456789,buy,USDJPY,vol_lots=2', 'text/plain');
    expect(two.signal.status).toBe('done');
    expect(two.orders[0]).toMatchObject({ symbol: 'USD_JPY', side: 'buy', quantity: '200000', status: 'filled' });
    const half = await outcome('60123456789,buy,USDJPY,vol_lots=0.5', 'text/plain');
    expect(half.orders[0]).toMatchObject({ symbol: 'USD_JPY', side: 'buy', quantity: '50000', status: 'filled' });
  });

  it('vol_lots= on an index CFD is denied LOT_SIZE_UNKNOWN and nothing reaches OANDA', async () => {
    const { signal, orders } = await outcome('60123456789,buy,US30_USD,vol_lots=1', 'text/plain');
    expect(signal).toMatchObject({ status: 'denied', code: 'LOT_SIZE_UNKNOWN' });
    expect(orders).toHaveLength(0);
  });
});
