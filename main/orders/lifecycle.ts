// The one writer of order state. Every change goes through the transition table, is stored with an event,
// and is published to the UI. Broker updates, fills and reconciliation all come through here.
// Reports that are merely behind what is known (duplicated or reordered delivery) are recorded once and ignored
// without a warning, so a chatty stream cannot turn into an error storm; contradictions are kept for the
// reconciler, which asks the broker and halts the account when it cannot explain them.
import { Decimal } from 'decimal.js';
import type { OrderRepo } from '../store/orders.js';
import type { EventBus } from '../events.js';
import type { Logger } from '../log.js';
import type { BrokerOrder, Fill, OrderRequest } from '../brokers/port.js';
import type { OrderView } from '../../shared/api-types.js';
import { isTerminal, type OrderStatus } from '../../shared/order-status.js';
import { decideReport, decideStatus } from './state-machine.js';
import { randomId } from '../ids.js';
import { accountLabel, type AccountNames } from '../account-label.js';

type Waiter = { resolve: (o: OrderView) => void };
/** Called with an order that has just reached a final status: its id, that status and the one it came from (the
 *  hook reads the order only when it needs it: most orders end filled, on the hot path). */
export type EndedHook = (orderId: string, status: OrderStatus, from: OrderStatus) => void;
type Fields = { reason?: string; brokerOrderId?: string; filledQuantity?: string; averageFillPrice?: string; stopPrice?: string };

export class OrderLifecycle {
  private readonly waiters = new Map<string, Waiter[]>();
  /** Orders whose reports contradicted what we hold; the reconciler reads and clears this. */
  private readonly conflicts = new Map<string, string>();
  private readonly endedHooks: EndedHook[] = [];
  /** Where its notices find an account's name (OrderRouter.nameAccounts passes it on). */
  private names: AccountNames | undefined;

  constructor(
    private readonly orders: OrderRepo,
    private readonly bus: EventBus,
    private readonly log: Logger,
    private readonly now: () => string = () => new Date().toISOString(),
  ) {}

  /** Moves an order to `to`; returns the stored order. A stale report is recorded and ignored; a contradiction
   *  is recorded, logged once, remembered for the reconciler, and not applied. */
  transition(orderId: string, to: OrderStatus, kind: string, data?: unknown, fields: Fields = {}): OrderView {
    const current = this.orders.get(orderId);
    if (!current) throw new Error(`order ${orderId} does not exist`);
    return this.move(current, to, kind, data, fields);
  }

  /** transition() from the order as just read (the callers that read it already: one read less per report).
   *  `report`: `to` is what the broker reports (decideReport: a working report never undoes a cancel request), not
   *  a move the agent decides. */
  private move(current: OrderView, to: OrderStatus, kind: string, data: unknown, fields: Fields, report = false): OrderView {
    const orderId = current.id;
    const at = this.now();
    const decision = report ? decideReport(current.status, to) : decideStatus(current.status, to);
    if (decision.action === 'stale') {
      const more = fieldsAddInformation(current, fields);
      if (more) return this.amend(current, fields, at, kind, data);
      if (current.status !== to) {
        this.orders.appendEvent(orderId, at, 'stale_report_ignored', current.status, current.status, { kind, reported: to });
        this.log.debug({ orderId, status: current.status, reported: to, kind }, 'ignored a stale order report');
      }
      return current;
    }
    if (decision.action === 'conflict') {
      this.orders.appendEvent(orderId, at, 'invalid_transition', current.status, to, { kind, data });
      if (!this.conflicts.has(orderId)) this.log.warn({ orderId, from: current.status, to, kind }, 'an order report contradicts the stored status; the reconciler will check it');
      this.conflicts.set(orderId, `${kind}: reported ${to} while stored as ${current.status}`);
      return current;
    }
    // The status and its event in one commit (one WAL append instead of two; never one without the other), with
    // what the hooks store for an order that has ended (never the end without what must follow it).
    this.orders.transaction(() => {
      this.orders.update(orderId, { ...fields, status: decision.status }, at);
      this.orders.appendEvent(orderId, at, kind, current.status, decision.status, data);
      if (isTerminal(decision.status) && !isTerminal(current.status)) this.runEndedHooks(orderId, decision.status, current.status);
    });
    const updated = withUpdate(current, { ...fields, status: decision.status }, at);
    this.bus.publish({ type: 'order', order: updated });
    if (isTerminal(decision.status)) this.wake(updated);
    return updated;
  }

  /** Changes fields of the order without moving its status: stored with an event in one commit, and published. */
  private amend(current: OrderView, fields: Fields, at: string, kind: string, data: unknown): OrderView {
    this.orders.transaction(() => {
      this.orders.update(current.id, fields, at);
      this.orders.appendEvent(current.id, at, kind, current.status, current.status, data);
    });
    const updated = withUpdate(current, fields, at);
    this.bus.publish({ type: 'order', order: updated });
    return updated;
  }

  /**
   * Runs `hook` whenever an order reaches a final status (filled, canceled, rejected, expired), inside the commit
   * that stores it: what the hook stores is committed with the end of the order, or neither is. The hook must be
   * synchronous (start network calls, never await them here); a hook that throws is logged and changes nothing.
   * It may add events and other orders, never change the ended order's own row (the view published is the one
   * the transition wrote).
   */
  whenEnded(hook: EndedHook): void {
    this.endedHooks.push(hook);
  }

  private runEndedHooks(orderId: string, status: OrderStatus, from: OrderStatus): void {
    for (const hook of this.endedHooks) {
      try {
        hook(orderId, status, from);
      } catch (err) {
        this.log.error({ err, orderId }, 'a hook on an order that ended failed');
      }
    }
  }

  note(orderId: string, kind: string, data?: unknown): void {
    const o = this.orders.get(orderId);
    this.orders.appendEvent(orderId, this.now(), kind, o?.status, o?.status, data);
  }

  /** Its notices name accounts as the trader named them (account-label.ts). */
  nameAccounts(names: AccountNames): void {
    this.names = names;
  }

  /** A notice for the trader (SSE / notifications). */
  notice(level: 'info' | 'warning' | 'error', message: string, code?: string): void {
    this.bus.publish({ type: 'notice', level, code, message });
  }

  /** Contradictions seen since the last call for the account (order id → what happened). */
  takeConflicts(accountId: string): Map<string, string> {
    const out = new Map<string, string>();
    for (const [id, what] of this.conflicts) {
      if (this.orders.get(id)?.accountId !== accountId) continue;
      out.set(id, what);
      this.conflicts.delete(id);
    }
    return out;
  }

  /** Applies the broker's view of an order (answer to submit, stream update, reconciliation). */
  applyBrokerOrder(orderId: string, b: BrokerOrder, kind: string): OrderView {
    const current = this.orders.get(orderId)!;
    // Fills are counted from fill records; the broker's cumulative quantity is only trusted when it is ahead,
    // and never beyond the order's quantity (an over-report is a contradiction for the reconciler).
    let filled = Decimal.max(new Decimal(current.filledQuantity), new Decimal(b.filledQuantity));
    if (filled.greaterThan(current.quantity)) {
      this.conflicts.set(orderId, `${kind}: broker reports ${b.filledQuantity} filled of ${current.quantity}`);
      filled = new Decimal(current.quantity);
    }
    return this.move(
      current,
      b.status,
      kind,
      { broker: b },
      {
        brokerOrderId: b.brokerOrderId,
        reason: b.reason,
        filledQuantity: filled.toString(),
        averageFillPrice: b.averageFillPrice ?? current.averageFillPrice,
        stopPrice: trailedStop(current, b),
      },
      true,
    );
  }

  /** The account's position in `symbol` changed (a fill, or a trade reconciliation found): one `position` event,
   *  which tells the UI to read the positions again. */
  positionChanged(accountId: string, symbol: string): void {
    this.bus.publish({ type: 'position', accountId, symbol });
  }

  /** Records a fill once (by trade id) and moves the order on; a new fill is a `position` event (after the order's).
   *  A repeated trade id is ignored and logged. */
  applyFill(accountId: string, orderId: string, fill: Fill, brokerOrder?: BrokerOrder): OrderView {
    const fresh = this.orders.insertFill({ accountId, tradeId: fill.tradeId, orderId, symbol: fill.symbol, side: fill.side, quantity: fill.quantity, price: fill.price, commission: fill.commission, time: fill.time });
    const current = this.orders.get(orderId)!;
    if (!fresh) {
      this.orders.appendEvent(orderId, this.now(), 'duplicate_fill_ignored', current.status, current.status, { tradeId: fill.tradeId });
      this.log.debug({ orderId, tradeId: fill.tradeId }, 'a fill already recorded was reported again; ignored');
      return current;
    }
    const updated = this.orderAfterFill(orderId, current, fill, brokerOrder);
    this.positionChanged(accountId, fill.symbol);
    return updated;
  }

  /** The order's filled quantity, average price and status once a new fill of it is recorded. */
  private orderAfterFill(orderId: string, current: OrderView, fill: Fill, brokerOrder: BrokerOrder | undefined): OrderView {
    const fills = this.orders.fills(orderId);
    const qty = fills.reduce((s, f) => s.plus(f.quantity), new Decimal(0));
    const notional = fills.reduce((s, f) => s.plus(new Decimal(f.quantity).times(f.price)), new Decimal(0));
    const avg = qty.isZero() ? undefined : notional.div(qty).toString();
    const fields = { filledQuantity: qty.toString(), averageFillPrice: avg, brokerOrderId: brokerOrder?.brokerOrderId };
    if (qty.greaterThan(current.quantity)) {
      // The money moved, so the fill is kept (positions stay the sum of fills); the over-fill is raised.
      this.conflicts.set(orderId, `fill ${fill.tradeId} takes the filled quantity to ${qty.toString()} of ${current.quantity}`);
      this.orders.appendEvent(orderId, this.now(), 'overfill', current.status, current.status, { fill });
      this.log.error({ orderId, filled: qty.toString(), quantity: current.quantity }, 'an order filled beyond its quantity; the reconciler halts the account');
      this.notice('error', `${accountLabel(this.names, current.accountId)}: order ${current.clientOrderId} (${current.side} ${current.quantity} ${current.symbol}) filled ${qty.toString()}: the broker placed it more than once. Trading on the account is halted at the next reconciliation; check the position.`, 'RECONCILE_MISMATCH');
      return current;
    }
    const complete = qty.greaterThanOrEqualTo(current.quantity);
    if (!complete && (current.status === 'canceled' || current.status === 'expired')) {
      // A late partial fill of an order that was canceled: it stays canceled, with the quantity that did fill
      // (published like any other change, so the window shows it).
      return this.amend(current, fields, this.now(), 'late_fill', { fill });
    }
    // A part filled while a cancel is pending leaves the order cancel_pending, with the quantity that filled.
    return this.move(current, complete ? 'filled' : 'partially_filled', 'fill', { fill, broker: brokerOrder }, fields, true);
  }

  /** Stores an order the broker created for us (a bracket's take-profit or stop-loss child) as working. */
  adoptChild(accountId: string, parentOrderId: string, b: BrokerOrder, leg: string): OrderView {
    const parent = this.orders.get(parentOrderId);
    const request: OrderRequest = { clientOrderId: b.clientOrderId, symbol: b.symbol, side: b.side, type: b.type, quantity: b.quantity, timeInForce: 'gtc', limitPrice: b.limitPrice, stopPrice: b.stopPrice, reduceOnly: true };
    const { order } = this.orders.insertIfAbsent({ id: randomId('ord'), signalId: parent?.signalId, strategyId: parent?.strategyId, accountId, request, leg, createdAt: this.now() }, { status: 'accepted', parentOrderId, brokerOrderId: b.brokerOrderId, byBroker: true });
    return order;
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

/** A same-status report that carries news (a broker order id we lacked, a higher filled quantity). */
function fieldsAddInformation(current: OrderView, f: Fields): boolean {
  if (f.brokerOrderId && !current.brokerOrderId) return true;
  if (f.filledQuantity && new Decimal(f.filledQuantity).greaterThan(current.filledQuantity) && !isTerminal(current.status)) return true;
  if (f.stopPrice !== undefined && !isTerminal(current.status)) return true;
  return false;
}

/** A trailing stop's current level as the broker reports it (the paper broker's trailed stop, Alpaca's stop_price),
 *  when it is news: the first level known, or one moved in the trader's favour (up for a sell, down for a buy). A
 *  trailing stop never moves back, so a lower (higher) level is an older report delivered late, and is not applied. */
function trailedStop(current: OrderView, b: BrokerOrder): string | undefined {
  if (current.type !== 'trailing_stop' || b.stopPrice === undefined) return undefined;
  if (current.stopPrice === undefined) return b.stopPrice;
  const reported = new Decimal(b.stopPrice);
  return (current.side === 'sell' ? reported.greaterThan(current.stopPrice) : reported.lessThan(current.stopPrice)) ? b.stopPrice : undefined;
}

/** The order as OrderRepo.update leaves it: the fields given replace the stored ones (undefined: unchanged). The
 *  columns are TEXT, so what was written is what a read gives back. */
function withUpdate(current: OrderView, fields: Fields & { status?: OrderStatus }, at: string): OrderView {
  const next: OrderView = { ...current, updatedAt: at };
  if (fields.status !== undefined) next.status = fields.status;
  if (fields.filledQuantity !== undefined) next.filledQuantity = fields.filledQuantity;
  if (fields.averageFillPrice !== undefined) next.averageFillPrice = fields.averageFillPrice;
  if (fields.brokerOrderId !== undefined) next.brokerOrderId = fields.brokerOrderId;
  if (fields.reason !== undefined) next.reason = fields.reason;
  if (fields.stopPrice !== undefined) next.stopPrice = fields.stopPrice;
  return next;
}
