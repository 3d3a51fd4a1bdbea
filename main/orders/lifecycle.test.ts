import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Decimal } from 'decimal.js';
import { harness } from './test-support/harness.js';
import { canTransition, type OrderStatus } from '../../shared/order-status.js';
import type { BrokerOrder, Fill, OrderRequest } from '../brokers/port.js';

const request = (id: string, quantity: string): OrderRequest => ({ clientOrderId: id, symbol: 'AAPL', side: 'buy', type: 'limit', limitPrice: '100', quantity, timeInForce: 'gtc' });

type Report = { kind: 'order'; order: BrokerOrder } | { kind: 'fill'; fill: Fill; order: BrokerOrder };

/** What a legitimate broker reports for one order: accepted, fills (each with a cumulative status), a final state. */
function brokerHistory(clientOrderId: string, quantity: number, fillSizes: number[], endCanceled: boolean): Report[] {
  const base = { clientOrderId, brokerOrderId: `b-${clientOrderId}`, symbol: 'AAPL', side: 'buy' as const, type: 'limit' as const, quantity: String(quantity), updatedAt: 't' };
  const out: Report[] = [{ kind: 'order', order: { ...base, filledQuantity: '0', status: 'accepted' } }];
  let filled = 0;
  fillSizes.forEach((size, i) => {
    const q = Math.min(size, quantity - filled);
    if (q <= 0) return;
    filled += q;
    const status: OrderStatus = filled === quantity ? 'filled' : 'partially_filled';
    const order = { ...base, filledQuantity: String(filled), status };
    out.push({ kind: 'fill', order, fill: { tradeId: `${clientOrderId}-t${i}`, clientOrderId, brokerOrderId: base.brokerOrderId, symbol: 'AAPL', side: 'buy', quantity: String(q), price: '100', time: `2026-01-01T00:00:0${i % 10}Z` } });
    out.push({ kind: 'order', order });
  });
  if (filled < quantity && endCanceled) out.push({ kind: 'order', order: { ...base, filledQuantity: String(filled), status: 'canceled' } });
  return out;
}

describe('lifecycle under duplicated and reordered broker reports', () => {
  it('never stores a move outside the table, never fills beyond the quantity, and ends where the broker is', () => {
    const h = harness();
    let n = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 }),
        fc.array(fc.integer({ min: 1, max: 6 }), { maxLength: 6 }),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 30 }),
        (quantity, sizes, endCanceled, shuffle) => {
          const cid = `vz-prop-${n++}`;
          const { order } = h.orders.insertIfAbsent({ id: `ord-${cid}`, accountId: 'acc1', request: request(cid, String(quantity)), leg: 'entry', createdAt: 't' });
          h.lifecycle.transition(order.id, 'submitting', 'submit');
          const history = brokerHistory(cid, quantity, sizes, endCanceled);
          // Delivery: each report at least once, some twice, in an order the seed decides.
          const delivery = [...history, ...shuffle.slice(0, 8).map((i) => history[i % history.length]!)];
          for (let i = delivery.length - 1; i > 0; i--) {
            const j = (shuffle[i % Math.max(shuffle.length, 1)] ?? i) % (i + 1);
            [delivery[i], delivery[j]] = [delivery[j]!, delivery[i]!];
          }
          for (const r of delivery) {
            const returned = r.kind === 'fill' ? h.lifecycle.applyFill('acc1', order.id, r.fill, r.order) : h.lifecycle.applyBrokerOrder(order.id, r.order, 'broker_update');
            const now = h.orders.get(order.id)!;
            // The view handed back and the last one published (the window's) are the row as stored.
            expect(returned).toEqual(now);
            const published = h.events.filter((e) => e.type === 'order' && e.order.id === order.id).at(-1);
            if (published?.type === 'order') expect(published.order).toEqual(now);
            expect(new Decimal(now.filledQuantity).lte(quantity)).toBe(true);
          }
          const last = history[history.length - 1]!;
          h.lifecycle.applyBrokerOrder(order.id, last.order, 'reconciled'); // what reconciliation would do
          const final = h.orders.get(order.id)!;
          for (const e of h.orders.events(order.id)) {
            if (e.kind === 'invalid_transition') throw new Error(`conflict stored for a legitimate history: ${JSON.stringify(e)}`);
            if (e.fromStatus && e.toStatus && e.fromStatus !== e.toStatus) expect(canTransition(e.fromStatus as OrderStatus, e.toStatus as OrderStatus)).toBe(true);
          }
          const fills = h.orders.fills(order.id).reduce((s, f) => s.plus(f.quantity), new Decimal(0));
          expect(fills.toString()).toBe(last.order.filledQuantity); // every fill once, none twice
          expect(final.status).toBe(last.order.status);
          expect(final.filledQuantity).toBe(last.order.filledQuantity);
        },
      ),
      { numRuns: 300 },
    );
    h.close();
  });

  it('a stale accepted after filled is recorded once as stale and published nowhere, not as an invalid move', () => {
    const h = harness();
    const { order } = h.orders.insertIfAbsent({ id: 'o1', accountId: 'acc1', request: request('c1', '1'), leg: 'entry', createdAt: 't' });
    h.lifecycle.transition(order.id, 'submitting', 'submit');
    const b = { clientOrderId: 'c1', brokerOrderId: 'b1', symbol: 'AAPL', side: 'buy', type: 'limit', quantity: '1', filledQuantity: '1', status: 'filled', updatedAt: 't' } as const;
    h.lifecycle.applyFill('acc1', order.id, { tradeId: 't1', clientOrderId: 'c1', brokerOrderId: 'b1', symbol: 'AAPL', side: 'buy', quantity: '1', price: '100', time: 't' }, b);
    const published = h.events.length;
    for (let i = 0; i < 50; i++) h.lifecycle.applyBrokerOrder(order.id, { ...b, filledQuantity: '0', status: 'accepted' }, 'broker_update');
    expect(h.orders.get(order.id)!.status).toBe('filled');
    const kinds = h.orders.events(order.id).map((e) => e.kind);
    expect(kinds.filter((k) => k === 'invalid_transition')).toHaveLength(0);
    expect(kinds.filter((k) => k === 'stale_report_ignored')).toHaveLength(50);
    expect(h.events.length).toBe(published);
    expect(h.lifecycle.takeConflicts('acc1').size).toBe(0);
    h.close();
  });

  it('a rejection reported for an order we hold as filled is kept as a conflict for the reconciler, not applied', () => {
    const h = harness();
    const { order } = h.orders.insertIfAbsent({ id: 'o1', accountId: 'acc1', request: request('c1', '1'), leg: 'entry', createdAt: 't' });
    h.lifecycle.transition(order.id, 'submitting', 'submit');
    h.lifecycle.transition(order.id, 'filled', 'broker_update');
    h.lifecycle.transition(order.id, 'rejected', 'broker_update');
    expect(h.orders.get(order.id)!.status).toBe('filled');
    expect([...h.lifecycle.takeConflicts('acc1').keys()]).toEqual(['o1']);
    h.close();
  });

  it('a late partial fill of a canceled order keeps it canceled and counts the quantity', () => {
    const h = harness();
    const { order } = h.orders.insertIfAbsent({ id: 'o1', accountId: 'acc1', request: request('c1', '5'), leg: 'entry', createdAt: 't' });
    h.lifecycle.transition(order.id, 'submitting', 'submit');
    h.lifecycle.transition(order.id, 'accepted', 'broker_update');
    h.lifecycle.transition(order.id, 'canceled', 'broker_update');
    h.lifecycle.applyFill('acc1', order.id, { tradeId: 't1', clientOrderId: 'c1', brokerOrderId: 'b1', symbol: 'AAPL', side: 'buy', quantity: '2', price: '100', time: 't' });
    expect(h.orders.get(order.id)).toMatchObject({ status: 'canceled', filledQuantity: '2' });
    h.lifecycle.applyFill('acc1', order.id, { tradeId: 't2', clientOrderId: 'c1', brokerOrderId: 'b1', symbol: 'AAPL', side: 'buy', quantity: '3', price: '100', time: 't' });
    expect(h.orders.get(order.id)).toMatchObject({ status: 'filled', filledQuantity: '5' });
    h.close();
  });

  it('each new fill publishes one position event after its order event; a repeated trade id publishes nothing', () => {
    const h = harness();
    const { order } = h.orders.insertIfAbsent({ id: 'o1', accountId: 'acc1', request: request('c1', '3'), leg: 'entry', createdAt: 't' });
    h.lifecycle.transition(order.id, 'submitting', 'submit');
    h.events.length = 0;
    const fill = (tradeId: string, quantity: string) => ({ tradeId, clientOrderId: 'c1', brokerOrderId: 'b1', symbol: 'AAPL', side: 'buy' as const, quantity, price: '100', time: 't' });
    h.lifecycle.applyFill('acc1', order.id, fill('t1', '1'));
    h.lifecycle.applyFill('acc1', order.id, fill('t1', '1')); // the same fill reported again
    h.lifecycle.applyFill('acc1', order.id, fill('t2', '2'));
    expect(h.events.map((e) => e.type)).toEqual(['order', 'position', 'order', 'position']);
    expect(h.events.filter((e) => e.type === 'position')).toEqual([
      { type: 'position', accountId: 'acc1', symbol: 'AAPL' },
      { type: 'position', accountId: 'acc1', symbol: 'AAPL' },
    ]);
    h.close();
  });

  it('a late fill of a canceled order changes the position too: the order (still canceled, with what filled) is published, then the position', () => {
    const h = harness();
    const { order } = h.orders.insertIfAbsent({ id: 'o1', accountId: 'acc1', request: request('c1', '5'), leg: 'entry', createdAt: 't' });
    h.lifecycle.transition(order.id, 'submitting', 'submit');
    h.lifecycle.transition(order.id, 'accepted', 'broker_update');
    h.lifecycle.transition(order.id, 'canceled', 'broker_update');
    h.events.length = 0;
    h.lifecycle.applyFill('acc1', order.id, { tradeId: 't1', clientOrderId: 'c1', brokerOrderId: 'b1', symbol: 'AAPL', side: 'buy', quantity: '2', price: '100', time: 't' });
    expect(h.events).toEqual([{ type: 'order', order: h.orders.get(order.id) }, { type: 'position', accountId: 'acc1', symbol: 'AAPL' }]);
    expect(h.orders.get(order.id)).toMatchObject({ status: 'canceled', filledQuantity: '2', averageFillPrice: '100' });
    h.close();
  });
});

describe('lifecycle: an order the trader asked to cancel', () => {
  const broker = (status: OrderStatus, filledQuantity = '0'): BrokerOrder => ({ clientOrderId: 'c1', brokerOrderId: 'b1', symbol: 'AAPL', side: 'buy', type: 'limit', quantity: '5', filledQuantity, status, updatedAt: 't' });
  const fill = (tradeId: string, quantity: string, price = '100'): Fill => ({ tradeId, clientOrderId: 'c1', brokerOrderId: 'b1', symbol: 'AAPL', side: 'buy', quantity, price, time: 't' });
  function pending() {
    const h = harness();
    const { order } = h.orders.insertIfAbsent({ id: 'o1', accountId: 'acc1', request: request('c1', '5'), leg: 'entry', createdAt: 't' });
    h.lifecycle.transition(order.id, 'submitting', 'submit');
    h.lifecycle.applyBrokerOrder(order.id, broker('accepted'), 'submit_answer');
    h.lifecycle.transition(order.id, 'cancel_pending', 'cancel_request');
    return { h, id: order.id };
  }

  it('a late new / accepted report stays cancel_pending: recorded as stale, published nowhere', () => {
    const { h, id } = pending();
    const published = h.events.length;
    h.lifecycle.applyBrokerOrder(id, broker('accepted'), 'broker_update'); // the stream's `new`, delivered after the cancel request
    h.lifecycle.applyBrokerOrder(id, broker('accepted'), 'reconciled');
    expect(h.orders.get(id)!.status).toBe('cancel_pending');
    const kinds = h.orders.events(id).map((e) => e.kind);
    expect(kinds.filter((k) => k === 'stale_report_ignored')).toHaveLength(2);
    expect(kinds).not.toContain('invalid_transition');
    expect(h.events.length).toBe(published);
    expect(h.lifecycle.takeConflicts('acc1').size).toBe(0);
    h.close();
  });

  it('a part filled while the cancel is pending is recorded (quantity, price, position) and the order stays cancel_pending until the broker ends it', () => {
    const { h, id } = pending();
    h.events.length = 0;
    h.lifecycle.applyFill('acc1', id, fill('t1', '2', '99'), broker('partially_filled', '2'));
    expect(h.orders.get(id)).toMatchObject({ status: 'cancel_pending', filledQuantity: '2', averageFillPrice: '99' });
    expect(h.events).toEqual([{ type: 'order', order: h.orders.get(id) }, { type: 'position', accountId: 'acc1', symbol: 'AAPL' }]);
    // The broker's cumulative report of the same part, and the late `new`, change nothing more.
    h.lifecycle.applyBrokerOrder(id, broker('partially_filled', '2'), 'broker_update');
    h.lifecycle.applyBrokerOrder(id, broker('accepted'), 'broker_update');
    expect(h.orders.get(id)).toMatchObject({ status: 'cancel_pending', filledQuantity: '2' });
    // A cumulative report ahead of the fills (its fill record still on its way) raises the quantity, not the status.
    h.lifecycle.applyBrokerOrder(id, broker('partially_filled', '3'), 'broker_update');
    expect(h.orders.get(id)).toMatchObject({ status: 'cancel_pending', filledQuantity: '3' });
    // The broker's final answer ends it, with what filled.
    h.lifecycle.applyBrokerOrder(id, broker('canceled', '3'), 'broker_update');
    expect(h.orders.get(id)).toMatchObject({ status: 'canceled', filledQuantity: '3' });
    const moves = h.orders.events(id).filter((e) => e.fromStatus && e.fromStatus !== e.toStatus).map((e) => `${e.fromStatus}>${e.toStatus}`);
    expect(moves).toEqual(['created>submitting', 'submitting>accepted', 'accepted>cancel_pending', 'cancel_pending>canceled']);
    h.close();
  });

  it('every final answer of the broker ends a pending cancel: canceled, filled, expired, rejected', () => {
    for (const end of ['canceled', 'filled', 'expired', 'rejected'] as const) {
      const { h, id } = pending();
      if (end === 'filled') h.lifecycle.applyFill('acc1', id, fill('t1', '5'), broker('filled', '5'));
      else h.lifecycle.applyBrokerOrder(id, broker(end), 'broker_update');
      expect(h.orders.get(id)!.status).toBe(end);
      expect(h.lifecycle.takeConflicts('acc1').size).toBe(0);
      h.close();
    }
  });

  it('the router may still move it back to working when the cancel could not be confirmed', () => {
    const { h, id } = pending();
    h.lifecycle.applyFill('acc1', id, fill('t1', '2'), broker('partially_filled', '2'));
    expect(h.lifecycle.transition(id, 'partially_filled', 'cancel_unconfirmed', {})).toMatchObject({ status: 'partially_filled', filledQuantity: '2' });
    h.close();
  });
});

describe('lifecycle: a trailing stop as the broker moves it', () => {
  const ctx = { accountId: 'acc1', leg: 'entry' };

  it('a bracket trailing stop-loss is stored at the level the paper broker works it; a late older report does not move it back', async () => {
    const h = harness();
    const p = h.paper();
    h.router.register('acc1', p);
    await h.router.submit({ clientOrderId: 'e', symbol: 'TR2', side: 'buy', type: 'market', quantity: '10', timeInForce: 'gtc', referencePrice: '100', stopLoss: { trailPercent: '2' } }, ctx);
    const stop = () => h.orders.byClientId('e:sl')!;
    expect(stop()).toMatchObject({ type: 'trailing_stop', status: 'accepted', stopPrice: '98' });
    const firstReport = (await p.orderByClientId('e:sl'))!;
    h.events.length = 0;
    p.observePrice('TR2', '105');
    p.observePrice('TR2', '110');
    expect(stop().stopPrice).toBe('107.8');
    expect(h.events.filter((e) => e.type === 'order').map((e) => e.type === 'order' && e.order.stopPrice)).toEqual(['102.9', '107.8']);
    p.observePrice('TR2', '108'); // below the high: the stop stays
    expect(stop().stopPrice).toBe('107.8');
    h.lifecycle.applyBrokerOrder(stop().id, firstReport, 'broker_update'); // the 98 report, delivered late
    expect(stop().stopPrice).toBe('107.8');
    expect(h.orders.list().items.find((o) => o.clientOrderId === 'e:sl')!.stopPrice).toBe('107.8'); // what /api/orders lists
    p.observePrice('TR2', '107.9');
    expect(stop().status).toBe('accepted');
    p.observePrice('TR2', '107.7');
    expect(stop()).toMatchObject({ status: 'filled', averageFillPrice: '107.7', stopPrice: '107.8' });
    h.close();
  });

  it('a buy trailing stop (covering a short) is stored as it trails down, and the request stop of other orders is left alone', async () => {
    const h = harness();
    const p = h.paper();
    h.router.register('acc1', p);
    await h.router.submit({ clientOrderId: 's', symbol: 'AAPL', side: 'sell', type: 'market', quantity: '1', timeInForce: 'gtc', referencePrice: '200' }, ctx);
    const t = await h.router.submit({ clientOrderId: 't', symbol: 'AAPL', side: 'buy', type: 'trailing_stop', trailAmount: '5', quantity: '1', timeInForce: 'gtc', reduceOnly: true }, ctx);
    const plain = await h.router.submit({ clientOrderId: 'x', symbol: 'AAPL', side: 'sell', type: 'stop', stopPrice: '150', quantity: '1', timeInForce: 'gtc' }, ctx);
    expect(h.orders.get(t.id)!.stopPrice).toBe('205');
    p.observePrice('AAPL', '190');
    expect(h.orders.get(t.id)!.stopPrice).toBe('195');
    p.observePrice('AAPL', '193');
    expect(h.orders.get(t.id)!.stopPrice).toBe('195');
    // A plain stop keeps the stop it was sent with, whatever a report says.
    h.lifecycle.applyBrokerOrder(plain.id, { ...(await p.orderByClientId('x'))!, stopPrice: '151' }, 'broker_update');
    expect(h.orders.get(plain.id)!.stopPrice).toBe('150');
    h.close();
  });
});
