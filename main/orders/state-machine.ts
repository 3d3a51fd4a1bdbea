// Pure: decides what a reported status does to an order, using the one transition table in shared/.
import { canTransition, isStaleReport, type OrderStatus } from '../../shared/order-status.js';

export class InvalidTransitionError extends Error {
  constructor(
    readonly from: OrderStatus,
    readonly to: OrderStatus,
  ) {
    super(`order status cannot move from ${from} to ${to}`);
    this.name = 'InvalidTransitionError';
  }
}

/** Returns the status to store: `to` when the move is allowed, `from` when it is a no-op (the same status
 *  reported again, e.g. a duplicate update). Throws on a move the table forbids. */
export function nextStatus(from: OrderStatus, to: OrderStatus): OrderStatus {
  if (from === to && from !== 'partially_filled') return from;
  if (canTransition(from, to)) return to;
  throw new InvalidTransitionError(from, to);
}

/** What to do with a reported status: apply it, ignore it as stale (behind what is known), or record a conflict
 *  (the report contradicts what is known, e.g. 'rejected' for an order we hold as filled). */
export type StatusDecision = { action: 'apply'; status: OrderStatus } | { action: 'stale' } | { action: 'conflict' };

export function decideStatus(from: OrderStatus, to: OrderStatus): StatusDecision {
  if (from === to) return from === 'partially_filled' ? { action: 'apply', status: to } : { action: 'stale' };
  if (canTransition(from, to)) return { action: 'apply', status: to };
  if (isStaleReport(from, to)) return { action: 'stale' };
  return { action: 'conflict' };
}

/**
 * What a broker's report (an answer, a stream update, a fill, a lookup) does to an order: decideStatus, except that
 * a report that the order is working (accepted, partially_filled) never undoes a cancel the agent asked for. A late
 * `new` / `accepted` that was on its way when the trader canceled, or a fill of a part, leaves the order
 * `cancel_pending` (a fill's quantity is recorded all the same: the stale path keeps what a report adds). Only the
 * broker's final answer (canceled, filled, expired, rejected) moves it on, or the router itself when the broker
 * could not confirm the cancel (`cancel_unconfirmed`: the table's cancel_pending → accepted / partially_filled).
 */
export function decideReport(from: OrderStatus, to: OrderStatus): StatusDecision {
  if (from === 'cancel_pending' && (to === 'accepted' || to === 'partially_filled')) return { action: 'stale' };
  return decideStatus(from, to);
}
