// A bracket's take-profit / stop-loss legs are created by Alpaca with client ids of its own. These tests go
// through the real HTTP + WebSocket path of the fake Alpaca, the real router, lifecycle, reconciler and database:
// the legs are adopted as the agent's orders linked to their parent, their fills are the agent's exits (never
// trades "placed by hand"), live on the stream and after a restart of the agent.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Decimal } from 'decimal.js';
import { positionsFromFills, type Harness } from '../../orders/test-support/harness.js';
import { tempDir } from '../../test-support/agent.js';
import type { OrderUpdate, OrderRequest } from '../port.js';
import type { FakeAlpaca } from './fake-server.js';
import { eventually } from '../contract/suite.js';
import { clientOrderId } from '../../ids.js';
import type { AgentEvent } from '../../../shared/api-types.js';
import { ACC, ACC_NAME, KEYS, agent, newAdapter, runCleanups, startFake } from './test-support/agent.js';

afterEach(runCleanups);

const bracket: OrderRequest = {
  clientOrderId: 'vz-bracket-entry-1',
  symbol: 'AAPL',
  side: 'buy',
  type: 'market',
  quantity: '10',
  timeInForce: 'gtc',
  referencePrice: '100',
  takeProfit: { limitPrice: '120' },
  stopLoss: { stopPrice: '90' },
};

function children(h: Harness, parentId: string): { id: string; leg: string | undefined; reduceOnly: boolean | undefined }[] {
  const rows = h.db.prepare('SELECT id FROM orders WHERE parent_order_id = ? ORDER BY created_at').all(parentId) as { id: string }[];
  return rows.map((r) => {
    const req = h.orders.request(r.id);
    return { id: r.id, leg: req?.leg, reduceOnly: req?.reduceOnly };
  });
}

function fakePosition(fake: FakeAlpaca, symbol: string): string {
  return (fake.positions.get(symbol)?.qty ?? new Decimal(0)).toString();
}

describe('Alpaca bracket legs are adopted as the agent’s orders', () => {
  it('stream: the entry fills, the price falls, the stop-loss leg fills: the agent has the linked reduce-only child with its fill, the position is flat, no external fill', async () => {
    const fake = await startFake();
    const { h, reconciler } = await agent(fake, path.join(tempDir(), 'orders.db'));
    await reconciler.reconcileAll('startup'); // the baseline exists, so a fill not explained would be counted external

    const entry = await h.router.submit(bracket, { accountId: ACC, leg: 'entry' });
    const filled = await eventually(() => h.orders.get(entry.id)!, (o) => o.status === 'filled');
    expect(filled.filledQuantity).toBe('10');
    // Both legs become working once the entry has filled, and are the agent's orders, linked to the entry.
    const legs = await eventually(() => children(h, entry.id), (c) => c.length === 2);
    expect(legs).toHaveLength(2);
    expect(legs.every((c) => c.reduceOnly === true)).toBe(true);
    // Alpaca names its legs: the limit is the take-profit, the stop the stop-loss.
    expect(legs.map((c) => [h.orders.get(c.id)!.type, c.leg]).sort()).toEqual([['limit', 'take_profit'], ['stop', 'stop_loss']]);

    fake.setPrice('AAPL', '85'); // the stop-loss leg (sell stop 90) fills; the take-profit leg is canceled
    const stopChild = await eventually(
      () => children(h, entry.id).map((c) => h.orders.get(c.id)!).find((o) => o.type === 'stop'),
      (o) => o?.status === 'filled',
    );
    expect(stopChild).toMatchObject({ side: 'sell', status: 'filled', filledQuantity: '10', stopPrice: '90' });
    expect(h.orders.fills(stopChild!.id)).toEqual([expect.objectContaining({ quantity: '10', price: '85' })]);
    const tpChild = await eventually(
      () => children(h, entry.id).map((c) => h.orders.get(c.id)!).find((o) => o.type === 'limit'),
      (o) => o?.status === 'canceled',
    );
    expect(tpChild?.status).toBe('canceled');
    expect(h.orders.fills(tpChild!.id)).toEqual([]);

    expect(fakePosition(fake, 'AAPL')).toBe('0');
    expect(positionsFromFills(h.db, ACC)).toEqual({});
    const [report] = await reconciler.reconcileAll('periodic');
    expect(report).toMatchObject({ externalFills: 0, fillsRecovered: 0, mismatches: [], halted: false });
    expect(h.orders.reconcileState(ACC)!.baseline).toEqual({});
  });

  it('restart: the stop-loss leg fills while the agent is stopped; after the restart the reconciler books it on the linked child, not as a trade by hand', async () => {
    const fake = await startFake();
    const file = path.join(tempDir(), 'orders.db');
    const first = await agent(fake, file);
    await first.reconciler.reconcileAll('startup');
    const entry = await first.h.router.submit(bracket, { accountId: ACC, leg: 'entry' });
    await eventually(() => first.h.orders.get(entry.id)!, (o) => o.status === 'filled');
    await first.stop();

    fake.setPrice('AAPL', '85'); // stop-loss fills while the agent is down

    // A new process: its adapter has never seen the bracket, so it must find the legs' parent at Alpaca.
    const second = await agent(fake, file);
    const [report] = await second.reconciler.reconcileAll('startup');
    expect(report).toMatchObject({ externalFills: 0, mismatches: [], halted: false });
    const kids = children(second.h, entry.id).map((c) => ({ ...c, order: second.h.orders.get(c.id)! }));
    const stopChild = kids.find((c) => c.order.type === 'stop');
    expect(stopChild?.order).toMatchObject({ side: 'sell', status: 'filled', filledQuantity: '10' });
    expect(stopChild?.reduceOnly).toBe(true);
    expect(second.h.orders.fills(stopChild!.id)).toEqual([expect.objectContaining({ quantity: '10', price: '85' })]);
    expect(positionsFromFills(second.h.db, ACC)).toEqual({});
    expect(second.h.orders.reconcileState(ACC)!.baseline).toEqual({});
  });

  it('reconcile only: legs the agent never heard of (no stream, no polling) are adopted from the fills with their parent', async () => {
    const fake = await startFake();
    const { h, reconciler } = await agent(fake, path.join(tempDir(), 'orders.db'), { streaming: false });
    await reconciler.reconcileAll('startup');
    const entry = await h.router.submit(bracket, { accountId: ACC, leg: 'entry' });
    await eventually(() => fakePosition(fake, 'AAPL'), (q) => q === '10');
    fake.setPrice('AAPL', '130'); // the take-profit leg fills this time
    expect(fakePosition(fake, 'AAPL')).toBe('0');

    const [report] = await reconciler.reconcileAll('periodic');
    expect(report).toMatchObject({ externalFills: 0, mismatches: [], halted: false });
    expect(h.orders.get(entry.id)).toMatchObject({ status: 'filled', filledQuantity: '10' });
    const tp = children(h, entry.id).map((c) => h.orders.get(c.id)!).find((o) => o.type === 'limit');
    expect(tp).toMatchObject({ side: 'sell', status: 'filled', filledQuantity: '10', limitPrice: '120' });
    // The price jumped past the limit: the sell limit fills at the market, 130, which is better than its 120.
    expect(h.orders.fills(tp!.id)).toEqual([expect.objectContaining({ quantity: '10', price: '130' })]);
    expect(positionsFromFills(h.db, ACC)).toEqual({});
  });
});

describe('Alpaca adapter links legs to their parent', () => {
  it('leg updates on the stream carry the parent client order id (known from the submit answer)', async () => {
    const fake = await startFake();
    const adapter = newAdapter(fake);
    await adapter.connect();
    const seen: OrderUpdate[] = [];
    adapter.onUpdate((u) => seen.push(u));
    await adapter.submit(bracket);
    fake.setPrice('AAPL', '85');
    const got = await eventually(() => seen, (l) => l.some((u) => u.kind === 'fill' && u.order.type === 'stop'));
    const legFill = got.find((u) => u.kind === 'fill' && u.order.type === 'stop');
    expect(legFill?.order.parentClientOrderId).toBe(bracket.clientOrderId);
    expect(legFill?.order.clientOrderId).not.toBe(bracket.clientOrderId);
    expect(got.filter((u) => u.order.clientOrderId === bracket.clientOrderId).every((u) => u.order.parentClientOrderId === undefined)).toBe(true);
  });

  it('after a restart, a leg read by client id, listed open, or streamed is linked through the nested order list', async () => {
    const fake = await startFake();
    const before = newAdapter(fake);
    const placed = await before.submit(bracket);
    await eventually(() => before.orderByClientId(placed.clientOrderId), (o) => o?.status === 'filled');
    const legs = [...fake.orders.values()].filter((o) => o.parentId !== undefined);
    expect(legs).toHaveLength(2);

    const after = newAdapter(fake); // knows nothing of the bracket
    const tpLeg = legs.find((l) => l.type === 'limit')!;
    expect((await after.orderByClientId(tpLeg.client_order_id))?.parentClientOrderId).toBe(bracket.clientOrderId);
    const open = await after.openOrders();
    expect(open.map((o) => [o.type, o.parentClientOrderId])).toEqual([['limit', bracket.clientOrderId], ['stop', bracket.clientOrderId]]);
    expect(await after.orderByClientId(bracket.clientOrderId)).not.toHaveProperty('parentClientOrderId');

    const streamed = newAdapter(fake);
    await streamed.connect();
    const seen: OrderUpdate[] = [];
    streamed.onUpdate((u) => seen.push(u));
    fake.setPrice('AAPL', '125'); // the take-profit leg fills
    const got = await eventually(() => seen, (l) => l.some((u) => u.kind === 'fill'));
    expect(got.find((u) => u.kind === 'fill')?.order).toMatchObject({ type: 'limit', parentClientOrderId: bracket.clientOrderId });
  });
});

describe('fake Alpaca lists orders nested or flat as Alpaca does', () => {
  it('nested=true rolls legs under the parent; flat lists every order with legs null; held legs are not open', async () => {
    const fake = await startFake();
    const get = async (qs: string) => {
      const res = await fetch(`${fake.baseUrl}/v2/orders?${qs}`, { headers: { 'APCA-API-KEY-ID': KEYS.keyId, 'APCA-API-SECRET-KEY': KEYS.secretKey } });
      return (await res.json()) as { id: string; client_order_id: string; status: string; legs: unknown[] | null }[];
    };
    const adapter = newAdapter(fake);
    await adapter.submit({ ...bracket, type: 'limit', limitPrice: '95', referencePrice: '95' }); // rests: legs held
    const nested = await get('status=all&nested=true');
    expect(nested).toHaveLength(1);
    expect(nested[0]!.legs).toHaveLength(2);
    expect(await get('status=all')).toHaveLength(3);
    expect((await get('status=all')).every((o) => o.legs === null)).toBe(true);
    expect((await get('status=open')).map((o) => o.client_order_id)).toEqual([bracket.clientOrderId]); // legs are held
    fake.setPrice('AAPL', '94'); // the entry fills, the legs start working
    expect(await get('status=open&nested=true')).toEqual([]); // the filled parent is not open
    expect(await get('status=open')).toHaveLength(2);
  });
});

/** A limit bracket entry that rests (the market is at 100), so that it can fill in part. */
const restingBracket: OrderRequest = { ...bracket, clientOrderId: 'vz-bracket-entry-2', type: 'limit', limitPrice: '95', referencePrice: '95' };

/** How the notices name the account: by its name, the id in brackets. */
const named = `Account "${ACC_NAME}" (${ACC})`;

function bracketNotices(h: Harness): string[] {
  return h.events.filter((e): e is Extract<AgentEvent, { type: 'notice' }> => e.type === 'notice' && e.code === 'BRACKET_LEGS_CANCELED').map((e) => e.message);
}

/** The agent's protective exit for an entry, by the client order id it derives from the entry's. */
function protectiveOf(h: Harness, entryClientOrderId: string) {
  return h.orders.byClientId(clientOrderId(entryClientOrderId, ACC, 'protect'));
}

/** Places the resting bracket and lets 4 of its 10 fill at 95. */
async function partlyFilledEntry(fake: FakeAlpaca, h: Harness) {
  const entry = await h.router.submit(restingBracket, { accountId: ACC, signalId: 'sig-1', leg: 'entry' });
  expect((await eventually(() => h.orders.get(entry.id)!, (o) => o.status === 'accepted')).status).toBe('accepted');
  fake.setPrice('AAPL', '95', { volume: '4' });
  const part = await eventually(() => h.orders.get(entry.id)!, (o) => o.filledQuantity === '4');
  expect(part).toMatchObject({ status: 'partially_filled', filledQuantity: '4' });
  return entry;
}

describe('a partly filled Alpaca bracket entry that ends: its legs are gone, the agent protects the filled quantity', () => {
  it('canceled with nothing to follow (a cancel alert): error notice naming account, symbol and quantity; an OCO of the bracket\'s take-profit and stop-loss for the 4 filled, linked to the entry; its stop-loss closes the position', async () => {
    const fake = await startFake();
    const { h, reconciler } = await agent(fake, path.join(tempDir(), 'orders.db'));
    await reconciler.reconcileAll('startup');
    const entry = await partlyFilledEntry(fake, h);

    await h.router.cancel(entry.id);
    expect(await eventually(() => h.orders.get(entry.id)!, (o) => o.status === 'canceled')).toMatchObject({ status: 'canceled', filledQuantity: '4' });
    // Alpaca canceled the held legs with the entry (the fake does as its documentation says).
    const atFake = [...fake.orders.values()].find((o) => o.client_order_id === restingBracket.clientOrderId)!;
    expect(atFake.legs!.map((l) => l.status)).toEqual(['canceled', 'canceled']);

    const exit = await eventually(() => protectiveOf(h, restingBracket.clientOrderId), (o) => o?.status === 'accepted');
    expect(exit).toMatchObject({ side: 'sell', quantity: '4', type: 'limit', limitPrice: '120', timeInForce: 'gtc', status: 'accepted', signalId: 'sig-1' });
    expect(h.orders.request(exit!.id)).toMatchObject({ reduceOnly: true, leg: 'protect', takeProfit: { limitPrice: '120' }, stopLoss: { stopPrice: '90' } });
    expect(children(h, entry.id).map((c) => c.id)).toContain(exit!.id); // linked to the entry, as its legs were
    const oco = [...fake.orders.values()].find((o) => o.client_order_id === exit!.clientOrderId)!;
    expect(oco).toMatchObject({ order_class: 'oco', side: 'sell', qty: '4', limit_price: '120', status: 'new' });
    expect(oco.legs!.map((l) => [l.type, l.stop_price, l.qty, l.status])).toEqual([['stop', '90', '4', 'new']]);

    const notices = bracketNotices(h);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain(`${named}: the bracket entry `);
    expect(notices[0]).toContain(`buy 10 AAPL) was canceled after 4 filled`);
    expect(notices[0]).toContain('4 AAPL had no exits');
    expect(notices[0]).toContain('a take-profit at 120 and a stop-loss at 90');
    expect(h.events.find((e) => e.type === 'notice' && e.code === 'BRACKET_LEGS_CANCELED')).toMatchObject({ level: 'error' });

    fake.setPrice('AAPL', '85'); // the protective stop-loss sells the 4; its take-profit is canceled
    const stopLeg = await eventually(
      () => children(h, exit!.id).map((c) => h.orders.get(c.id)!).find((o) => o.type === 'stop'),
      (o) => o?.status === 'filled',
    );
    expect(stopLeg).toMatchObject({ side: 'sell', filledQuantity: '4', status: 'filled' });
    expect(await eventually(() => h.orders.get(exit!.id)!, (o) => o.status === 'canceled')).toMatchObject({ status: 'canceled' });
    expect(fakePosition(fake, 'AAPL')).toBe('0');
    expect(positionsFromFills(h.db, ACC)).toEqual({});
    const [report] = await reconciler.reconcileAll('periodic');
    expect(report).toMatchObject({ externalFills: 0, mismatches: [], halted: false });
    expect(fake.countByClientId(exit!.clientOrderId)).toBe(1);
  });

  it('the exit is stored in the commit that stores the end of the entry, before any broker call', async () => {
    const fake = await startFake();
    const { h } = await agent(fake, path.join(tempDir(), 'orders.db'));
    const entry = await partlyFilledEntry(fake, h);
    // The stream goes away and the entry is canceled at Alpaca; the agent reads the end as the reconciler would.
    fake.streamEnabled = false;
    fake.dropStreams();
    const atFake = [...fake.orders.values()].find((o) => o.client_order_id === restingBracket.clientOrderId)!;
    await fetch(`${fake.baseUrl}/v2/orders/${atFake.id}`, { method: 'DELETE', headers: { 'APCA-API-KEY-ID': KEYS.keyId, 'APCA-API-SECRET-KEY': KEYS.secretKey } });
    const broker = await h.router.adapter(ACC)!.orderByClientId(restingBracket.clientOrderId);
    expect(broker).toMatchObject({ status: 'canceled', filledQuantity: '4' });
    h.lifecycle.applyBrokerOrder(entry.id, broker!, 'reconciled');
    // Synchronously after the transition: the exit is already stored, and moving to be sent.
    const stored = protectiveOf(h, restingBracket.clientOrderId);
    expect(stored).toMatchObject({ status: 'submitting', quantity: '4', side: 'sell' });
    expect(fake.countByClientId(stored!.clientOrderId)).toBe(0);
    expect((await eventually(() => protectiveOf(h, restingBracket.clientOrderId)!, (o) => o.status === 'accepted')).status).toBe('accepted');
    expect(fake.countByClientId(stored!.clientOrderId)).toBe(1);
  });

  it('canceled at Alpaca while the agent is stopped: after the restart the reconciler finds the end and places the exit, once however often it runs', async () => {
    const fake = await startFake();
    const file = path.join(tempDir(), 'orders.db');
    const first = await agent(fake, file);
    await first.reconciler.reconcileAll('startup');
    await partlyFilledEntry(fake, first.h);
    await first.stop();

    // The trader cancels the entry on Alpaca's dashboard (or its day ends): the legs go with it.
    const atFake = [...fake.orders.values()].find((o) => o.client_order_id === restingBracket.clientOrderId)!;
    const res = await fetch(`${fake.baseUrl}/v2/orders/${atFake.id}`, { method: 'DELETE', headers: { 'APCA-API-KEY-ID': KEYS.keyId, 'APCA-API-SECRET-KEY': KEYS.secretKey } });
    expect(res.status).toBe(204);

    const second = await agent(fake, file);
    const [report] = await second.reconciler.reconcileAll('startup');
    expect(report).toMatchObject({ mismatches: [], halted: false });
    const exit = await eventually(() => protectiveOf(second.h, restingBracket.clientOrderId), (o) => o?.status === 'accepted');
    expect(exit).toMatchObject({ side: 'sell', quantity: '4', status: 'accepted' });
    expect(bracketNotices(second.h)).toHaveLength(1);
    await second.reconciler.reconcileAll('periodic');
    await second.reconciler.reconcileAll('periodic');
    expect(fake.countByClientId(exit!.clientOrderId)).toBe(1);
    expect(bracketNotices(second.h)).toHaveLength(1);
  });

  it('canceled by flatten or by an alert that closes the position: no exit and no notice; by an alert whose orders follow: the notice only', async () => {
    const fake = await startFake();
    const { h } = await agent(fake, path.join(tempDir(), 'orders.db'));
    const entry = await partlyFilledEntry(fake, h);
    await h.router.cancel(entry.id, { next: 'position_closes' });
    expect(await eventually(() => h.orders.get(entry.id)!, (o) => o.status === 'canceled')).toMatchObject({ status: 'canceled', filledQuantity: '4' });
    await new Promise((r) => setTimeout(r, 100));
    expect(protectiveOf(h, restingBracket.clientOrderId)).toBeUndefined();
    expect(bracketNotices(h)).toEqual([]);

    fake.setPrice('AAPL', '100');
    const second = await h.router.submit({ ...restingBracket, clientOrderId: 'vz-bracket-entry-3' }, { accountId: ACC, leg: 'entry' });
    expect((await eventually(() => h.orders.get(second.id)!, (o) => o.status === 'accepted')).status).toBe('accepted');
    fake.setPrice('AAPL', '95', { volume: '3' });
    expect((await eventually(() => h.orders.get(second.id)!, (o) => o.filledQuantity === '3')).filledQuantity).toBe('3');
    await h.router.cancel(second.id, { next: 'alert_orders' });
    expect(await eventually(() => h.orders.get(second.id)!, (o) => o.status === 'canceled')).toMatchObject({ status: 'canceled', filledQuantity: '3' });
    await new Promise((r) => setTimeout(r, 100));
    expect(protectiveOf(h, 'vz-bracket-entry-3')).toBeUndefined();
    expect([...fake.orders.values()].filter((o) => o.order_class === 'oco')).toEqual([]);
    const notices = bracketNotices(h);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain(`${named}: the bracket entry `);
    expect(notices[0]).toContain('3 AAPL had no exits');
    expect(notices[0]).toContain('the agent placed no exits for these 3 AAPL');
  });

  it('while trading is halted nothing is sent, the protective exit neither: the notice says the filled quantity has no exits', async () => {
    const fake = await startFake();
    const { h } = await agent(fake, path.join(tempDir(), 'orders.db'));
    const entry = await partlyFilledEntry(fake, h);
    h.tradingState.set('halted', 'test: halted by hand', ACC);
    await h.router.cancel(entry.id); // cancels pass while halted
    expect(await eventually(() => h.orders.get(entry.id)!, (o) => o.status === 'canceled')).toMatchObject({ status: 'canceled', filledQuantity: '4' });
    const notices = await eventually(() => bracketNotices(h), (l) => l.length === 1);
    expect(notices[0]).toContain('4 AAPL had no exits');
    expect(notices[0]).toContain('Trading is halted, so the agent placed no exits for these 4 AAPL');
    expect(notices[0]).toContain(`${named}: the bracket entry `);
    await new Promise((r) => setTimeout(r, 100));
    expect(protectiveOf(h, restingBracket.clientOrderId)).toBeUndefined();
    expect([...fake.orders.values()].filter((o) => o.order_class === 'oco')).toEqual([]);
  });

  it('an exit Alpaca refuses is said at once: a second error notice, the quantity still without exits', async () => {
    const fake = await startFake();
    const { h } = await agent(fake, path.join(tempDir(), 'orders.db'));
    const entry = await partlyFilledEntry(fake, h);
    fake.dayTradeProtection = true; // Alpaca refuses new orders (403 pattern day trading protection)
    await h.router.cancel(entry.id);
    const exit = await eventually(() => protectiveOf(h, restingBracket.clientOrderId), (o) => o?.status === 'rejected');
    expect(exit?.status).toBe('rejected');
    const notices = await eventually(() => bracketNotices(h), (l) => l.length === 2);
    expect(notices[1]).toContain(`${named}: the protective exit ${exit!.clientOrderId} for 4 AAPL`);
    expect(notices[1]).toMatch(/was not placed \(BROKER_REJECTED: .*trade denied due to pattern day trading protection.*\): the 4 AAPL have no exits/);
  });
});
