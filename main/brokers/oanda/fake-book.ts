// The fake v20 account's books: orders, trades, transactions, positions and balance, in memory. Orders are
// validated as v20 documents (units precision and minimum, price / take-profit / stop-loss precision against the
// instrument, time in force per order type, a clientExtensions.id not held by another *pending* order). Fills open,
// reduce and close trades (FIFO, as on a non-hedging account), or, with `hedging` (an account whose hedgingEnabled is
// true), per the order's positionFill: DEFAULT is OPEN_ONLY there (a new trade, even against an open one of the other
// side), REDUCE_FIRST reduces the other side's trades before opening, REDUCE_ONLY only reduces (v20
// OrderPositionFill; UnitsAvailable: "For an Account with hedging enabled, [DEFAULT] will be the same as the
// OPEN_ONLY value"). A hedging account's position has a long and a short side at once. A fill that opens a trade from an order with
// takeProfitOnFill / stopLossOnFill / trailingStopLossOnFill creates the dependent TAKE_PROFIT / STOP_LOSS /
// TRAILING_STOP_LOSS orders (reason ON_FILL, tradeID, the details' clientExtensions); one whose price is reached fills
// and closes the trade, and the trade's other dependents are cancelled with LINKED_TRADE_CLOSED. Dependent orders
// carry no instrument or units, as in v20: they belong to their trade. Every transaction goes to the stream.
import { Decimal } from 'decimal.js';
import { FaultPlan } from '../contract/faults.js';
import { FakeTransactionStream } from './fake-stream.js';
import { closePosition } from './fake-close-position.js';
import { DEPENDENT_TYPES, INSTRUMENTS, NUMBER, ON_FILL, Reject, decimals, type Ext, type FakeOrder, type FakeTrade, type Instrument, type OnFill, type Txn } from './fake-wire.js';
/** The value of `units` of an instrument in the account's currency (USD): margin is counted in it. A USD-quoted
 *  instrument is worth units × price; USD_JPY's units are US dollars already. */
function usdValue(instrument: string, units: Decimal.Value, price: Decimal.Value): Decimal {
  const u = new Decimal(units).abs();
  return instrument.startsWith('USD_') ? u : u.mul(price);
}

export class FakeOandaBook {
  readonly faults = new FaultPlan();
  readonly orders = new Map<string, FakeOrder>();
  readonly trades = new Map<string, FakeTrade>();
  readonly transactions: Txn[] = [];
  readonly positions = new Map<string, { units: Decimal; cost: Decimal }>();
  readonly prices = new Map<string, string>([['EUR_USD', '1.10000'], ['USD_JPY', '150.000'], ['XAU_USD', '2000.000'], ['US30_USD', '38000.0']]);
  /** Units a market order can fill at once per instrument (unlimited when absent): past it a FOK market order is
   *  cancelled whole and an IOC one fills what there is and has the rest cancelled, both INSUFFICIENT_LIQUIDITY. */
  readonly liquidity = new Map<string, Decimal>();
  balance: Decimal;
  /** The last transaction's id: v20 numbers them in order. */
  seq = 100;
  /** The transactions stream: every transaction written is published to it. */
  readonly stream = new FakeTransactionStream(this.faults, () => String(this.seq));

  constructor(
    readonly accountId: string,
    balance: string | undefined,
    /** A hedging account (v20 Account.hedgingEnabled): a long and a short position in one instrument at once. */
    readonly hedging = false,
  ) {
    this.balance = new Decimal(balance ?? '100000');
  }

  countByClientId(clientId: string): number {
    return [...this.orders.values()].filter((o) => o.clientExtensions?.id === clientId).length;
  }

  /** The orders holding this clientExtensions.id, oldest first (v20 lets a final order's id be used again). */
  ordersByClientId(clientId: string): FakeOrder[] {
    return [...this.orders.values()].filter((o) => o.clientExtensions?.id === clientId);
  }

  setPrice(instrument: string, price: string): void {
    this.prices.set(instrument, price);
    for (const order of [...this.orders.values()]) if (order.state === 'PENDING') this.tryFill(order);
  }

  /** The open trades of an instrument, oldest first. */
  openTrades(instrument: string): FakeTrade[] {
    return [...this.trades.values()].filter((t) => t.state === 'OPEN' && t.instrument === instrument);
  }

  /** A hedging account's position in an instrument, side by side (v20 Position.long / .short): the units (the short
   *  side's negative) and the volume-weighted average of the open trades' prices. */
  sides(instrument: string): { long: { units: Decimal; cost: Decimal }; short: { units: Decimal; cost: Decimal } } {
    const out = { long: { units: new Decimal(0), cost: new Decimal(0) }, short: { units: new Decimal(0), cost: new Decimal(0) } };
    for (const t of this.openTrades(instrument)) {
      const side = t.currentUnits.isNeg() ? out.short : out.long;
      side.units = side.units.plus(t.currentUnits);
      side.cost = side.cost.plus(t.currentUnits.mul(t.price));
    }
    return out;
  }

  /** The instruments with open trades. */
  tradedInstruments(): string[] {
    return [...new Set([...this.trades.values()].filter((t) => t.state === 'OPEN').map((t) => t.instrument))];
  }

  marginUsed(): Decimal {
    if (this.hedging) {
      // Counted on every open trade (both sides): the fake does not model v20's reduced margin on a hedged pair.
      return [...this.trades.values()].filter((t) => t.state === 'OPEN').reduce((s, t) => s.plus(usdValue(t.instrument, t.currentUnits, this.prices.get(t.instrument)!).mul(INSTRUMENTS.find((x) => x.name === t.instrument)!.marginRate)), new Decimal(0));
    }
    return [...this.positions.entries()].reduce((s, [i, p]) => s.plus(usdValue(i, p.units, this.prices.get(i)!).mul(INSTRUMENTS.find((x) => x.name === i)!.marginRate)), new Decimal(0));
  }

  pending(): FakeOrder[] {
    return [...this.orders.values()].filter((o) => o.state === 'PENDING');
  }

  /** "@<client id>" names the pending order holding the id, else the latest one that held it. */
  find(spec: string): FakeOrder | undefined {
    if (!spec.startsWith('@')) return this.orders.get(spec);
    const all = this.ordersByClientId(spec.slice(1));
    return all.find((o) => o.state === 'PENDING') ?? all.at(-1);
  }

  private pendingHolds(clientId: string): boolean {
    return [...this.orders.values()].some((o) => o.state === 'PENDING' && o.clientExtensions?.id === clientId);
  }

  findTrade(spec: string): FakeTrade | undefined {
    if (!spec.startsWith('@')) return this.trades.get(spec);
    const all = [...this.trades.values()].filter((t) => t.clientExtensions?.id === spec.slice(1));
    return all.find((t) => t.state === 'OPEN') ?? all.at(-1);
  }

  txn(fields: Record<string, unknown>, publish = true): Txn {
    this.seq += 1;
    const t: Txn = { id: String(this.seq), time: new Date().toISOString(), accountID: this.accountId, userID: 1, batchID: String(this.seq), ...fields } as unknown as Txn;
    this.transactions.push(t);
    if (publish) this.stream.publish(t);
    return t;
  }

  validate(body: Record<string, unknown>): { order: FakeOrder; instrument: Instrument } {
    const o = (body.order ?? {}) as Record<string, unknown>;
    const type = String(o.type ?? '');
    if (!['MARKET', 'LIMIT', 'STOP', 'MARKET_IF_TOUCHED'].includes(type)) throw new Reject('INVALID_ORDER_TYPE', "Invalid value specified for 'type'");
    const instrument = INSTRUMENTS.find((i) => i.name === o.instrument);
    if (!instrument) throw new Reject('INSTRUMENT_UNKNOWN', "Invalid value specified for 'instrument'");
    const units = String(o.units ?? '');
    if (!NUMBER.test(units)) throw new Reject('UNITS_INVALID', "Invalid value specified for 'units'");
    if (new Decimal(units).isZero()) throw new Reject('UNITS_INVALID', 'The units specified cannot be zero');
    if (decimals(units) > instrument.tradeUnitsPrecision) throw new Reject('UNITS_PRECISION_EXCEEDED', 'The units specified contain more precision than is allowed for the instrument');
    if (new Decimal(units).abs().lt(instrument.minimumTradeSize)) throw new Reject('UNITS_MINIMUM_NOT_MET', 'The units specified is less than the minimum trade size for the instrument');
    const tif = String(o.timeInForce ?? (type === 'MARKET' ? 'FOK' : 'GTC'));
    if (type === 'MARKET' && tif !== 'FOK' && tif !== 'IOC') throw new Reject('TIME_IN_FORCE_INVALID', 'The time in force specified is not valid for a Market Order');
    if (!['GTC', 'GTD', 'GFD', 'FOK', 'IOC'].includes(tif)) throw new Reject('TIME_IN_FORCE_INVALID', "Invalid value specified for 'timeInForce'");
    const price = o.price === undefined ? undefined : String(o.price);
    if (type !== 'MARKET') {
      if (price === undefined) throw new Reject('PRICE_MISSING', 'A price must be specified for this order type');
      if (!NUMBER.test(price) || new Decimal(price).lte(0)) throw new Reject('PRICE_INVALID', "Invalid value specified for 'price'");
      if (decimals(price) > instrument.displayPrecision) throw new Reject('PRICE_PRECISION_EXCEEDED', 'The price specified contains more precision than is allowed for the instrument');
    }
    const tp = o.takeProfitOnFill as OnFill | undefined;
    const sl = o.stopLossOnFill as OnFill | undefined;
    const ts = o.trailingStopLossOnFill as OnFill | undefined;
    if (tp && (typeof tp.price !== 'string' || decimals(tp.price) > instrument.displayPrecision)) throw new Reject('TAKE_PROFIT_ON_FILL_PRICE_PRECISION_EXCEEDED', 'The Take Profit on fill specifies a price with more precision than is allowed by the instrument');
    if (sl && sl.price !== undefined && (typeof sl.price !== 'string' || decimals(sl.price) > instrument.displayPrecision)) throw new Reject('STOP_LOSS_ON_FILL_PRICE_PRECISION_EXCEEDED', 'The Stop Loss on fill specifies a price with more precision than is allowed by the instrument');
    if (sl && sl.price === undefined && sl.distance === undefined) throw new Reject('STOP_LOSS_ON_FILL_PRICE_MISSING', 'The Stop Loss on fill needs a price or a distance');
    if (ts && typeof ts.distance !== 'string') throw new Reject('TRAILING_STOP_LOSS_ON_FILL_PRICE_DISTANCE_MISSING', 'The Trailing Stop Loss on fill needs a distance');
    const ext = o.clientExtensions as { id?: unknown; tag?: unknown; comment?: unknown } | undefined;
    const validId = (id: unknown): boolean => typeof id === 'string' && id.length > 0 && id.length <= 128;
    if (ext?.id !== undefined) {
      if (!validId(ext.id)) throw new Reject('CLIENT_ORDER_ID_INVALID', 'The client Order ID specified is invalid');
      // v20 refuses an id only while another *pending* order holds it; a filled or cancelled order's id is free.
      if (this.pendingHolds(String(ext.id))) throw new Reject('CLIENT_ORDER_ID_ALREADY_EXISTS', 'The client Order ID specified is already assigned to another pending Order');
    }
    const ids: string[] = ext?.id === undefined ? [] : [String(ext.id)];
    for (const [field, dependent] of ON_FILL) {
      const id = (o[field] as OnFill | undefined)?.clientExtensions?.id;
      if (id === undefined) continue;
      if (!validId(id)) throw new Reject(`${dependent}_ON_FILL_CLIENT_ORDER_ID_INVALID`, `The client Order ID specified for the ${dependent.toLowerCase().replaceAll('_', ' ')} on fill is invalid`);
      ids.push(id);
    }
    if (new Set(ids).size !== ids.length) throw new Reject('ORDERS_ON_FILL_DUPLICATE_CLIENT_ORDER_IDS', 'Multiple Orders on fill share the same client Order ID');
    const tradeExt = o.tradeClientExtensions as Ext | undefined;
    if (tradeExt?.id !== undefined && !validId(tradeExt.id)) throw new Reject('CLIENT_TRADE_ID_INVALID', 'The client Trade ID specified is invalid');
    const positionFill = String(o.positionFill ?? 'DEFAULT');
    if (!['DEFAULT', 'OPEN_ONLY', 'REDUCE_FIRST', 'REDUCE_ONLY'].includes(positionFill)) throw new Reject('POSITION_FILL_INVALID', "Invalid value specified for 'positionFill'");
    const order: FakeOrder = { id: '', createTime: '', state: 'PENDING', type, instrument: instrument.name, units: new Decimal(units).toString(), timeInForce: tif, positionFill };
    if (price !== undefined) order.price = price;
    if (ext?.id !== undefined) order.clientExtensions = { id: String(ext.id) };
    if (tradeExt?.id !== undefined) order.tradeClientExtensions = { id: tradeExt.id };
    const details = (d: OnFill): OnFill => {
      const out: OnFill = {};
      if (d.price !== undefined) out.price = String(d.price);
      if (d.distance !== undefined) out.distance = String(d.distance);
      if (d.timeInForce !== undefined) out.timeInForce = String(d.timeInForce);
      if (d.clientExtensions?.id !== undefined) out.clientExtensions = { id: d.clientExtensions.id };
      return out;
    };
    if (tp) order.takeProfitOnFill = details(tp);
    if (sl) order.stopLossOnFill = details(sl);
    if (ts) order.trailingStopLossOnFill = details(ts);
    return { order, instrument };
  }

  cancelOrder(order: FakeOrder, reason: string): Txn {
    const t = this.txn({ type: 'ORDER_CANCEL', orderID: order.id, clientOrderID: order.clientExtensions?.id, reason });
    order.state = 'CANCELLED';
    order.cancelledTime = t.time;
    order.cancellingTransactionID = t.id;
    this.unlink(order);
    this.stream.flushHeld(order.id);
    return t;
  }

  /** A dependent order that is no longer pending is no longer its trade's take-profit / stop-loss. */
  private unlink(order: FakeOrder): void {
    const trade = order.tradeID === undefined ? undefined : this.trades.get(order.tradeID);
    if (!trade) return;
    if (trade.takeProfitOrderID === order.id) delete trade.takeProfitOrderID;
    if (trade.stopLossOrderID === order.id) delete trade.stopLossOrderID;
    if (trade.trailingStopLossOrderID === order.id) delete trade.trailingStopLossOrderID;
  }

  /** Fills a marketable order; a market order that cannot fill is cancelled with a reason, as v20 does. An IOC market
   *  order larger than the liquidity fills in part and the rest is cancelled: the order ends CANCELLED, and the
   *  create answer carries both the orderFillTransaction and the orderCancelTransaction (v20's TimeInForce IOC,
   *  "immediately partially filled or cancelled"). */
  tryFill(order: FakeOrder): { fill?: Txn; cancel?: Txn } {
    if (DEPENDENT_TYPES.has(order.type)) return this.tryFillDependent(order);
    const price = new Decimal(this.prices.get(order.instrument)!);
    const units = new Decimal(order.units);
    const long = units.gt(0);
    if (order.type !== 'MARKET') {
      const limit = new Decimal(order.price!);
      const crossed = order.type === 'LIMIT' || order.type === 'MARKET_IF_TOUCHED' ? (long ? price.lte(limit) : price.gte(limit)) : long ? price.gte(limit) : price.lte(limit);
      // FOK / IOC: filled at once or cancelled (v20 TimeInForce), never left pending. v20 does not document the
      // cancel's reason for this; TIME_IN_FORCE_EXPIRED is the OrderCancelReason that fits.
      if (!crossed) return order.timeInForce === 'FOK' || order.timeInForce === 'IOC' ? { cancel: this.cancelOrder(order, 'TIME_IN_FORCE_EXPIRED') } : {};
    }
    const instrument = INSTRUMENTS.find((i) => i.name === order.instrument)!;
    const current = this.positions.get(order.instrument)?.units ?? new Decimal(0);
    // What the fill may reduce: the net position's other side, or on a hedging account the other side's trades.
    const reducible = this.hedging ? this.openTrades(order.instrument).filter((t) => t.currentUnits.isNeg() === long).reduce((s, t) => s.plus(t.currentUnits.abs()), new Decimal(0)) : current.isZero() || current.gt(0) === long ? new Decimal(0) : current.abs();
    const fillMode = this.fillMode(order);
    if (fillMode === 'REDUCE_ONLY' && reducible.isZero()) return { cancel: this.cancelOrder(order, 'REDUCE_ONLY_NOT_REDUCING') };
    const addsExposure = (this.hedging && fillMode === 'OPEN_ONLY') || reducible.isZero();
    if (addsExposure && usdValue(instrument.name, units, price).mul(instrument.marginRate).gt(this.balance.minus(this.marginUsed()))) return { cancel: this.cancelOrder(order, 'INSUFFICIENT_MARGIN') };
    if (order.takeProfitOnFill?.price !== undefined && (long ? new Decimal(order.takeProfitOnFill.price).lte(price) : new Decimal(order.takeProfitOnFill.price).gte(price))) return { cancel: this.cancelOrder(order, 'TAKE_PROFIT_ON_FILL_LOSS') };
    if (order.stopLossOnFill?.price !== undefined && (long ? new Decimal(order.stopLossOnFill.price).gte(price) : new Decimal(order.stopLossOnFill.price).lte(price))) return { cancel: this.cancelOrder(order, 'STOP_LOSS_ON_FILL_LOSS') };
    // The dependents' client ids must be free when they are created (checked at the fill, as v20 does).
    for (const [field, dependent] of ON_FILL) {
      const id = order[field]?.clientExtensions?.id;
      if (id !== undefined && this.pendingHolds(id)) return { cancel: this.cancelOrder(order, `${dependent}_ON_FILL_CLIENT_ORDER_ID_ALREADY_EXISTS`) };
    }
    const tradeId = order.tradeClientExtensions?.id;
    if (tradeId !== undefined && [...this.trades.values()].some((t) => t.state === 'OPEN' && t.clientExtensions?.id === tradeId)) return { cancel: this.cancelOrder(order, 'CLIENT_TRADE_ID_ALREADY_EXISTS') };
    const available = order.type === 'MARKET' ? this.liquidity.get(order.instrument) : undefined;
    const short = available !== undefined && units.abs().gt(available);
    if (short && (order.timeInForce !== 'IOC' || available.isZero())) return { cancel: this.cancelOrder(order, 'INSUFFICIENT_LIQUIDITY') };
    const fillPrice = order.type === 'LIMIT' ? (long ? Decimal.min(price, order.price!) : Decimal.max(price, order.price!)) : price;
    // Split fills (a fault for the contract suite) only for orders without dependents: each part would open its
    // own trade, and two sets of dependents cannot share one set of client ids.
    const hasDependents = ON_FILL.some(([field]) => order[field] !== undefined);
    if (short) {
      const fill = this.book(order, long ? available : available.neg(), fillPrice);
      // v20 shows fillingTransactionID, filledTime and the trade ids only on a FILLED order.
      for (const field of ['fillingTransactionID', 'filledTime', 'tradeOpenedID', 'tradeReducedID', 'tradeClosedIDs'] as const) delete order[field];
      return { fill, cancel: this.cancelOrder(order, 'INSUFFICIENT_LIQUIDITY') };
    }
    const parts = this.faults.partialFills && order.type === 'MARKET' && units.abs().gt(1) && !hasDependents ? [units.div(2).trunc(), units.minus(units.div(2).trunc())] : [units];
    let first: Txn | undefined;
    for (const part of parts) {
      const fill = this.book(order, part, fillPrice);
      first ??= fill;
    }
    order.state = 'FILLED';
    this.stream.flushHeld(order.id);
    return { fill: first! };
  }

  /** What the account holds of an instrument, each side on its own (the short side's units negative): from the open
   *  trades on a hedging account, from the net position otherwise. */
  heldSides(instrument: string): { long: Decimal; short: Decimal } {
    if (this.hedging) {
      const { long, short } = this.sides(instrument);
      return { long: long.units, short: short.units };
    }
    const units = this.positions.get(instrument)?.units ?? new Decimal(0);
    return { long: units.gt(0) ? units : new Decimal(0), short: units.lt(0) ? units : new Decimal(0) };
  }

  /** PUT /positions/{instrument}/close (v20 ClosePosition): fake-close-position.ts. */
  closePosition(instrument: string, body: Record<string, unknown>): { status: number; body: Record<string, unknown> } {
    return closePosition(this, instrument, body);
  }

  /** A take-profit, stop-loss or trailing stop-loss closes its whole trade once the price reaches it. */
  private tryFillDependent(order: FakeOrder): { fill?: Txn } {
    const trade = this.trades.get(order.tradeID ?? '');
    if (!trade || trade.state !== 'OPEN') return {};
    const price = new Decimal(this.prices.get(trade.instrument)!);
    const long = trade.currentUnits.gt(0);
    let reached: boolean;
    if (order.type === 'TRAILING_STOP_LOSS') {
      // The trigger follows the market by `distance` in the trade's favour and never moves back.
      const distance = new Decimal(order.distance!);
      const follow = long ? price.minus(distance) : price.plus(distance);
      const value = new Decimal(order.trailingStopValue ?? follow);
      const next = long ? Decimal.max(value, follow) : Decimal.min(value, follow);
      order.trailingStopValue = next.toString();
      reached = long ? price.lte(next) : price.gte(next);
    } else {
      const level = new Decimal(order.price!);
      reached = order.type === 'TAKE_PROFIT' ? (long ? price.gte(level) : price.lte(level)) : long ? price.lte(level) : price.gte(level);
    }
    if (!reached) return {};
    const fill = this.book(order, trade.currentUnits.neg(), price, trade);
    order.state = 'FILLED';
    this.unlink(order);
    this.stream.flushHeld(order.id);
    return { fill };
  }

  /**
   * Books one fill of `units` at `price`: closes or reduces the open trades on the other side first (oldest
   * first; only `only` for a dependent order), opens a trade with what is left, writes the ORDER_FILL, then
   * cancels the dependents of every trade it closed (LINKED_TRADE_CLOSED) and creates the new trade's dependents.
   */
  private book(order: FakeOrder, units: Decimal, price: Decimal, only?: FakeTrade): Txn {
    const fillId = String(this.seq + 1); // the ORDER_FILL written below; v20 names the trade it opens after it
    // On a hedging account OPEN_ONLY (and DEFAULT) opens a trade of its own, whatever the other side holds.
    const reduces = only !== undefined || !this.hedging || this.fillMode(order) !== 'OPEN_ONLY';
    const against = only ? [only] : reduces ? this.openTrades(order.instrument).filter((t) => t.currentUnits.isNeg() !== units.isNeg()) : [];
    const closed: Record<string, string>[] = [];
    let reduced: Record<string, string> | undefined;
    const closing: { trade: FakeTrade; units: Decimal; pl: Decimal }[] = [];
    let left = units;
    for (const trade of against) {
      if (left.isZero()) break;
      const take = Decimal.min(left.abs(), trade.currentUnits.abs());
      const signed = trade.currentUnits.isNeg() ? take : take.neg(); // the fill's units against this trade
      const pl = price.minus(trade.price).mul(signed.neg());
      const entry = { tradeID: trade.id, units: signed.toString(), price: price.toString(), realizedPL: pl.toFixed(4), financing: '0.0000' };
      if (take.eq(trade.currentUnits.abs())) closed.push(entry);
      else reduced = entry;
      closing.push({ trade, units: signed, pl });
      left = left.minus(signed);
    }
    const opens = !only && !left.isZero();
    const pl = closing.reduce((s, c) => s.plus(c.pl), new Decimal(0));
    const fields: Record<string, unknown> = {
      type: 'ORDER_FILL', orderID: order.id, clientOrderID: order.clientExtensions?.id, instrument: order.instrument, units: units.toString(), price: price.toString(), fullVWAP: price.toString(),
      reason: order.reason === 'POSITION_CLOSEOUT' ? 'MARKET_ORDER_POSITION_CLOSEOUT' : `${order.type}_ORDER`, pl: pl.toFixed(4), financing: '0.0000', commission: '0.0000', accountBalance: this.balance.plus(pl).toFixed(4),
    };
    if (opens) fields.tradeOpened = { tradeID: fillId, units: left.toString(), price: price.toString(), clientExtensions: order.tradeClientExtensions };
    if (closed.length) fields.tradesClosed = closed;
    if (reduced) fields.tradeReduced = reduced;
    const fill = this.txn(fields);
    // A hedging account's position is its trades (sides()); its balance takes the realised P&L of the trades closed.
    if (this.hedging) this.balance = this.balance.plus(pl);
    else this.applyFill(order.instrument, units, price);
    order.fillingTransactionID = fill.id;
    order.filledTime = fill.time;
    if (closed.length) order.tradeClosedIDs = closed.map((c) => c.tradeID!);
    if (reduced) order.tradeReducedID = reduced.tradeID;
    for (const c of closing) {
      c.trade.currentUnits = c.trade.currentUnits.plus(c.units);
      c.trade.realizedPL = c.trade.realizedPL.plus(c.pl);
      c.trade.closingTransactionIDs.push(fill.id);
      if (c.trade.currentUnits.isZero()) {
        c.trade.state = 'CLOSED';
        c.trade.closeTime = fill.time;
        for (const o of [...this.orders.values()]) if (o.state === 'PENDING' && o.tradeID === c.trade.id && o !== order) this.cancelOrder(o, 'LINKED_TRADE_CLOSED');
      }
    }
    if (opens) {
      const trade: FakeTrade = { id: fill.id, instrument: order.instrument, price: price.toString(), openTime: fill.time, state: 'OPEN', initialUnits: left.toString(), currentUnits: left, realizedPL: new Decimal(0), closingTransactionIDs: [] };
      if (order.tradeClientExtensions) trade.clientExtensions = { ...order.tradeClientExtensions };
      this.trades.set(trade.id, trade);
      order.tradeOpenedID = trade.id;
      this.createDependents(order, trade, fill);
    }
    return fill;
  }

  /** How a fill of this order changes positions: v20 OrderPositionFill, with DEFAULT read as the account does it
   *  (OPEN_ONLY with hedging, REDUCE_FIRST without). */
  private fillMode(order: FakeOrder): 'OPEN_ONLY' | 'REDUCE_FIRST' | 'REDUCE_ONLY' {
    const mode = order.positionFill ?? 'DEFAULT';
    if (mode === 'OPEN_ONLY' || mode === 'REDUCE_FIRST' || mode === 'REDUCE_ONLY') return mode;
    return this.hedging ? 'OPEN_ONLY' : 'REDUCE_FIRST';
  }

  /** The orders v20 creates from an order's *OnFill details when its fill opens a trade. */
  private createDependents(order: FakeOrder, trade: FakeTrade, fill: Txn): void {
    const instrument = INSTRUMENTS.find((i) => i.name === trade.instrument)!;
    const long = new Decimal(trade.initialUnits).gt(0);
    const open = new Decimal(trade.price);
    const at = (sign: 1 | -1, distance: string) => open.plus(new Decimal(distance).mul(sign)).toDecimalPlaces(instrument.displayPrecision).toString();
    for (const [field, type] of ON_FILL) {
      const d = order[field];
      if (!d) continue;
      const fields: Record<string, unknown> = { type: `${type}_ORDER`, tradeID: trade.id, clientTradeID: trade.clientExtensions?.id, timeInForce: d.timeInForce ?? 'GTC', triggerCondition: 'DEFAULT', reason: 'ON_FILL', clientExtensions: d.clientExtensions, orderFillTransactionID: fill.id };
      const dependent: FakeOrder = { id: '', createTime: '', state: 'PENDING', type, instrument: trade.instrument, units: '0', timeInForce: String(fields.timeInForce), tradeID: trade.id, reason: 'ON_FILL' };
      if (type === 'TRAILING_STOP_LOSS') {
        fields.distance = d.distance;
        dependent.distance = d.distance!;
        dependent.trailingStopValue = at(long ? -1 : 1, d.distance!);
      } else {
        // A take-profit sits on the trade's winning side, a stop-loss on its losing side.
        const price = d.price ?? at((type === 'TAKE_PROFIT') === long ? 1 : -1, d.distance!);
        fields.price = price;
        dependent.price = price;
        if (d.distance !== undefined) fields.distance = d.distance;
      }
      const t = this.txn(fields);
      dependent.id = t.id;
      dependent.createTime = t.time;
      if (d.clientExtensions) dependent.clientExtensions = { ...d.clientExtensions };
      if (trade.clientExtensions?.id !== undefined) dependent.clientTradeID = trade.clientExtensions.id;
      this.orders.set(dependent.id, dependent);
      if (type === 'TAKE_PROFIT') trade.takeProfitOrderID = dependent.id;
      else if (type === 'STOP_LOSS') trade.stopLossOrderID = dependent.id;
      else trade.trailingStopLossOrderID = dependent.id;
    }
  }

  private applyFill(instrument: string, units: Decimal, price: Decimal): void {
    const pos = this.positions.get(instrument) ?? { units: new Decimal(0), cost: new Decimal(0) };
    const next = pos.units.plus(units);
    const reducing = !pos.units.isZero() && pos.units.isNeg() !== units.isNeg();
    if (reducing) {
      const avg = pos.cost.div(pos.units);
      this.balance = this.balance.plus(price.minus(avg).mul(units.neg()));
      pos.cost = next.isZero() ? new Decimal(0) : avg.mul(next);
    } else pos.cost = pos.cost.plus(price.mul(units));
    pos.units = next;
    this.positions.set(instrument, pos);
  }
}
