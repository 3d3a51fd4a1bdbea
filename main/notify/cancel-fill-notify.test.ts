// An order the trader asked to cancel that fills in part anyway, through the real order lifecycle: the fill is
// announced once (Discord through the outbox, and the desktop hook), saying the cancel is pending, and the same
// fill reported again (stream, then reconciliation, then the broker's final answer) announces nothing more.
import { afterEach, describe, expect, it } from 'vitest';
import { harness as ordersHarness } from '../orders/test-support/harness.js';
import { eventually, startTestAgent } from '../test-support/agent.js';
import { OrderRepo } from '../store/orders.js';
import type { AccountView, OrderView } from '../../shared/api-types.js';
import { fakeDiscord } from './testing/fake-services.js';
import { harness, runCleanups, withFake } from './testing/harness.js';
import type { BrokerOrder, Fill, OrderRequest } from '../brokers/port.js';
import type { OrderStatus } from '../../shared/order-status.js';
import type { NotifyMessage } from './types.js';

afterEach(runCleanups);

const TOKEN = 'cancelFillWebhookToken_0a1b2c3d4e5f';
const broker = (status: OrderStatus, filledQuantity = '0'): BrokerOrder => ({ clientOrderId: 'c1', brokerOrderId: 'b1', symbol: 'AAPL', side: 'buy', type: 'limit', quantity: '5', filledQuantity, status, updatedAt: 't' });
const fill = (tradeId: string, quantity: string, price = '99'): Fill => ({ tradeId, clientOrderId: 'c1', brokerOrderId: 'b1', symbol: 'AAPL', side: 'buy', quantity, price, time: 't' });

/** An accepted limit order (buy 5 AAPL on "Alpaca live"), with the lifecycle's events going to the notifications
 *  (`accepted`: false leaves it submitting). */
async function setup(accepted = true) {
  const discord = await withFake(fakeDiscord({ id: '111', token: TOKEN }));
  const names = { account: (id: string) => ({ acc1: 'Alpaca live' })[id], strategy: () => undefined };
  const o = ordersHarness();
  // The orders' history, as the agent passes it: whether a cancel was asked.
  const n = await harness({ 'notify:discord': `https://discord.com/api/webhooks/111/${TOKEN}` }, { discord: { enabled: true, events: ['fill'], baseUrl: discord.base, perMinute: 600 } }, { names, orders: o.orders });
  const desktop: NotifyMessage[] = [];
  n.n.desktop.subscribe((m) => desktop.push(m)); // as the window does
  o.bus.subscribe((e) => n.bus.publish(e));
  const { order } = o.orders.insertIfAbsent({ id: 'o1', accountId: 'acc1', request: { clientOrderId: 'c1', symbol: 'AAPL', side: 'buy', type: 'limit', limitPrice: '100', quantity: '5', timeInForce: 'day' }, leg: 'entry', createdAt: 't' });
  o.lifecycle.transition(order.id, 'submitting', 'submit');
  if (accepted) o.lifecycle.applyBrokerOrder(order.id, broker('accepted'), 'submit_answer');
  const cancelRequested = () => o.lifecycle.transition(order.id, 'cancel_pending', 'cancel_request');
  /** What Discord received, once every queued message is sent. */
  const sent = async () => {
    await eventually(() => n.rows(), (rows) => rows.every((r) => r.status === 'sent'));
    expect(n.rows().every((r) => r.status === 'sent')).toBe(true);
    return discord.received.map((r) => r.body.content);
  };
  return { o, id: order.id, desktop, sent, cancelRequested, close: () => o.close() };
}

describe('a part of an order filled while its cancel is pending', () => {
  it('is announced once, with the quantity filled, the symbol, the account and that the cancel is pending; the same fill reported again is not', async () => {
    const t = await setup();
    t.cancelRequested();
    expect(t.desktop).toHaveLength(0); // asking to cancel is no news
    t.o.lifecycle.applyFill('acc1', t.id, fill('t1', '2'), broker('partially_filled', '2')); // the stream's fill
    expect(t.o.orders.get(t.id)).toMatchObject({ status: 'cancel_pending', filledQuantity: '2' });
    t.o.lifecycle.applyFill('acc1', t.id, fill('t1', '2'), broker('partially_filled', '2')); // delivered twice
    t.o.lifecycle.applyBrokerOrder(t.id, broker('partially_filled', '2'), 'reconciled'); // reconciliation reads the same
    t.o.lifecycle.applyBrokerOrder(t.id, broker('canceled', '2'), 'broker_update'); // the broker's final answer
    expect(t.o.orders.get(t.id)).toMatchObject({ status: 'canceled', filledQuantity: '2' });

    expect(t.desktop.map((m) => m.title)).toEqual(['Partially filled, cancel pending: buy 2 AAPL @ 99']);
    expect(t.desktop[0]).toMatchObject({ kind: 'fill', lines: ['Ordered 5 (limit); 2 filled so far.', 'A cancel was asked for this order: this part filled before the cancel took effect; the rest (3) is being canceled.'] });
    expect(t.desktop[0]!.fields).toContainEqual({ name: 'Account', value: '"Alpaca live" (acc1)' });
    expect(await t.sent()).toEqual(['Partially filled, cancel pending: buy 2 AAPL @ 99']);
    t.close();
  });

  it('a part filled before the cancel was asked is not announced again by the cancel request or the cancel', async () => {
    const t = await setup();
    t.o.lifecycle.applyFill('acc1', t.id, fill('t1', '2'), broker('partially_filled', '2'));
    t.cancelRequested();
    t.o.lifecycle.applyBrokerOrder(t.id, broker('canceled', '2'), 'broker_update');
    expect(t.desktop.map((m) => m.title)).toEqual(['Partially filled: buy 2 AAPL @ 99']);
    expect(await t.sent()).toEqual(['Partially filled: buy 2 AAPL @ 99']);
    t.close();
  });

  it('a fill that arrives with the final canceled status says how much filled, once, however its fill record follows', async () => {
    const t = await setup();
    t.cancelRequested();
    t.o.lifecycle.applyBrokerOrder(t.id, broker('canceled', '3'), 'broker_update'); // canceled, 3 filled: the fill's news
    t.o.lifecycle.applyFill('acc1', t.id, fill('t1', '3'), broker('canceled', '3')); // its fill record, late
    expect(t.o.orders.get(t.id)).toMatchObject({ status: 'canceled', filledQuantity: '3' });
    expect(t.desktop.map((m) => m.title)).toEqual(['Canceled after a partial fill: buy 3 AAPL']);
    expect(t.desktop[0]).toMatchObject({ kind: 'fill', lines: ['Ordered 5 (limit); 3 filled before the cancel took effect, the rest (2) was canceled.'] });
    expect(t.desktop[0]!.fields).toContainEqual({ name: 'Account', value: '"Alpaca live" (acc1)' });
    expect(await t.sent()).toEqual(['Canceled after a partial fill: buy 3 AAPL']);
    t.close();
  });
});

describe('an order filled whole although its cancel was asked', () => {
  const TOO_LATE = 'A cancel was asked for this order: all 5 filled before the cancel took effect, so nothing was canceled and your AAPL position changed by the whole order.';

  it('says the cancel came too late, once, however often the fill is reported', async () => {
    const t = await setup();
    t.cancelRequested();
    t.o.lifecycle.applyFill('acc1', t.id, fill('t1', '5'), broker('filled', '5')); // the fill won the race
    expect(t.o.orders.get(t.id)).toMatchObject({ status: 'filled', filledQuantity: '5' });
    t.o.lifecycle.applyFill('acc1', t.id, fill('t1', '5'), broker('filled', '5')); // delivered twice
    t.o.lifecycle.applyBrokerOrder(t.id, broker('filled', '5'), 'cancel_answer'); // the cancel's answer: too late
    t.o.lifecycle.applyBrokerOrder(t.id, broker('filled', '5'), 'reconciled');

    expect(t.desktop.map((m) => m.title)).toEqual(['Filled before the cancel took effect: buy 5 AAPL @ 99']);
    expect(t.desktop[0]).toMatchObject({ kind: 'fill', severity: 'warning', lines: ['Ordered 5 (limit).', TOO_LATE] });
    expect(t.desktop[0]!.fields).toContainEqual({ name: 'Account', value: '"Alpaca live" (acc1)' });
    expect(await t.sent()).toEqual(['Filled before the cancel took effect: buy 5 AAPL @ 99']);
    t.close();
  });

  it('a part filled while the cancel was pending, then the rest: each told once, the last one that the cancel came too late', async () => {
    const t = await setup();
    t.cancelRequested();
    t.o.lifecycle.applyFill('acc1', t.id, fill('t1', '2'), broker('partially_filled', '2'));
    t.o.lifecycle.applyFill('acc1', t.id, fill('t2', '3'), broker('filled', '5'));
    expect(t.o.orders.get(t.id)).toMatchObject({ status: 'filled', filledQuantity: '5' });
    expect(t.desktop.map((m) => m.title)).toEqual(['Partially filled, cancel pending: buy 2 AAPL @ 99', 'Filled before the cancel took effect: buy 5 AAPL @ 99']);
    expect(await t.sent()).toEqual(['Partially filled, cancel pending: buy 2 AAPL @ 99', 'Filled before the cancel took effect: buy 5 AAPL @ 99']);
    t.close();
  });

  it('the broker confirmed the cancel, then reports the fill it had made first: the cancel came too late', async () => {
    const t = await setup();
    t.cancelRequested();
    t.o.lifecycle.applyBrokerOrder(t.id, broker('canceled'), 'cancel_answer'); // nothing filled: no message
    expect(t.desktop).toEqual([]);
    t.o.lifecycle.applyFill('acc1', t.id, fill('t1', '5'), broker('filled', '5'));
    expect(t.o.orders.get(t.id)).toMatchObject({ status: 'filled', filledQuantity: '5' });
    expect(t.desktop.map((m) => m.title)).toEqual(['Filled before the cancel took effect: buy 5 AAPL @ 99']);
    expect(await t.sent()).toEqual(['Filled before the cancel took effect: buy 5 AAPL @ 99']);
    t.close();
  });

  it('asked while the outcome of its submit was unknown (no cancel_pending), or canceled at the broker: the cancel came too late all the same', async () => {
    const unknown = await setup(false);
    unknown.o.lifecycle.transition(unknown.id, 'unknown', 'submit_timeout');
    unknown.o.lifecycle.note(unknown.id, 'cancel_request', { status: 'unknown' }); // as cancelOrder does for it
    unknown.o.lifecycle.applyBrokerOrder(unknown.id, { ...broker('filled', '5'), averageFillPrice: '99' }, 'reconciled');
    expect(unknown.o.orders.get(unknown.id)).toMatchObject({ status: 'filled', filledQuantity: '5' });
    expect(unknown.desktop.map((m) => m.title)).toEqual(['Order outcome unknown: buy 5 AAPL', 'Filled before the cancel took effect: buy 5 AAPL @ 99']);
    unknown.close();

    const atBroker = await setup();
    atBroker.o.lifecycle.applyBrokerOrder(atBroker.id, broker('cancel_pending'), 'broker_update'); // canceled on the broker's site
    atBroker.o.lifecycle.applyFill('acc1', atBroker.id, fill('t1', '5'), broker('filled', '5'));
    expect(atBroker.desktop.map((m) => m.title)).toEqual(['Filled before the cancel took effect: buy 5 AAPL @ 99']);
    atBroker.close();
  });

  it('no cancel asked: a plain fill', async () => {
    const t = await setup();
    t.o.lifecycle.applyFill('acc1', t.id, fill('t1', '5'), broker('filled', '5'));
    expect(t.desktop.map((m) => m.title)).toEqual(['Filled: buy 5 AAPL @ 99']);
    expect(t.desktop[0]).toMatchObject({ severity: 'info', lines: ['Ordered 5 (limit).'] });
    expect(await t.sent()).toEqual(['Filled: buy 5 AAPL @ 99']);
    t.close();
  });
});

describe('in the agent', () => {
  it('the notifications read the orders\' history, and name the account as the agent does everywhere', async () => {
    const agent = await startTestAgent();
    try {
      const paper = (await agent.api<{ items: AccountView[] }>('GET', '/api/accounts')).body.items.find((a) => a.broker === 'paper')!;
      const orders = new OrderRepo(agent.db);
      const request = (clientOrderId: string): OrderRequest => ({ clientOrderId, symbol: 'AAPL', side: 'buy', type: 'limit', limitPrice: '100', quantity: '5', timeInForce: 'day' });
      const asked = orders.insertIfAbsent({ id: 'ord_asked', accountId: paper.id, request: request('c-asked'), leg: 'entry', createdAt: 't' }).order;
      orders.appendEvent(asked.id, 't', 'cancel_request', 'accepted', 'cancel_pending');
      const plain = orders.insertIfAbsent({ id: 'ord_plain', accountId: paper.id, request: request('c-plain'), leg: 'entry', createdAt: 't' }).order;
      const shown: NotifyMessage[] = [];
      agent.notifications.desktop.subscribe((m) => shown.push(m));
      const filled = (o: OrderView): OrderView => ({ ...o, status: 'filled', filledQuantity: '5', averageFillPrice: '99' });
      agent.notifications.handle({ type: 'order', order: filled(asked) });
      agent.notifications.handle({ type: 'order', order: filled(plain) });
      expect(shown.map((m) => m.title)).toEqual(['Filled before the cancel took effect: buy 5 AAPL @ 99', 'Filled: buy 5 AAPL @ 99']);
      expect(shown[0]!.fields).toContainEqual({ name: 'Account', value: `"${paper.name}" (${paper.id})` });
    } finally {
      await agent.stop();
    }
  });
});
