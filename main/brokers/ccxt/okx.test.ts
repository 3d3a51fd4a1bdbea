// OKX through CCXT with the agent's own client order ids (main/ids.ts: `vz-` + 32 hex, 35 characters), which
// OKX's clOrdId rule (1-32 letters and digits) refuses as they are: the adapter sends their 32 hex digits and
// reports every order and fill under the agent's id.
import { afterEach, describe, expect, it } from 'vitest';
import { BrokerError } from '../port.js';
import { CcxtAdapter } from './adapter.js';
import { FakeOkx } from './fake-okx.js';
import { clientOrderId } from '../../ids.js';

const KEYS = { apiKey: 'canaryOkxKey00112233', secret: 'canaryOkxSecret44556677', password: 'canaryOkxPass8899' };
let fake: FakeOkx | undefined;

afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function setup() {
  fake = await new FakeOkx({ apiKey: KEYS.apiKey, secret: KEYS.secret, passphrase: KEYS.password }).start();
  const adapter = new CcxtAdapter('okx1', { exchange: 'okx', environment: 'live', baseUrl: fake.baseUrl, timeoutMs: 500, rateLimitMs: 1 }, KEYS);
  return { fake, adapter };
}

describe('CCXT adapter over the fake OKX v5 API, with the agent\'s client order ids', () => {
  it('sends the agent\'s id as a valid clOrdId (its 32 hex digits) and answers under the agent\'s id', async () => {
    const { adapter, fake } = await setup();
    const id = clientOrderId('sig_1', 'acc_1', 'entry');
    expect(id).toMatch(/^vz-[0-9a-f]{32}$/);
    const o = await adapter.submit({ clientOrderId: id, symbol: 'BTC/USDT', side: 'buy', type: 'limit', limitPrice: '29000', quantity: '0.01', timeInForce: 'gtc' });
    expect(fake.sentClOrdIds).toEqual([id.slice(3)]);
    expect(o).toMatchObject({ clientOrderId: id, symbol: 'BTC/USDT', status: 'accepted' });
    expect(fake.calls).toContain('POST /api/v5/trade/batch-orders');
    // Read back by the agent's id; listed among open orders under it.
    expect(await adapter.orderByClientId(id)).toMatchObject({ clientOrderId: id, brokerOrderId: o.brokerOrderId });
    expect((await adapter.openOrders()).map((x) => x.clientOrderId)).toEqual([id]);
  });

  it('a lost answer is found by the same clOrdId: one order at OKX, reported under the agent\'s id, nothing re-sent', async () => {
    const { adapter, fake } = await setup();
    const id = clientOrderId('sig_2', 'acc_1', 'entry');
    fake.faults.failNext('lost_answer_reset', { on: 'submit' });
    const err = (await adapter.submit({ clientOrderId: id, symbol: 'BTC/USDT', side: 'buy', type: 'market', quantity: '0.01', timeInForce: 'gtc' }).catch((e: unknown) => e)) as BrokerError;
    expect(err).toBeInstanceOf(BrokerError);
    expect(err.outcomeUnknown).toBe(true);
    const found = await adapter.orderByClientId(id);
    expect(found).toMatchObject({ clientOrderId: id, status: 'filled', filledQuantity: '0.01' });
    expect(fake.countByClOrdId(id.slice(3))).toBe(1);
    expect(fake.sentClOrdIds).toEqual([id.slice(3)]);
  });

  it('after a restart (a new adapter, no memory) the order, its lookup and its fills still carry the agent\'s id', async () => {
    const { adapter, fake } = await setup();
    const id = clientOrderId('sig_3', 'acc_1', 'entry');
    const since = new Date(Date.now() - 1000).toISOString();
    await adapter.submit({ clientOrderId: id, symbol: 'BTC/USDT', side: 'buy', type: 'market', quantity: '0.02', timeInForce: 'gtc' });
    const restarted = new CcxtAdapter('okx1', { exchange: 'okx', environment: 'live', baseUrl: fake.baseUrl, timeoutMs: 500, rateLimitMs: 1, symbols: ['BTC/USDT'] }, KEYS);
    expect(await restarted.orderByClientId(id)).toMatchObject({ clientOrderId: id, status: 'filled' });
    const fills = await new CcxtAdapter('okx1', { exchange: 'okx', environment: 'live', baseUrl: fake.baseUrl, timeoutMs: 500, rateLimitMs: 1, symbols: ['BTC/USDT'] }, KEYS).fillsSince(since);
    expect(fills).toHaveLength(1);
    expect(fills[0]).toMatchObject({ clientOrderId: id, symbol: 'BTC/USDT', quantity: '0.02', price: '30000' });
  });

  it('cancel by the agent\'s id reaches the order at OKX', async () => {
    const { adapter, fake } = await setup();
    const id = clientOrderId('sig_4', 'acc_1', 'entry');
    await adapter.submit({ clientOrderId: id, symbol: 'BTC/USDT', side: 'buy', type: 'limit', limitPrice: '25000', quantity: '0.01', timeInForce: 'gtc' });
    expect(await adapter.cancel(id)).toMatchObject({ clientOrderId: id, status: 'canceled' });
    expect(fake.orders[0]!.state).toBe('canceled');
  });

  it('two agent ids stay two orders with two clOrdIds; a re-send of the same id is refused by OKX (sCode 51016) and makes no second order', async () => {
    const { adapter, fake } = await setup();
    const a = clientOrderId('sig_5', 'acc_1', 'entry');
    const b = clientOrderId('sig_5', 'acc_1', 'exit');
    const req = { symbol: 'BTC/USDT', side: 'buy' as const, type: 'limit' as const, limitPrice: '25000', quantity: '0.01', timeInForce: 'gtc' as const };
    await adapter.submit({ ...req, clientOrderId: a });
    await adapter.submit({ ...req, clientOrderId: b });
    expect(new Set(fake.orders.map((o) => o.clOrdId)).size).toBe(2);
    const again = (await adapter.submit({ ...req, clientOrderId: a }).catch((e: unknown) => e)) as BrokerError;
    expect(again.kind).toBe('rejected');
    expect(fake.countByClOrdId(a.slice(3))).toBe(1);
  });

  it('a market order that fills in more pieces than one page of OKX fills (100, newest first) gives every fill, oldest first', async () => {
    const { adapter, fake } = await setup();
    const id = clientOrderId('sig_6', 'acc_1', 'entry');
    const since = new Date(Date.now() - 1000).toISOString();
    fake.fillsPerMarketOrder = 250;
    const o = await adapter.submit({ clientOrderId: id, symbol: 'BTC/USDT', side: 'buy', type: 'market', quantity: '0.25', timeInForce: 'gtc' });
    expect(fake.fills).toHaveLength(250);
    const fills = await adapter.fillsSince(since);
    expect(fills).toHaveLength(250);
    expect(new Set(fills.map((f) => f.tradeId)).size).toBe(250);
    expect(fills.every((f) => f.clientOrderId === id && f.brokerOrderId === o.brokerOrderId)).toBe(true);
    expect(fills.reduce((sum, f) => sum + Number(f.quantity), 0)).toBeCloseTo(0.25, 10);
    expect(fills.map((f) => f.time)).toEqual([...fills.map((f) => f.time)].sort());
  });

  it('an IOC or FOK limit that cannot fill at once is canceled by OKX with nothing filled; one that can fills', async () => {
    const { adapter, fake } = await setup();
    const req = { symbol: 'BTC/USDT', side: 'buy' as const, type: 'limit' as const, quantity: '0.01', limitPrice: '29000' };
    // OKX answers a placed order with its ids only (sCode 0): what became of it is read back.
    const [a, b, c] = ['a', 'b', 'c'].map((leg) => clientOrderId('sig_7', 'acc_1', leg));
    await adapter.submit({ ...req, clientOrderId: a!, timeInForce: 'ioc' });
    await adapter.submit({ ...req, clientOrderId: b!, timeInForce: 'fok' });
    expect(fake.orders.map((o) => [o.ordType, o.state])).toEqual([['ioc', 'canceled'], ['fok', 'canceled']]);
    expect(await adapter.orderByClientId(a!)).toMatchObject({ status: 'canceled', filledQuantity: '0' });
    expect(await adapter.orderByClientId(b!)).toMatchObject({ status: 'canceled', filledQuantity: '0' });
    await adapter.submit({ ...req, limitPrice: '30500', clientOrderId: c!, timeInForce: 'ioc' });
    expect(await adapter.orderByClientId(c!)).toMatchObject({ status: 'filled', filledQuantity: '0.01' });
  });

  it('a buy beyond the balance is refused by OKX (sCode 51008 inside a 200 answer) as INSUFFICIENT_FUNDS, no order placed', async () => {
    const { adapter, fake } = await setup();
    const err = (await adapter.submit({ clientOrderId: clientOrderId('sig_8', 'acc_1', 'entry'), symbol: 'BTC/USDT', side: 'buy', type: 'limit', limitPrice: '29000', quantity: '10', timeInForce: 'gtc' }).catch((e: unknown) => e)) as BrokerError;
    expect(err).toBeInstanceOf(BrokerError);
    expect(err.kind).toBe('insufficient_funds');
    expect(err.outcomeUnknown).toBe(false);
    expect(fake.orders).toHaveLength(0);
  });

  it('a market buy is sized in the base currency (tgtCcy base_ccy): OKX would otherwise read sz as an amount of USDT to spend', async () => {
    const { adapter, fake } = await setup();
    const id = clientOrderId('sig_9', 'acc_1', 'entry');
    await adapter.submit({ clientOrderId: id, symbol: 'BTC/USDT', side: 'buy', type: 'market', quantity: '0.01', timeInForce: 'gtc' });
    expect(fake.orders[0]).toMatchObject({ ordType: 'market', tgtCcy: 'base_ccy', sz: '0.01', accFillSz: '0.01' });
    expect(await adapter.orderByClientId(id)).toMatchObject({ status: 'filled', quantity: '0.01', filledQuantity: '0.01' });
    // Sent without tgtCcy, the fake (as OKX) reads a market buy's sz in the quote currency: 300 USDT buys 0.01 BTC.
    await fake.placeForTest({ instId: 'BTC-USDT', side: 'buy', ordType: 'market', sz: '300', tdMode: 'cash' });
    expect(fake.orders[1]).toMatchObject({ tgtCcy: 'quote_ccy', sz: '300', accFillSz: '0.01', state: 'filled' });
  });

  it('no stop-limit orders at OKX: CCXT places them as algo orders (order-algo, algoClOrdId), which the lookup by clOrdId cannot find, so a lost answer would be re-sent', async () => {
    const { adapter, fake } = await setup();
    expect(adapter.capabilities.orderTypes).not.toContain('stop_limit');
    const err = (await adapter.submit({ clientOrderId: clientOrderId('sig_10', 'acc_1', 'stop'), symbol: 'BTC/USDT', side: 'sell', type: 'stop_limit', stopPrice: '29000', limitPrice: '28900', quantity: '0.01', timeInForce: 'gtc' }).catch((e: unknown) => e)) as BrokerError;
    expect(err).toBeInstanceOf(BrokerError);
    expect(err.refusedBeforeSending).toBe(true);
    expect(fake.calls.filter((c) => c.startsWith('POST /api/v5/trade/'))).toEqual([]);
  });

  it('a per-order refusal CCXT has no class for (sCode 51025 in a code "1" answer: all operations failed) is a rejection, not an unknown outcome', async () => {
    const { adapter, fake } = await setup();
    fake.openOrderLimit = 1;
    const req = { symbol: 'BTC/USDT', side: 'buy' as const, type: 'limit' as const, limitPrice: '25000', quantity: '0.01', timeInForce: 'gtc' as const };
    await adapter.submit({ ...req, clientOrderId: clientOrderId('sig_11', 'acc_1', 'a') });
    const err = (await adapter.submit({ ...req, clientOrderId: clientOrderId('sig_11', 'acc_1', 'b') }).catch((e: unknown) => e)) as BrokerError;
    expect(err).toBeInstanceOf(BrokerError);
    expect(err.kind).toBe('rejected');
    expect(err.outcomeUnknown).toBe(false);
    expect(err.message).toContain('51025');
    expect(fake.orders).toHaveLength(1);
  });
});
