// The built-in paper broker: behaves like a real broker with its own books in SQLite. Orders are matched against
// the prices it is fed and the reference price of market orders (paper-matching.ts). Client order ids are unique
// per account, as at a real broker. Positions are kept at their cost basis, so cash and P&L are exact (cost-basis.ts),
// and their money is counted in the account's currency as sizing values it: contract size, currency, cash or margin
// settlement (paper-valuation.ts, paper-holdings.ts). An order that would open or add to a position the books cannot
// value in the account's currency is refused with the code sizing gives. Everything (orders, fills, cash, positions
// and the terms they are counted with, realised P&L, last prices) is in the database, so the books survive a restart.
import { Decimal } from 'decimal.js';
import type { PaperRepo } from '../../store/paper.js';
import {
  BrokerError,
  type AccountSnapshot,
  type BrokerAdapter,
  type BrokerCapabilities,
  type BrokerOrder,
  type Fill,
  type InstrumentInfo,
  type OrderRequest,
  type OrderUpdate,
  type Position,
} from '../port.js';
import { Money } from './cost-basis.js';
import { PaperHoldings } from './paper-holdings.js';
import { PaperMatching } from './paper-matching.js';
import { DEFAULT_PAPER_CONFIG, PAPER_CAPABILITIES, checkWholeQuantity, isPositive, toBrokerOrder, validate, type PaperConfig } from './paper-terms.js';

export type { PaperConfig };

export class PaperBroker implements BrokerAdapter {
  readonly broker = 'paper';
  readonly capabilities: BrokerCapabilities;
  /** The books are in the agent's database and a submit commits before it returns: an order not in them was never
   *  placed. (The fault wrappers, which play a remote broker, do not pass this on.) */
  readonly authoritativeLookup = true;
  private readonly listeners = new Set<(u: OrderUpdate) => void>();
  private readonly config: PaperConfig;
  private readonly holdings: PaperHoldings;
  private readonly matching: PaperMatching;

  /** `repo` must be on the connection the agent records orders through (its listeners write inside the books'
   *  transaction: see emit()); a second connection would wait for its own lock. */
  constructor(
    readonly id: string,
    private readonly repo: PaperRepo,
    config: Partial<PaperConfig> = {},
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.config = { ...DEFAULT_PAPER_CONFIG, ...config };
    this.capabilities = { ...PAPER_CAPABILITIES, fractional: this.config.fractional, shortSelling: this.config.allowShort };
    repo.ensureAccount(id, this.config.currency, this.config.startingCash);
    this.holdings = new PaperHoldings(repo.account(id).currency, this.config);
    this.matching = new PaperMatching(id, repo, this.config, this.holdings);
  }

  /** Switches split market fills on or off for the orders submitted from now on (see PaperConfig.partialFills). */
  setPartialFills(on: boolean): void {
    this.config.partialFills = on;
  }

  async connect(): Promise<void> {}
  async disconnect(): Promise<void> {}

  onUpdate(listener: (u: OrderUpdate) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private now(): string {
    return this.clock().toISOString();
  }

  /**
   * Cash, and equity: cash plus each position's market value (paid for in cash: stocks, spot crypto) or unrealised
   * P&L (settled on margin: futures, forex, CFDs), in the account's currency; a position without a price seen yet
   * counts at cost. Buying power is the cash not spent on positions, plus or minus the open P&L of margin
   * positions (never below 0); the paper broker asks no margin and refuses no order for want of it.
   */
  async account(): Promise<AccountSnapshot> {
    const a = this.repo.account(this.id);
    let equity = new Money(a.cash);
    let buyingPower = new Money(a.cash);
    for (const p of this.repo.positions(this.id)) {
      const { money, margin } = this.holdings.valued(p);
      equity = equity.plus(money.equity);
      if (margin) buyingPower = buyingPower.plus(money.equity);
    }
    return { currency: a.currency, cash: a.cash, equity: equity.toString(), buyingPower: Decimal.max(0, buyingPower).toString() };
  }

  async instrument(symbol: string): Promise<InstrumentInfo> {
    return this.holdings.facts(symbol);
  }

  /** Feeds a market price (from alerts): updates marks, moves trailing stops, and fills resting orders the price
   *  crosses. Orders are examined in the order they were placed; a fill that cancels an OCO sibling removes it
   *  before it is examined. */
  observePrice(symbol: string, price: string): void {
    if (!isPositive(price)) return;
    const at = this.now();
    const updates: OrderUpdate[] = [];
    const px = new Decimal(price);
    this.repo.transaction(() => {
      this.repo.setPrice(symbol, price, at);
      const pos = this.repo.position(this.id, symbol);
      if (pos) this.repo.setPosition(this.id, { ...pos, lastPrice: price });
      for (const o of this.repo.openOrders(this.id, symbol)) {
        const fresh = this.repo.order(this.id, o.clientOrderId)!;
        if (fresh.status !== 'accepted' && fresh.status !== 'partially_filled') continue;
        updates.push(...this.matching.work(fresh, px, at));
      }
      this.emit(updates);
    });
  }

  async submit(req: OrderRequest): Promise<BrokerOrder> {
    validate(req, this.capabilities);
    checkWholeQuantity(req, this.holdings.facts(req.symbol), () => this.repo.position(this.id, req.symbol)?.quantity ?? '0');
    const at = this.now();
    const updates: OrderUpdate[] = [];
    const result = this.repo.transaction(() => {
      const row = this.matching.place(req, at, updates);
      this.emit(updates);
      return row;
    });
    return toBrokerOrder(result);
  }

  async cancel(clientOrderId: string): Promise<BrokerOrder> {
    const at = this.now();
    const row = this.repo.transaction(() => {
      const o = this.repo.order(this.id, clientOrderId);
      if (!o) throw new BrokerError('not_found', `no order with client order id ${clientOrderId}`);
      if (o.status !== 'accepted' && o.status !== 'partially_filled') {
        throw new BrokerError('rejected', `order ${clientOrderId} is ${o.status} and cannot be canceled`);
      }
      o.status = 'canceled';
      o.updatedAt = at;
      this.repo.updateOrder(o);
      this.emit([{ kind: 'order', order: toBrokerOrder(o) }]);
      return o;
    });
    return toBrokerOrder(row);
  }

  async cancelAll(symbol?: string): Promise<void> {
    for (const o of this.repo.openOrders(this.id, symbol)) {
      try {
        await this.cancel(o.clientOrderId);
      } catch (err) {
        // An OCO sibling canceled by an earlier cancel's side effect is no longer open: nothing to do.
        if (!(err instanceof BrokerError && err.kind === 'rejected')) throw err;
      }
    }
  }

  async orderByClientId(clientOrderId: string): Promise<BrokerOrder | undefined> {
    const o = this.repo.order(this.id, clientOrderId);
    return o && toBrokerOrder(o);
  }

  async openOrders(): Promise<BrokerOrder[]> {
    return this.repo.openOrders(this.id).map(toBrokerOrder);
  }

  async fillsSince(since: string): Promise<Fill[]> {
    return this.repo.fillsSince(this.id, since).map(({ accountId: _a, ...f }) => f);
  }

  /** Positions with their unrealised P&L in the account's currency (left out for one the books cannot value). */
  async positions(): Promise<Position[]> {
    return this.repo.positions(this.id).map((p) => {
      const { averagePrice, money } = this.holdings.valued(p);
      const position: Position = { symbol: p.symbol, quantity: p.quantity, averagePrice, marketPrice: p.lastPrice ?? averagePrice };
      if (money.unrealized) position.unrealizedPnl = money.unrealized.toString();
      return position;
    });
  }

  /** For the contract suite: how many orders the broker holds under one client order id. */
  orderCount(clientOrderId: string): number {
    return this.repo.countByClientId(this.id, clientOrderId);
  }

  /**
   * Tells the listeners (the router) inside the transaction that changed the books: the paper broker lives in the
   * agent's own database, so its books and the agent's record of the orders and fills commit together, in one
   * commit instead of one per update.
   */
  private emit(updates: OrderUpdate[]): void {
    for (const u of updates) for (const l of this.listeners) l(u);
  }
}
