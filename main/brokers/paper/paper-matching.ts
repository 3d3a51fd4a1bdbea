// How the paper books meet prices. Market orders fill at the order's reference price (the alert's price) or the last
// price seen, with slippage against the trader; limit, stop, stop-limit and trailing-stop orders are matched against
// the last price seen (never their own limit or stop): one the market has already crossed fills at once (a limit at
// the market price when that is better), the others rest and fill when a later price crosses them. A bracket's
// take-profit and stop-loss are placed after the entry fills and cancel each other. Every method runs inside the
// books' transaction (paper-broker.ts opens it) and returns the updates it made.
import { Decimal } from 'decimal.js';
import type { PaperOrderRow, PaperRepo } from '../../store/paper.js';
import { BrokerError, type Fill, type OrderRequest, type OrderUpdate, stopLossShape } from '../port.js';
import { crossingPrice, trailStop } from './crossing.js';
import { Money, averagePriceOf } from './cost-basis.js';
import { rowTerms, type PaperHoldings } from './paper-holdings.js';
import { settleFill, type PositionTerms } from './paper-valuation.js';
import { isPositive, toBrokerOrder, type PaperConfig } from './paper-terms.js';

/** Suffixes of the client order ids the broker gives a bracket's children. */
export const TAKE_PROFIT_SUFFIX = ':tp';
export const STOP_LOSS_SUFFIX = ':sl';

/** Why a reduce-only order is refused or canceled (or its unfilled rest canceled): the position it reduces is gone. */
export const REDUCE_ONLY_NOTHING_LEFT = 'reduce-only: no position left to reduce';

export class PaperMatching {
  constructor(
    private readonly id: string,
    private readonly repo: PaperRepo,
    private readonly config: PaperConfig,
    private readonly holdings: PaperHoldings,
  ) {}

  /** One price against one resting order: trail, trigger, fill. Inside a transaction. */
  work(o: PaperOrderRow, px: Decimal, at: string): OrderUpdate[] {
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

  /** The body of submit(), inside its transaction: stores the order and fills it if it can, collecting updates. */
  place(req: OrderRequest, at: string, updates: OrderUpdate[]): PaperOrderRow {
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
    const lot = new Decimal(this.holdings.facts(symbol).lotSize);
    const half = new Decimal(quantity).div(2).div(lot).floor().times(lot);
    return half.gt(0) && half.lt(quantity) ? half : undefined;
  }

  /** Why the account refuses the order, if it does (short selling off, reduce-only with nothing to reduce). A
   *  reduce-only order larger than the position is accepted: it fills at most the position (see fill()). */
  private refusal(req: OrderRequest): string | undefined {
    if (req.reduceOnly) return this.reducible(req.symbol, req.side).isZero() ? REDUCE_ONLY_NOTHING_LEFT : undefined;
    const pos = this.repo.position(this.id, req.symbol);
    const unvaluable = this.holdings.unvaluable(req.symbol, pos, req.side);
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
      const unvaluable = this.holdings.unvaluable(o.symbol, pos, o.side);
      if (unvaluable) return [this.cancelWith(o, unvaluable, at)];
    }
    const commission = new Money(this.config.commissionPerOrder);
    const signed = o.side === 'buy' ? qty : qty.neg();
    const acct = this.repo.account(this.id);
    const held = pos ? this.holdings.countedAs(pos) : undefined;
    const fresh = !pos || !reduceOnly ? this.holdings.freshCounting(o.symbol) : held!;
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
}

/** Whether the order was sent reduce-only (a bracket's children always are). */
function isReduceOnly(o: PaperOrderRow): boolean {
  return (JSON.parse(o.request) as OrderRequest).reduceOnly === true;
}
