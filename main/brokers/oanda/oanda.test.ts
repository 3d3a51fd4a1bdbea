// OANDA-specific behaviour beyond the contract: the fake validates like v20, the adapter maps signed units,
// cancel reasons and errors, tests the connection in the trader's words, and streams with reconnects.
import { afterEach, describe, expect, it } from 'vitest';
import { Decimal } from 'decimal.js';
import type { BrokerError} from '../port.js';
import { type OrderUpdate } from '../port.js';
import { OandaAdapter, type OandaConfig } from './adapter.js';
import type { FakeOanda } from './fake-server.js';
import { startOanda } from './test-support/fake-api.js';
import { cancelReasonKind, dependentClientId, fillPrice, signedUnits, toFill, toOandaInstrument, toOandaOrderBody } from './mapping.js';
import { missingCapability } from '../../orders/submit.js';
import { eventually } from '../contract/suite.js';
import { codeForBrokerError } from '../http/codes.js';

const TOKEN = 'canary-oanda-token-aa11bb22cc33dd44ee55ff66';
const ACCOUNT = '101-001-7654321-001';
let fake: FakeOanda | undefined;
let adapter: OandaAdapter | undefined;

afterEach(async () => {
  await adapter?.disconnect();
  await fake?.close();
  adapter = undefined;
  fake = undefined;
});

async function setup(config: Partial<OandaConfig> = {}, token = TOKEN) {
  ({ fake, adapter } = await startOanda({ token: TOKEN, accountId: ACCOUNT, config, adapterToken: token }));
  return { fake, adapter };
}

async function post(order: Record<string, unknown>) {
  const res = await fetch(`${fake!.baseUrl}/v3/accounts/${ACCOUNT}/orders`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ order }) });
  return { status: res.status, body: (await res.json()) as Record<string, { rejectReason?: string; reason?: string } | string | undefined> };
}

describe('fake OANDA validates orders as v20 documents', () => {
  it('refuses a take-profit with more decimals than the instrument displays', async () => {
    await setup();
    const r = await post({ type: 'MARKET', instrument: 'EUR_USD', units: '100', takeProfitOnFill: { price: '1.123456' } });
    expect(r.status).toBe(400);
    expect(r.body.errorCode).toBe('TAKE_PROFIT_ON_FILL_PRICE_PRECISION_EXCEEDED');
    expect((r.body.orderRejectTransaction as { rejectReason: string }).rejectReason).toBe('TAKE_PROFIT_ON_FILL_PRICE_PRECISION_EXCEEDED');
  });

  it('refuses fractional units on a currency pair and a GTC market order', async () => {
    await setup();
    expect((await post({ type: 'MARKET', instrument: 'EUR_USD', units: '10.5' })).body.errorCode).toBe('UNITS_PRECISION_EXCEEDED');
    expect((await post({ type: 'MARKET', instrument: 'EUR_USD', units: '10', timeInForce: 'GTC' })).body.errorCode).toBe('TIME_IN_FORCE_INVALID');
  });

  it('cancels a long whose take-profit is below the price (units sign decides the side), with a reason', async () => {
    await setup();
    const r = await post({ type: 'MARKET', instrument: 'EUR_USD', units: '100', takeProfitOnFill: { price: '1.05000' } });
    expect(r.status).toBe(201);
    expect(r.body.orderCreateTransaction).toBeDefined();
    expect((r.body.orderCancelTransaction as { reason: string }).reason).toBe('TAKE_PROFIT_ON_FILL_LOSS');
    const short = await post({ type: 'MARKET', instrument: 'EUR_USD', units: '-100', takeProfitOnFill: { price: '1.05000' } });
    expect(short.body.orderFillTransaction).toBeDefined();
  });

  it('refuses a clientExtensions.id that a pending order holds', async () => {
    await setup();
    const order = { type: 'LIMIT', instrument: 'EUR_USD', units: '100', price: '1.00000', clientExtensions: { id: 'dup' } };
    expect((await post(order)).status).toBe(201);
    const again = await post(order);
    expect(again.status).toBe(400);
    expect(again.body.errorCode).toBe('CLIENT_ORDER_ID_ALREADY_EXISTS');
    expect(fake!.countByClientId('dup')).toBe(1);
  });
});

describe('OANDA mapping', () => {
  it('writes instruments with an underscore and direction in the sign of units', () => {
    expect(toOandaInstrument('EURUSD')).toBe('EUR_USD');
    expect(toOandaInstrument('gbp/jpy')).toBe('GBP_JPY');
    expect(toOandaInstrument('US30_USD')).toBe('US30_USD');
    expect(signedUnits('sell', '1000')).toBe('-1000');
    expect(signedUnits('buy', '1000')).toBe('1000');
  });

  it('builds bracket-on-fill bodies with clientExtensions.id, REDUCE_FIRST entries and REDUCE_ONLY exits', () => {
    const body = toOandaOrderBody({ clientOrderId: 'c1', symbol: 'EUR_USD', side: 'sell', type: 'limit', limitPrice: '1.2', quantity: '500', timeInForce: 'day', takeProfit: { limitPrice: '1.1' }, stopLoss: { stopPrice: '1.3' } }, 'EUR_USD');
    expect(body.order).toMatchObject({ type: 'LIMIT', units: '-500', price: '1.2', timeInForce: 'GFD', clientExtensions: { id: 'c1' }, takeProfitOnFill: { price: '1.1' }, stopLossOnFill: { price: '1.3' }, positionFill: 'REDUCE_FIRST' });
    const exit = toOandaOrderBody({ clientOrderId: 'c2', symbol: 'EUR_USD', side: 'sell', type: 'market', quantity: '500', timeInForce: 'gtc', reduceOnly: true, stopLoss: { trailAmount: '0.005' } }, 'EUR_USD');
    expect(exit.order).toMatchObject({ timeInForce: 'FOK', positionFill: 'REDUCE_ONLY', trailingStopLossOnFill: { distance: '0.005' } });
  });

  it('reads a fill\'s price from the trades it opened, closed and reduced (v20 deprecates the transaction\'s price)', () => {
    const fill = { id: '120', time: '2026-11-30T08:00:00.000000000Z', type: 'ORDER_FILL', orderID: '118', clientOrderID: 'f1', instrument: 'EUR_USD', units: '1000', tradesClosed: [{ tradeID: '90', units: '300', price: '1.10010' }], tradeOpened: { tradeID: '120', units: '700', price: '1.10020' } };
    expect(toFill(fill)).toMatchObject({ side: 'buy', quantity: '1000', price: '1.10017' });
    expect(fillPrice({ ...fill, tradesClosed: undefined, tradeOpened: undefined, fullVWAP: '1.10015' })).toBe('1.10015');
    expect(fillPrice({ id: '121', time: fill.time, type: 'ORDER_FILL', price: '1.1' })).toBe('1.1');
  });

  it('reads cancel reasons as cancel, expiry or refusal', () => {
    expect(cancelReasonKind('CLIENT_REQUEST').status).toBe('canceled');
    expect(cancelReasonKind('TIME_IN_FORCE_EXPIRED').status).toBe('expired');
    expect(cancelReasonKind('INSUFFICIENT_MARGIN')).toEqual({ status: 'rejected', kind: 'insufficient_funds' });
    expect(cancelReasonKind('MARKET_HALTED').kind).toBe('market_closed');
    expect(cancelReasonKind('INSTRUMENT_ASK_HALTED')).toEqual({ status: 'rejected', kind: 'market_closed' });
    expect(cancelReasonKind('INSUFFICIENT_LIQUIDITY')).toEqual({ status: 'rejected', kind: 'rejected' });
  });
});

describe('OANDA adapter', () => {
  it('an order cancelled at once for margin is INSUFFICIENT_FUNDS, and the order reads as rejected with the reason', async () => {
    const { adapter } = await setup();
    const err = (await adapter.submit({ clientOrderId: 'm1', symbol: 'EURUSD', side: 'buy', type: 'market', quantity: '90000000', timeInForce: 'fok' }).catch((e: unknown) => e)) as BrokerError;
    expect(err.kind).toBe('insufficient_funds');
    expect(codeForBrokerError(err)).toBe('INSUFFICIENT_FUNDS');
    const order = await adapter.orderByClientId('m1');
    expect(order).toMatchObject({ status: 'rejected', reason: 'INSUFFICIENT_MARGIN' });
  });

  it('an IOC market order that fills in part and has the rest cancelled is final with what filled, in the answer, the lookup and the stream', async () => {
    const { fake, adapter } = await setup({ pollIntervalMs: 50 });
    await adapter.connect();
    const seen: OrderUpdate[] = [];
    adapter.onUpdate((u) => seen.push(u));
    fake.liquidity.set('EUR_USD', new Decimal(400));
    const order = await adapter.submit({ clientOrderId: 'ioc1', symbol: 'EURUSD', side: 'sell', type: 'market', quantity: '1000', timeInForce: 'ioc' });
    expect(order).toMatchObject({ status: 'canceled', filledQuantity: '400', averageFillPrice: '1.1', reason: 'INSUFFICIENT_LIQUIDITY' });
    expect(await adapter.orderByClientId('ioc1')).toMatchObject({ status: 'canceled', filledQuantity: '400', averageFillPrice: '1.1', reason: 'INSUFFICIENT_LIQUIDITY' });
    const mine = () => seen.filter((u) => u.order.clientOrderId === 'ioc1');
    await eventually(mine, (list) => list.some((u) => u.kind === 'fill') && list.some((u) => u.order.status === 'canceled'));
    for (const u of mine()) expect(u.order.status === 'rejected' || (u.order.status === 'canceled' && u.order.filledQuantity !== '400')).toBe(false);
    expect((await adapter.positions()).find((p) => p.symbol === 'EUR_USD')?.quantity).toBe('-400');
  });

  it('a FOK market order larger than the liquidity is refused whole, not as missing funds', async () => {
    const { fake, adapter } = await setup();
    fake.liquidity.set('EUR_USD', new Decimal(400));
    const err = (await adapter.submit({ clientOrderId: 'fok1', symbol: 'EURUSD', side: 'buy', type: 'market', quantity: '1000', timeInForce: 'fok' }).catch((e: unknown) => e)) as BrokerError;
    expect(err.kind).toBe('rejected');
    expect(err.message).toContain('INSUFFICIENT_LIQUIDITY');
    expect(await adapter.orderByClientId('fok1')).toMatchObject({ status: 'rejected', filledQuantity: '0', reason: 'INSUFFICIENT_LIQUIDITY' });
    expect(await adapter.positions()).toEqual([]);
  });

  it('an IOC limit order that cannot fill at once ends expired with nothing filled, not refused and not left working', async () => {
    const { fake, adapter } = await setup();
    const order = await adapter.submit({ clientOrderId: 'il1', symbol: 'EURUSD', side: 'buy', type: 'limit', limitPrice: '1.09000', quantity: '100', timeInForce: 'ioc' });
    expect(order).toMatchObject({ status: 'expired', filledQuantity: '0', reason: 'TIME_IN_FORCE_EXPIRED' });
    expect(fake.pending()).toEqual([]);
    expect(await adapter.orderByClientId('il1')).toMatchObject({ status: 'expired', filledQuantity: '0' });
  });

  it('cancelling an order that has just filled answers the filled order (v20: 404 ORDER_DOESNT_EXIST), not an error or a cancel', async () => {
    const { fake, adapter } = await setup();
    await adapter.submit({ clientOrderId: 'lf1', symbol: 'EURUSD', side: 'buy', type: 'limit', limitPrice: '1.09000', quantity: '100', timeInForce: 'gtc' });
    fake.setPrice('EUR_USD', '1.08900');
    expect(await adapter.cancel('lf1')).toMatchObject({ status: 'filled', filledQuantity: '100', averageFillPrice: '1.089' });
  });

  it('an entry with a trailing stop-loss by distance passes the router\'s capability check and reaches OANDA as trailingStopLossOnFill; by percent it is refused before sending', async () => {
    const { adapter, fake } = await setup();
    const req = { clientOrderId: 'tr1', symbol: 'EURUSD', side: 'buy' as const, type: 'market' as const, quantity: '100', timeInForce: 'fok' as const, stopLoss: { trailAmount: '0.005' } };
    expect(missingCapability(adapter, req)).toBeUndefined();
    expect((await adapter.submit(req)).status).toBe('filled');
    const trailing = fake.ordersByClientId(dependentClientId('tr1', 'stopLoss'));
    expect(trailing.map((o) => [o.type, o.state])).toEqual([['TRAILING_STOP_LOSS', 'PENDING']]);
    const byPercent = (await adapter.submit({ ...req, clientOrderId: 'tr2', stopLoss: { trailPercent: '1' } }).catch((e: unknown) => e)) as BrokerError;
    expect(byPercent).toMatchObject({ kind: 'invalid', message: expect.stringMatching(/trailing stop-loss by percent/) });
    expect(fake.ordersByClientId('tr2')).toEqual([]);
  });

  it('a short market order reports a negative position', async () => {
    const { adapter } = await setup();
    await adapter.submit({ clientOrderId: 's1', symbol: 'EURUSD', side: 'sell', type: 'market', quantity: '1500', timeInForce: 'fok' });
    const pos = (await adapter.positions()).find((p) => p.symbol === 'EUR_USD');
    expect(pos?.quantity).toBe('-1500');
  });

  it('instrument info comes from displayPrecision and tradeUnitsPrecision', async () => {
    const { adapter } = await setup();
    expect(await adapter.instrument('USDJPY')).toMatchObject({ symbol: 'USD_JPY', assetClass: 'forex', tickSize: '0.001', lotSize: '1', minQuantity: '1' });
    expect(await adapter.instrument('US30_USD')).toMatchObject({ assetClass: 'cfd', tickSize: '0.1', lotSize: '0.1' });
  });

  it('instrument info names the base and quote currency from BASE_QUOTE, and units are base units (contract size 1)', async () => {
    const { adapter } = await setup();
    expect(await adapter.instrument('USDJPY')).toMatchObject({ baseCurrency: 'USD', quoteCurrency: 'JPY', contractSize: '1' });
    expect(await adapter.instrument('EUR_USD')).toMatchObject({ baseCurrency: 'EUR', quoteCurrency: 'USD', contractSize: '1' });
    expect(await adapter.instrument('XAU_USD')).toMatchObject({ assetClass: 'cfd', baseCurrency: 'XAU', quoteCurrency: 'USD', contractSize: '1' });
    expect(await adapter.instrument('US30_USD')).toMatchObject({ baseCurrency: 'US30', quoteCurrency: 'USD', contractSize: '1' });
  });

  it('testConnection: ok, bad token, wrong account id, each in the trader\'s words without the token', async () => {
    const { adapter, fake } = await setup();
    expect((await adapter.testConnection()).ok).toBe(true);
    const bad = new OandaAdapter('o2', { environment: 'live', accountId: ACCOUNT, baseUrl: fake.baseUrl }, { token: 'canary-wrong-token-998877665544' });
    const r = await bad.testConnection();
    expect(r).toMatchObject({ ok: false, code: 'BROKER_AUTH_FAILED' });
    expect(r.message).toMatch(/live \(fxTrade\) token/);
    expect(JSON.stringify(r)).not.toContain('canary-wrong-token-998877665544');
    const wrongAcct = new OandaAdapter('o3', { environment: 'practice', accountId: '101-001-0000000-009', baseUrl: fake.baseUrl }, { token: TOKEN });
    const w = await wrongAcct.testConnection();
    expect(w).toMatchObject({ ok: false, code: 'BROKER_AUTH_FAILED' });
    expect(w.message).toMatch(/account id/);
  });

  it('streams transactions and reconnects after the stream drops, losing nothing', async () => {
    const { adapter, fake } = await setup({ pollIntervalMs: 3_600_000, streamSilenceMs: 500 });
    await adapter.connect();
    const seen: OrderUpdate[] = [];
    adapter.onUpdate((u) => seen.push(u));
    expect((await eventually(() => fake.streamCount, (n) => n === 1))).toBe(1);
    fake.dropStreams();
    expect(fake.streamCount).toBe(0);
    expect(await eventually(() => fake.streamCount, (n) => n === 1)).toBe(1);
    await adapter.submit({ clientOrderId: 'r1', symbol: 'EURUSD', side: 'buy', type: 'market', quantity: '100', timeInForce: 'fok' });
    const got = await eventually(() => seen, (l) => l.some((u) => u.kind === 'fill' && u.order.clientOrderId === 'r1'));
    expect(got.filter((u) => u.kind === 'fill' && u.order.clientOrderId === 'r1')).toHaveLength(1);
  });

  it('polls /transactions/sinceid when streaming is off', async () => {
    const { adapter } = await setup({ streaming: false, pollIntervalMs: 30 });
    await adapter.connect();
    const seen: OrderUpdate[] = [];
    adapter.onUpdate((u) => seen.push(u));
    await adapter.submit({ clientOrderId: 'p1', symbol: 'EURUSD', side: 'buy', type: 'market', quantity: '100', timeInForce: 'fok' });
    const got = await eventually(() => seen, (l) => l.some((u) => u.kind === 'fill' && u.order.clientOrderId === 'p1'));
    expect(got.find((u) => u.kind === 'fill')?.order.status).toBe('filled');
  });
});
