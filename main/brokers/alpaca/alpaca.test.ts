// Alpaca-specific behaviour beyond the contract: the fake validates like Alpaca, the adapter maps requests
// and errors, tests the connection in the trader's words, streams (binary frames), reconnects and polls.
import { afterEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { BrokerError, type OrderUpdate } from '../port.js';
import { AlpacaAdapter, type AlpacaConfig } from './adapter.js';
import { FakeAlpaca } from './fake-server.js';
import { fromAlpacaOrder, mapStatus, toAlpacaOrderBody, toAlpacaSymbol } from './mapping.js';
import { eventually } from '../contract/suite.js';

const KEYS = { keyId: 'PKCANARYKEYID0000002', secretKey: 'canary-secret-Ab1Cd2Ef3Gh4Ij5Kl6' };
let fake: FakeAlpaca | undefined;
let adapter: AlpacaAdapter | undefined;

afterEach(async () => {
  await adapter?.disconnect();
  await fake?.close();
  adapter = undefined;
  fake = undefined;
});

async function setup(config: Partial<AlpacaConfig> = {}, creds = KEYS) {
  fake = await new FakeAlpaca({ ...KEYS }).start();
  adapter = new AlpacaAdapter('a1', { environment: 'paper', baseUrl: fake.baseUrl, timeoutMs: 1000, requestsPerMinute: 60_000, burst: 1000, ...config }, creds);
  return { fake, adapter };
}

async function post(body: Record<string, unknown>) {
  const res = await fetch(`${fake!.baseUrl}/v2/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'APCA-API-KEY-ID': KEYS.keyId, 'APCA-API-SECRET-KEY': KEYS.secretKey },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as { code?: number; message?: string; status?: string } };
}

async function rawOrder(clientOrderId: string) {
  const res = await fetch(`${fake!.baseUrl}/v2/orders:by_client_order_id?client_order_id=${encodeURIComponent(clientOrderId)}`, {
    headers: { 'APCA-API-KEY-ID': KEYS.keyId, 'APCA-API-SECRET-KEY': KEYS.secretKey },
  });
  return (await res.json()) as { time_in_force?: string; status?: string };
}

describe('Alpaca instrument currencies', () => {
  it('a US equity is quoted in USD, one share per unit; a crypto pair names its base and quote from BASE/QUOTE', async () => {
    const { adapter, fake } = await setup();
    fake.setPrice('ETH/BTC', '0.05');
    expect(await adapter.instrument('AAPL')).toMatchObject({ assetClass: 'equity', quoteCurrency: 'USD', contractSize: '1' });
    expect((await adapter.instrument('AAPL')).baseCurrency).toBeUndefined();
    expect(await adapter.instrument('BTCUSD')).toMatchObject({ symbol: 'BTC/USD', assetClass: 'crypto', baseCurrency: 'BTC', quoteCurrency: 'USD', contractSize: '1' });
    expect(await adapter.instrument('ETH/BTC')).toMatchObject({ baseCurrency: 'ETH', quoteCurrency: 'BTC', contractSize: '1' });
  });
});

describe('fake Alpaca validates orders as Alpaca documents', () => {
  it('refuses qty and notional together with 422 {code, message}', async () => {
    await setup();
    const r = await post({ symbol: 'AAPL', qty: '1', notional: '100', side: 'buy', type: 'market', time_in_force: 'day' });
    expect(r.status).toBe(422);
    expect(r.body.code).toBe(40010001);
    expect(r.body.message).toMatch(/qty and notional/);
  });

  it('refuses a bracket with time_in_force ioc', async () => {
    await setup();
    const r = await post({ symbol: 'AAPL', qty: '1', side: 'buy', type: 'limit', limit_price: '90', time_in_force: 'ioc', order_class: 'bracket', take_profit: { limit_price: '110' }, stop_loss: { stop_price: '80' } });
    expect(r.status).toBe(422);
    expect(r.body.message).toMatch(/time_in_force/);
  });

  it('refuses a crypto stop order and a crypto day order', async () => {
    await setup();
    expect((await post({ symbol: 'BTC/USD', qty: '0.1', side: 'buy', type: 'stop', stop_price: '31000', time_in_force: 'gtc' })).status).toBe(422);
    expect((await post({ symbol: 'BTC/USD', qty: '0.1', side: 'buy', type: 'market', time_in_force: 'day' })).status).toBe(422);
  });

  it('refuses a reused client_order_id with 422 and keeps one order', async () => {
    await setup();
    const body = { symbol: 'AAPL', qty: '1', side: 'buy', type: 'limit', limit_price: '90', time_in_force: 'gtc', client_order_id: 'dup-1' };
    expect((await post(body)).status).toBe(200);
    const again = await post(body);
    expect(again.status).toBe(422);
    expect(again.body.message).toBe('client_order_id must be unique');
    expect(fake!.countByClientId('dup-1')).toBe(1);
  });

  it('answers 403 insufficient buying power for an order larger than the account', async () => {
    await setup();
    const r = await post({ symbol: 'AAPL', qty: '100000', side: 'buy', type: 'market', time_in_force: 'day' });
    expect(r.status).toBe(403);
    expect(r.body.message).toBe('insufficient buying power');
  });

  it('rejects requests without the APCA headers with 401', async () => {
    await setup();
    const res = await fetch(`${fake!.baseUrl}/v2/account`);
    expect(res.status).toBe(401);
  });
});

describe('Alpaca mapping', () => {
  it('maps Alpaca statuses onto the order state machine', () => {
    expect(mapStatus('new')).toBe('accepted');
    expect(mapStatus('pending_cancel')).toBe('cancel_pending');
    expect(mapStatus('partially_filled')).toBe('partially_filled');
    expect(mapStatus('replaced')).toBe('canceled');
    expect(mapStatus('done_for_day')).toBe('accepted');
  });

  it('writes crypto pairs with a slash and leaves equities alone', () => {
    expect(toAlpacaSymbol('BTCUSD')).toBe('BTC/USD');
    expect(toAlpacaSymbol('eth/usd')).toBe('ETH/USD');
    expect(toAlpacaSymbol('AAPL')).toBe('AAPL');
    expect(toAlpacaSymbol('BRK.B')).toBe('BRK.B');
  });

  it('builds bracket, OTO and OCO bodies in snake_case', () => {
    const base = { clientOrderId: 'c1', symbol: 'AAPL', side: 'buy' as const, type: 'limit' as const, quantity: '1.5', timeInForce: 'gtc' as const, limitPrice: '100' };
    const bracket = toAlpacaOrderBody({ ...base, takeProfit: { limitPrice: '110' }, stopLoss: { stopPrice: '95', limitPrice: '94.5' } }, 'AAPL');
    expect(bracket).toMatchObject({ order_class: 'bracket', qty: '1.5', client_order_id: 'c1', take_profit: { limit_price: '110' }, stop_loss: { stop_price: '95', limit_price: '94.5' } });
    expect(toAlpacaOrderBody({ ...base, stopLoss: { stopPrice: '95' } }, 'AAPL').order_class).toBe('oto');
    expect(toAlpacaOrderBody({ ...base, side: 'sell', reduceOnly: true, takeProfit: { limitPrice: '110' }, stopLoss: { stopPrice: '95' } }, 'AAPL').order_class).toBe('oco');
    expect(toAlpacaOrderBody({ ...base, type: 'trailing_stop', trailPercent: '2' }, 'AAPL')).toMatchObject({ trail_percent: '2' });
  });

  it('reads an Alpaca order into a BrokerOrder', () => {
    const o = fromAlpacaOrder({ id: 'b1', client_order_id: 'c1', created_at: 't0', updated_at: 't1', submitted_at: 't0', filled_at: null, symbol: 'AAPL', qty: '3', notional: null, filled_qty: '1', filled_avg_price: '100.5', type: 'limit', side: 'buy', time_in_force: 'day', limit_price: '101', stop_price: null, status: 'partially_filled' });
    expect(o).toMatchObject({ clientOrderId: 'c1', brokerOrderId: 'b1', quantity: '3', filledQuantity: '1', averageFillPrice: '100.5', status: 'partially_filled', limitPrice: '101', updatedAt: 't1' });
  });
});

describe('Alpaca adapter', () => {
  it('refuses a bracket with ioc before the network, and a crypto trailing stop', async () => {
    const { adapter, fake } = await setup();
    const err = await adapter.submit({ clientOrderId: 'x1', symbol: 'AAPL', side: 'buy', type: 'limit', limitPrice: '90', quantity: '1', timeInForce: 'ioc', takeProfit: { limitPrice: '110' }, stopLoss: { stopPrice: '80' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BrokerError);
    expect((err as BrokerError).kind).toBe('invalid');
    const crypto = await adapter.submit({ clientOrderId: 'x2', symbol: 'BTCUSD', side: 'buy', type: 'trailing_stop', trailPercent: '1', quantity: '1', timeInForce: 'gtc' }).catch((e: unknown) => e);
    expect((crypto as BrokerError).kind).toBe('invalid');
    expect(fake.countByClientId('x1') + fake.countByClientId('x2')).toBe(0);
  });

  it('maps 403 insufficient buying power to insufficient_funds / INSUFFICIENT_FUNDS', async () => {
    const { adapter } = await setup();
    const err = (await adapter.submit({ clientOrderId: 'big', symbol: 'AAPL', side: 'buy', type: 'market', quantity: '100000', timeInForce: 'day' }).catch((e: unknown) => e)) as BrokerError;
    expect(err.kind).toBe('insufficient_funds');
    const { codeForBrokerError } = await import('../http/codes.js');
    expect(codeForBrokerError(err)).toBe('INSUFFICIENT_FUNDS');
  });

  it('submits a fractional crypto order with the pair written BTC/USD', async () => {
    const { adapter } = await setup();
    const o = await adapter.submit({ clientOrderId: 'c-btc', symbol: 'BTCUSD', side: 'buy', type: 'market', quantity: '0.0125', timeInForce: 'gtc' });
    expect(o.symbol).toBe('BTC/USD');
    const done = await eventually(() => adapter.orderByClientId('c-btc'), (x) => x?.status === 'filled');
    expect(done?.filledQuantity).toBe('0.0125');
  });

  it('sends a crypto order with the default time in force day as gtc (Alpaca takes gtc/ioc only), so it fills', async () => {
    const { adapter } = await setup();
    await adapter.submit({ clientOrderId: 'c-day', symbol: 'BTCUSD', side: 'buy', type: 'market', quantity: '0.03', timeInForce: 'day' });
    const done = await eventually(() => adapter.orderByClientId('c-day'), (x) => x?.status === 'filled');
    expect(done?.filledQuantity).toBe('0.03');
    expect((await rawOrder('c-day')).time_in_force).toBe('gtc');
    // A resting crypto limit with day rests as gtc: crypto has no trading day to end it.
    await adapter.submit({ clientOrderId: 'c-day-lmt', symbol: 'BTC/USD', side: 'buy', type: 'limit', limitPrice: '1', quantity: '0.01', timeInForce: 'day' });
    expect(await rawOrder('c-day-lmt')).toMatchObject({ time_in_force: 'gtc', status: 'new' });
  });

  it('never refuses a crypto exit for its time in force: day, opg and cls go as gtc, fok as ioc', async () => {
    const { adapter } = await setup();
    await adapter.submit({ clientOrderId: 'c-in', symbol: 'BTCUSD', side: 'buy', type: 'market', quantity: '0.04', timeInForce: 'gtc' });
    await eventually(() => adapter.orderByClientId('c-in'), (x) => x?.status === 'filled');
    const sent: Record<string, string> = { day: 'gtc', opg: 'gtc', cls: 'gtc', fok: 'ioc' };
    for (const [tif, expected] of Object.entries(sent)) {
      const id = `c-out-${tif}`;
      await adapter.submit({ clientOrderId: id, symbol: 'BTCUSD', side: 'sell', type: 'market', quantity: '0.01', timeInForce: tif as 'day', reduceOnly: true });
      expect((await rawOrder(id)).time_in_force).toBe(expected);
      expect((await eventually(() => adapter.orderByClientId(id), (x) => x?.status === 'filled'))?.filledQuantity).toBe('0.01');
    }
  });

  it('still refuses a crypto entry with fok, opg or cls before the network', async () => {
    const { adapter, fake } = await setup();
    for (const tif of ['fok', 'opg', 'cls'] as const) {
      const err = (await adapter.submit({ clientOrderId: `c-e-${tif}`, symbol: 'BTCUSD', side: 'buy', type: 'market', quantity: '0.01', timeInForce: tif }).catch((e: unknown) => e)) as BrokerError;
      expect(err.kind).toBe('invalid');
      expect(err.message).toMatch(/crypto supports gtc and ioc only/);
      expect(fake.countByClientId(`c-e-${tif}`)).toBe(0);
    }
  });

  it('testConnection reports success with the account number', async () => {
    const { adapter } = await setup();
    const r = await adapter.testConnection();
    expect(r.ok).toBe(true);
    expect(r.message).toContain('PA0000FAKE');
  });

  it('testConnection with wrong keys says bad key / paper vs live, and never echoes the keys', async () => {
    const wrong = { keyId: 'PKWRONGCANARY0000009', secretKey: 'wrong-canary-secret-Qq8Ww7Ee6' };
    const { adapter } = await setup({}, wrong);
    const r = await adapter.testConnection();
    expect(r).toMatchObject({ ok: false, code: 'BROKER_AUTH_FAILED' });
    expect(r.message).toMatch(/paper and live use different key pairs/);
    expect(JSON.stringify(r)).not.toContain(wrong.keyId);
    expect(JSON.stringify(r)).not.toContain(wrong.secretKey);
    const err = (await adapter.account().catch((e: unknown) => e)) as BrokerError;
    expect(err.kind).toBe('auth');
    expect(`${err.message}${err.stack}`).not.toContain(wrong.secretKey);
  });

  it('testConnection on a closed port says unreachable', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const a = new AlpacaAdapter('a2', { environment: 'live', baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 1000 }, KEYS);
    const r = await a.testConnection();
    expect(r).toMatchObject({ ok: false, code: 'BROKER_UNREACHABLE' });
    const err = (await a.account().catch((e: unknown) => e)) as BrokerError;
    expect(err.kind).toBe('unreachable');
    expect(err.outcomeUnknown).toBe(false);
  });

  it('connect() fails with auth when the stream refuses the keys', async () => {
    fake = await new FakeAlpaca({ ...KEYS }).start();
    const streamOnlyWrong = new AlpacaAdapter('a3', { environment: 'paper', baseUrl: fake.baseUrl, timeoutMs: 1000 }, { keyId: KEYS.keyId, secretKey: 'not-the-secret-canary-77' });
    const err = (await streamOnlyWrong.connect().catch((e: unknown) => e)) as BrokerError;
    expect(err.kind).toBe('auth');
    expect(err.message).not.toContain('not-the-secret-canary-77');
    await streamOnlyWrong.disconnect();
  });

  it('receives trade_updates over the binary-frame stream without polling', async () => {
    const { adapter } = await setup({ pollIntervalMs: 3_600_000 });
    await adapter.connect();
    const seen: OrderUpdate[] = [];
    adapter.onUpdate((u) => seen.push(u));
    await adapter.submit({ clientOrderId: 's1', symbol: 'AAPL', side: 'buy', type: 'market', quantity: '1', timeInForce: 'day' });
    const got = await eventually(() => seen, (l) => l.some((u) => u.kind === 'fill'));
    expect(got.find((u) => u.kind === 'fill')?.order.clientOrderId).toBe('s1');
  });

  it('reconnects after the stream drops and still delivers updates', async () => {
    const { adapter, fake } = await setup({ pollIntervalMs: 3_600_000 });
    await adapter.connect();
    const seen: OrderUpdate[] = [];
    adapter.onUpdate((u) => seen.push(u));
    fake.dropStreams();
    await new Promise((r) => setTimeout(r, 600));
    await adapter.submit({ clientOrderId: 's2', symbol: 'AAPL', side: 'buy', type: 'market', quantity: '1', timeInForce: 'day' });
    const got = await eventually(() => seen, (l) => l.some((u) => u.order.clientOrderId === 's2' && u.order.status === 'filled'));
    expect(got.some((u) => u.order.clientOrderId === 's2' && u.kind === 'fill')).toBe(true);
  });

  it('falls back to polling when the stream cannot connect', async () => {
    const { adapter, fake } = await setup({ pollIntervalMs: 30 });
    fake.streamEnabled = false;
    await adapter.connect();
    const seen: OrderUpdate[] = [];
    adapter.onUpdate((u) => seen.push(u));
    await adapter.submit({ clientOrderId: 'p1', symbol: 'AAPL', side: 'buy', type: 'market', quantity: '1', timeInForce: 'day' });
    const got = await eventually(() => seen, (l) => l.some((u) => u.kind === 'fill' && u.order.clientOrderId === 'p1'));
    const fills = got.filter((u) => u.kind === 'fill' && u.order.clientOrderId === 'p1');
    expect(fills).toHaveLength(1);
  });

  it('with streaming off, connect() after disconnect() polls again for the listener it already has', async () => {
    const { adapter } = await setup({ streaming: false, pollIntervalMs: 30 });
    const seen: OrderUpdate[] = [];
    adapter.onUpdate((u) => seen.push(u));
    await adapter.connect();
    await adapter.disconnect();
    await adapter.connect(); // the account is connected again (keys replaced, settings changed): no new listener
    await adapter.submit({ clientOrderId: 'restart-1', symbol: 'AAPL', side: 'buy', type: 'market', quantity: '1', timeInForce: 'day' });
    const got = await eventually(() => seen, (l) => l.some((u) => u.kind === 'fill' && u.order.clientOrderId === 'restart-1'));
    expect(got.filter((u) => u.kind === 'fill' && u.order.clientOrderId === 'restart-1')).toHaveLength(1);
  });

  it('cancel of a filled order answers with the filled order instead of failing', async () => {
    const { adapter } = await setup();
    await adapter.submit({ clientOrderId: 'f1', symbol: 'AAPL', side: 'buy', type: 'market', quantity: '1', timeInForce: 'day' });
    await eventually(() => adapter.orderByClientId('f1'), (o) => o?.status === 'filled');
    expect((await adapter.cancel('f1')).status).toBe('filled');
  });
});

describe('Alpaca fractional equity orders (day only, simple market/limit/stop/stop_limit, never short)', () => {
  it('the fake refuses what Alpaca refuses, with 422 and Alpaca’s message', async () => {
    await setup();
    const frac = { symbol: 'AAPL', qty: '0.5', side: 'buy', type: 'market' };
    expect(await post({ ...frac, time_in_force: 'gtc' })).toEqual({ status: 422, body: { code: 42210000, message: 'fractional orders must be DAY orders' } });
    expect((await post({ ...frac, type: 'trailing_stop', trail_percent: '2', time_in_force: 'day' })).body.message).toBe('fractional orders must be market, limit, stop, or stop_limit orders');
    expect((await post({ ...frac, time_in_force: 'day', order_class: 'bracket', take_profit: { limit_price: '120' }, stop_loss: { stop_price: '90' } })).body.message).toBe('fractional orders must be simple orders');
    expect((await post({ ...frac, side: 'sell', time_in_force: 'day' })).body.message).toBe('fractional orders cannot be sold short');
    expect((await post({ ...frac, time_in_force: 'day' })).status).toBe(200);
    expect((await post({ symbol: 'AAPL', qty: '2', side: 'buy', type: 'limit', limit_price: '90', time_in_force: 'gtc' })).status).toBe(200); // whole shares keep gtc
  });

  it('a fractional gtc market order is sent as day (same behaviour at Alpaca) and fills; a whole-share gtc order keeps gtc', async () => {
    const { adapter, fake } = await setup();
    await adapter.submit({ clientOrderId: 'fr-buy', symbol: 'AAPL', side: 'buy', type: 'market', quantity: '0.5', timeInForce: 'gtc' });
    const bought = await eventually(() => adapter.orderByClientId('fr-buy'), (o) => o?.status === 'filled');
    expect(bought?.filledQuantity).toBe('0.5');
    await adapter.submit({ clientOrderId: 'whole', symbol: 'AAPL', side: 'buy', type: 'limit', limitPrice: '50', quantity: '3', timeInForce: 'gtc' });
    const sent = (id: string) => [...fake.orders.values()].find((o) => o.client_order_id === id)?.time_in_force;
    expect(sent('fr-buy')).toBe('day');
    expect(sent('whole')).toBe('gtc');
  });

  it('a fractional reduce-only exit with gtc is sent as day, so the exit of a fractional position is not refused', async () => {
    const { adapter, fake } = await setup();
    await adapter.submit({ clientOrderId: 'fr-in', symbol: 'AAPL', side: 'buy', type: 'market', quantity: '0.5', timeInForce: 'day' });
    await eventually(() => adapter.orderByClientId('fr-in'), (o) => o?.status === 'filled');
    await adapter.submit({ clientOrderId: 'fr-out', symbol: 'AAPL', side: 'sell', type: 'limit', limitPrice: '99', quantity: '0.5', timeInForce: 'gtc', reduceOnly: true });
    const out = await eventually(() => adapter.orderByClientId('fr-out'), (o) => o?.status === 'filled');
    expect(out?.filledQuantity).toBe('0.5');
    expect([...fake.orders.values()].find((o) => o.client_order_id === 'fr-out')?.time_in_force).toBe('day');
    expect(fake.positions.get('AAPL')?.qty.toString()).toBe('0');
  });

  it('refuses before sending a fractional resting gtc entry, a fractional ioc, a fractional bracket and a fractional trailing stop (CAPABILITY_UNSUPPORTED)', async () => {
    const { adapter, fake } = await setup();
    const { codeForBrokerError } = await import('../http/codes.js');
    const base = { symbol: 'AAPL', side: 'buy' as const, quantity: '1.25' };
    const cases = [
      { ...base, clientOrderId: 'r1', type: 'limit' as const, limitPrice: '90', timeInForce: 'gtc' as const },
      { ...base, clientOrderId: 'r2', type: 'market' as const, timeInForce: 'ioc' as const },
      { ...base, clientOrderId: 'r3', type: 'market' as const, timeInForce: 'day' as const, takeProfit: { limitPrice: '120' }, stopLoss: { stopPrice: '90' } },
      { ...base, clientOrderId: 'r4', type: 'trailing_stop' as const, trailPercent: '2', timeInForce: 'day' as const },
    ];
    for (const req of cases) {
      const err = (await adapter.submit(req).catch((e: unknown) => e)) as BrokerError;
      expect(err).toBeInstanceOf(BrokerError);
      expect(err.kind).toBe('invalid');
      expect(codeForBrokerError(err)).toBe('CAPABILITY_UNSUPPORTED');
      expect(err.message).toMatch(/fractional/);
      expect(fake.countByClientId(req.clientOrderId)).toBe(0);
    }
    // Crypto is fractional by nature and keeps its gtc.
    await adapter.submit({ clientOrderId: 'btc', symbol: 'BTCUSD', side: 'buy', type: 'limit', limitPrice: '20000', quantity: '0.01', timeInForce: 'gtc' });
    expect([...fake.orders.values()].find((o) => o.client_order_id === 'btc')?.time_in_force).toBe('gtc');
  });

  it('a fractional short sale refused by Alpaca is a rejection with Alpaca’s message', async () => {
    const { adapter } = await setup();
    const err = (await adapter.submit({ clientOrderId: 'fr-short', symbol: 'AAPL', side: 'sell', type: 'market', quantity: '0.5', timeInForce: 'day' }).catch((e: unknown) => e)) as BrokerError;
    expect(err.kind).toBe('rejected');
    expect(err.message).toContain('fractional orders cannot be sold short');
  });
});

describe('Alpaca 403 answers: order refusals are rejections, key problems are auth', () => {
  it('pattern day trading protection, wash trade and shorting not allowed are BROKER_REJECTED with Alpaca’s message', async () => {
    const { adapter, fake } = await setup();
    const { codeForBrokerError } = await import('../http/codes.js');
    const refused = async (req: Parameters<AlpacaAdapter['submit']>[0]) => (await adapter.submit(req).catch((e: unknown) => e)) as BrokerError;

    fake.shortingEnabled = false;
    const short = await refused({ clientOrderId: 'sh', symbol: 'AAPL', side: 'sell', type: 'market', quantity: '1', timeInForce: 'day' });
    expect([short.kind, codeForBrokerError(short)]).toEqual(['rejected', 'BROKER_REJECTED']);
    expect(short.message).toContain('account is not allowed to short');

    await adapter.submit({ clientOrderId: 'rest', symbol: 'AAPL', side: 'buy', type: 'limit', limitPrice: '95', quantity: '1', timeInForce: 'day' });
    fake.shortingEnabled = true;
    const wash = await refused({ clientOrderId: 'wash', symbol: 'AAPL', side: 'sell', type: 'limit', limitPrice: '94', quantity: '1', timeInForce: 'day' });
    expect([wash.kind, codeForBrokerError(wash)]).toEqual(['rejected', 'BROKER_REJECTED']);
    expect(wash.message).toContain('potential wash trade detected');

    fake.dayTradeProtection = true;
    const pdt = await refused({ clientOrderId: 'pdt', symbol: 'AAPL', side: 'buy', type: 'market', quantity: '1', timeInForce: 'day' });
    expect([pdt.kind, codeForBrokerError(pdt)]).toEqual(['rejected', 'BROKER_REJECTED']);
    expect(pdt.message).toContain('pattern day trading protection');
    expect(pdt.outcomeUnknown).toBe(false);
  });

  it('a 403 about keys or access (or without Alpaca’s body) stays auth; buying power stays insufficient_funds', async () => {
    const { readAlpacaError } = await import('./errors.js');
    expect(readAlpacaError(403, { message: 'forbidden.' }, '').kind).toBe('auth');
    expect(readAlpacaError(403, { code: 40310000, message: 'request is not authorized' }, '').kind).toBe('auth');
    expect(readAlpacaError(403, undefined, '<html>403 Forbidden</html>').kind).toBe('auth');
    expect(readAlpacaError(403, { code: 40310000, message: 'insufficient buying power' }, '').kind).toBe('insufficient_funds');
    expect(readAlpacaError(403, { code: 40310000, message: 'trade denied due to pattern day trading protection' }, '')).toEqual({ kind: 'rejected', message: 'trade denied due to pattern day trading protection (code 40310000)' });
  });
});
