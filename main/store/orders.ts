// Orders and their append-only event log. The lifecycle (main/orders/lifecycle.ts) is the only writer of status.
import { Decimal } from 'decimal.js';
import { onTransactionFailed, sqlLimit, type Db } from './db.js';
import { sealLater } from './audit.js';
import { OrderRateTally, type RateCounts } from './order-rate-tally.js';
import type { OrderEventView, OrderView } from '../../shared/api-types.js';
import type { OrderStatus } from '../../shared/order-status.js';
import type { OrderRequest } from '../brokers/port.js';

export interface NewOrder {
  id: string;
  signalId?: string;
  strategyId?: string;
  accountId: string;
  request: OrderRequest;
  leg: string;
  /** For an exit: the position's average price when it was placed (stored with the request; see exitFills). */
  entryPrice?: string;
  createdAt: string;
}

/** How a new order row starts (see OrderRepo.insertIfAbsent). */
export interface NewOrderState {
  status?: OrderStatus;
  parentOrderId?: string;
  brokerOrderId?: string;
  /** The broker created the order for us (a bracket's take-profit or stop-loss). */
  byBroker?: boolean;
}

interface RawOrder {
  id: string;
  client_order_id: string;
  signal_id: string | null;
  strategy_id: string | null;
  account_id: string;
  symbol: string;
  side: 'buy' | 'sell';
  type: string;
  quantity: string;
  time_in_force: string;
  limit_price: string | null;
  stop_price: string | null;
  status: OrderStatus;
  filled_quantity: string;
  average_fill_price: string | null;
  broker_order_id: string | null;
  reason: string | null;
  request: string;
  parent_order_id?: string | null;
  created_at: string;
  updated_at: string;
}

export interface OrderFilter {
  limit?: number;
  offset?: number;
  status?: string;
  symbol?: string;
  accountId?: string;
  strategyId?: string;
  signalId?: string;
  search?: string;
  sort?: 'created_at' | 'symbol' | 'status' | 'updated_at';
  direction?: 'asc' | 'desc';
}

/** Filters that match one column exactly: the filter's field and the column it compares. */
const EQUALITY_FILTERS = [
  ['status', 'status'],
  ['symbol', 'symbol'],
  ['accountId', 'account_id'],
  ['strategyId', 'strategy_id'],
  ['signalId', 'signal_id'],
] as const satisfies readonly (readonly [keyof OrderFilter, string])[];

export class OrderRepo {
  /** Kept only where failed transactions can be followed (a database opened by openDatabase). */
  private readonly rates: OrderRateTally | undefined;

  constructor(private readonly db: Db) {
    const rates = new OrderRateTally((accountId, dayStart, after) => ({
      today: (this.db.prepare('SELECT count(*) AS n FROM orders WHERE account_id = ? AND created_at >= ?').get(accountId, dayStart) as { n: number }).n,
      times: (this.db.prepare('SELECT created_at AS t FROM orders WHERE account_id = ? AND created_at > ? ORDER BY created_at').all(accountId, after) as { t: string }[]).map((r) => r.t),
    }));
    this.rates = onTransactionFailed(db, () => rates.forget()) ? rates : undefined;
  }

  /** Inserts the order (status created, unless `initial` says otherwise: a bracket child the broker created is
   *  stored as accepted, `byBroker`) unless its client order id exists; returns the stored row either way.
   *  `parentOrderId` links a child to its entry: one the broker made, or the protective exit the agent placed for
   *  an entry whose legs the broker canceled (main/orders/bracket-remainder.ts). */
  insertIfAbsent(o: NewOrder, initial: NewOrderState = {}): { order: OrderView; created: boolean } {
    const existing = this.byClientId(o.request.clientOrderId);
    if (existing) return { order: existing, created: false };
    // The row and its first event in one commit.
    this.db.transaction(() => this.insertRow(o, initial))();
    return { order: this.get(o.id)!, created: true };
  }

  private insertRow(o: NewOrder, initial: NewOrderState): void {
    const r = o.request;
    const status = initial.status ?? 'created';
    this.db
      .prepare(
        `INSERT INTO orders (id, client_order_id, signal_id, strategy_id, account_id, symbol, side, type, quantity, time_in_force, limit_price, stop_price, status, broker_order_id, parent_order_id, request, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(o.id, r.clientOrderId, o.signalId ?? null, o.strategyId ?? null, o.accountId, r.symbol, r.side, r.type, r.quantity, r.timeInForce, r.limitPrice ?? null, r.stopPrice ?? null, status, initial.brokerOrderId ?? null, initial.parentOrderId ?? null, JSON.stringify({ ...r, leg: o.leg, ...(o.entryPrice !== undefined ? { entryPrice: o.entryPrice } : {}) }), o.createdAt, o.createdAt);
    this.rates?.stored(o.accountId, o.createdAt);
    this.appendEvent(o.id, o.createdAt, initial.byBroker ? 'created_by_broker' : 'created', undefined, status, { leg: o.leg, request: r, parentOrderId: initial.parentOrderId });
  }

  /** Runs `fn` in one transaction (a reconciliation step is applied whole or not at all). `sealLater`: the commit
   *  that stores an order right before its broker call leaves its audit rows to the next commit (audit.ts). */
  transaction<T>(fn: () => T, opts: { sealLater?: boolean } = {}): T {
    const run = (): T => this.db.transaction(fn)();
    return opts.sealLater ? sealLater(run) : run();
  }

  /** Signed quantity per symbol from the fills recorded for the account's orders: what the agent itself traded. */
  netFilledBySymbol(accountId: string): Map<string, string> {
    const rows = this.db.prepare('SELECT symbol, side, quantity FROM fills WHERE account_id = ?').all(accountId) as { symbol: string; side: string; quantity: string }[];
    const sums = new Map<string, Decimal>();
    for (const r of rows) {
      const q = new Decimal(r.quantity);
      sums.set(r.symbol, (sums.get(r.symbol) ?? new Decimal(0)).plus(r.side === 'buy' ? q : q.neg()));
    }
    return new Map([...sums].map(([k, v]) => [k, v.toString()]));
  }

  isExternalFillSeen(accountId: string, tradeId: string): boolean {
    return this.db.prepare('SELECT 1 FROM external_fills WHERE account_id = ? AND trade_id = ?').get(accountId, tradeId) !== undefined;
  }

  markExternalFill(accountId: string, tradeId: string): void {
    this.db.prepare('INSERT OR IGNORE INTO external_fills (account_id, trade_id) VALUES (?, ?)').run(accountId, tradeId);
  }

  reconcileState(accountId: string): { fillsCursor?: string; baseline: Record<string, string>; lastRunAt?: string; lastResult?: string } | undefined {
    const r = this.db.prepare('SELECT fills_cursor, baseline, last_run_at, last_result FROM reconcile_state WHERE account_id = ?').get(accountId) as
      | { fills_cursor: string | null; baseline: string; last_run_at: string | null; last_result: string | null }
      | undefined;
    return r && { fillsCursor: r.fills_cursor ?? undefined, baseline: JSON.parse(r.baseline) as Record<string, string>, lastRunAt: r.last_run_at ?? undefined, lastResult: r.last_result ?? undefined };
  }

  saveReconcileState(accountId: string, s: { fillsCursor?: string; baseline: Record<string, string>; lastRunAt: string; lastResult: string }): void {
    this.db
      .prepare(
        `INSERT INTO reconcile_state (account_id, fills_cursor, baseline, last_run_at, last_result) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(account_id) DO UPDATE SET fills_cursor = excluded.fills_cursor, baseline = excluded.baseline, last_run_at = excluded.last_run_at, last_result = excluded.last_result`,
      )
      .run(accountId, s.fillsCursor ?? null, JSON.stringify(s.baseline), s.lastRunAt, s.lastResult);
  }

  get(id: string): OrderView | undefined {
    const r = this.db.prepare('SELECT * FROM orders WHERE id = ?').get(id) as RawOrder | undefined;
    return r && toView(r);
  }

  byClientId(clientOrderId: string): OrderView | undefined {
    const r = this.db.prepare('SELECT * FROM orders WHERE client_order_id = ?').get(clientOrderId) as RawOrder | undefined;
    return r && toView(r);
  }

  /** The orders an alert placed on an account (bracket children the broker made for them included), oldest first. */
  forSignal(signalId: string, accountId: string): OrderView[] {
    return (this.db.prepare('SELECT * FROM orders WHERE signal_id = ? AND account_id = ? ORDER BY created_at').all(signalId, accountId) as RawOrder[]).map(toView);
  }

  /** Every order an alert placed, on all its accounts, oldest first. */
  ofSignal(signalId: string): OrderView[] {
    return (this.db.prepare('SELECT * FROM orders WHERE signal_id = ? ORDER BY created_at').all(signalId) as RawOrder[]).map(toView);
  }

  /** The event that moved the order into the status it has now (its kind and data), if any. */
  closingEvent(orderId: string, status: OrderStatus): { kind: string; data?: unknown } | undefined {
    const r = this.db
      .prepare('SELECT kind, data FROM order_events WHERE order_id = ? AND to_status = ? AND (from_status IS NULL OR from_status <> to_status) ORDER BY seq DESC LIMIT 1')
      .get(orderId, status) as { kind: string; data: string | null } | undefined;
    return r && { kind: r.kind, data: r.data ? (JSON.parse(r.data) as unknown) : undefined };
  }

  /** Whether a cancel of the order was asked: by the trader or the agent (a `cancel_request`, whether the order
   *  moved to cancel_pending or its outcome was unknown then), or at the broker (which reported it cancel_pending). */
  cancelAsked(orderId: string): boolean {
    return this.db.prepare("SELECT 1 FROM order_events WHERE order_id = ? AND (kind = 'cancel_request' OR to_status = 'cancel_pending') LIMIT 1").get(orderId) !== undefined;
  }

  request(id: string): (OrderRequest & { leg?: string }) | undefined {
    const r = this.db.prepare('SELECT request FROM orders WHERE id = ?').get(id) as { request: string } | undefined;
    return r && (JSON.parse(r.request) as OrderRequest & { leg?: string });
  }

  /** `stopPrice`: a trailing stop's current level, as the broker moves it. */
  update(id: string, fields: { status?: OrderStatus; filledQuantity?: string; averageFillPrice?: string; brokerOrderId?: string; reason?: string; stopPrice?: string }, at: string): void {
    const sets: string[] = ['updated_at = @at'];
    if (fields.status !== undefined) sets.push('status = @status');
    if (fields.filledQuantity !== undefined) sets.push('filled_quantity = @filledQuantity');
    if (fields.averageFillPrice !== undefined) sets.push('average_fill_price = @averageFillPrice');
    if (fields.brokerOrderId !== undefined) sets.push('broker_order_id = @brokerOrderId');
    if (fields.reason !== undefined) sets.push('reason = @reason');
    if (fields.stopPrice !== undefined) sets.push('stop_price = @stopPrice');
    this.db.prepare(`UPDATE orders SET ${sets.join(', ')} WHERE id = @id`).run({ ...fields, at, id });
  }

  appendEvent(orderId: string, at: string, kind: string, from: OrderStatus | undefined, to: OrderStatus | undefined, data?: unknown): void {
    this.db
      .prepare('INSERT INTO order_events (order_id, at, kind, from_status, to_status, data) VALUES (?, ?, ?, ?, ?, ?)')
      .run(orderId, at, kind, from ?? null, to ?? null, data === undefined ? null : JSON.stringify(data));
  }

  events(orderId: string): OrderEventView[] {
    const rows = this.db.prepare('SELECT * FROM order_events WHERE order_id = ? ORDER BY seq').all(orderId) as {
      seq: number;
      order_id: string;
      at: string;
      kind: string;
      from_status: string | null;
      to_status: string | null;
      data: string | null;
    }[];
    return rows.map((r) => ({
      seq: r.seq,
      orderId: r.order_id,
      at: r.at,
      kind: r.kind,
      fromStatus: r.from_status ?? undefined,
      toStatus: r.to_status ?? undefined,
      data: r.data ? (JSON.parse(r.data) as unknown) : undefined,
    }));
  }

  /** Records a fill once: a trade id already seen returns false and changes nothing. */
  insertFill(f: { accountId: string; tradeId: string; orderId: string; symbol: string; side: string; quantity: string; price: string; commission?: string; time: string }): boolean {
    const res = this.db
      .prepare('INSERT OR IGNORE INTO fills (account_id, trade_id, order_id, symbol, side, quantity, price, commission, time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(f.accountId, f.tradeId, f.orderId, f.symbol, f.side, f.quantity, f.price, f.commission ?? null, f.time);
    return res.changes === 1;
  }

  fills(orderId: string): { tradeId: string; quantity: string; price: string; time: string }[] {
    return (this.db.prepare('SELECT trade_id, quantity, price, time FROM fills WHERE order_id = ? ORDER BY time').all(orderId) as { trade_id: string; quantity: string; price: string; time: string }[]).map((r) => ({
      tradeId: r.trade_id,
      quantity: r.quantity,
      price: r.price,
      time: r.time,
    }));
  }

  /** The account's orders created at or after `sinceIso`, newest first, at most `limit`: what the risk engine's
   *  duplicate rule reads (served by the orders(account_id, created_at) index); `reducing` marks exits (reduce-only
   *  orders). */
  recentForAccount(accountId: string, sinceIso: string, limit = 5000): { time: string; symbol: string; side: 'buy' | 'sell'; reducing: boolean; signalId?: string }[] {
    // A rejected order never traded: it does not make the corrected alert sent right after it a duplicate. A
    // bracket's take-profit or stop-loss belongs to its entry's alert: it makes no later exit a duplicate.
    const rows = this.db
      .prepare(`SELECT created_at AS time, symbol, side, coalesce(json_extract(request, '$.reduceOnly'), 0) AS reducing, signal_id AS signalId FROM orders WHERE account_id = ? AND created_at >= ? AND status <> 'rejected' AND parent_order_id IS NULL ORDER BY created_at DESC ${sqlLimit(limit)}`)
      .all(accountId, sinceIso) as { time: string; symbol: string; side: 'buy' | 'sell'; reducing: number; signalId: string | null }[];
    return rows.map((r) => ({ time: r.time, symbol: r.symbol, side: r.side, reducing: r.reducing === 1, ...(r.signalId ? { signalId: r.signalId } : {}) }));
  }

  /**
   * The account's exit fills at or after `sinceIso`, newest first, at most `limit`: fills of its reduce-only orders
   * and of bracket children. `entryPrice` is what the exit is measured against: the position's average price when
   * the exit was placed (stored with the order), or, for a bracket child, its entry's average fill price.
   */
  exitFills(accountId: string, sinceIso: string, limit = 50): { time: string; side: 'buy' | 'sell'; price: string; entryPrice?: string; signalId?: string }[] {
    const rows = this.db
      .prepare(
        `SELECT f.time, f.side, f.price, o.signal_id AS signalId, coalesce(json_extract(o.request, '$.entryPrice'), p.average_fill_price) AS entryPrice
         FROM fills f JOIN orders o ON o.id = f.order_id LEFT JOIN orders p ON p.id = o.parent_order_id
         WHERE f.account_id = ? AND f.time >= ? AND (o.parent_order_id IS NOT NULL OR json_extract(o.request, '$.reduceOnly') = 1)
         ORDER BY f.time DESC ${sqlLimit(limit)}`,
      )
      .all(accountId, sinceIso) as { time: string; side: 'buy' | 'sell'; price: string; entryPrice: string | null; signalId: string | null }[];
    return rows.map((r) => ({
      time: r.time,
      side: r.side,
      price: r.price,
      ...(r.entryPrice === null ? {} : { entryPrice: r.entryPrice }),
      ...(r.signalId === null ? {} : { signalId: r.signalId }),
    }));
  }

  /**
   * The order-rate rule's counts for an account: orders created in the minute before `now` (exclusive of its start)
   * and since `dayStart` (the start of the risk rules' trading day around `now`), none after `now`. Kept as orders are
   * stored (OrderRateTally).
   */
  countRecent(accountId: string, now: string, minuteStart: string, dayStart: string): RateCounts {
    return this.rates ? this.rates.count(accountId, now, minuteStart, dayStart) : this.countRecentInTable(accountId, now, minuteStart, dayStart);
  }

  /** The same, counted in the table through the (account_id, created_at) index. */
  countRecentInTable(accountId: string, now: string, minuteStart: string, dayStart: string): RateCounts {
    const since = minuteStart < dayStart ? minuteStart : dayStart;
    const row = this.db
      .prepare('SELECT coalesce(sum(created_at > @minuteStart), 0) AS lastMinute, coalesce(sum(created_at >= @dayStart), 0) AS today FROM orders WHERE account_id = @accountId AND created_at >= @since AND created_at <= @now')
      .get({ accountId, now, minuteStart, dayStart, since }) as { lastMinute: number; today: number };
    return { lastMinute: row.lastMinute, today: row.today };
  }

  withStatus(statuses: readonly OrderStatus[], accountId?: string): OrderView[] {
    const marks = statuses.map(() => '?').join(', ');
    const sql = `SELECT * FROM orders WHERE status IN (${marks})${accountId ? ' AND account_id = ?' : ''} ORDER BY created_at`;
    const args: string[] = [...statuses, ...(accountId ? [accountId] : [])];
    return (this.db.prepare(sql).all(...args) as RawOrder[]).map(toView);
  }

  list(filter: OrderFilter = {}): { items: OrderView[]; total: number } {
    const where: string[] = [];
    const args: Record<string, string | number> = {};
    for (const [key, column] of EQUALITY_FILTERS) {
      const value = filter[key];
      if (value) {
        where.push(`${column} = @${key}`);
        args[key] = value;
      }
    }
    if (filter.search) {
      // The search is text, not a pattern: % and _ (and the escape character) match themselves.
      where.push("(symbol LIKE @q ESCAPE '\\' OR id LIKE @q ESCAPE '\\' OR client_order_id LIKE @q ESCAPE '\\')");
      args.q = `%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const sort = filter.sort ?? 'created_at';
    const dir = filter.direction === 'asc' ? 'ASC' : 'DESC';
    const limit = Math.min(Math.max(filter.limit ?? 500, 1), 5000);
    const rows = this.db.prepare(`SELECT * FROM orders ${clause} ORDER BY ${sort} ${dir}, id ${dir} ${sqlLimit(limit, filter.offset ?? 0)}`).all(args) as RawOrder[];
    const total = (this.db.prepare(`SELECT count(*) AS n FROM orders ${clause}`).get(args) as { n: number }).n;
    return { items: rows.map(toView), total };
  }
}

function toView(r: RawOrder): OrderView {
  return {
    id: r.id,
    clientOrderId: r.client_order_id,
    signalId: r.signal_id ?? undefined,
    strategyId: r.strategy_id ?? undefined,
    accountId: r.account_id,
    symbol: r.symbol,
    side: r.side,
    type: r.type,
    quantity: r.quantity,
    timeInForce: r.time_in_force,
    limitPrice: r.limit_price ?? undefined,
    stopPrice: r.stop_price ?? undefined,
    status: r.status,
    filledQuantity: r.filled_quantity,
    averageFillPrice: r.average_fill_price ?? undefined,
    brokerOrderId: r.broker_order_id ?? undefined,
    reason: r.reason ?? undefined,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
