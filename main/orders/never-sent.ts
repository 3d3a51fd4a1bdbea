// Orders closed without ever reaching the broker: how the router closes them (the kinds of their closing events),
// and why, for the alert that placed them (it did not trade).
import type { OrderRepo } from '../store/orders.js';
import type { OrderView } from '../../shared/api-types.js';
import { isCode, type Code } from '../../shared/codes.js';

/** The kinds of the events with which the router closes an order that never reached the broker. */
export const NEVER_SENT_KINDS = new Set(['not_sent', 'reconciled_absent', 'canceled_before_sending']);

/**
 * Why an order was closed without ever reaching the broker: refused before sending (no adapter, a capability
 * missing, the adapter's own refusal before any request, the trading state at the broker call), canceled before it was sent, or found certainly absent at the
 * broker and not sent again. Undefined for an order that is not closed, that reached the broker, or may have.
 * `code` is the one it was closed with (TRADING_HALTED, CAPABILITY_UNSUPPORTED …), `detail` says which order.
 */
export function neverSent(orders: Pick<OrderRepo, 'closingEvent'>, order: OrderView): { code: Code; detail: string } | undefined {
  if ((order.status !== 'canceled' && order.status !== 'rejected') || Number(order.filledQuantity) !== 0) return undefined;
  const closing = orders.closingEvent(order.id, order.status);
  if (!closing || !NEVER_SENT_KINDS.has(closing.kind)) return undefined;
  const stored = (closing.data as { code?: unknown } | undefined)?.code;
  const prefix = /^([A-Z_]+):/.exec(order.reason ?? '')?.[1];
  const code: Code = isCode(stored) ? stored : isCode(prefix) ? prefix : 'ORDER_NOT_SENT';
  const what = `${order.side} ${order.quantity} ${order.symbol}, ${order.clientOrderId}`;
  return { code, detail: `The order (${what}) was ${order.status} before it reached the broker${order.reason ? `: ${order.reason}` : ''}` };
}
