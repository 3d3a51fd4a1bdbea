// Streams repeat and reorder messages (reconnects, at-least-once delivery, polling overlapping a stream).
// This filter lets each adapter emit every fill exactly once and never move an order backwards.
import { Decimal } from 'decimal.js';
import type { BrokerOrder, Fill, OrderUpdate } from '../port.js';
import type { OrderStatus } from '../../../shared/order-status.js';
import { isTerminal } from '../../../shared/order-status.js';

const RANK: Record<OrderStatus, number> = {
  created: 0,
  submitting: 1,
  unknown: 1,
  accepted: 2,
  cancel_pending: 3,
  partially_filled: 3,
  filled: 5,
  canceled: 5,
  rejected: 5,
  expired: 5,
};

export class UpdateFilter {
  private readonly seenFills = new Set<string>();
  private readonly last = new Map<string, BrokerOrder>();
  private readonly maxOrders: number;

  constructor(maxOrders = 10_000) {
    this.maxOrders = maxOrders;
  }

  /** True when `order` is news compared with what was already emitted for its client id. */
  private isNewer(order: BrokerOrder): boolean {
    const prev = this.last.get(order.clientOrderId);
    if (!prev) return true;
    if (isTerminal(prev.status)) return false;
    const filledCmp = new Decimal(order.filledQuantity).cmp(prev.filledQuantity);
    if (filledCmp !== 0) return filledCmp > 0;
    // A working trailing stop's level moves with the market (Alpaca's stop_price follows its high water mark, and no
    // stream event says so: a poll or lookup reads it). The lifecycle keeps only a move in the trader's favour.
    if (RANK[order.status] === RANK[prev.status] && order.type === 'trailing_stop' && order.stopPrice !== prev.stopPrice) return true;
    return RANK[order.status] > RANK[prev.status];
  }

  private remember(order: BrokerOrder): void {
    this.last.delete(order.clientOrderId);
    this.last.set(order.clientOrderId, order);
    if (this.last.size > this.maxOrders) {
      const oldest = this.last.keys().next().value;
      if (oldest !== undefined) this.last.delete(oldest);
    }
  }

  /** The update to emit, or undefined when it is a duplicate or stale. */
  accept(update: OrderUpdate): OrderUpdate | undefined {
    if (update.kind === 'fill') {
      if (this.seenFills.has(update.fill.tradeId)) return undefined;
      this.seenFills.add(update.fill.tradeId);
      // The fill is news even when its order snapshot is older than one already emitted.
      const order = this.isNewer(update.order) ? update.order : (this.last.get(update.order.clientOrderId) ?? update.order);
      this.remember(order);
      return { kind: 'fill', fill: update.fill, order };
    }
    if (!this.isNewer(update.order)) return undefined;
    this.remember(update.order);
    return update;
  }

  hasFill(fill: Fill): boolean {
    return this.seenFills.has(fill.tradeId);
  }
}

/** A set of listeners with the filter in front of them. */
export class UpdateHub {
  private readonly listeners = new Set<(update: OrderUpdate) => void>();
  private readonly filter = new UpdateFilter();

  get size(): number {
    return this.listeners.size;
  }

  add(listener: (update: OrderUpdate) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  emit(update: OrderUpdate): void {
    const accepted = this.filter.accept(update);
    if (!accepted) return;
    for (const listener of this.listeners) {
      try {
        listener(accepted);
      } catch {
        // A failing listener must not stop the others; the lifecycle logs its own errors.
      }
    }
  }
}
