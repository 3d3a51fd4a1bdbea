// Brackets at OANDA: v20 creates a trade's take-profit / stop-loss when the entry fills (takeProfitOnFill /
// stopLossOnFill). The fake does it as v20 documents; the adapter names them after the entry and links them back,
// so the agent adopts them as the entry's children (docs/orders.md, Reconciliation 2) and never books their fills
// as trades placed by hand: over the stream, and by reconciliation after a restart.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BrokerError, type OrderRequest } from '../port.js';
import { OandaAdapter, type OandaConfig } from './adapter.js';
import { FakeOanda } from './fake-server.js';
import { dependentClientId, parentClientIdOf, toOandaOrderBody } from './mapping.js';
import { fakeOandaApi, type Json } from './test-support/fake-api.js';
import { eventually } from '../contract/suite.js';
import { harness, positionsFromFills, type Harness } from '../../orders/test-support/harness.js';
import { Reconciler } from '../../orders/reconciler.js';
import { tempDir } from '../../test-support/agent.js';

const TOKEN = 'canary-oanda-token-bracket-5e6f7a8b9c0d1e2f';
const ACCOUNT = '101-001-2468135-001';
const ACC = 'acc-oanda';
const PARENT = 'vz-0123456789abcdef0123456789abcdef';

let fake: FakeOanda | undefined;
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await fake?.close();
  fake = undefined;
});

async function startFake(): Promise<FakeOanda> {
  fake = await new FakeOanda({ token: TOKEN, accountId: ACCOUNT, heartbeatMs: 50 }).start();
  return fake;
}

const api = fakeOandaApi(() => fake!, TOKEN, ACCOUNT);

const bracketBody = (id: string, extra: Json = {}) => ({
  order: {
    type: 'MARKET', instrument: 'EUR_USD', units: '1000', timeInForce: 'FOK', positionFill: 'DEFAULT', clientExtensions: { id },
    takeProfitOnFill: { price: '1.12000', clientExtensions: { id: `${id}:tp` } },
    stopLossOnFill: { price: '1.08000', clientExtensions: { id: `${id}:sl` } },
    ...extra,
  },
});

async function transactionsSince(id: string): Promise<Json[]> {
  return (await api('GET', `/transactions/sinceid?id=${id}`)).body.transactions as Json[];
}

describe('fake OANDA creates and fills dependent orders as v20 does', () => {
  it('a filled bracket entry opens a trade and creates its take-profit and stop-loss (ON_FILL, tradeID, their clientExtensions, no instrument or units)', async () => {
    await startFake();
    const answer = await api('POST', '/orders', bracketBody('e1'));
    expect(answer.status).toBe(201);
    const fill = answer.body.orderFillTransaction as Json;
    const tradeID = (fill.tradeOpened as Json).tradeID as string;
    expect(tradeID).toBe(fill.id);
    const created = (await transactionsSince(fill.id as string)).filter((t) => t.type !== 'HEARTBEAT');
    expect(created.map((t) => [t.type, t.reason, t.tradeID, (t.clientExtensions as Json).id, t.price, t.orderFillTransactionID])).toEqual([
      ['TAKE_PROFIT_ORDER', 'ON_FILL', tradeID, 'e1:tp', '1.12000', fill.id],
      ['STOP_LOSS_ORDER', 'ON_FILL', tradeID, 'e1:sl', '1.08000', fill.id],
    ]);
    const sl = (await api('GET', '/orders/@e1:sl')).body.order as Json;
    expect(sl).toMatchObject({ type: 'STOP_LOSS', state: 'PENDING', tradeID, price: '1.08000', timeInForce: 'GTC', clientExtensions: { id: 'e1:sl' } });
    expect(sl.instrument).toBeUndefined();
    expect(sl.units).toBeUndefined();
    const trade = (await api('GET', `/trades/${tradeID}`)).body.trade as Json;
    expect(trade).toMatchObject({ instrument: 'EUR_USD', state: 'OPEN', initialUnits: '1000', currentUnits: '1000' });
  });

  it('the stop-loss fills when the price reaches it, closing the trade; the take-profit is cancelled LINKED_TRADE_CLOSED', async () => {
    const f = await startFake();
    const answer = await api('POST', '/orders', bracketBody('e2'));
    const last = answer.body.lastTransactionID as string;
    f.setPrice('EUR_USD', '1.09000'); // between the two: nothing happens
    expect(await transactionsSince(last)).toEqual([]);
    f.setPrice('EUR_USD', '1.07900');
    const after = await transactionsSince(last);
    expect(after.map((t) => [t.type, t.reason, t.clientOrderID])).toEqual([
      ['ORDER_FILL', 'STOP_LOSS_ORDER', 'e2:sl'],
      ['ORDER_CANCEL', 'LINKED_TRADE_CLOSED', 'e2:tp'],
    ]);
    const stopFill = after[0]!;
    const tradeID = ((answer.body.orderFillTransaction as Json).tradeOpened as Json).tradeID;
    expect(stopFill).toMatchObject({ instrument: 'EUR_USD', units: '-1000', price: '1.079', tradesClosed: [{ tradeID, units: '-1000', realizedPL: '-21.0000' }] });
    expect((await api('GET', '/orders/@e2:tp')).body.order).toMatchObject({ state: 'CANCELLED', cancellingTransactionID: after[1]!.id });
    expect((await api('GET', `/trades/${String(tradeID)}`)).body.trade).toMatchObject({ state: 'CLOSED', currentUnits: '0' });
    expect((await api('GET', '/openPositions')).body.positions).toEqual([]);
  });

  it('an exit that closes the trade cancels both of its dependents with LINKED_TRADE_CLOSED', async () => {
    await startFake();
    await api('POST', '/orders', bracketBody('e3'));
    const exit = await api('POST', '/orders', { order: { type: 'MARKET', instrument: 'EUR_USD', units: '-1000', timeInForce: 'FOK', positionFill: 'REDUCE_ONLY', clientExtensions: { id: 'x3' } } });
    const fill = exit.body.orderFillTransaction as Json;
    expect(fill.tradesClosed).toHaveLength(1);
    const cancels = (await transactionsSince(fill.id as string)).map((t) => [t.type, t.reason, t.clientOrderID]);
    expect(cancels).toEqual([
      ['ORDER_CANCEL', 'LINKED_TRADE_CLOSED', 'e3:tp'],
      ['ORDER_CANCEL', 'LINKED_TRADE_CLOSED', 'e3:sl'],
    ]);
  });

  it('a trailing stop-loss follows the price up and fills when it falls back by the distance', async () => {
    const f = await startFake();
    const answer = await api('POST', '/orders', { order: { type: 'MARKET', instrument: 'EUR_USD', units: '100', clientExtensions: { id: 't1' }, trailingStopLossOnFill: { distance: '0.01000', clientExtensions: { id: 't1:sl' } } } });
    const last = answer.body.lastTransactionID as string;
    expect((await api('GET', '/orders/@t1:sl')).body.order).toMatchObject({ type: 'TRAILING_STOP_LOSS', distance: '0.01000', trailingStopValue: '1.09' });
    f.setPrice('EUR_USD', '1.12000'); // the trigger moves up to 1.11
    f.setPrice('EUR_USD', '1.11500');
    expect(await transactionsSince(last)).toEqual([]);
    f.setPrice('EUR_USD', '1.10900');
    expect((await transactionsSince(last)).map((t) => [t.type, t.reason, t.clientOrderID, t.units])).toEqual([['ORDER_FILL', 'TRAILING_STOP_LOSS_ORDER', 't1:sl', '-100']]);
  });

  it('a client id is refused only while a pending order holds it (v20 CLIENT_ORDER_ID_ALREADY_EXISTS), and @id then names the latest order', async () => {
    await startFake();
    const market = { type: 'MARKET', instrument: 'EUR_USD', units: '10', clientExtensions: { id: 'again' } };
    const first = await api('POST', '/orders', { order: market });
    expect(first.body.orderFillTransaction).toBeDefined();
    const second = await api('POST', '/orders', { order: market }); // the first is FILLED: its id is free again
    expect(second.status).toBe(201);
    expect(fake!.countByClientId('again')).toBe(2);
    expect(((await api('GET', '/orders/@again')).body.order as Json).id).toBe((second.body.orderCreateTransaction as Json).id);
    const resting = { type: 'LIMIT', instrument: 'EUR_USD', units: '10', price: '1.00000', clientExtensions: { id: 'rest' } };
    expect((await api('POST', '/orders', { order: resting })).status).toBe(201);
    const refused = await api('POST', '/orders', { order: resting });
    expect([refused.status, refused.body.errorCode]).toEqual([400, 'CLIENT_ORDER_ID_ALREADY_EXISTS']);
  });

  it('refuses on-fill client ids that repeat the order\'s, and cancels an entry whose stop-loss id a pending order holds', async () => {
    await startFake();
    const dup = await api('POST', '/orders', bracketBody('d1', { stopLossOnFill: { price: '1.08000', clientExtensions: { id: 'd1' } } }));
    expect([dup.status, dup.body.errorCode]).toEqual([400, 'ORDERS_ON_FILL_DUPLICATE_CLIENT_ORDER_IDS']);
    await api('POST', '/orders', { order: { type: 'LIMIT', instrument: 'EUR_USD', units: '10', price: '1.00000', clientExtensions: { id: 'd2:sl' } } });
    const taken = await api('POST', '/orders', bracketBody('d2'));
    expect((taken.body.orderCancelTransaction as Json).reason).toBe('STOP_LOSS_ON_FILL_CLIENT_ORDER_ID_ALREADY_EXISTS');
  });
});

describe('OANDA mapping of dependent orders', () => {
  it('gives each on-fill dependent a client id derived from the entry, and the trade the entry\'s id', () => {
    const body = toOandaOrderBody({ clientOrderId: PARENT, symbol: 'EUR_USD', side: 'buy', type: 'market', quantity: '1000', timeInForce: 'gtc', takeProfit: { limitPrice: '1.12' }, stopLoss: { stopPrice: '1.08' } }, 'EUR_USD');
    expect(body.order).toMatchObject({
      clientExtensions: { id: PARENT },
      tradeClientExtensions: { id: PARENT },
      takeProfitOnFill: { price: '1.12', clientExtensions: { id: `${PARENT}:tp` } },
      stopLossOnFill: { price: '1.08', clientExtensions: { id: `${PARENT}:sl` } },
    });
    const trailing = toOandaOrderBody({ clientOrderId: PARENT, symbol: 'EUR_USD', side: 'sell', type: 'market', quantity: '1000', timeInForce: 'gtc', stopLoss: { trailAmount: '0.005' } }, 'EUR_USD');
    expect(trailing.order.trailingStopLossOnFill).toEqual({ distance: '0.005', clientExtensions: { id: dependentClientId(PARENT, 'stopLoss') } });
    const plain = toOandaOrderBody({ clientOrderId: PARENT, symbol: 'EUR_USD', side: 'sell', type: 'market', quantity: '1000', timeInForce: 'gtc', reduceOnly: true }, 'EUR_USD');
    expect(plain.order.tradeClientExtensions).toBeUndefined();
  });

  it('reads the parent from a dependent\'s own id, else from its trade\'s client id; never for an entry order', () => {
    expect(parentClientIdOf({ type: 'STOP_LOSS', clientExtensions: { id: `${PARENT}:sl` } })).toBe(PARENT);
    expect(parentClientIdOf({ type: 'TAKE_PROFIT', clientExtensions: { id: `${PARENT}:tp` }, clientTradeID: 'other' })).toBe(PARENT);
    expect(parentClientIdOf({ type: 'STOP_LOSS', clientTradeID: PARENT })).toBe(PARENT); // replaced at OANDA without our id
    expect(parentClientIdOf({ type: 'STOP_LOSS' })).toBeUndefined(); // a stop placed by hand on a trade not ours
    expect(parentClientIdOf({ type: 'LIMIT', clientExtensions: { id: `${PARENT}:sl` } })).toBeUndefined();
  });
});

describe('OANDA adapter precheck for brackets', () => {
  it('refuses, before any request, a bracket whose client id leaves no room for the dependents\' derived ids', async () => {
    const f = await startFake();
    const adapter = new OandaAdapter('o-long', { environment: 'practice', accountId: ACCOUNT, baseUrl: f.baseUrl, timeoutMs: 1000 }, { token: TOKEN });
    const long = 'x'.repeat(126);
    const err = await adapter.submit({ ...bracket, clientOrderId: long }).catch((e: unknown) => e as BrokerError);
    expect(err).toBeInstanceOf(BrokerError);
    expect((err as BrokerError).kind).toBe('invalid');
    expect(f.countByClientId(long)).toBe(0);
    const placed = await adapter.submit({ ...bracket, clientOrderId: 'x'.repeat(125) });
    expect(placed.status).toBe('filled');
    expect(f.countByClientId(`${'x'.repeat(125)}:sl`)).toBe(1);
  });
});

// --- the agent: router, lifecycle and reconciler on a real database, the adapter over HTTP --------------------

interface Agent {
  h: Harness;
  adapter: OandaAdapter;
  reconciler: Reconciler;
  stop(): Promise<void>;
}

async function startAgent(file: string, config: Partial<OandaConfig>): Promise<Agent> {
  const h = harness({ requestTimeoutMs: 3000, resolveBaseMs: 20, resolveMaxMs: 100, absentGraceMs: 200 }, file);
  const adapter = new OandaAdapter(ACC, { environment: 'practice', accountId: ACCOUNT, baseUrl: fake!.baseUrl, timeoutMs: 3000, requestsPerSecond: 5000, streamSilenceMs: 2000, ...config }, { token: TOKEN });
  await adapter.connect();
  h.router.register(ACC, adapter);
  const reconciler = new Reconciler(h.orders, h.lifecycle, h.router, h.tradingState, h.log);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await adapter.disconnect();
    h.close();
  };
  cleanups.push(stop);
  return { h, adapter, reconciler, stop };
}

interface Row {
  id: string;
  clientOrderId: string;
  parentOrderId: string | null;
  status: string;
  side: string;
  type: string;
  quantity: string;
  filledQuantity: string;
  averageFillPrice: string | null;
  reason: string | null;
}

function children(h: Harness, parentId: string): (Row & { leg?: string })[] {
  const rows = h.db
    .prepare('SELECT id, client_order_id AS clientOrderId, parent_order_id AS parentOrderId, status, side, type, quantity, filled_quantity AS filledQuantity, average_fill_price AS averageFillPrice, reason FROM orders WHERE parent_order_id = ? ORDER BY client_order_id')
    .all(parentId) as Row[];
  return rows.map((r) => ({ ...r, leg: h.orders.request(r.id)?.leg }));
}

const bracket: OrderRequest = {
  clientOrderId: PARENT, symbol: 'EURUSD', side: 'buy', type: 'market', quantity: '1000', timeInForce: 'gtc',
  takeProfit: { limitPrice: '1.12000' }, stopLoss: { stopPrice: '1.08000' },
};

describe('the agent adopts an OANDA bracket\'s take-profit and stop-loss as children of the entry', () => {
  it('over the stream: the children are adopted when v20 creates them; the stop fills, the take-profit is canceled, the position is flat and nothing is booked as placed by hand', async () => {
    const f = await startFake();
    const a = await startAgent(path.join(tempDir(), 'orders.db'), { pollIntervalMs: 3_600_000 });
    await eventually(() => f.streamCount, (n) => n === 1);
    await a.reconciler.reconcileAll('startup');
    const entry = await a.h.router.submit(bracket, { accountId: ACC, leg: 'entry' });
    // The stream may report the order before the submit answer does; its fill follows on the stream.
    expect((await eventually(() => a.h.orders.get(entry.id)!, (o) => o.status === 'filled')).status).toBe('filled');

    const adopted = await eventually(() => children(a.h, entry.id), (l) => l.length === 2);
    expect(adopted.map((c) => [c.clientOrderId, c.leg, c.status, c.side, c.type, c.quantity])).toEqual([
      [`${PARENT}:sl`, 'stop_loss', 'accepted', 'sell', 'stop', '1000'],
      [`${PARENT}:tp`, 'take_profit', 'accepted', 'sell', 'limit', '1000'],
    ]);

    f.setPrice('EUR_USD', '1.07800');
    const done = await eventually(() => children(a.h, entry.id), (l) => l.every((c) => c.status !== 'accepted'));
    expect(done.map((c) => [c.clientOrderId, c.status, c.filledQuantity, c.averageFillPrice, c.reason])).toEqual([
      [`${PARENT}:sl`, 'filled', '1000', '1.078', null],
      [`${PARENT}:tp`, 'canceled', '0', null, 'LINKED_TRADE_CLOSED'],
    ]);
    const stop = done[0]!;
    expect(a.h.orders.fills(stop.id)).toMatchObject([{ quantity: '1000', price: '1.078' }]);
    expect(await eventually(() => positionsFromFills(a.h.db, ACC), (p) => Object.keys(p).length === 0)).toEqual({});
    expect(await a.adapter.positions()).toEqual([]);

    const [report] = await a.reconciler.reconcileAll('periodic');
    expect(report).toMatchObject({ fillsRecovered: 0, externalFills: 0, mismatches: [], halted: false });
    expect(a.h.orders.reconcileState(ACC)!.baseline).toEqual({});
  });

  it('after a restart: the stop filled while the agent was down, before it ever saw the children; reconciliation adopts the stop with its fill, not as a trade placed by hand', async () => {
    const f = await startFake();
    const file = path.join(tempDir(), 'orders.db');
    // First life: no stream and no polling, so the agent knows only the submit answer (entry filled).
    const first = await startAgent(file, { streaming: false, pollIntervalMs: 3_600_000 });
    await first.reconciler.reconcileAll('startup');
    const entry = await first.h.router.submit(bracket, { accountId: ACC, leg: 'entry' });
    expect(entry.status).toBe('filled');
    expect(children(first.h, entry.id)).toEqual([]);
    await first.stop();

    f.setPrice('EUR_USD', '1.07500'); // at OANDA: the stop-loss fills, the take-profit is cancelled
    expect(f.ordersByClientId(`${PARENT}:sl`)[0]!.state).toBe('FILLED');

    const second = await startAgent(file, { streaming: false, pollIntervalMs: 3_600_000 });
    const [report] = await second.reconciler.reconcileAll('startup');
    expect(report).toMatchObject({ fillsRecovered: 2, externalFills: 0, mismatches: [], halted: false }); // the entry's fill and the stop's
    const adopted = children(second.h, entry.id);
    expect(adopted.map((c) => [c.clientOrderId, c.leg, c.status, c.side, c.filledQuantity, c.averageFillPrice])).toEqual([[`${PARENT}:sl`, 'stop_loss', 'filled', 'sell', '1000', '1.075']]);
    expect(positionsFromFills(second.h.db, ACC)).toEqual({});
    expect(second.h.orders.reconcileState(ACC)!.baseline).toEqual({});
    expect(second.h.tradingState.effective(ACC).state).toBe('active');
  });

  it('after a restart: children adopted while running are settled by reconciliation (stop filled with its fill, take-profit canceled)', async () => {
    const f = await startFake();
    const file = path.join(tempDir(), 'orders.db');
    const first = await startAgent(file, { streaming: false, pollIntervalMs: 20 });
    await first.reconciler.reconcileAll('startup');
    const entry = await first.h.router.submit(bracket, { accountId: ACC, leg: 'entry' });
    expect(await eventually(() => children(first.h, entry.id), (l) => l.length === 2)).toHaveLength(2);
    await first.stop();

    f.setPrice('EUR_USD', '1.12500'); // the take-profit fills this time
    const second = await startAgent(file, { streaming: false, pollIntervalMs: 3_600_000 });
    const [report] = await second.reconciler.reconcileAll('startup');
    expect(report).toMatchObject({ externalFills: 0, mismatches: [], halted: false });
    expect(children(second.h, entry.id).map((c) => [c.leg, c.status, c.filledQuantity, c.reason])).toEqual([
      ['stop_loss', 'canceled', '0', 'LINKED_TRADE_CLOSED'],
      ['take_profit', 'filled', '1000', null],
    ]);
    expect(positionsFromFills(second.h.db, ACC)).toEqual({});
    expect(second.h.orders.reconcileState(ACC)!.baseline).toEqual({});
  });
});
