// Persistence for the built-in paper broker (main/brokers/paper). Decimal values are stored as strings.
import { onTransactionFailed, type Db, type Statement } from './db.js';
import { costFromAverage } from './migrations/012-paper-cost-basis.js';

export interface PaperOrderRow {
  accountId: string;
  clientOrderId: string;
  brokerOrderId: string;
  symbol: string;
  side: 'buy' | 'sell';
  type: string;
  quantity: string;
  filledQuantity: string;
  averageFillPrice?: string;
  status: string;
  limitPrice?: string;
  stopPrice?: string;
  request: string;
  reason?: string;
  updatedAt: string;
  /** A stop-limit whose stop has been hit: it now rests as a limit order. */
  triggered?: boolean;
  trailAmount?: string;
  trailPercent?: string;
  /** Best price seen since a trailing stop was placed (highest for a sell, lowest for a buy). */
  trailExtreme?: string;
  /** Bracket children: the entry they belong to, and the group in which one fill cancels the others. */
  parentClientOrderId?: string;
  ocoGroup?: string;
}

export interface PaperFillRow {
  accountId: string;
  tradeId: string;
  clientOrderId: string;
  brokerOrderId: string;
  symbol: string;
  side: 'buy' | 'sell';
  quantity: string;
  price: string;
  commission: string;
  time: string;
}

export interface PaperPositionRow {
  symbol: string;
  /** Signed: negative for a short. */
  quantity: string;
  /** The signed total cost of the open quantity (positive for a long, negative for a short), exact: P&L and cash are
   *  computed from it. */
  costBasis: string;
  /** For display only: derived from the cost basis by the broker when it writes the position (rounded). */
  averagePrice: string;
  lastPrice?: string;
  /** How the position's money is counted (brokers/paper/paper-valuation.ts), fixed when it opened: the contract
   *  size, the quote and base currency, and whether it is paid for in cash or settles on margin. A row written
   *  without them (by a tool that knows only the old columns) is counted as the books before them counted. */
  contractSize?: string;
  quoteCurrency?: string;
  baseCurrency?: string;
  settlement?: 'cash' | 'margin';
}

type Raw = Record<string, string | null>;
type RawOrder = Record<string, string | number | null>;
const orderFromRaw = (r: RawOrder): PaperOrderRow => ({
  accountId: (r.account_id as string),
  clientOrderId: (r.client_order_id as string),
  brokerOrderId: (r.broker_order_id as string),
  symbol: (r.symbol as string),
  side: (r.side as 'buy' | 'sell'),
  type: (r.type as string),
  quantity: (r.quantity as string),
  filledQuantity: (r.filled_quantity as string),
  averageFillPrice: (r.average_fill_price as string | null) ?? undefined,
  status: (r.status as string),
  limitPrice: (r.limit_price as string | null) ?? undefined,
  stopPrice: (r.stop_price as string | null) ?? undefined,
  request: (r.request as string),
  reason: (r.reason as string | null) ?? undefined,
  updatedAt: r.updated_at as string,
  triggered: r.triggered === 1,
  trailAmount: (r.trail_amount as string | null) ?? undefined,
  trailPercent: (r.trail_percent as string | null) ?? undefined,
  trailExtreme: (r.trail_extreme as string | null) ?? undefined,
  parentClientOrderId: (r.parent_client_order_id as string | null) ?? undefined,
  ocoGroup: (r.oco_group as string | null) ?? undefined,
});

/**
 * Every alert asks the paper broker for its positions and open orders (sizing, risk) and updates a mark price: the
 * books of each account are kept in memory as they are written (write-through), read from the tables once per
 * account, and forgotten after any failed transaction (its writes were rolled back) and whenever another
 * connection committed (SQLite's data_version: a tool editing the file while the agent runs). Only a database
 * opened by openDatabase reports failed transactions; on any other connection every read goes to the tables.
 */
class PaperBooks {
  private readonly positions = new Map<string, Map<string, PaperPositionRow>>();
  private readonly open = new Map<string, Map<string, PaperOrderRow>>();
  private version: unknown;

  constructor(private readonly dataVersion: Statement) {}

  /** Forgets everything when another connection has committed since the last look. */
  private check(): void {
    const v = this.dataVersion.get();
    if (v !== this.version) {
      this.forget();
      this.version = v;
    }
  }

  positionsOf(accountId: string, load: () => PaperPositionRow[]): Map<string, PaperPositionRow> {
    this.check();
    let m = this.positions.get(accountId);
    if (!m) this.positions.set(accountId, (m = new Map(load().map((p) => [p.symbol, p]))));
    return m;
  }

  /** Working orders by client order id, in the order they were placed. */
  openOf(accountId: string, load: () => PaperOrderRow[]): Map<string, PaperOrderRow> {
    this.check();
    let m = this.open.get(accountId);
    if (!m) this.open.set(accountId, (m = new Map(load().map((o) => [o.clientOrderId, o]))));
    return m;
  }

  setPosition(accountId: string, p: PaperPositionRow): void {
    const m = this.positions.get(accountId);
    if (!m) return;
    if (p.quantity === '0') m.delete(p.symbol);
    else m.set(p.symbol, { ...p });
  }

  /** An order inserted (placed last) or updated (in its place): kept while it works, dropped once it does not. */
  setOrder(o: PaperOrderRow, inserted: boolean): void {
    const m = this.open.get(o.accountId);
    if (!m) return;
    if (!isWorking(o.status)) m.delete(o.clientOrderId);
    else if (inserted || m.has(o.clientOrderId)) m.set(o.clientOrderId, { ...o });
    // Working again (not something the paper broker does): its place among the others is read from the table.
    else this.open.delete(o.accountId);
  }

  dropOrder(accountId: string, clientOrderId: string): void {
    this.open.get(accountId)?.delete(clientOrderId);
  }

  forget(): void {
    this.positions.clear();
    this.open.clear();
  }
}

/** A stored position. A row without a cost basis (written by something other than this repository, e.g. a tool
 *  editing the file with the old columns only) gets it from its average as migration 012 derived it. */
const positionFromRaw = (r: Raw): PaperPositionRow => ({
  symbol: r.symbol!,
  quantity: r.quantity!,
  costBasis: r.cost_basis ?? costFromAverage(r.average_price!, r.quantity!),
  averagePrice: r.average_price!,
  lastPrice: r.last_price ?? undefined,
  contractSize: r.contract_size ?? undefined,
  quoteCurrency: r.quote_currency ?? undefined,
  baseCurrency: r.base_currency ?? undefined,
  settlement: (r.settlement as 'cash' | 'margin' | null) ?? undefined,
});

const POSITION_COLUMNS = 'symbol, quantity, cost_basis, average_price, last_price, contract_size, quote_currency, base_currency, settlement';

const isWorking = (status: string): boolean => status === 'accepted' || status === 'partially_filled';
const bySymbol = (a: PaperPositionRow, b: PaperPositionRow): number => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0);

export class PaperRepo {
  private readonly books: PaperBooks | undefined;

  constructor(private readonly db: Db) {
    const books = new PaperBooks(db.prepare('PRAGMA data_version').pluck());
    this.books = onTransactionFailed(db, () => books.forget()) ? books : undefined;
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  ensureAccount(accountId: string, currency: string, cash: string): void {
    this.db.prepare('INSERT OR IGNORE INTO paper_accounts (account_id, currency, cash) VALUES (?, ?, ?)').run(accountId, currency, cash);
  }

  account(accountId: string): { currency: string; cash: string; realizedPnl: string } {
    const r = this.db.prepare('SELECT currency, cash, realized_pnl FROM paper_accounts WHERE account_id = ?').get(accountId) as { currency: string; cash: string; realized_pnl: string };
    return { currency: r.currency, cash: r.cash, realizedPnl: r.realized_pnl };
  }

  setAccount(accountId: string, cash: string, realizedPnl: string): void {
    this.db.prepare('UPDATE paper_accounts SET cash = ?, realized_pnl = ? WHERE account_id = ?').run(cash, realizedPnl, accountId);
  }

  nextSeq(accountId: string): number {
    return (this.db.prepare('UPDATE paper_accounts SET seq = seq + 1 WHERE account_id = ? RETURNING seq').get(accountId) as { seq: number }).seq;
  }

  order(accountId: string, clientOrderId: string): PaperOrderRow | undefined {
    const r = this.db.prepare('SELECT * FROM paper_orders WHERE account_id = ? AND client_order_id = ?').get(accountId, clientOrderId) as RawOrder | undefined;
    return r && orderFromRaw(r);
  }

  openOrders(accountId: string, symbol?: string): PaperOrderRow[] {
    if (!this.books) return this.readOpenOrders(accountId, symbol);
    const all = [...this.books.openOf(accountId, () => this.readOpenOrders(accountId)).values()];
    return (symbol === undefined ? all : all.filter((o) => o.symbol === symbol)).map((o) => ({ ...o }));
  }

  private readOpenOrders(accountId: string, symbol?: string): PaperOrderRow[] {
    const sql = `SELECT * FROM paper_orders WHERE account_id = ? AND status IN ('accepted', 'partially_filled')${symbol ? ' AND symbol = ?' : ''} ORDER BY rowid`;
    return (this.db.prepare(sql).all(...(symbol ? [accountId, symbol] : [accountId])) as RawOrder[]).map(orderFromRaw);
  }

  /** Working orders in a one-cancels-other group. */
  ocoSiblings(accountId: string, group: string): PaperOrderRow[] {
    return (this.db.prepare("SELECT * FROM paper_orders WHERE account_id = ? AND oco_group = ? AND status IN ('accepted', 'partially_filled') ORDER BY rowid").all(accountId, group) as RawOrder[]).map(orderFromRaw);
  }

  /** Every order the broker holds for the account (the test suites compare books with the agent's). */
  allOrders(accountId: string): PaperOrderRow[] {
    return (this.db.prepare('SELECT * FROM paper_orders WHERE account_id = ? ORDER BY rowid').all(accountId) as RawOrder[]).map(orderFromRaw);
  }

  countByClientId(accountId: string, clientOrderId: string): number {
    return (this.db.prepare('SELECT count(*) AS n FROM paper_orders WHERE account_id = ? AND client_order_id = ?').get(accountId, clientOrderId) as { n: number }).n;
  }

  insertOrder(o: PaperOrderRow): void {
    this.db
      .prepare(
        `INSERT INTO paper_orders (account_id, client_order_id, broker_order_id, symbol, side, type, quantity, filled_quantity, average_fill_price, status, limit_price, stop_price, request, reason, updated_at, triggered, trail_amount, trail_percent, trail_extreme, parent_client_order_id, oco_group)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(o.accountId, o.clientOrderId, o.brokerOrderId, o.symbol, o.side, o.type, o.quantity, o.filledQuantity, o.averageFillPrice ?? null, o.status, o.limitPrice ?? null, o.stopPrice ?? null, o.request, o.reason ?? null, o.updatedAt, o.triggered ? 1 : 0, o.trailAmount ?? null, o.trailPercent ?? null, o.trailExtreme ?? null, o.parentClientOrderId ?? null, o.ocoGroup ?? null);
    this.books?.setOrder(o, true);
  }

  updateOrder(o: PaperOrderRow): void {
    this.db
      .prepare('UPDATE paper_orders SET filled_quantity = ?, average_fill_price = ?, status = ?, reason = ?, stop_price = ?, triggered = ?, trail_extreme = ?, updated_at = ? WHERE account_id = ? AND client_order_id = ?')
      .run(o.filledQuantity, o.averageFillPrice ?? null, o.status, o.reason ?? null, o.stopPrice ?? null, o.triggered ? 1 : 0, o.trailExtreme ?? null, o.updatedAt, o.accountId, o.clientOrderId);
    if (!this.books) return;
    // A working order is cached as stored (only the fields above were written); a finished one is dropped.
    const stored = isWorking(o.status) ? this.order(o.accountId, o.clientOrderId) : undefined;
    if (stored) this.books.setOrder(stored, false);
    else this.books.dropOrder(o.accountId, o.clientOrderId);
  }

  insertFill(f: PaperFillRow): void {
    this.db
      .prepare('INSERT INTO paper_fills (account_id, trade_id, client_order_id, broker_order_id, symbol, side, quantity, price, commission, time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(f.accountId, f.tradeId, f.clientOrderId, f.brokerOrderId, f.symbol, f.side, f.quantity, f.price, f.commission, f.time);
  }

  fillsSince(accountId: string, since: string): PaperFillRow[] {
    const rows = this.db.prepare('SELECT * FROM paper_fills WHERE account_id = ? AND time >= ? ORDER BY time, rowid').all(accountId, since) as Raw[];
    return rows.map((r) => ({
      accountId: r.account_id!,
      tradeId: r.trade_id!,
      clientOrderId: r.client_order_id!,
      brokerOrderId: r.broker_order_id!,
      symbol: r.symbol!,
      side: r.side as 'buy' | 'sell',
      quantity: r.quantity!,
      price: r.price!,
      commission: r.commission!,
      time: r.time!,
    }));
  }

  position(accountId: string, symbol: string): PaperPositionRow | undefined {
    if (!this.books) return this.readPosition(accountId, symbol);
    const p = this.books.positionsOf(accountId, () => this.readPositions(accountId)).get(symbol);
    return p && { ...p };
  }

  private readPosition(accountId: string, symbol: string): PaperPositionRow | undefined {
    const r = this.db.prepare(`SELECT ${POSITION_COLUMNS} FROM paper_positions WHERE account_id = ? AND symbol = ?`).get(accountId, symbol) as Raw | undefined;
    return r && positionFromRaw(r);
  }

  positions(accountId: string): PaperPositionRow[] {
    if (!this.books) return this.readPositions(accountId);
    return [...this.books.positionsOf(accountId, () => this.readPositions(accountId)).values()].sort(bySymbol).map((p) => ({ ...p }));
  }

  private readPositions(accountId: string): PaperPositionRow[] {
    return (this.db.prepare(`SELECT ${POSITION_COLUMNS} FROM paper_positions WHERE account_id = ? ORDER BY symbol`).all(accountId) as Raw[]).map(positionFromRaw);
  }

  setPosition(accountId: string, p: PaperPositionRow): void {
    if (p.quantity === '0') {
      this.db.prepare('DELETE FROM paper_positions WHERE account_id = ? AND symbol = ?').run(accountId, p.symbol);
    } else {
      this.db
        .prepare(
          `INSERT INTO paper_positions (account_id, ${POSITION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(account_id, symbol) DO UPDATE SET quantity = excluded.quantity, cost_basis = excluded.cost_basis, average_price = excluded.average_price, last_price = excluded.last_price, contract_size = excluded.contract_size, quote_currency = excluded.quote_currency, base_currency = excluded.base_currency, settlement = excluded.settlement`,
        )
        .run(accountId, p.symbol, p.quantity, p.costBasis, p.averagePrice, p.lastPrice ?? null, p.contractSize ?? null, p.quoteCurrency ?? null, p.baseCurrency ?? null, p.settlement ?? null);
    }
    const { symbol, quantity, costBasis, averagePrice, lastPrice, contractSize, quoteCurrency, baseCurrency, settlement } = p;
    this.books?.setPosition(accountId, { symbol, quantity, costBasis, averagePrice, lastPrice, contractSize, quoteCurrency, baseCurrency, settlement });
  }

  setPrice(symbol: string, price: string, at: string): void {
    this.db.prepare('INSERT INTO paper_prices (symbol, price, at) VALUES (?, ?, ?) ON CONFLICT(symbol) DO UPDATE SET price = excluded.price, at = excluded.at').run(symbol, price, at);
  }

  price(symbol: string): string | undefined {
    return (this.db.prepare('SELECT price FROM paper_prices WHERE symbol = ?').get(symbol) as { price: string } | undefined)?.price;
  }
}
