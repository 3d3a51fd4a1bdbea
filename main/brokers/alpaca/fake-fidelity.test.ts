// The fake Alpaca follows Alpaca's documented order behaviour (docs "Orders at Alpaca"), since the adapter's and the
// agent's tests are only as good as it is: a marketable limit fills at the market price or better, a trailing stop
// tracks its high water mark (`hwm`) and `stop_price` and fills once crossed, a bracket's legs wait for the entry to
// fill completely and go with it when it is canceled, an OCO's two orders cancel each other, and canceling any
// order of a group cancels the rest.
import { afterEach, describe, expect, it } from 'vitest';
import type { OrderUpdate } from '../port.js';
import { AlpacaAdapter } from './adapter.js';
import { FakeAlpaca } from './fake-server.js';
import { eventually } from '../contract/suite.js';

const KEYS = { keyId: 'PKCANARYKEYID0000004', secretKey: 'canary-secret-Fidelity7Qz8Wx9' };
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(streaming = false) {
  const fake = await new FakeAlpaca({ ...KEYS, prices: { AAPL: '100' } }).start();
  cleanups.push(() => fake.close());
  const adapter = new AlpacaAdapter('a1', { environment: 'paper', baseUrl: fake.baseUrl, timeoutMs: 2000, requestsPerMinute: 60_000, burst: 1000, streaming, pollIntervalMs: 3_600_000 }, KEYS);
  cleanups.push(() => adapter.disconnect());
  return { fake, adapter };
}

interface Raw {
  id: string;
  client_order_id: string;
  status: string;
  type: string;
  side: string;
  qty: string;
  filled_qty: string;
  filled_avg_price: string | null;
  limit_price: string | null;
  stop_price: string | null;
  hwm: string | null;
  legs: Raw[] | null;
}

async function api<T>(fake: FakeAlpaca, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${fake.baseUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json', 'APCA-API-KEY-ID': KEYS.keyId, 'APCA-API-SECRET-KEY': KEYS.secretKey },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

const place = async (fake: FakeAlpaca, body: Record<string, unknown>) => (await api<Raw>(fake, 'POST', '/v2/orders', { time_in_force: 'gtc', ...body })).body;
const read = async (fake: FakeAlpaca, id: string) => (await api<Raw>(fake, 'GET', `/v2/orders/${id}`)).body;
const settle = () => new Promise((r) => setImmediate(r));

describe('fake Alpaca fills a marketable limit at the market price or better', () => {
  it('a sell limit below the market sells at the market; a resting sell limit the price jumps past sells at the new price; a buy limit above the market buys at the market', async () => {
    const { fake } = await setup();
    await place(fake, { symbol: 'AAPL', qty: '10', side: 'buy', type: 'market', client_order_id: 'in' });
    await settle();
    const below = await place(fake, { symbol: 'AAPL', qty: '2', side: 'sell', type: 'limit', limit_price: '95', client_order_id: 'sell-95' });
    await settle();
    expect(await read(fake, below.id)).toMatchObject({ status: 'filled', filled_avg_price: '100' }); // not 95

    const resting = await place(fake, { symbol: 'AAPL', qty: '2', side: 'sell', type: 'limit', limit_price: '120', client_order_id: 'sell-120' });
    await settle();
    expect((await read(fake, resting.id)).status).toBe('new');
    fake.setPrice('AAPL', '130');
    expect(await read(fake, resting.id)).toMatchObject({ status: 'filled', filled_avg_price: '130' }); // not 120

    const buy = await place(fake, { symbol: 'AAPL', qty: '1', side: 'buy', type: 'limit', limit_price: '140', client_order_id: 'buy-140' });
    await settle();
    expect(await read(fake, buy.id)).toMatchObject({ status: 'filled', filled_avg_price: '130' });
    expect(fake.activities.find((a) => a.order_id === resting.id)).toMatchObject({ price: '130', qty: '2' });
  });

  it('a limit order fills in part when less trades at the price than it asks for, and stays working', async () => {
    const { fake } = await setup();
    const o = await place(fake, { symbol: 'AAPL', qty: '10', side: 'buy', type: 'limit', limit_price: '95', client_order_id: 'part' });
    fake.setPrice('AAPL', '95', { volume: '4' });
    expect(await read(fake, o.id)).toMatchObject({ status: 'partially_filled', filled_qty: '4', filled_avg_price: '95' });
    fake.setPrice('AAPL', '94');
    expect(await read(fake, o.id)).toMatchObject({ status: 'filled', filled_qty: '10' });
  });
});

describe('fake Alpaca trailing stops track hwm and stop_price, and fill once crossed', () => {
  it('sell, trail_price: the stop follows the high water mark up and never down; crossing it sells at the market', async () => {
    const { fake } = await setup();
    await place(fake, { symbol: 'AAPL', qty: '5', side: 'buy', type: 'market', client_order_id: 'in' });
    await settle();
    const t = await place(fake, { symbol: 'AAPL', qty: '5', side: 'sell', type: 'trailing_stop', trail_price: '5', client_order_id: 'trail' });
    expect(t).toMatchObject({ status: 'new', hwm: '100', stop_price: '95' }); // the submit answer carries them
    fake.setPrice('AAPL', '110');
    expect(await read(fake, t.id)).toMatchObject({ status: 'new', hwm: '110', stop_price: '105' });
    fake.setPrice('AAPL', '106'); // down, above the stop: the mark stays
    expect(await read(fake, t.id)).toMatchObject({ status: 'new', hwm: '110', stop_price: '105' });
    fake.setPrice('AAPL', '103'); // crossed: a market order, filled at the price, below the stop
    expect(await read(fake, t.id)).toMatchObject({ status: 'filled', filled_qty: '5', filled_avg_price: '103', hwm: '110', stop_price: '105' });
    expect(fake.positions.get('AAPL')?.qty.toString()).toBe('0');
  });

  it('buy, trail_percent: the mark is the lowest price and the stop sits that percent above it', async () => {
    const { fake } = await setup();
    const t = await place(fake, { symbol: 'AAPL', qty: '3', side: 'buy', type: 'trailing_stop', trail_percent: '2', client_order_id: 'trail-buy' });
    expect(t).toMatchObject({ hwm: '100', stop_price: '102' });
    fake.setPrice('AAPL', '90');
    expect(await read(fake, t.id)).toMatchObject({ status: 'new', hwm: '90', stop_price: '91.8' });
    fake.setPrice('AAPL', '91.5');
    expect((await read(fake, t.id)).status).toBe('new');
    fake.setPrice('AAPL', '92');
    expect(await read(fake, t.id)).toMatchObject({ status: 'filled', filled_avg_price: '92' });
  });

  it('the stream says nothing while the mark moves (Alpaca has no such event), and reports the fill', async () => {
    const { fake, adapter } = await setup(true);
    await adapter.connect();
    const seen: OrderUpdate[] = [];
    adapter.onUpdate((u) => seen.push(u));
    await adapter.submit({ clientOrderId: 'in', symbol: 'AAPL', side: 'buy', type: 'market', quantity: '5', timeInForce: 'day' });
    expect((await eventually(() => seen, (l) => l.some((u) => u.kind === 'fill'))).some((u) => u.kind === 'fill')).toBe(true);
    await adapter.submit({ clientOrderId: 'trail', symbol: 'AAPL', side: 'sell', type: 'trailing_stop', trailAmount: '5', quantity: '5', timeInForce: 'gtc' });
    expect((await eventually(() => seen, (l) => l.some((u) => u.order.clientOrderId === 'trail'))).some((u) => u.order.clientOrderId === 'trail')).toBe(true);
    fake.setPrice('AAPL', '110');
    fake.setPrice('AAPL', '112');
    await new Promise((r) => setTimeout(r, 100));
    expect(seen.filter((u) => u.order.clientOrderId === 'trail').map((u) => u.order.status)).toEqual(['accepted']);
    fake.setPrice('AAPL', '106');
    const fill = await eventually(() => seen.find((u) => u.kind === 'fill' && u.order.clientOrderId === 'trail'), (u) => u !== undefined);
    expect(fill?.order).toMatchObject({ type: 'trailing_stop', status: 'filled', stopPrice: '107', averageFillPrice: '106' });
  });
});

describe('fake Alpaca groups: bracket legs, OCO, cancel', () => {
  const bracketBody = { symbol: 'AAPL', qty: '10', side: 'buy', type: 'limit', limit_price: '95', order_class: 'bracket', take_profit: { limit_price: '120' }, stop_loss: { stop_price: '90' } };

  it('a partly filled bracket entry keeps its legs held; canceling it cancels the held legs too', async () => {
    const { fake } = await setup();
    const entry = await place(fake, { ...bracketBody, client_order_id: 'b1' });
    fake.setPrice('AAPL', '95', { volume: '4' });
    const after = await read(fake, entry.id);
    expect(after).toMatchObject({ status: 'partially_filled', filled_qty: '4' });
    expect(after.legs!.map((l) => l.status)).toEqual(['held', 'held']);
    expect((await api(fake, 'DELETE', `/v2/orders/${entry.id}`)).status).toBe(204);
    const canceled = await read(fake, entry.id);
    expect(canceled).toMatchObject({ status: 'canceled', filled_qty: '4' });
    expect(canceled.legs!.map((l) => l.status)).toEqual(['canceled', 'canceled']);
    expect(fake.positions.get('AAPL')?.qty.toString()).toBe('4'); // what did fill stays, without exits
  });

  it('canceling one working leg of a filled bracket cancels the other; DELETE /v2/orders cancels working legs too', async () => {
    const { fake } = await setup();
    const one = await place(fake, { ...bracketBody, client_order_id: 'b1' });
    fake.setPrice('AAPL', '95');
    const legs = (await read(fake, one.id)).legs!;
    expect(legs.map((l) => l.status)).toEqual(['new', 'new']);
    expect((await api(fake, 'DELETE', `/v2/orders/${legs[0]!.id}`)).status).toBe(204);
    expect((await read(fake, legs[1]!.id)).status).toBe('canceled');

    const two = await place(fake, { ...bracketBody, client_order_id: 'b2' });
    fake.setPrice('AAPL', '94');
    const legs2 = (await read(fake, two.id)).legs!;
    expect(legs2.map((l) => l.status)).toEqual(['new', 'new']);
    expect((await api(fake, 'DELETE', '/v2/orders')).status).toBe(207);
    expect((await Promise.all(legs2.map((l) => read(fake, l.id)))).map((l) => l.status)).toEqual(['canceled', 'canceled']);
  });

  it('an OCO is a take-profit limit (the parent, at take_profit.limit_price) and a stop-loss leg, working at once; either filling cancels the other', async () => {
    const { fake } = await setup();
    await place(fake, { symbol: 'AAPL', qty: '8', side: 'buy', type: 'market', client_order_id: 'in' });
    await settle();
    const ocoBody = { symbol: 'AAPL', qty: '4', side: 'sell', type: 'limit', limit_price: '1', order_class: 'oco', take_profit: { limit_price: '120' }, stop_loss: { stop_price: '90', limit_price: '89' } };
    const a = await place(fake, { ...ocoBody, client_order_id: 'oco-a' });
    expect(a).toMatchObject({ status: 'new', type: 'limit', limit_price: '120' }); // the top-level limit_price is not the take-profit
    expect(a.legs!.map((l) => [l.type, l.side, l.status, l.stop_price, l.limit_price])).toEqual([['stop_limit', 'sell', 'new', '90', '89']]);
    await settle();
    expect((await read(fake, a.id)).status).toBe('new'); // not filled at its top-level limit_price
    fake.setPrice('AAPL', '125'); // the take-profit fills, the stop-loss is canceled
    expect(await read(fake, a.id)).toMatchObject({ status: 'filled', filled_avg_price: '125' });
    expect((await read(fake, a.legs![0]!.id)).status).toBe('canceled');

    fake.setPrice('AAPL', '115');
    const b = await place(fake, { ...ocoBody, client_order_id: 'oco-b', stop_loss: { stop_price: '110' } });
    await settle();
    expect((await read(fake, b.id)).status).toBe('new');
    fake.setPrice('AAPL', '105'); // the stop-loss fills, the take-profit (the parent) is canceled
    expect(await read(fake, b.legs![0]!.id)).toMatchObject({ type: 'stop', status: 'filled', filled_avg_price: '105' });
    expect((await read(fake, b.id)).status).toBe('canceled');
    expect(fake.positions.get('AAPL')?.qty.toString()).toBe('0');
  });
});

describe('fake Alpaca cancels as "Cancel an Order by ID" documents: 204 accepted, 422 no longer cancelable, 404 unknown', () => {
  const cancel = (fake: FakeAlpaca, id: string) => api<{ code?: number; message?: string } | undefined>(fake, 'DELETE', `/v2/orders/${id}`);

  it('an unknown id is 404 {code, message}; a filled order 422 "order is already in \\"filled\\" state"', async () => {
    const { fake } = await setup();
    expect(await cancel(fake, '00000000-0000-0000-0000-000000000000')).toEqual({ status: 404, body: { code: 40410000, message: 'order not found' } });
    const filled = await place(fake, { symbol: 'AAPL', qty: '1', side: 'buy', type: 'market', client_order_id: 'f' });
    await settle();
    expect(await cancel(fake, filled.id)).toEqual({ status: 422, body: { code: 42210000, message: 'order is already in "filled" state' } });
  });

  it('fill_first: a trade fills the order at its limit as the cancel arrives, and the cancel is refused with 422', async () => {
    const { fake } = await setup();
    const resting = await place(fake, { symbol: 'AAPL', qty: '10', side: 'buy', type: 'limit', limit_price: '95', client_order_id: 'r' });
    fake.cancelRace = 'fill_first';
    expect(await cancel(fake, resting.id)).toEqual({ status: 422, body: { code: 42210000, message: 'order is already in "filled" state' } });
    expect(await read(fake, resting.id)).toMatchObject({ status: 'filled', filled_qty: '10', filled_avg_price: '95' });
  });

  it('pending: 204 with no body, the order pending_cancel (with its stream event) until the venue confirms it, or a trade fills it first', async () => {
    const { fake, adapter } = await setup(true);
    await adapter.connect();
    const seen: string[] = [];
    adapter.onUpdate((u) => seen.push(`${u.order.clientOrderId}:${u.order.status}`));
    fake.cancelRace = 'pending';
    const first = await place(fake, { symbol: 'AAPL', qty: '10', side: 'buy', type: 'limit', limit_price: '95', client_order_id: 'p1' });
    const second = await place(fake, { symbol: 'AAPL', qty: '10', side: 'buy', type: 'limit', limit_price: '90', client_order_id: 'p2' });

    expect(await cancel(fake, first.id)).toEqual({ status: 204, body: undefined });
    expect((await read(fake, first.id)).status).toBe('pending_cancel');
    expect(await cancel(fake, first.id)).toEqual({ status: 204, body: undefined }); // asked again: still pending
    fake.setPrice('AAPL', '95'); // the trade reaches it before the venue cancels it
    expect(await read(fake, first.id)).toMatchObject({ status: 'filled', filled_qty: '10' });

    // DELETE /v2/orders: one answer per open order, the order as the cancel left it.
    const all = await api<{ id: string; status: number; body: Raw }[]>(fake, 'DELETE', '/v2/orders');
    expect(all.status).toBe(207);
    expect(all.body.map((a) => [a.id, a.status, a.body.status])).toEqual([[second.id, 200, 'pending_cancel']]);
    fake.settleCancels();
    expect((await read(fake, second.id)).status).toBe('canceled');
    await eventually(() => seen, (s) => s.includes('p2:canceled'));
    expect(seen).toEqual(expect.arrayContaining(['p1:cancel_pending', 'p1:filled', 'p2:cancel_pending', 'p2:canceled']));
  });
});
