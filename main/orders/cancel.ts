// Canceling an order at its broker, by client order id, and the cancel that stands: an order the trader canceled
// while its outcome was unknown, or that was closed as never sent, is canceled at the broker when it turns up working
// there after all.
import type { BrokerOrder } from '../brokers/port.js';
import { BrokerError } from '../brokers/port.js';
import type { OrderView } from '../../shared/api-types.js';
import { isTerminal, type OrderStatus } from '../../shared/order-status.js';
import { NEVER_SENT_KINDS } from './never-sent.js';
import type { RouterParts } from './router.js';

/** Why an order is canceled, as far as its position is concerned (stored with the cancel request). */
export interface CancelContext {
  /**
   * What follows the cancel: `position_closes` (flatten, or an alert whose orders close the position) or
   * `alert_orders` (the orders of the alert that canceled it, which decide the position). Left out for a cancel
   * nothing follows (a cancel alert). A bracket entry that ends after filling in part gets protective exits for the
   * filled quantity only when nothing follows (bracket-remainder.ts): exits of its own would fight those orders.
   */
  next?: 'position_closes' | 'alert_orders';
}

export async function cancelOrder(d: RouterParts, orderId: string, ctx: CancelContext = {}): Promise<OrderView> {
  const order = d.orders.get(orderId)!;
  if (!d.adapters.has(order.accountId) || isTerminal(order.status)) return order;
  if (order.status === 'created') return d.lifecycle.transition(orderId, 'canceled', 'canceled_before_sending', {}, { reason: 'canceled before it was sent' });
  // Only a working order becomes cancel_pending; for one whose outcome is unknown the broker is asked to cancel
  // by client id all the same, and its answer (or a lookup) tells what happened. What follows the cancel is
  // stored with the request: it is read when the order ends, however much later (a restart in between).
  const next = ctx.next !== undefined ? { next: ctx.next } : {};
  if (order.status === 'accepted' || order.status === 'partially_filled') d.lifecycle.transition(orderId, 'cancel_pending', 'cancel_request', next);
  else d.lifecycle.note(orderId, 'cancel_request', { status: order.status, ...next });
  try {
    const b = await d.call(order.accountId, 'urgent', (a) => a.cancel(order.clientOrderId));
    d.breakerSuccess(order.accountId);
    return d.lifecycle.applyBrokerOrder(orderId, b, 'cancel_answer');
  } catch (err) {
    if (brokerTrouble(err)) d.breakerFailure(order.accountId, err);
    // The cancel lost the race (e.g. the order filled) or its answer was lost: ask the broker what happened.
    d.lifecycle.note(orderId, 'cancel_failed', { message: (err as Error).message });
    const after = await d.resolve(orderId);
    if (after.status === 'cancel_pending') {
      // The broker could not be asked either: the order keeps working as far as we know; the reconciler checks it.
      return d.lifecycle.transition(orderId, after.filledQuantity === '0' ? 'accepted' : 'partially_filled', 'cancel_unconfirmed', {});
    }
    return after;
  }
}

/**
 * An order that must not work at the broker, reported working there (a lookup, the broker's stream, the reconciler's
 * list of open orders): the cancel stands, and is sent now. Two such orders:
 * - one the trader canceled while its submit's outcome was unknown, when the broker had nothing to cancel yet, that
 *   reached the broker after all (its request was still on the way): canceled again (router.cancel);
 * - one closed as never sent (`neverSent`: canceled before sending, found certainly absent and not sent again, or
 *   refused at the moment of sending after an earlier send) that reached the broker after the lookups gave up: its
 *   alert was told it did not trade, so it is canceled at the broker by client id (the local row is final already).
 *   A fill it got before the cancel is kept (the fill is the truth; its alert is then `done` again).
 * `before` is the order as it was before the broker's report was applied, `after` as it is now, `reported` the
 * status the broker gave. Resolves true when the order no longer works at the broker (canceled, or a cancel the
 * broker took, or it ended meanwhile; one the broker reports `cancel_pending` is being canceled already, and nothing
 * is sent), false when the cancel failed; undefined (no promise) when nothing stands.
 */
export function cancelStands(d: RouterParts, before: OrderView, after: OrderView, reported: OrderStatus): Promise<boolean> | undefined {
  if (!OPEN_AT_BROKER.has(reported)) return undefined;
  const running = d.standing.get(after.id);
  if (running) return running;
  const why = whyCancelStands(d, before, after);
  if (!why) return undefined;
  if (!worksAtBroker(reported)) return Promise.resolve(true); // being canceled there already (a cancel not yet confirmed)
  d.log.warn({ orderId: after.id, clientOrderId: after.clientOrderId, accountId: after.accountId, reported, why }, 'an order that must not work reached the broker after all; canceling it there');
  d.lifecycle.note(after.id, 'cancel_stands', { reported, why });
  const done = (isTerminal(after.status) ? cancelClosed(d, after) : cancelOrder(d, after.id).then((o) => !worksAtBroker(o.status)))
    .catch((err: unknown) => {
      d.log.error({ err, orderId: after.id }, 'canceling an order that reached the broker after it was canceled or closed failed');
      return false;
    })
    .finally(() => d.standing.delete(after.id));
  d.standing.set(after.id, done);
  return done;
}

/** Why the order must not be left working at the broker (see cancelStands), or undefined. */
function whyCancelStands(d: RouterParts, before: OrderView, after: OrderView): string | undefined {
  if (before.status === 'unknown' || before.status === 'submitting') {
    if (isTerminal(after.status) || after.status === 'cancel_pending') return undefined;
    if (!d.orders.events(after.id).some((e) => e.kind === 'cancel_request')) return undefined;
    return 'canceled while its outcome was unknown';
  }
  if (before.status !== 'canceled' && before.status !== 'rejected') return undefined;
  const closing = d.orders.closingEvent(before.id, before.status);
  if (!closing || !NEVER_SENT_KINDS.has(closing.kind)) return undefined;
  return `closed ${before.status} as never sent (${closing.kind}): its alert was told it did not trade`;
}

/** Cancels at the broker, by client id, an order held as final here (closed as never sent). True when it no
 *  longer works there; the broker's answer (or, when the cancel fails, its view of the order) is applied. */
async function cancelClosed(d: RouterParts, order: OrderView): Promise<boolean> {
  if (!d.adapters.has(order.accountId)) return false;
  try {
    const b = await d.call(order.accountId, 'urgent', (a) => a.cancel(order.clientOrderId));
    d.breakerSuccess(order.accountId);
    d.lifecycle.applyBrokerOrder(order.id, b, 'cancel_answer');
    return !worksAtBroker(b.status);
  } catch (err) {
    if (brokerTrouble(err)) d.breakerFailure(order.accountId, err);
    d.lifecycle.note(order.id, 'cancel_failed', { message: (err as Error).message });
    // The cancel may have lost a race (the order filled, or ended meanwhile): the broker's view tells.
    let now: BrokerOrder | undefined;
    try {
      now = await d.call(order.accountId, 'urgent', (a) => a.orderByClientId(order.clientOrderId));
    } catch {
      return false; // nothing known: the reconciler asks again and reports it
    }
    if (now) d.lifecycle.applyBrokerOrder(order.id, now, 'reconciled');
    return now === undefined || !worksAtBroker(now.status);
  }
}

/** The statuses a broker gives an order that is open there (working, or with a cancel it has not confirmed yet). */
const OPEN_AT_BROKER: ReadonlySet<OrderStatus> = new Set(['accepted', 'partially_filled', 'cancel_pending']);

/** The order works at the broker (a cancel it took, `cancel_pending`, does not count: it is on its way out). */
export const worksAtBroker = (status: OrderStatus): boolean => status === 'accepted' || status === 'partially_filled';

/** A failure that says the broker is in trouble (unreachable, rate-limiting, no answer): counted by the breaker. */
function brokerTrouble(err: unknown): err is BrokerError {
  return err instanceof BrokerError && (err.outcomeUnknown || err.kind === 'unreachable' || err.kind === 'rate_limited');
}
