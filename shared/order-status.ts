// The order state machine: one transition table, used by every writer of order state.
// A status change that is not in the table is an error, never silently applied.

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

/** Allowed moves. Real-world oddities are explicit rows: a fill after a cancel request, a late fill of an
 *  order whose submit outcome was unknown, a cancel request that loses the race against a fill. */
export const ORDER_TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  created: ['submitting', 'rejected', 'canceled'],
  submitting: ['accepted', 'partially_filled', 'filled', 'rejected', 'unknown', 'canceled', 'expired'],
  unknown: ['accepted', 'partially_filled', 'filled', 'rejected', 'canceled', 'expired', 'submitting'],
  accepted: ['partially_filled', 'filled', 'cancel_pending', 'canceled', 'expired', 'rejected'],
  partially_filled: ['partially_filled', 'filled', 'cancel_pending', 'canceled', 'expired'],
  cancel_pending: ['canceled', 'filled', 'partially_filled', 'accepted', 'expired'],
  filled: [],
  canceled: [],
  rejected: [],
  expired: [],
};

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return ORDER_TRANSITIONS[from].includes(to);
}
