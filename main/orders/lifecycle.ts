// The one writer of order state. Every change goes through the transition table, is stored with an event,
// and is published to the UI. Broker updates, fills and reconciliation all come through here.
import { Decimal } from 'decimal.js';
import type { OrderRepo } from '../store/orders.js';
import type { EventBus } from '../events.js';
import type { Logger } from '../log.js';
import type { BrokerOrder, Fill } from '../brokers/port.js';
import type { OrderView } from '../../shared/api-types.js';
import { isTerminal, type OrderStatus } from '../../shared/order-status.js';
import { InvalidTransitionError, nextStatus } from './state-machine.js';

type Waiter = { resolve: (o: OrderView) => void };

export class OrderLifecycle {
  private readonly waiters = new Map<string, Waiter[]>();

  constructor(
    private readonly orders: OrderRepo,
    private readonly bus: EventBus,
    private readonly log: Logger,
    private readonly now: () => string = () => new Date().toISOString(),
  ) {}

  /** Moves an order to `to`; returns the stored order. An invalid move is logged and stored as an event, not applied. */
  transition(orderId: string, to: OrderStatus, kind: string, data?: unknown, fields: { reason?: string; brokerOrderId?: string; filledQuantity?: string; averageFillPrice?: string } = {}): OrderView {
    const current = this.orders.get(orderId);
    if (!current) throw new Error(`order ${orderId} does not exist`);
    const at = this.now();
    let status: OrderStatus;
    try {
      status = nextStatus(current.status, to);
    } catch (err) {
      if (!(err instanceof InvalidTransitionError)) throw err;
      this.orders.appendEvent(orderId, at, 'invalid_transition', current.status, to, { kind, data });
      this.log.warn({ orderId, from: current.status, to, kind }, 'ignored an order update the state machine does not allow');
      return current;
    }
    this.orders.update(orderId, { ...fields, status }, at);
    this.orders.appendEvent(orderId, at, kind, current.status, status, data);
    const updated = this.orders.get(orderId)!;
    this.bus.publish({ type: 'order', order: updated });
    if (isTerminal(status)) this.wake(updated);
    return updated;
  }

  note(orderId: string, kind: string, data?: unknown): void {
    const o = this.orders.get(orderId);
    this.orders.appendEvent(orderId, this.now(), kind, o?.status, o?.status, data);
  }

  /** Applies the broker's view of an order (answer to submit, stream update, reconciliation). */
  applyBrokerOrder(orderId: string, b: BrokerOrder, kind: string): OrderView {
    const current = this.orders.get(orderId)!;
    // Fills are counted from fill records; the broker's cumulative quantity is only trusted when it is ahead.
    const filled = Decimal.max(new Decimal(current.filledQuantity), new Decimal(b.filledQuantity)).toString();
    return this.transition(orderId, b.status, kind, { broker: b }, {
      brokerOrderId: b.brokerOrderId,
      reason: b.reason,
      filledQuantity: filled,
      averageFillPrice: b.averageFillPrice ?? current.averageFillPrice,
    });
  }

  /** Records a fill once (by trade id) and moves the order on. A repeated trade id is ignored and logged. */
  applyFill(accountId: string, orderId: string, fill: Fill, brokerOrder?: BrokerOrder): OrderView {
    const fresh = this.orders.insertFill({ accountId, tradeId: fill.tradeId, orderId, symbol: fill.symbol, side: fill.side, quantity: fill.quantity, price: fill.price, commission: fill.commission, time: fill.time });
    const current = this.orders.get(orderId)!;
    if (!fresh) {
      this.orders.appendEvent(orderId, this.now(), 'duplicate_fill_ignored', current.status, current.status, { tradeId: fill.tradeId });
      this.log.info({ orderId, tradeId: fill.tradeId }, 'a fill already recorded was reported again; ignored');
      return current;
    }
    const fills = this.orders.fills(orderId);
    const qty = fills.reduce((s, f) => s.plus(f.quantity), new Decimal(0));
    const notional = fills.reduce((s, f) => s.plus(new Decimal(f.quantity).times(f.price)), new Decimal(0));
    const avg = qty.isZero() ? undefined : notional.div(qty).toString();
    const to: OrderStatus = qty.greaterThanOrEqualTo(current.quantity) ? 'filled' : 'partially_filled';
    return this.transition(orderId, to, 'fill', { fill, broker: brokerOrder }, { filledQuantity: qty.toString(), averageFillPrice: avg, brokerOrderId: brokerOrder?.brokerOrderId });
  }

  /** Resolves when the order reaches a terminal status, or with its current state after `timeoutMs`. */
  waitForTerminal(orderId: string, timeoutMs: number): Promise<OrderView> {
    const current = this.orders.get(orderId)!;
    if (isTerminal(current.status)) return Promise.resolve(current);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        resolve: (o) => {
          clearTimeout(timer);
          resolve(o);
        },
      };
      const timer = setTimeout(() => {
        const list = this.waiters.get(orderId) ?? [];
        this.waiters.set(orderId, list.filter((w) => w !== waiter));
        resolve(this.orders.get(orderId)!);
      }, timeoutMs);
      timer.unref?.();
      this.waiters.set(orderId, [...(this.waiters.get(orderId) ?? []), waiter]);
    });
  }

  private wake(order: OrderView): void {
    const list = this.waiters.get(order.id);
    if (!list) return;
    this.waiters.delete(order.id);
    for (const w of list) w.resolve(order);
  }
}
