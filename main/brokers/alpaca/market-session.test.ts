// The US equity market's session at the fake Alpaca, and a queued order through the agent. Alpaca takes a market or
// day order placed while the market is closed and queues it until the next open: its status is `accepted` ("received
// by Alpaca, but hasn't yet been routed to the execution venue", often seen outside trading hours) until it is routed
// at the open (`new`) and fills. Extended-hours orders must be day or gtc limit orders (422 "extended hours order must
// be DAY or GTC limit orders"). GET /v2/clock tells is_open, next_open and next_close. The agent keeps a queued order
// working (no lookup gives up on it, nothing sends it again) and books its fill at the open exactly once, on the
// stream, by polling, and after a restart.
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Decimal } from 'decimal.js';
import { positionsFromFills } from '../../orders/test-support/harness.js';
import { tempDir } from '../../test-support/agent.js';
import type { OrderRequest } from '../port.js';
import type { FakeAlpaca } from './fake-server.js';
import { eventually } from '../contract/suite.js';
import { clientOrderId } from '../../ids.js';
import { ACC, KEYS, agent, newAdapter, runCleanups, startFake } from './test-support/agent.js';

afterEach(runCleanups);

interface Raw {
  id: string;
  client_order_id: string;
  status: string;
  filled_qty: string;
  filled_avg_price: string | null;
  expired_at: string | null;
  code?: number;
  message?: string;
}

async function api<T = Raw>(fake: FakeAlpaca, method: string, p: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${fake.baseUrl}${p}`, {
    method,
    headers: { 'content-type': 'application/json', 'APCA-API-KEY-ID': KEYS.keyId, 'APCA-API-SECRET-KEY': KEYS.secretKey },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

const place = (fake: FakeAlpaca, body: Record<string, unknown>) => api(fake, 'POST', '/v2/orders', { symbol: 'AAPL', qty: '5', side: 'buy', type: 'market', time_in_force: 'day', ...body });
const read = async (fake: FakeAlpaca, id: string) => (await api(fake, 'GET', `/v2/orders/${id}`)).body;
const settle = () => new Promise((r) => setTimeout(r, 20));

/** The trade_updates events the fake publishes, as `<client order id>:<event>`. */
function eventsOf(fake: FakeAlpaca): string[] {
  const seen: string[] = [];
  const publish = fake.stream.publish.bind(fake.stream);
  vi.spyOn(fake.stream, 'publish').mockImplementation((event, order, extra) => {
    seen.push(`${order.client_order_id}:${event}`);
    publish(event, order, extra);
  });
  return seen;
}

describe('fake Alpaca: the market session', () => {
  it('GET /v2/clock tells whether the market is open and its next open and close', async () => {
    const fake = await startFake();
    const open = (await api<{ is_open: boolean; next_open: string; next_close: string; timestamp: string }>(fake, 'GET', '/v2/clock')).body;
    expect(open.is_open).toBe(true); // the default: the tests that do not set a session trade as before
    expect(Date.parse(open.next_close)).toBeGreaterThan(Date.parse(open.timestamp));
    fake.setSession('closed', { nextOpen: '2030-01-07T14:30:00Z', nextClose: '2030-01-07T21:00:00Z' });
    expect((await api(fake, 'GET', '/v2/clock')).body).toMatchObject({ is_open: false, next_open: '2030-01-07T14:30:00Z', next_close: '2030-01-07T21:00:00Z' });
    fake.setSession('extended');
    const pre = (await api<{ is_open: boolean; next_open: string; next_close: string }>(fake, 'GET', '/v2/clock')).body;
    expect(pre.is_open).toBe(false);
    expect(Date.parse(pre.next_close)).toBeGreaterThan(Date.parse(pre.next_open));
  });

  it('a market order placed while closed is accepted and queued, however the price moves, and fills at the open at the price then', async () => {
    const fake = await startFake();
    fake.setSession('closed');
    const events = eventsOf(fake);
    const placed = await place(fake, { client_order_id: 'q1' });
    expect(placed.status).toBe(200);
    expect(placed.body).toMatchObject({ status: 'accepted', filled_qty: '0' });
    fake.setPrice('AAPL', '97');
    await settle();
    expect(await read(fake, placed.body.id)).toMatchObject({ status: 'accepted', filled_qty: '0' });
    expect((await api<Raw[]>(fake, 'GET', '/v2/orders?status=open')).body.map((o) => o.client_order_id)).toEqual(['q1']);
    expect(fake.positions.get('AAPL')).toBeUndefined();

    fake.setPrice('AAPL', '101');
    fake.setSession('open');
    expect(await read(fake, placed.body.id)).toMatchObject({ status: 'filled', filled_qty: '5', filled_avg_price: '101' });
    expect(events).toEqual(['q1:accepted', 'q1:new', 'q1:fill']);
  });

  it('a working gtc limit does not fill while closed although the price passes it; at the open it fills at the price then', async () => {
    const fake = await startFake();
    const lmt = (await place(fake, { client_order_id: 'l1', type: 'limit', limit_price: '95', time_in_force: 'gtc' })).body;
    await settle();
    expect(lmt.status).toBe('new');
    fake.setSession('closed');
    fake.setPrice('AAPL', '90');
    await settle();
    expect(await read(fake, lmt.id)).toMatchObject({ status: 'new', filled_qty: '0' });
    fake.setPrice('AAPL', '93');
    fake.setSession('open');
    expect(await read(fake, lmt.id)).toMatchObject({ status: 'filled', filled_avg_price: '93' });
  });

  it('a trailing stop does not trigger outside regular hours: it fills at the open if the price is still through its stop', async () => {
    const fake = await startFake();
    await place(fake, { client_order_id: 'in', qty: '2' });
    await settle();
    const trail = (await place(fake, { client_order_id: 'ts', qty: '2', side: 'sell', type: 'trailing_stop', trail_price: '5', time_in_force: 'gtc' })).body;
    fake.setSession('closed');
    fake.setPrice('AAPL', '80');
    await settle();
    expect(await read(fake, trail.id)).toMatchObject({ status: 'new', filled_qty: '0' });
    fake.setSession('open');
    expect(await read(fake, trail.id)).toMatchObject({ status: 'filled', filled_avg_price: '80' });
  });

  it('in the extended session an extended-hours limit trades and other orders wait; extended hours only on day or gtc limit orders', async () => {
    const fake = await startFake();
    fake.setSession('extended');
    const eh = (await place(fake, { client_order_id: 'eh', type: 'limit', limit_price: '100', extended_hours: true })).body;
    const plain = (await place(fake, { client_order_id: 'plain', type: 'limit', limit_price: '100' })).body;
    await settle();
    expect(await read(fake, eh.id)).toMatchObject({ status: 'filled', filled_qty: '5' });
    expect(await read(fake, plain.id)).toMatchObject({ status: 'accepted', filled_qty: '0' });
    expect((await place(fake, { client_order_id: 'eh-gtc', type: 'limit', limit_price: '50', time_in_force: 'gtc', extended_hours: true })).body.status).toBe('new');

    const refusal = { code: 40010001, message: 'extended hours order must be DAY or GTC limit orders' };
    for (const body of [{ type: 'market' }, { type: 'limit', limit_price: '100', time_in_force: 'ioc' }, { type: 'stop', stop_price: '110' }]) {
      const refused = await place(fake, { client_order_id: `eh-${body.type}-${String(body.time_in_force)}`, extended_hours: true, ...body });
      expect(refused).toEqual({ status: 422, body: refusal });
    }
    fake.setSession('open');
    expect(await read(fake, plain.id)).toMatchObject({ status: 'filled' });
  });

  it('day orders end with their session; gtc orders and orders queued for the next session stay', async () => {
    const fake = await startFake();
    const events = eventsOf(fake);
    const day = (await place(fake, { client_order_id: 'day', type: 'limit', limit_price: '90' })).body;
    const gtc = (await place(fake, { client_order_id: 'gtc', type: 'limit', limit_price: '90', time_in_force: 'gtc' })).body;
    const ehDay = (await place(fake, { client_order_id: 'eh-day', type: 'limit', limit_price: '90', extended_hours: true })).body;
    await settle();
    fake.setSession('extended'); // the close: after hours begin
    expect(await read(fake, day.id)).toMatchObject({ status: 'expired', expired_at: expect.any(String) as string });
    expect(await read(fake, ehDay.id)).toMatchObject({ status: 'new' });
    const next = (await place(fake, { client_order_id: 'next' })).body; // a market order after the close
    expect(next.status).toBe('accepted');
    fake.setSession('closed'); // after hours end
    expect(await read(fake, ehDay.id)).toMatchObject({ status: 'expired' });
    expect(await read(fake, gtc.id)).toMatchObject({ status: 'new' });
    expect(await read(fake, next.id)).toMatchObject({ status: 'accepted' });
    fake.setSession('open');
    expect(await read(fake, next.id)).toMatchObject({ status: 'filled' });
    expect(events.filter((e) => e.endsWith(':expired'))).toEqual(['day:expired', 'eh-day:expired']);
  });

  it('a queued order is canceled at once, whatever the cancel race: it cannot fill before it is routed', async () => {
    const fake = await startFake();
    fake.setSession('closed');
    for (const race of ['fill_first', 'pending'] as const) {
      fake.cancelRace = race;
      const queued = (await place(fake, { client_order_id: `c-${race}` })).body;
      expect((await api(fake, 'DELETE', `/v2/orders/${queued.id}`)).status).toBe(204);
      expect(await read(fake, queued.id)).toMatchObject({ status: 'canceled', filled_qty: '0' });
    }
    fake.setSession('open');
    expect(fake.positions.get('AAPL')).toBeUndefined();
  });

  it('crypto trades around the clock: a crypto order fills while the equity market is closed', async () => {
    const fake = await startFake({ AAPL: '100', 'BTC/USD': '30000' });
    fake.setSession('closed');
    const btc = (await place(fake, { client_order_id: 'btc', symbol: 'BTC/USD', qty: '0.01', time_in_force: 'gtc' })).body;
    await settle();
    expect(await read(fake, btc.id)).toMatchObject({ status: 'filled', filled_qty: '0.01' });
  });
});

const buy: OrderRequest = { clientOrderId: 'vz-queued-buy-1', symbol: 'AAPL', side: 'buy', type: 'market', quantity: '5', timeInForce: 'day', referencePrice: '100' };

describe('a queued order through the agent', () => {
  it('stream: stays working while the market is closed (lookups and reconciliations keep it, nothing is sent again), and its fill at the open is booked once', async () => {
    const fake = await startFake();
    fake.setSession('closed');
    const { h, reconciler } = await agent(fake, path.join(tempDir(), 'orders.db'));
    await reconciler.reconcileAll('startup');
    const order = await h.router.submit(buy, { accountId: ACC, leg: 'entry' });
    expect(order).toMatchObject({ status: 'accepted', brokerOrderId: expect.any(String) as string });

    // Longer than every lookup and grace period of the harness (resolve up to 100 ms, absent grace 100 ms).
    await new Promise((r) => setTimeout(r, 400));
    for (const run of ['periodic', 'periodic']) {
      const [report] = await reconciler.reconcileAll(run);
      expect(report).toMatchObject({ ordersChecked: 1, ordersCorrected: 0, mismatches: [], halted: false });
    }
    expect(h.orders.get(order.id)).toMatchObject({ status: 'accepted', filledQuantity: '0' });
    expect(fake.submitAttempts).toEqual([buy.clientOrderId]);

    fake.setPrice('AAPL', '102');
    fake.setSession('open');
    const filled = await eventually(() => h.orders.get(order.id)!, (o) => o.status === 'filled');
    expect(filled).toMatchObject({ status: 'filled', filledQuantity: '5', averageFillPrice: '102' });
    expect(h.orders.fills(order.id)).toEqual([expect.objectContaining({ quantity: '5', price: '102' })]);
    const [after] = await reconciler.reconcileAll('periodic');
    expect(after).toMatchObject({ fillsRecovered: 0, externalFills: 0, mismatches: [], halted: false });
    expect(h.orders.fills(order.id)).toHaveLength(1);
    expect(positionsFromFills(h.db, ACC)).toEqual({ AAPL: '5' });
    expect(fake.submitAttempts).toEqual([buy.clientOrderId]);
    expect(fake.countByClientId(buy.clientOrderId)).toBe(1);
  });

  it('polling only (streaming off): the fill at the open of an order queued long before reaches the agent once', async () => {
    const fake = await startFake();
    fake.setSession('closed');
    const { h, reconciler } = await agent(fake, path.join(tempDir(), 'orders.db'), { streaming: false, pollIntervalMs: 40 });
    await reconciler.reconcileAll('startup');
    const order = await h.router.submit(buy, { accountId: ACC, leg: 'entry' });
    expect(order.status).toBe('accepted');
    // Placed the evening before: the polls' list of recent orders (submitted since the last poll) no longer has it.
    const raw = [...fake.orders.values()].find((o) => o.client_order_id === buy.clientOrderId)!;
    raw.created_at = raw.submitted_at = raw.updated_at = new Date(Date.now() - 12 * 3_600_000).toISOString();
    await new Promise((r) => setTimeout(r, 300)); // several polls while it waits
    expect(h.orders.get(order.id)).toMatchObject({ status: 'accepted' });

    fake.setSession('open');
    const filled = await eventually(() => h.orders.get(order.id)!, (o) => o.status === 'filled');
    expect(filled).toMatchObject({ status: 'filled', filledQuantity: '5' });
    await new Promise((r) => setTimeout(r, 150)); // more polls see the same fill again
    const [report] = await reconciler.reconcileAll('periodic');
    expect(report).toMatchObject({ fillsRecovered: 0, mismatches: [], halted: false });
    expect(h.orders.fills(order.id)).toHaveLength(1);
    expect(fake.submitAttempts).toEqual([buy.clientOrderId]);
  });

  it('restart while queued: the new process finds it working at Alpaca, sends nothing again, and books the fill at the open', async () => {
    const fake = await startFake();
    fake.setSession('closed');
    const file = path.join(tempDir(), 'orders.db');
    const first = await agent(fake, file);
    await first.reconciler.reconcileAll('startup');
    const order = await first.h.router.submit(buy, { accountId: ACC, leg: 'entry' });
    await first.stop();

    const second = await agent(fake, file);
    const [report] = await second.reconciler.reconcileAll('startup');
    expect(report).toMatchObject({ ordersChecked: 1, ordersCorrected: 0, mismatches: [], halted: false });
    expect(second.h.orders.get(order.id)).toMatchObject({ status: 'accepted' });

    fake.setSession('open');
    expect(await eventually(() => second.h.orders.get(order.id)!, (o) => o.status === 'filled')).toMatchObject({ status: 'filled', filledQuantity: '5' });
    expect(second.h.orders.fills(order.id)).toHaveLength(1);
    expect(fake.submitAttempts).toEqual([buy.clientOrderId]);
  });

  it('canceled while queued: canceled at once, and nothing fills at the open', async () => {
    const fake = await startFake();
    fake.setSession('closed');
    const { h, reconciler } = await agent(fake, path.join(tempDir(), 'orders.db'));
    await reconciler.reconcileAll('startup');
    const order = await h.router.submit(buy, { accountId: ACC, leg: 'entry' });
    const canceled = await h.router.cancel(order.id);
    expect(canceled).toMatchObject({ status: 'canceled', filledQuantity: '0' });
    fake.setSession('open');
    await new Promise((r) => setTimeout(r, 100));
    expect(h.orders.get(order.id)).toMatchObject({ status: 'canceled', filledQuantity: '0' });
    expect(fake.positions.get('AAPL')?.qty ?? new Decimal(0)).toEqual(new Decimal(0));
    const [report] = await reconciler.reconcileAll('periodic');
    expect(report).toMatchObject({ mismatches: [], halted: false });
  });

  it('a day bracket entry filled in part expires at the close: the agent\'s protective exit is queued until the open, then works and fills', async () => {
    const fake = await startFake();
    const { h, reconciler } = await agent(fake, path.join(tempDir(), 'orders.db'));
    await reconciler.reconcileAll('startup');
    const entry = await h.router.submit(
      { clientOrderId: 'vz-day-bracket-1', symbol: 'AAPL', side: 'buy', type: 'limit', limitPrice: '95', quantity: '10', timeInForce: 'day', referencePrice: '100', takeProfit: { limitPrice: '120' }, stopLoss: { stopPrice: '90' } },
      { accountId: ACC, leg: 'entry' },
    );
    fake.setPrice('AAPL', '95', { volume: '4' });
    await eventually(() => h.orders.get(entry.id)!, (o) => o.filledQuantity === '4');

    fake.setSession('extended'); // the close: the day entry expires, its held legs with it
    expect(await eventually(() => h.orders.get(entry.id)!, (o) => o.status === 'expired')).toMatchObject({ status: 'expired', filledQuantity: '4' });
    const protectId = clientOrderId(entry.clientOrderId, ACC, 'protect');
    const queued = await eventually(() => h.orders.byClientId(protectId), (o) => o?.status === 'accepted');
    expect(queued).toMatchObject({ side: 'sell', quantity: '4', status: 'accepted' });
    expect([...fake.orders.values()].filter((o) => o.client_order_id === protectId).map((o) => [o.order_class, o.status])).toEqual([['oco', 'accepted']]);
    fake.setPrice('AAPL', '80'); // through the stop-loss after hours: nothing triggers before the open
    await settle();
    expect(fake.positions.get('AAPL')?.qty.toString()).toBe('4');

    fake.setPrice('AAPL', '121');
    fake.setSession('open');
    expect(await eventually(() => h.orders.byClientId(protectId)!, (o) => o.status === 'filled')).toMatchObject({ status: 'filled', filledQuantity: '4' });
    expect(await eventually(() => positionsFromFills(h.db, ACC), (p) => Object.keys(p).length === 0)).toEqual({});
    expect(fake.countByClientId(protectId)).toBe(1);
    const [report] = await reconciler.reconcileAll('periodic');
    expect(report).toMatchObject({ mismatches: [], halted: false });
  });

  it('the adapter reads the clock as Alpaca reports it', async () => {
    const fake = await startFake();
    const adapter = newAdapter(fake);
    expect((await adapter.clock()).is_open).toBe(true);
    fake.setSession('closed', { nextOpen: '2030-01-07T14:30:00Z', nextClose: '2030-01-07T21:00:00Z' });
    expect(await adapter.clock()).toMatchObject({ is_open: false, next_open: '2030-01-07T14:30:00Z', next_close: '2030-01-07T21:00:00Z' });
  });
});
