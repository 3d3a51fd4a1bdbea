// CCXT-specific behaviour: the exchange list comes from CCXT, the binance class is driven against the fake
// Binance spot API (signed requests, filters, balances), errors map to the trader's codes without secrets.
import { afterEach, describe, expect, it } from 'vitest';
import { BrokerError } from '../port.js';
import { CcxtAdapter, type CcxtConfig } from './adapter.js';
import { listCcxtExchanges } from './exchange.js';
import { FakeBinance } from './fake-binance.js';
import { codeForBrokerError } from '../http/codes.js';
import { eventually } from '../contract/suite.js';
import { UpdateFilter } from '../http/update-filter.js';
import { brokerSymbol } from '../../signals/decide.js';
import ccxt, { functions } from 'ccxt';
import { toInstrumentInfo, type Market } from './mapping.js';

const KEYS = { apiKey: 'canaryApiKeyZZ0011223344556677', secret: 'canarySecretYY9988776655443322' };
let fake: FakeBinance | undefined;

afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function setup(config: Partial<CcxtConfig> = {}, keys = KEYS) {
  fake = await new FakeBinance({ ...KEYS }).start();
  const adapter = new CcxtAdapter('b1', { exchange: 'binance', environment: 'live', baseUrl: fake.baseUrl, timeoutMs: 1000, rateLimitMs: 1, ...config }, keys);
  return { fake, adapter };
}

describe('CCXT exchange list', () => {
  it('comes from ccxt.exchanges and includes the major venues', () => {
    const list = listCcxtExchanges();
    for (const id of ['binance', 'coinbase', 'kraken', 'bybit']) expect(list).toContain(id);
    expect(list.length).toBeGreaterThan(50);
  });
});

describe('CCXT adapter over the fake Binance spot API', () => {
  it('uses the Binance spot endpoints CCXT documents: exchangeInfo, signed POST/GET order, myTrades, account', async () => {
    const { adapter, fake } = await setup();
    await adapter.connect();
    await adapter.submit({ clientOrderId: 'e1', symbol: 'BTCUSDT', side: 'buy', type: 'market', quantity: '0.01', timeInForce: 'gtc' });
    await adapter.orderByClientId('e1');
    await adapter.fillsSince(new Date(Date.now() - 60_000).toISOString());
    await adapter.account();
    for (const call of ['GET /api/v3/exchangeInfo', 'POST /api/v3/order', 'GET /api/v3/order', 'GET /api/v3/myTrades', 'GET /api/v3/account']) expect(fake.calls).toContain(call);
    expect(fake.calls.some((c) => c.includes('/fapi/') || c.includes('/dapi/') || c.includes('/sapi/'))).toBe(false);
  });

  it('accepts "BTCUSDT" (the exchange id, as TradingView writes it) and answers with the unified symbol', async () => {
    const { adapter } = await setup();
    const o = await adapter.submit({ clientOrderId: 'e2', symbol: 'BTCUSDT', side: 'buy', type: 'market', quantity: '0.01', timeInForce: 'gtc' });
    expect(o.symbol).toBe('BTC/USDT');
    expect((await adapter.instrument('BTCUSDT')).tickSize).toBe('0.01');
  });

  it('a TradingView alert for BINANCE:BTCUSDT maps, through the pipeline\'s mapping and this adapter\'s broker id, to BTC/USDT, which the exchange trades', async () => {
    const { adapter } = await setup();
    expect(adapter.broker).toBe('ccxt:binance');
    const now = new Date().toISOString();
    const spot = brokerSymbol({ symbol: 'BTCUSDT', exchange: 'BINANCE' }, adapter.broker, {}, now);
    expect(spot).toBe('BTC/USDT');
    expect(brokerSymbol({ symbol: 'BTCUSDT.P', exchange: 'BINANCE' }, adapter.broker, {}, now)).toBe('BTC/USDT:USDT');
    expect((await adapter.instrument(spot)).symbol).toBe('BTC/USDT');
    const o = await adapter.submit({ clientOrderId: 'vz-0000000000000000000000000000000a', symbol: spot, side: 'buy', type: 'market', quantity: '0.01', timeInForce: 'gtc' });
    expect(o).toMatchObject({ symbol: 'BTC/USDT', status: 'filled' });
  });

  it('the strategy default time in force, day, is taken: a market order carries none, a limit goes as GTC (crypto has no trading day)', async () => {
    const { fake, adapter } = await setup();
    const market = await adapter.submit({ clientOrderId: 'vz-000000000000000000000000000000d1', symbol: 'ETH/USDT', side: 'buy', type: 'market', quantity: '0.1', timeInForce: 'day' });
    expect(market.status).toBe('filled');
    const limit = await adapter.submit({ clientOrderId: 'vz-000000000000000000000000000000d2', symbol: 'ETH/USDT', side: 'sell', type: 'limit', quantity: '0.1', limitPrice: '2500', timeInForce: 'day' });
    expect(limit.status).toBe('accepted');
    expect(fake.orders.at(-1)).toMatchObject({ type: 'LIMIT', timeInForce: 'GTC' });
    expect(adapter.capabilities.timeInForce).toContain('day');
  });

  it('an IOC or FOK limit that cannot fill at once expires (Binance EXPIRED) and frees its funds; one that can fills', async () => {
    const { fake, adapter } = await setup();
    const req = { symbol: 'BTC/USDT', side: 'buy' as const, type: 'limit' as const, quantity: '0.01', limitPrice: '29000' };
    expect(await adapter.submit({ ...req, clientOrderId: 'vz-000000000000000000000000000000e1', timeInForce: 'ioc' })).toMatchObject({ status: 'expired', filledQuantity: '0' });
    expect(await adapter.submit({ ...req, clientOrderId: 'vz-000000000000000000000000000000e2', timeInForce: 'fok' })).toMatchObject({ status: 'expired', filledQuantity: '0' });
    expect(fake.orders.map((o) => [o.timeInForce, o.status])).toEqual([['IOC', 'EXPIRED'], ['FOK', 'EXPIRED']]);
    expect(fake.balances.get('USDT')!.locked.isZero()).toBe(true);
    expect(await adapter.openOrders()).toEqual([]);
    expect(await adapter.submit({ ...req, limitPrice: '30500', clientOrderId: 'vz-000000000000000000000000000000e3', timeInForce: 'ioc' })).toMatchObject({ status: 'filled', filledQuantity: '0.01' });
  });

  it('a stop-limit goes as STOP_LOSS_LIMIT and waits for its stop price; one whose stop the market has passed is refused', async () => {
    const { fake, adapter } = await setup();
    expect(adapter.capabilities.orderTypes).toContain('stop_limit');
    await adapter.submit({ clientOrderId: 'vz-000000000000000000000000000000a1', symbol: 'BTC/USDT', side: 'buy', type: 'market', quantity: '0.02', timeInForce: 'gtc' });
    const id = 'vz-000000000000000000000000000000a2';
    const stop = await adapter.submit({ clientOrderId: id, symbol: 'BTC/USDT', side: 'sell', type: 'stop_limit', stopPrice: '29000', limitPrice: '28900', quantity: '0.01', timeInForce: 'gtc' });
    expect(stop).toMatchObject({ status: 'accepted', type: 'stop_limit', stopPrice: '29000', limitPrice: '28900', filledQuantity: '0' });
    expect(fake.orders.at(-1)).toMatchObject({ type: 'STOP_LOSS_LIMIT', stopPrice: '29000.00000000', status: 'NEW' });
    fake.setPrice('BTC/USDT', '29500');
    expect(await adapter.orderByClientId(id)).toMatchObject({ status: 'accepted', filledQuantity: '0' });
    fake.setPrice('BTC/USDT', '28950');
    expect(await adapter.orderByClientId(id)).toMatchObject({ status: 'filled', filledQuantity: '0.01', averageFillPrice: '28950' });
    // Binance: a STOP_LOSS SELL's stop must be below the market ("Order would trigger immediately.", -2010).
    const passed = (await adapter.submit({ clientOrderId: 'vz-000000000000000000000000000000a3', symbol: 'BTC/USDT', side: 'sell', type: 'stop_limit', stopPrice: '29500', limitPrice: '29400', quantity: '0.01', timeInForce: 'gtc' }).catch((e: unknown) => e)) as BrokerError;
    expect(passed.kind).toBe('rejected');
    expect(passed.message).toContain('trigger immediately');
    expect(fake.countByClientId('vz-000000000000000000000000000000a3')).toBe(0);
  });

  it('instrument info carries LOT_SIZE, PRICE_FILTER and NOTIONAL from loadMarkets', async () => {
    const { adapter } = await setup();
    expect(await adapter.instrument('BTC/USDT')).toMatchObject({ symbol: 'BTC/USDT', assetClass: 'crypto', lotSize: '0.00001', tickSize: '0.01', minQuantity: '0.00001', minNotional: '5' });
  });

  it('instrument info names the market\'s base and quote asset; a spot quantity is in coins (contract size 1); the account counts in the quote asset', async () => {
    const { adapter } = await setup();
    expect(await adapter.instrument('ETH/USDT')).toMatchObject({ baseCurrency: 'ETH', quoteCurrency: 'USDT', contractSize: '1' });
    // The same asset the account's equity is counted in: USDT-quoted sizing needs no conversion.
    expect((await adapter.account()).currency).toBe('USDT');
  });

  it('a buy larger than the balance is INSUFFICIENT_FUNDS; an order below the NOTIONAL filter is rejected', async () => {
    const { adapter } = await setup();
    const big = (await adapter.submit({ clientOrderId: 'f1', symbol: 'BTC/USDT', side: 'buy', type: 'market', quantity: '100', timeInForce: 'gtc' }).catch((e: unknown) => e)) as BrokerError;
    expect(big.kind).toBe('insufficient_funds');
    expect(codeForBrokerError(big)).toBe('INSUFFICIENT_FUNDS');
    const small = (await adapter.submit({ clientOrderId: 'f2', symbol: 'BTC/USDT', side: 'buy', type: 'market', quantity: '0.0001', timeInForce: 'gtc' }).catch((e: unknown) => e)) as BrokerError;
    expect(small).toBeInstanceOf(BrokerError);
    expect(small.kind).toBe('rejected');
    expect(small.message).toContain('NOTIONAL');
    expect(fake!.countByClientId('f2')).toBe(0);
  });

  it('a client id Binance would not accept is sent in a form it accepts, found again by the same id, and reported under the original id', async () => {
    const { adapter, fake } = await setup();
    const id = 'has spaces and is far too long for binance ids';
    const o = await adapter.submit({ clientOrderId: id, symbol: 'BTC/USDT', side: 'buy', type: 'market', quantity: '0.01', timeInForce: 'gtc' });
    expect(o.clientOrderId).toBe(id);
    expect(fake.orders).toHaveLength(1);
    expect(fake.orders[0]!.clientOrderId).toMatch(/^vzh-[0-9a-f]{32}$/);
    expect(await adapter.orderByClientId(id)).toMatchObject({ clientOrderId: id, status: 'filled' });
    expect(fake.orders).toHaveLength(1);
  });

  it('two symbols whose trades carry the same Binance trade id give two fills, and neither is dropped as a duplicate', async () => {
    const { adapter, fake } = await setup({ symbols: ['BTC/USDT', 'ETH/USDT'] });
    const since = new Date(Date.now() - 1000).toISOString();
    await adapter.submit({ clientOrderId: 'vz-00000000000000000000000000000001', symbol: 'BTC/USDT', side: 'buy', type: 'market', quantity: '0.01', timeInForce: 'gtc' });
    await adapter.submit({ clientOrderId: 'vz-00000000000000000000000000000002', symbol: 'ETH/USDT', side: 'buy', type: 'market', quantity: '0.1', timeInForce: 'gtc' });
    // Binance numbers trades per symbol: both first trades are number 5000.
    expect(fake.trades.map((t) => t.id)).toEqual([5000, 5000]);
    const fills = await adapter.fillsSince(since);
    expect(fills.map((f) => f.clientOrderId).sort()).toEqual(['vz-00000000000000000000000000000001', 'vz-00000000000000000000000000000002']);
    expect(new Set(fills.map((f) => f.tradeId)).size).toBe(2);
    // The same filter every adapter puts in front of the lifecycle keeps both.
    const filter = new UpdateFilter();
    const kept = fills.filter((fill) => filter.accept({ kind: 'fill', fill, order: { clientOrderId: fill.clientOrderId, brokerOrderId: fill.brokerOrderId, symbol: fill.symbol, side: fill.side, type: 'market', quantity: fill.quantity, filledQuantity: fill.quantity, status: 'filled', updatedAt: fill.time } }));
    expect(kept).toHaveLength(2);
    // Read again, the same fills keep the same ids (a re-read is recognised as a duplicate).
    expect((await adapter.fillsSince(since)).map((f) => f.tradeId).sort()).toEqual(fills.map((f) => f.tradeId).sort());
  });

  it('a market order that fills in more trades than one page of myTrades (1000, oldest first) gives every fill', async () => {
    const { adapter, fake } = await setup();
    const since = new Date(Date.now() - 1000).toISOString();
    fake.fillsPerMarketOrder = 1200;
    const id = 'vz-000000000000000000000000000000f3';
    await adapter.submit({ clientOrderId: id, symbol: 'BTC/USDT', side: 'buy', type: 'market', quantity: '0.12', timeInForce: 'gtc' });
    expect(fake.trades).toHaveLength(1200);
    const fills = await adapter.fillsSince(since);
    expect(fills).toHaveLength(1200);
    expect(new Set(fills.map((f) => f.tradeId)).size).toBe(1200);
    expect(fills.every((f) => f.clientOrderId === id)).toBe(true);
    expect(fills.at(-1)!.time).toBe(new Date(fake.trades.at(-1)!.time).toISOString());
  });

  it('a lost answer to a create is never re-sent by CCXT itself, whatever options the account passes: one order at Binance', async () => {
    // CCXT re-sends a failed request maxRetriesOnFailure times; Binance takes a client id again once its first
    // order is closed, so a re-sent market order would be a second order.
    const { adapter, fake } = await setup({ options: { maxRetriesOnFailure: 2 } });
    await adapter.connect();
    fake.faults.failNext('lost_answer_reset', { on: 'submit' });
    const err = (await adapter.submit({ clientOrderId: 'vz-000000000000000000000000000000f4', symbol: 'BTC/USDT', side: 'buy', type: 'market', quantity: '0.01', timeInForce: 'gtc' }).catch((e: unknown) => e)) as BrokerError;
    expect(fake.countByClientId('vz-000000000000000000000000000000f4')).toBe(1);
    expect(fake.calls.filter((c) => c === 'POST /api/v3/order')).toHaveLength(1);
    expect(err.outcomeUnknown).toBe(true);
  });

  it('a request Binance refuses for its timestamp (-1021, outside recvWindow: never reached the matching engine) is a rejection, not an unknown outcome', async () => {
    const { adapter, fake } = await setup();
    await adapter.connect();
    fake.clockOffsetMs = 10 * 60_000;
    const err = (await adapter.submit({ clientOrderId: 'vz-000000000000000000000000000000f5', symbol: 'BTC/USDT', side: 'buy', type: 'market', quantity: '0.01', timeInForce: 'gtc' }).catch((e: unknown) => e)) as BrokerError;
    expect(err).toBeInstanceOf(BrokerError);
    expect(err.kind).toBe('rejected');
    expect(err.outcomeUnknown).toBe(false);
    expect(err.message).toContain('recvWindow');
    expect(fake.orders).toHaveLength(0);
    fake.clockOffsetMs = 0;
    expect(await adapter.submit({ clientOrderId: 'vz-000000000000000000000000000000f5', symbol: 'BTC/USDT', side: 'buy', type: 'market', quantity: '0.01', timeInForce: 'gtc' })).toMatchObject({ status: 'filled' });
  });

  it('orderByClientId without any known symbol refuses to guess (undefined would invite a duplicate)', async () => {
    const { adapter } = await setup();
    const err = (await adapter.orderByClientId('never-seen').catch((e: unknown) => e)) as BrokerError;
    expect(err.kind).toBe('invalid');
    expect(await adapter.orderByClientId('never-seen', 'BTCUSDT')).toBeUndefined();
  });

  it('spot positions are base balances with their average cost', async () => {
    const { adapter } = await setup({ symbols: ['BTC/USDT'] });
    await adapter.submit({ clientOrderId: 'p1', symbol: 'BTC/USDT', side: 'buy', type: 'market', quantity: '0.02', timeInForce: 'gtc' });
    fake!.setPrice('BTC/USDT', '32000');
    await adapter.submit({ clientOrderId: 'p2', symbol: 'BTC/USDT', side: 'buy', type: 'market', quantity: '0.02', timeInForce: 'gtc' });
    await eventually(() => adapter.orderByClientId('p2'), (o) => o?.status === 'filled');
    const pos = (await adapter.positions()).find((p) => p.symbol === 'BTC/USDT');
    expect(pos).toMatchObject({ quantity: '0.04', averagePrice: '31000' });
  });

  it('testConnection: ok with good keys; a wrong key says so without echoing it', async () => {
    const { adapter, fake } = await setup();
    expect((await adapter.testConnection()).ok).toBe(true);
    const wrong = { apiKey: 'canaryWRONGkey55667788', secret: 'canaryWRONGsecret11223344' };
    const bad = new CcxtAdapter('b2', { exchange: 'binance', environment: 'live', baseUrl: fake.baseUrl, timeoutMs: 1000, rateLimitMs: 1 }, wrong);
    const r = await bad.testConnection();
    expect(r).toMatchObject({ ok: false, code: 'BROKER_AUTH_FAILED' });
    expect(r.message).toMatch(/testnet and live keys differ/);
    expect(JSON.stringify(r)).not.toContain(wrong.apiKey);
    const err = (await bad.account().catch((e: unknown) => e)) as BrokerError;
    expect(err.kind).toBe('auth');
    expect(`${err.message}${err.stack}`).not.toContain(wrong.apiKey);
    expect(`${err.message}${err.stack}`).not.toContain(wrong.secret);
  });

  it('an order refused for the key\'s permissions (-2015, a key that may read but not trade) is BROKER_AUTH_FAILED, not a rate limit to wait out', async () => {
    fake = await new FakeBinance({ ...KEYS, canTrade: false }).start();
    const adapter = new CcxtAdapter('b4', { exchange: 'binance', environment: 'live', baseUrl: fake.baseUrl, timeoutMs: 1000, rateLimitMs: 1 }, KEYS);
    // The key reads the account (CCXT now counts it authenticated)...
    expect((await adapter.testConnection()).ok).toBe(true);
    // ...and every order it sends is refused for its permissions (Binance errors.md: -2015 REJECTED_MBX_KEY).
    const err = (await adapter.submit({ clientOrderId: 'vz-000000000000000000000000000000f6', symbol: 'BTC/USDT', side: 'buy', type: 'market', quantity: '0.01', timeInForce: 'gtc' }).catch((e: unknown) => e)) as BrokerError;
    expect(err).toBeInstanceOf(BrokerError);
    expect(err.kind).toBe('auth');
    expect(codeForBrokerError(err)).toBe('BROKER_AUTH_FAILED');
    expect(err.retryAfterMs).toBeUndefined();
    expect(fake.orders).toHaveLength(0);
  });

  it('a wrong secret fails the signature check and maps to a refusal, not an unknown outcome', async () => {
    const { fake } = await setup();
    const badSig = new CcxtAdapter('b3', { exchange: 'binance', environment: 'live', baseUrl: fake.baseUrl, timeoutMs: 1000, rateLimitMs: 1 }, { apiKey: KEYS.apiKey, secret: 'canaryNotTheSecret000111' });
    const r = await badSig.testConnection();
    expect(r.ok).toBe(false);
    expect(JSON.stringify(r)).not.toContain('canaryNotTheSecret000111');
  });

  it('an unknown exchange id is refused at construction; sandbox mode constructs without the network', () => {
    expect(() => new CcxtAdapter('x', { exchange: 'no-such-exchange', environment: 'live' }, KEYS)).toThrow(BrokerError);
    const sandbox = new CcxtAdapter('s', { exchange: 'binance', environment: 'sandbox' }, KEYS);
    expect(sandbox.broker).toBe('ccxt:binance');
    expect(JSON.stringify(sandbox)).not.toContain(KEYS.secret);
  });
});

describe('CCXT market precision as lot and tick sizes', () => {
  // CCXT writes a market's precision in its exchange's precisionMode: a step (TICK_SIZE, most exchanges), a number of
  // decimal places (DECIMAL_PLACES) or of significant digits (SIGNIFICANT_DIGITS: bitfinex, bithumb).
  const market = (amount: number, price: number, min?: number) =>
    ({ symbol: 'BTC/USD', base: 'BTC', quote: 'USD', spot: true, active: true, precision: { amount, price }, limits: { amount: { min }, cost: {} } }) as unknown as Market;

  it('a step is taken as it is', () => {
    expect(toInstrumentInfo(market(0.0001, 0.5), functions.TICK_SIZE)).toMatchObject({ lotSize: '0.0001', tickSize: '0.5', minQuantity: '0.0001' });
  });

  it('decimal places become a step of that many places', () => {
    expect(toInstrumentInfo(market(8, 2, 0.0002), functions.DECIMAL_PLACES)).toMatchObject({ lotSize: '0.00000001', tickSize: '0.01', minQuantity: '0.0002' });
  });

  it('significant digits have no fixed step: never taken as a lot of 8 coins or a tick of 5', async () => {
    const info = toInstrumentInfo(market(8, 5, 0.00004), functions.SIGNIFICANT_DIGITS);
    expect(info).toMatchObject({ lotSize: '0.00000001', tickSize: '0.00000001', minQuantity: '0.00004' });
    // bitfinex is such an exchange, and the adapter hands its mode over.
    expect(new ccxt.bitfinex().precisionMode).toBe(functions.SIGNIFICANT_DIGITS);
  });
});
