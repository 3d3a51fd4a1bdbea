// The order state machine: one transition table, used by every writer of order state.
// A status change that is not in the table is never silently applied: a report that is merely behind what we
// already know (a stale 'accepted' arriving after 'filled') is ignored quietly; anything else is a conflict that
// is recorded and, during reconciliation, raised to the trader.

export const ORDER_STATUSES = [
  'created', // stored, not yet sent (the client order id exists before any network call)
  'submitting', // the request is on the wire
  'unknown', // the submit timed out or the connection broke: outcome unknown until reconciled
  'accepted', // the broker has it, working
  'partially_filled',
  'filled',
  'cancel_pending',
  'canceled',
  'rejected',
  'expired',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const TERMINAL_STATUSES: ReadonlySet<OrderStatus> = new Set(['filled', 'canceled', 'rejected', 'expired']);

export function isTerminal(status: OrderStatus): boolean {
  return TERMINAL_STATUSES.has(status);
}

/** Allowed moves. Real-world oddities are explicit rows:
 *  - cancel_pending → filled / partially_filled: the fill won the race against our cancel request;
 *  - cancel_pending → accepted / partially_filled: the cancel could not be confirmed and the order keeps working
 *    (the router's decision, `cancel_unconfirmed`; a broker's report that the order works never undoes a cancel
 *    request: decideReport in main/orders/state-machine.ts);
 *  - cancel_pending → rejected: the broker's final answer, as for an accepted order;
 *  - unknown → anything the broker may report: the late answer (or the reconciliation) of a submit whose outcome
 *    was lost; unknown → submitting is the re-send with the SAME client order id once the broker certainly lacks it;
 *  - canceled / expired → filled: the venue executed the order before the cancel or expiry took effect and
 *    reports the fill afterwards (the fill is the truth; the money moved). A partial late fill keeps the status
 *    and only raises the filled quantity.
 *  'rejected' has no way out: an order is only ever marked rejected on the broker's explicit refusal. */
export const ORDER_TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  created: ['submitting', 'rejected', 'canceled'],
  submitting: ['accepted', 'partially_filled', 'filled', 'rejected', 'unknown', 'canceled', 'expired'],
  unknown: ['accepted', 'partially_filled', 'filled', 'rejected', 'canceled', 'expired', 'submitting'],
  accepted: ['partially_filled', 'filled', 'cancel_pending', 'canceled', 'expired', 'rejected'],
  partially_filled: ['partially_filled', 'filled', 'cancel_pending', 'canceled', 'expired'],
  cancel_pending: ['canceled', 'filled', 'partially_filled', 'accepted', 'expired', 'rejected'],
  filled: [],
  canceled: ['filled'],
  rejected: [],
  expired: ['filled'],
};

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return ORDER_TRANSITIONS[from].includes(to);
}

/** How far along an order is. Used only to recognise stale reports, never to allow a move. */
const PROGRESS: Readonly<Record<OrderStatus, number>> = {
  created: 0,
  submitting: 1,
  unknown: 1,
  accepted: 2,
  partially_filled: 3,
  cancel_pending: 3,
  filled: 4,
  canceled: 4,
  rejected: 4,
  expired: 4,
};

/** A report that is behind what is already known (out-of-order or duplicated delivery): ignore it quietly.
 *  Examples: 'accepted' after 'filled', 'submitting' after 'accepted', 'accepted' after 'partially_filled'. */
export function isStaleReport(from: OrderStatus, to: OrderStatus): boolean {
  if (from === to) return true;
  return !canTransition(from, to) && PROGRESS[to] < PROGRESS[from];
}
