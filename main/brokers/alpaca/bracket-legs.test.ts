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
import { ACC, agent, newAdapter, runCleanups, startFake } from './test-support/agent.js';

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
