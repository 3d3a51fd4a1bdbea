// The built-in paper broker: behaves like a real broker with its own books in SQLite. Market orders fill at
// the order's reference price (the alert's price) or the last price seen, with slippage against the trader;
// limit, stop, stop-limit and trailing-stop orders are matched against the last price seen (never their own limit
// or stop): one the market has already crossed fills at once (a limit at the market price when that is better),
// the others rest and fill when a later price crosses them. A bracket's
// take-profit and stop-loss are placed after the entry fills and cancel each other. Client order ids are unique
// per account, as at a real broker. Positions are kept at their cost basis, so cash and P&L are exact (cost-basis.ts),
// and their money is counted in the account's currency as sizing values it: contract size, currency, cash or margin
// settlement (paper-valuation.ts). An order that would open or add to a position the books cannot value in the
// account's currency is refused with the code sizing gives. Everything (orders, fills, cash, positions and the terms
// they are counted with, realised P&L, last prices) is in the database, so the books survive a restart.
import { Decimal } from 'decimal.js';
import type { PaperOrderRow, PaperPositionRow, PaperRepo } from '../../store/paper.js';
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
  stopLossShape,
} from '../port.js';
import { crossingPrice, trailStop } from './crossing.js';
import { Money, averagePriceOf } from './cost-basis.js';
import { counted, countingOf, oldBookTerms, paperInstrument, positionMoney, settleFill, termsOf, type Counted, type PositionMoney, type PositionTerms } from './paper-valuation.js';
import { DEFAULT_PAPER_CONFIG, PAPER_CAPABILITIES, checkWholeQuantity, isPositive, toBrokerOrder, validate, type PaperConfig } from './paper-terms.js';

export type { PaperConfig };

/** Suffixes of the client order ids the broker gives a bracket's children. */
export const TAKE_PROFIT_SUFFIX = ':tp';
export const STOP_LOSS_SUFFIX = ':sl';

/** Why a reduce-only order is refused or canceled (or its unfilled rest canceled): the position it reduces is gone. */
export const REDUCE_ONLY_NOTHING_LEFT = 'reduce-only: no position left to reduce';

export class PaperBroker implements BrokerAdapter {
  readonly broker = 'paper';
  readonly capabilities: BrokerCapabilities;
  /** The books are in the agent's database and a submit commits before it returns: an order not in them was never
   *  placed. (The fault wrappers, which play a remote broker, do not pass this on.) */
  readonly authoritativeLookup = true;
  private readonly listeners = new Set<(u: OrderUpdate) => void>();
  private readonly config: PaperConfig;
  /** The account's currency, as its books were opened in (a later config does not change it). */
  private readonly currency: string;
  /** Each position's worth as last computed, by symbol, with the row it was computed from (valued()). */
  private readonly worth = new Map<string, { row: string; value: PositionWorth }>();

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
    this.currency = repo.account(id).currency;
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
      const { money, margin } = this.valued(p);
      equity = equity.plus(money.equity);
      if (margin) buyingPower = buyingPower.plus(money.equity);
    }
    return { currency: a.currency, cash: a.cash, equity: equity.toString(), buyingPower: Decimal.max(0, buyingPower).toString() };
  }

  async instrument(symbol: string): Promise<InstrumentInfo> {
    return this.facts(symbol);
  }

  private facts(symbol: string): InstrumentInfo {
    return paperInstrument(symbol, this.currency, this.config);
  }

  /** How a stored position is counted: with the terms it was opened with (the old books' for a row without). */
  private countedAs(p: PaperPositionRow): Counted {
    return counted(p.symbol, termsOfRow(p) ?? oldBookTerms(this.currency), this.currency);
  }

  /** How a position opened in `symbol` now would be counted. */
  private freshCounting(symbol: string): Counted {
    return counted(symbol, termsOf(this.facts(symbol)), this.currency);
  }

  /** Why the books refuse new exposure in `symbol` (opening or adding to a position), when they cannot count its
   *  money in the account's currency: the code sizing gives for it, with its values. */
  private unvaluable(symbol: string, pos: PaperPositionRow | undefined, side: 'buy' | 'sell'): string | undefined {
    const adds = pos !== undefined && new Decimal(pos.quantity).isNegative() === (side === 'sell');
    const terms = adds ? (termsOfRow(pos) ?? oldBookTerms(this.currency)) : termsOf(this.facts(symbol));
    const v = countingOf(symbol, terms, this.currency);
    if (v.ok) return undefined;
    const values = Object.entries(v.values).map(([k, x]) => `${k}=${x}`).join(', ');
    const why =
      v.code === 'CONTRACT_SIZE_UNKNOWN'
        ? `the size of one contract of ${symbol} is not known, so the paper books cannot count its P&L`
        : `the paper books cannot count ${symbol}'s P&L in ${this.currency} (neither its quote nor its base currency is the account's; they have no exchange rate)`;
    return `${v.code}: ${values}: ${why}. Only exits (reduce-only) are accepted for it.`;
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
        updates.push(...this.work(fresh, px, at));
      }
      this.emit(updates);
    });
  }

  /** One price against one resting order: trail, trigger, fill. Inside a transaction. */
  private work(o: PaperOrderRow, px: Decimal, at: string): OrderUpdate[] {
    let changed = false;
    if (o.type === 'trailing_stop') {
      const next = trailStop(o, px);
      if (next.stopPrice !== o.stopPrice || next.extreme !== o.trailExtreme) {
        o.stopPrice = next.stopPrice;
        o.trailExtreme = next.extreme;
        changed = true;
      }
    }
    const result = crossingPrice(o, px);
    if (result.triggered && !o.triggered) {
      o.triggered = true; // a stop-limit whose stop was hit now rests as a limit order, across restarts too
      changed = true;
    }
    if (result.price) return this.fill(o, result.market ? this.slip(o.side, result.price) : result.price, at);
    if (changed) {
      o.updatedAt = at;
      this.repo.updateOrder(o);
      return [{ kind: 'order', order: toBrokerOrder(o) }];
    }
    return [];
  }

  private slip(side: 'buy' | 'sell', px: Decimal): Decimal {
    const slip = new Money(this.config.slippageBps).div(10_000);
    return new Money(px).times(side === 'buy' ? slip.plus(1) : new Money(1).minus(slip));
  }

  async submit(req: OrderRequest): Promise<BrokerOrder> {
    validate(req, this.capabilities);
    checkWholeQuantity(req, this.facts(req.symbol), () => this.repo.position(this.id, req.symbol)?.quantity ?? '0');
    const at = this.now();
    const updates: OrderUpdate[] = [];
    const result = this.repo.transaction(() => {
      const row = this.place(req, at, updates);
      this.emit(updates);
      return row;
    });
    return toBrokerOrder(result);
  }

  /** The body of submit(), inside its transaction: stores the order and fills it if it can, collecting updates. */
  private place(req: OrderRequest, at: string, updates: OrderUpdate[]): PaperOrderRow {
    if (this.repo.order(this.id, req.clientOrderId)) {
      throw new BrokerError('rejected', `client order id ${req.clientOrderId} has already been used`);
    }
    // A market order's reference price is the market price its alert carried (or the last one known): a market
    // observation. A limit or stop order's is its own limit or stop (what the agent sized it from), which says nothing
    // about where the market is: such an order is matched only against observed prices, and rests while none is known.
    if (req.type === 'market' && isPositive(req.referencePrice)) this.repo.setPrice(req.symbol, req.referencePrice!, at);
    const row = this.newRow(req, at);
    const reason = this.refusal(req);
    if (reason) {
      row.status = 'rejected';
      row.reason = reason;
    }
    this.repo.insertOrder(row);
    updates.push({ kind: 'order', order: toBrokerOrder(row) });
    if (row.status === 'rejected') return row;
    const last = this.repo.price(req.symbol);
    if (req.type === 'market') {
      if (!last) {
        row.status = 'rejected';
        row.reason = `no price known for ${req.symbol}: send the alert with "price": "{{close}}"`;
        this.repo.updateOrder(row);
        updates.push({ kind: 'order', order: toBrokerOrder(row) });
        return row;
      }
      const price = this.slip(req.side, new Decimal(last));
      const first = this.firstPart(row.quantity, req.symbol);
      if (first) updates.push(...this.fill(row, price, at, first));
      updates.push(...this.fill(row, price, at));
    } else if (last) {
      updates.push(...this.work(row, new Decimal(last), at));
    }
    if (row.status === 'accepted' && (req.timeInForce === 'ioc' || req.timeInForce === 'fok')) {
      row.status = 'canceled';
      row.reason = `${req.timeInForce} order could not fill immediately`;
      row.updatedAt = at;
      this.repo.updateOrder(row);
      updates.push({ kind: 'order', order: toBrokerOrder(row) });
    }
    return row;
  }

  private newRow(req: OrderRequest, at: string, extra: Partial<PaperOrderRow> = {}): PaperOrderRow {
    const seq = this.repo.nextSeq(this.id);
    const row: PaperOrderRow = {
      accountId: this.id,
      clientOrderId: req.clientOrderId,
      brokerOrderId: `paper-${this.id}-${seq}`,
      symbol: req.symbol,
      side: req.side,
      type: req.type,
      quantity: new Decimal(req.quantity).toString(),
      filledQuantity: '0',
      status: 'accepted',
      limitPrice: req.limitPrice,
      stopPrice: req.stopPrice,
      request: JSON.stringify(req),
      updatedAt: at,
      trailAmount: req.trailAmount,
      trailPercent: req.trailPercent,
      ...extra,
    };
    if (row.type === 'trailing_stop') {
      const last = this.repo.price(req.symbol) ?? req.referencePrice;
      if (last) Object.assign(row, (({ stopPrice, extreme }) => ({ stopPrice, trailExtreme: extreme }))(trailStop(row, new Decimal(last))));
    }
    return row;
  }

  /** The first part of a split market fill: half the quantity rounded down to the instrument's lot size (whole
   *  contracts for a future), or undefined when the order fills in one piece (split fills off, or a quantity too
   *  small to split). */
  private firstPart(quantity: string, symbol: string): Decimal | undefined {
    if (!this.config.partialFills) return undefined;
    const lot = new Decimal(this.facts(symbol).lotSize);
    const half = new Decimal(quantity).div(2).div(lot).floor().times(lot);
    return half.gt(0) && half.lt(quantity) ? half : undefined;
  }

  /** Why the account refuses the order, if it does (short selling off, reduce-only with nothing to reduce). A
   *  reduce-only order larger than the position is accepted: it fills at most the position (see fill()). */
  private refusal(req: OrderRequest): string | undefined {
    if (req.reduceOnly) return this.reducible(req.symbol, req.side).isZero() ? REDUCE_ONLY_NOTHING_LEFT : undefined;
    const pos = this.repo.position(this.id, req.symbol);
    const unvaluable = this.unvaluable(req.symbol, pos, req.side);
    if (unvaluable) return unvaluable;
    const after = new Decimal(pos?.quantity ?? 0).plus(req.side === 'buy' ? req.quantity : new Decimal(req.quantity).neg());
    if (!this.config.allowShort && after.lt(0)) return 'short selling is not enabled for this paper account';
    return undefined;
  }

  /** How much an order on `side` can reduce: the short for a buy, the long for a sell, zero otherwise. */
  private reducible(symbol: string, side: 'buy' | 'sell'): Decimal {
    const q = new Decimal(this.repo.position(this.id, symbol)?.quantity ?? 0);
    return Decimal.max(0, side === 'buy' ? q.neg() : q);
  }

  /** Cancels `o` (or its unfilled rest) with `reason`. Inside a transaction. */
  private cancelWith(o: PaperOrderRow, reason: string, at: string): OrderUpdate {
    o.status = 'canceled';
    o.reason = reason;
    o.updatedAt = at;
    this.repo.updateOrder(o);
    return { kind: 'order', order: toBrokerOrder(o) };
  }

  /** After a fill moved the position: the symbol's other open reduce-only orders (a bracket's children above all)
   *  that have nothing left to reduce are canceled, as real brokers cancel the exits of a position that is gone. */
  private cancelUnreducible(symbol: string, except: string, at: string): OrderUpdate[] {
    const out: OrderUpdate[] = [];
    for (const o of this.repo.openOrders(this.id, symbol)) {
      if (o.clientOrderId === except || !isReduceOnly(o)) continue;
      if (this.reducible(symbol, o.side).isZero()) out.push(this.cancelWith(o, REDUCE_ONLY_NOTHING_LEFT, at));
    }
    return out;
  }

  /** Fills `part` of `o` (default: the whole remaining quantity) at `price`, updating cash and position. A
   *  reduce-only order fills at most the position it reduces; with none left it is canceled instead, and so is its
   *  rest once it has closed the position. Any fill of an OCO member cancels its siblings (see cancelSiblings());
   *  a fill that leaves other reduce-only orders nothing to reduce cancels them; once the order is complete, a
   *  bracket's children are placed. Inside a transaction. */
  private fill(o: PaperOrderRow, price: Decimal, at: string, part?: Decimal): OrderUpdate[] {
    if (o.status !== 'accepted' && o.status !== 'partially_filled') return [];
    const remaining = new Decimal(o.quantity).minus(o.filledQuantity);
    let qty = part && part.lt(remaining) ? part : remaining;
    const reduceOnly = isReduceOnly(o);
    if (reduceOnly) {
      const room = this.reducible(o.symbol, o.side);
      if (room.isZero()) return [this.cancelWith(o, REDUCE_ONLY_NOTHING_LEFT, at)];
      qty = Decimal.min(qty, room);
    }
    const pos = this.repo.position(this.id, o.symbol);
    // An order that would open or add to a position the books cannot value (placed before they could tell) is
    // canceled rather than filled: its P&L would be counted in the wrong currency.
    if (!reduceOnly) {
      const unvaluable = this.unvaluable(o.symbol, pos, o.side);
      if (unvaluable) return [this.cancelWith(o, unvaluable, at)];
    }
    const commission = new Money(this.config.commissionPerOrder);
    const signed = o.side === 'buy' ? qty : qty.neg();
    const acct = this.repo.account(this.id);
    const held = pos ? this.countedAs(pos) : undefined;
    const fresh = !pos || !reduceOnly ? this.freshCounting(o.symbol) : held!;
    const book = settleFill({ quantity: pos?.quantity ?? 0, costBasis: pos?.costBasis ?? 0 }, signed, price, held ?? fresh, fresh);
    const next = { quantity: book.quantity.toDecimalPlaces(12), costBasis: book.costBasis };
    const cash = new Money(acct.cash).plus(book.cash).minus(commission);
    this.repo.setAccount(this.id, cash.toString(), new Money(acct.realizedPnl).plus(book.realized).minus(commission).toString());
    const terms: PositionTerms = book.fresh ? fresh.terms : held!.terms;
    this.repo.setPosition(this.id, { symbol: o.symbol, quantity: next.quantity.toString(), costBasis: next.costBasis.toString(), averagePrice: averagePriceOf(next), lastPrice: price.toString(), ...rowTerms(terms) });
    const filled = new Decimal(o.filledQuantity).plus(qty);
    const prevAvg = new Decimal(o.averageFillPrice ?? 0);
    o.averageFillPrice = prevAvg.times(o.filledQuantity).plus(qty.times(price)).div(filled).toString();
    o.filledQuantity = filled.toString();
    o.status = filled.gte(o.quantity) ? 'filled' : 'partially_filled';
    o.updatedAt = at;
    this.repo.updateOrder(o);
    const fill: Fill = {
      tradeId: `${o.brokerOrderId}-f${this.repo.nextSeq(this.id)}`,
      clientOrderId: o.clientOrderId,
      brokerOrderId: o.brokerOrderId,
      symbol: o.symbol,
      side: o.side,
      quantity: qty.toString(),
      price: price.toString(),
      commission: commission.toString(),
      time: at,
    };
    this.repo.insertFill({ accountId: this.id, ...fill, commission: fill.commission ?? '0' });
    const updates: OrderUpdate[] = [{ kind: 'fill', fill, order: toBrokerOrder(o) }];
    if (reduceOnly && o.status !== 'filled' && this.reducible(o.symbol, o.side).isZero()) updates.push(this.cancelWith(o, REDUCE_ONLY_NOTHING_LEFT, at));
    if (o.ocoGroup) updates.push(...this.cancelSiblings(o, at));
    updates.push(...this.cancelUnreducible(o.symbol, o.clientOrderId, at));
    if (o.status !== 'filled') return updates;
    updates.push(...this.placeChildren(o, price, at));
    return updates;
  }

  /** After a bracket entry fills: the take-profit (limit) and stop-loss (stop, stop-limit or trailing), one
   *  cancels the other. They exist at the broker only from this moment, as at real brokers. */
  private placeChildren(entry: PaperOrderRow, fillPrice: Decimal, at: string): OrderUpdate[] {
    const req = JSON.parse(entry.request) as OrderRequest;
    if (!req.takeProfit && !req.stopLoss) return [];
    const side = entry.side === 'buy' ? 'sell' : 'buy';
    const base = { symbol: entry.symbol, side, quantity: entry.quantity, timeInForce: 'gtc', reduceOnly: true, referencePrice: fillPrice.toString() } as const;
    const group = req.takeProfit && req.stopLoss ? entry.clientOrderId : undefined;
    const updates: OrderUpdate[] = [];
    const children: OrderRequest[] = [];
    if (req.takeProfit?.limitPrice) children.push({ ...base, clientOrderId: entry.clientOrderId + TAKE_PROFIT_SUFFIX, type: 'limit', limitPrice: req.takeProfit.limitPrice });
    if (req.stopLoss) children.push({ ...base, clientOrderId: entry.clientOrderId + STOP_LOSS_SUFFIX, ...stopLossShape(req.stopLoss) });
    // Both exist before either is matched, so that one filling at once cancels the other before it is examined.
    for (const child of children) {
      const row = this.newRow(child, at, { parentClientOrderId: entry.clientOrderId, ocoGroup: group });
      this.repo.insertOrder(row);
      updates.push({ kind: 'order', order: toBrokerOrder(row) });
    }
    for (const child of children) {
      const row = this.repo.order(this.id, child.clientOrderId)!;
      if (row.status === 'accepted') updates.push(...this.work(row, fillPrice, at));
    }
    return updates;
  }

  /** One-cancels-other: the first fill of a group's member, partial or whole, cancels the other open members at
   *  once (the position they protect is being closed by this one), so no later order of the same matching pass can
   *  fill them. The member that filled keeps its own rest. */
  private cancelSiblings(filled: PaperOrderRow, at: string): OrderUpdate[] {
    const out: OrderUpdate[] = [];
    for (const s of this.repo.ocoSiblings(this.id, filled.ocoGroup!)) {
      if (s.clientOrderId === filled.clientOrderId) continue;
      out.push(this.cancelWith(s, `one-cancels-other: ${filled.clientOrderId} filled`, at));
    }
    return out;
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
      const { averagePrice, money } = this.valued(p);
      const position: Position = { symbol: p.symbol, quantity: p.quantity, averagePrice, marketPrice: p.lastPrice ?? averagePrice };
      if (money.unrealized) position.unrealizedPnl = money.unrealized.toString();
      return position;
    });
  }

  /**
   * A position's worth (positionMoney) and display price, computed again only when its row changed. Every alert asks
   * for the account and its positions (sizing, risk) and changes one position at most (its mark price, a fill): the
   * others are worth what they were, and valuing every one in exact decimals was a tenth of the pipeline's CPU with
   * 16 positions held. The worth is a function of the row's own fields and the account's currency (fixed), so a
   * row equal in every field is worth the same; kept per symbol, the map holds one entry per position.
   */
  private valued(p: PaperPositionRow): PositionWorth {
    const row = [p.quantity, p.costBasis, p.lastPrice, p.contractSize, p.quoteCurrency, p.baseCurrency, p.settlement].join('\u0000');
    const known = this.worth.get(p.symbol);
    if (known?.row === row) return known.value;
    const c = this.countedAs(p);
    const value: PositionWorth = {
      money: positionMoney(p, p.lastPrice, c),
      margin: c.terms.settlement === 'margin',
      averagePrice: averagePriceOf(p), // rounded, for display; the P&L is computed from the cost basis
    };
    this.worth.set(p.symbol, { row, value });
    return value;
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

/** What a position adds to the account (see PaperBroker.valued). */
interface PositionWorth {
  money: PositionMoney;
  /** Settled on margin: its worth moves buying power too. */
  margin: boolean;
  averagePrice: string;
}

/** The terms a stored position was opened with, or undefined for a row written without them. */
function termsOfRow(p: PaperPositionRow): PositionTerms | undefined {
  if (p.settlement === undefined) return undefined;
  return { contractSize: p.contractSize, quoteCurrency: p.quoteCurrency, baseCurrency: p.baseCurrency, settlement: p.settlement };
}

/** A position's terms as the columns it is stored with. */
function rowTerms(t: PositionTerms): Pick<PaperPositionRow, 'contractSize' | 'quoteCurrency' | 'baseCurrency' | 'settlement'> {
  return { contractSize: t.contractSize, quoteCurrency: t.quoteCurrency, baseCurrency: t.baseCurrency, settlement: t.settlement };
}

/** Whether the order was sent reduce-only (a bracket's children always are). */
function isReduceOnly(o: PaperOrderRow): boolean {
  return (JSON.parse(o.request) as OrderRequest).reduceOnly === true;
}
