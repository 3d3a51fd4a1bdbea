// How an order changes exposure. Projections are worst case: the symbol's other open orders on the same side
// are assumed filled too, so two pending orders can never jointly pass a limit each passes alone.
import { Decimal } from 'decimal.js';
import type { RiskContext, RiskOrder } from './types.js';

export interface PositionEffect {
  current: Decimal;
  /** Signed quantity of the symbol's other open orders on the same side as this order. */
  pendingSameSide: Decimal;
  /** Signed position if this order and the pending same-side orders all fill. */
  after: Decimal;
  /** The order only shrinks |position| (never crosses through zero), even with the pending orders filled. */
  reducing: boolean;
}

export function positionOf(context: RiskContext, symbol: string): Decimal {
  let total = new Decimal(0);
  for (const p of context.positions) if (p.symbol === symbol) total = total.plus(p.quantity);
  return total;
}

export function positionEffect(order: RiskOrder, context: RiskContext): PositionEffect {
  const current = positionOf(context, order.symbol);
  const sign = order.side === 'buy' ? 1 : -1;
  let pending = new Decimal(0);
  for (const o of context.openOrders) {
    if (o.symbol !== order.symbol || o.side !== order.side) continue;
    if (order.clientOrderId !== undefined && o.clientOrderId === order.clientOrderId) continue;
    pending = pending.plus(o.quantity);
  }
  const pendingSameSide = pending.mul(sign);
  const after = current.plus(pendingSameSide).plus(new Decimal(order.quantity).mul(sign));
  const reducing = !current.isZero() && (current.gt(0) ? after.gte(0) && after.lt(current) : after.lte(0) && after.gt(current));
  return { current, pendingSameSide, after, reducing };
}
