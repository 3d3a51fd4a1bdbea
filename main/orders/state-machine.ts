// Pure: decides whether a status change is allowed, using the one transition table in shared/.
import { canTransition, isTerminal, type OrderStatus } from '../../shared/order-status.js';

export class InvalidTransitionError extends Error {
  constructor(
    readonly from: OrderStatus,
    readonly to: OrderStatus,
  ) {
    super(`order status cannot move from ${from} to ${to}`);
    this.name = 'InvalidTransitionError';
  }
}

/** Returns the status to store: `to` when the move is allowed, `from` when it is a no-op (same terminal status
 *  reported again, e.g. a duplicate update). Throws on a move the table forbids. */
export function nextStatus(from: OrderStatus, to: OrderStatus): OrderStatus {
  if (from === to && (isTerminal(from) || from !== 'partially_filled')) return from;
  if (canTransition(from, to)) return to;
  throw new InvalidTransitionError(from, to);
}
