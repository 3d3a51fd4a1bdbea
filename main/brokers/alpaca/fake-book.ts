// The fake Alpaca account's books: orders, fill activities, positions and cash, in memory. Orders are validated the
// way Alpaca documents (qty xor notional, bracket time in force, crypto order types, unique client_order_id, the
// quantity open orders hold, the stop-loss threshold, wash trades) and filled against the trades setPrice() makes;
// brackets, OTO and OCO groups hold, release and cancel their legs as at Alpaca. The US equity market has a session
// (`setSession`): while it is closed an equity order is taken and queued (`accepted`) until the open, as at Alpaca;
// day orders end at the close. Every order event goes to the trade_updates stream (fake-stream.ts).
import { randomUUID } from 'node:crypto';
import { Decimal } from 'decimal.js';
import { FaultPlan } from '../contract/faults.js';
import { FakeTradeUpdates } from './fake-stream.js';
import { CRYPTO_TIF, CRYPTO_TYPES, EQUITY_TIF, ERR_FORBIDDEN, ERR_FRACTIONAL, ERR_INVALID, ERR_UNPROCESSABLE, FRACTIONAL_TYPES, InvalidRequest, LISTED_OPEN, OPEN, TYPES, str, type CancelRace, type FakeOrder, type FakeSession, type FillActivity } from './fake-wire.js';

export class FakeAlpacaBook {
  readonly faults = new FaultPlan();
  readonly orders = new Map<string, FakeOrder>();
  readonly activities: FillActivity[] = [];
  readonly positions = new Map<string, { qty: Decimal; cost: Decimal }>();
  readonly prices = new Map<string, string>();
  cash: Decimal;
  /** Account settings Alpaca enforces with a 403 on the order: `shorting_enabled`, and pattern day trading
   *  protection (an account under $25k flagged as a pattern day trader is refused new orders). */
  shortingEnabled = true;
  dayTradeProtection = false;
  /** `last_equity`: the equity at the previous close (Alpaca's start of the trading day); the starting cash until a
   *  test sets another (a new trading day). */
  lastEquity: Decimal;
  /**
   * How a cancel (`DELETE /v2/orders/{id}`, and each order of `DELETE /v2/orders`) meets a working order. Alpaca
   * ("Cancel an Order by ID"): "If the order is no longer cancelable (example: status = filled), the server will
   * respond with status 422, and reject the request. Upon acceptance of the cancel request, it returns status 204";
   * the order is then `pending_cancel` until the venue confirms the cancel, and may still fill meanwhile.
   * - `immediate` (the default): accepted and canceled at once;
   * - `pending`: accepted (204) and left `pending_cancel` (event `pending_cancel`) until `settleCancels()`, or
   *   `cancelConfirmMs` later; a trade may fill it first, and it then ends `filled`;
   * - `fill_first`: a trade fills what is left of the order just as the cancel arrives (at its limit price, else its
   *   stop price, else the market price), so the cancel is refused: 422 `order is already in "filled" state`.
   */
  cancelRace: CancelRace = 'immediate';
  /** With `cancelRace = 'pending'`: the venue confirms a pending cancel this many ms later (unset: only
   *  `settleCancels()` does). */
  cancelConfirmMs: number | undefined;
  /** The client_order_id of every POST /v2/orders, taken or refused: how often an order was sent. */
  readonly submitAttempts: string[] = [];
  /** What GET /v2/clock reports as `next_open` / `next_close` (set with the session); unset, they are derived from
   *  the time of the request. */
  nextOpen: string | undefined;
  nextClose: string | undefined;
  #session: FakeSession = 'open';
  private readonly timers = new Set<NodeJS.Timeout>();
  private seq = 0;
  /** The trade_updates stream: every order event is published to it. */
  readonly stream = new FakeTradeUpdates(this.faults);

  constructor(cash: string | undefined, prices: Record<string, string> | undefined) {
    this.cash = new Decimal(cash ?? '100000');
    this.lastEquity = this.cash;
    for (const [s, p] of Object.entries(prices ?? { AAPL: '100', 'BTC/USD': '30000' })) this.prices.set(s, p);
  }

  /** Stops the timers of pending cancels (cancelConfirmMs). */
  stopTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  /** The US equity market's session: `open` (regular hours, the default), `extended` (pre-market or after hours) or
   *  `closed`. */
  get session(): FakeSession {
    return this.#session;
  }

  /**
   * The market moves to another session, as Alpaca's day goes. Orders Alpaca queued because they could not trade
   * (status `accepted`) are routed once they can (`new` on the stream) and fill if marketable, as does a working
   * order that became marketable while it could not trade: at the price the symbol has then (`setPrice`). Leaving
   * regular hours ends the day orders not eligible for extended hours that are working (`expired`); leaving the
   * extended session for `closed` ends the extended-hours day orders too. An order queued for the next session is
   * not ended: it is for that session's day. `clock` sets what GET /v2/clock reports as next open and close.
   */
  setSession(session: FakeSession, clock: { nextOpen?: string; nextClose?: string } = {}): void {
    const was = this.#session;
    this.#session = session;
    this.nextOpen = clock.nextOpen;
    this.nextClose = clock.nextClose;
    if (session === was) return;
    if (was === 'open') this.expireDayOrders((o) => !o.extended_hours);
    if (session === 'closed') this.expireDayOrders((o) => o.extended_hours);
    const now = new Date().toISOString();
    for (const o of [...this.orders.values()]) {
      if (o.status !== 'accepted' || !this.tradesNow(o)) continue;
      o.status = 'new';
      o.updated_at = now;
      this.stream.publish('new', o);
    }
    for (const o of [...this.orders.values()]) this.tryFill(o);
  }

  /** GET /v2/clock: whether the market is open (regular hours only) and its next open and close. */
  clock(now = new Date()): { timestamp: string; is_open: boolean; next_open: string; next_close: string } {
    const hour = 3_600_000;
    const open = this.#session === 'open';
    const nextOpen = this.nextOpen ?? new Date(now.getTime() + (open ? 24 * hour : this.#session === 'extended' ? hour : 12 * hour)).toISOString();
    const nextClose = this.nextClose ?? new Date(open ? now.getTime() + hour : Date.parse(nextOpen) + 6.5 * hour).toISOString();
    return { timestamp: now.toISOString(), is_open: open, next_open: nextOpen, next_close: nextClose };
  }

  /** Whether `order` can trade in the current session: crypto always; equities in regular hours, and an
   *  extended-hours limit order in the extended session. */
  private tradesNow(order: FakeOrder): boolean {
    if (order.asset_class === 'crypto' || this.#session === 'open') return true;
    return this.#session === 'extended' && order.extended_hours && order.type === 'limit';
  }

  /** The session a day order belonged to is over: each working one `which` picks expires (a bracket's held legs with
   *  their entry). Queued orders (`accepted`, and the held legs of a queued entry) are for the next session. */
  private expireDayOrders(which: (o: FakeOrder) => boolean): void {
    const now = new Date().toISOString();
    for (const o of [...this.orders.values()]) {
      if (!OPEN.has(o.status) || o.status === 'accepted' || o.time_in_force !== 'day' || o.asset_class === 'crypto' || !which(o)) continue;
      const parent = o.parentId !== undefined ? this.orders.get(o.parentId) : undefined;
      if (parent?.status === 'accepted') continue;
      o.status = 'expired';
      o.expired_at = o.updated_at = now;
      this.stream.publish('expired', o);
    }
  }

  countByClientId(clientOrderId: string): number {
    return [...this.orders.values()].filter((o) => o.client_order_id === clientOrderId).length;
  }

  /** The venue confirms every pending cancel: each `pending_cancel` order (and what is still open of its group) is
   *  canceled. */
  settleCancels(): void {
    for (const o of [...this.orders.values()]) if (o.status === 'pending_cancel') this.cancelOrder(o);
  }

  /**
   * A trade at `price`. The symbol's working orders are examined in the order they were placed: a trailing stop
   * first moves its high water mark (and with it its stop price), then whatever is marketable fills at this price.
   * `volume` is how many shares trade at it, for all the orders together: an order gets what is left of it, so a
   * limit order can fill in part and stay working. Without it the market is deep enough for every order.
   */
  setPrice(symbol: string, price: string, options: { volume?: string } = {}): void {
    this.prices.set(symbol, price);
    let volume = options.volume === undefined ? undefined : new Decimal(options.volume);
    for (const order of [...this.orders.values()]) {
      if (order.symbol !== symbol) continue;
      const filled = this.tryFill(order, volume);
      if (volume !== undefined) volume = volume.minus(filled);
    }
  }

  /** Validation in the order Alpaca documents it. */
  create(body: Record<string, unknown>): FakeOrder {
    const symbol = String(body.symbol ?? '');
    if (!this.prices.has(symbol)) throw new InvalidRequest(422, ERR_INVALID, `asset "${symbol}" not found`);
    const crypto = symbol.includes('/');
    const type = String(body.type ?? '');
    const side = String(body.side ?? '');
    const tif = String(body.time_in_force ?? '');
    const qty = str(body.qty);
    const notional = str(body.notional);
    const orderClass = String(body.order_class ?? 'simple');
    if (!TYPES.has(type)) throw new InvalidRequest(422, ERR_INVALID, 'invalid order type');
    if (side !== 'buy' && side !== 'sell') throw new InvalidRequest(422, ERR_INVALID, 'invalid side');
    if (!EQUITY_TIF.has(tif)) throw new InvalidRequest(422, ERR_INVALID, 'invalid time_in_force');
    if (qty !== null && notional !== null) throw new InvalidRequest(422, ERR_INVALID, 'qty and notional cannot be specified at the same time');
    if (qty === null && notional === null) throw new InvalidRequest(422, ERR_INVALID, 'qty or notional is required');
    if (notional !== null && (type !== 'market' || (!crypto && tif !== 'day'))) throw new InvalidRequest(422, ERR_INVALID, 'notional orders are only supported for market orders with time_in_force day');
    if (qty !== null && new Decimal(qty).lte(0)) throw new InvalidRequest(422, ERR_INVALID, 'qty must be > 0');
    if (!crypto && qty !== null && !new Decimal(qty).isInteger()) {
      // Fractional equity orders: simple market / limit / stop / stop_limit day orders, never a short sale.
      if (orderClass !== 'simple' && orderClass !== '') throw new InvalidRequest(422, ERR_FRACTIONAL, 'fractional orders must be simple orders');
      if (!FRACTIONAL_TYPES.has(type)) throw new InvalidRequest(422, ERR_FRACTIONAL, 'fractional orders must be market, limit, stop, or stop_limit orders');
      if (tif !== 'day') throw new InvalidRequest(422, ERR_FRACTIONAL, 'fractional orders must be DAY orders');
      const held = this.positions.get(symbol)?.qty ?? new Decimal(0);
      if (side === 'sell' && held.lt(qty)) throw new InvalidRequest(422, ERR_FRACTIONAL, 'fractional orders cannot be sold short');
    }
    if (crypto && !CRYPTO_TYPES.has(type)) throw new InvalidRequest(422, ERR_INVALID, `invalid order type for crypto order`);
    if (crypto && !CRYPTO_TIF.has(tif)) throw new InvalidRequest(422, ERR_INVALID, 'invalid crypto time_in_force');
    if ((type === 'limit' || type === 'stop_limit') && body.limit_price === undefined) throw new InvalidRequest(422, ERR_INVALID, 'limit_price is required');
    if ((type === 'stop' || type === 'stop_limit') && body.stop_price === undefined) throw new InvalidRequest(422, ERR_INVALID, 'stop_price is required');
    if (type === 'trailing_stop' && (body.trail_price === undefined) === (body.trail_percent === undefined)) throw new InvalidRequest(422, ERR_INVALID, 'exactly one of trail_price or trail_percent is required');
    if (body.extended_hours === true && (type !== 'limit' || (tif !== 'day' && tif !== 'gtc'))) throw new InvalidRequest(422, ERR_INVALID, 'extended hours order must be DAY or GTC limit orders');
    const tp = body.take_profit as { limit_price?: unknown } | undefined;
    const sl = body.stop_loss as { stop_price?: unknown; limit_price?: unknown } | undefined;
    if (orderClass === 'bracket' || orderClass === 'oco' || orderClass === 'oto') {
      if (crypto) throw new InvalidRequest(422, ERR_INVALID, 'crypto orders not allowed for advanced order_class');
      if (tif !== 'day' && tif !== 'gtc') throw new InvalidRequest(422, ERR_INVALID, 'invalid time_in_force for advanced order_class; must be day or gtc');
      if (body.extended_hours === true) throw new InvalidRequest(422, ERR_INVALID, 'extended hours not supported for advanced order_class');
      if (orderClass === 'bracket' && (!tp?.limit_price || !sl?.stop_price)) throw new InvalidRequest(422, ERR_INVALID, 'bracket orders must have both take_profit and stop_loss');
      if (orderClass === 'oco' && (!tp?.limit_price || !sl?.stop_price || type !== 'limit')) throw new InvalidRequest(422, ERR_INVALID, 'oco orders must be limit orders with take_profit and stop_loss');
      if (orderClass === 'oto' && !!tp === !!sl) throw new InvalidRequest(422, ERR_INVALID, 'oto orders must have exactly one of take_profit or stop_loss');
      if (orderClass === 'bracket' && side === 'buy' && new Decimal(String(tp!.limit_price)).lte(String(sl!.stop_price))) throw new InvalidRequest(422, ERR_INVALID, 'take_profit.limit_price must be > stop_loss.stop_price');
      if (orderClass === 'bracket' && side === 'sell' && new Decimal(String(tp!.limit_price)).gte(String(sl!.stop_price))) throw new InvalidRequest(422, ERR_INVALID, 'take_profit.limit_price must be < stop_loss.stop_price');
      if (sl?.stop_price !== undefined) this.checkStopThreshold(symbol, orderClass === 'oco' ? side : side === 'buy' ? 'sell' : 'buy', String(sl.stop_price), orderClass === 'oco' ? str(tp?.limit_price) : type === 'limit' ? str(body.limit_price) : null);
    } else if (orderClass !== 'simple') {
      throw new InvalidRequest(422, ERR_INVALID, 'invalid order_class');
    }
    const clientOrderId = body.client_order_id === undefined ? randomUUID() : String(body.client_order_id);
    if (clientOrderId.length > 128) throw new InvalidRequest(422, ERR_INVALID, 'client_order_id must be no more than 128 characters');
    if (this.countByClientId(clientOrderId) > 0) throw new InvalidRequest(422, ERR_INVALID, 'client_order_id must be unique');
    if (this.dayTradeProtection) throw new InvalidRequest(403, ERR_FORBIDDEN, 'trade denied due to pattern day trading protection');
    const heldQty = this.positions.get(symbol)?.qty ?? new Decimal(0);
    const orderQty = qty !== null ? new Decimal(qty) : undefined;
    if (orderQty !== undefined) this.checkQtyAvailable(symbol, side, orderQty);
    if (!this.shortingEnabled && side === 'sell' && orderQty !== undefined && heldQty.lt(orderQty)) throw new InvalidRequest(403, ERR_FORBIDDEN, 'account is not allowed to short');
    if (this.wouldWashTrade(symbol, side, type, str(body.limit_price))) throw new InvalidRequest(403, ERR_FORBIDDEN, 'potential wash trade detected. use complex orders');
    const price = new Decimal(this.prices.get(symbol)!);
    const estQty = qty !== null ? new Decimal(qty) : new Decimal(notional!).div(price);
    if (side === 'buy' && estQty.mul(str(body.limit_price) ?? price).gt(this.cash.mul(2))) throw new InvalidRequest(403, 40310000, 'insufficient buying power');

    const now = new Date().toISOString();
    const base = (over: Partial<FakeOrder>): FakeOrder => ({
      id: randomUUID(), client_order_id: randomUUID(), created_at: now, updated_at: now, submitted_at: now, filled_at: null, canceled_at: null, expired_at: null,
      symbol, asset_class: crypto ? 'crypto' : 'us_equity', qty, notional, filled_qty: '0', filled_avg_price: null, order_class: orderClass as FakeOrder['order_class'],
      order_type: type, type, side: side as 'buy' | 'sell', time_in_force: tif, limit_price: str(body.limit_price), stop_price: str(body.stop_price),
      trail_price: str(body.trail_price), trail_percent: str(body.trail_percent), hwm: null, status: 'new', extended_hours: body.extended_hours === true, legs: null,
      ...over,
    });
    // An OCO is the take-profit (the parent, a limit at take_profit.limit_price) and the stop-loss (its leg), both
    // on the order's side and working at once.
    const order = base(orderClass === 'oco' ? { client_order_id: clientOrderId, limit_price: str(tp!.limit_price) } : { client_order_id: clientOrderId });
    if (type === 'trailing_stop') this.trail(order, price);
    const exitSide = side === 'buy' ? 'sell' : 'buy';
    const stopLeg = (over: Partial<FakeOrder>): FakeOrder => {
      const kind = sl!.limit_price ? 'stop_limit' : 'stop';
      return base({ type: kind, order_type: kind, stop_price: str(sl!.stop_price), limit_price: str(sl!.limit_price), parentId: order.id, ...over });
    };
    const legs: FakeOrder[] = [];
    if (orderClass !== 'oco' && tp?.limit_price) legs.push(base({ type: 'limit', order_type: 'limit', side: exitSide, limit_price: str(tp.limit_price), status: 'held', parentId: order.id }));
    if (orderClass !== 'oco' && sl?.stop_price) legs.push(stopLeg({ side: exitSide, status: 'held' }));
    if (orderClass === 'oco') legs.push(stopLeg({ side: side as 'buy' | 'sell', status: 'new' }));
    order.legs = legs.length > 0 ? legs : null;
    // Alpaca takes an order the session does not let trade and queues it until one does: `accepted`, "received by
    // Alpaca, but hasn't yet been routed to the execution venue" (a market or day order after the close waits for the
    // next open). An OCO's working stop-loss waits with it.
    const queued = !this.tradesNow(order);
    if (queued) {
      order.status = 'accepted';
      for (const leg of legs) if (leg.status === 'new') leg.status = 'accepted';
    }
    this.orders.set(order.id, order);
    for (const leg of legs) this.orders.set(leg.id, leg);
    this.stream.publish(queued ? 'accepted' : 'new', order);
    // Fill after the answer is written, as a venue would.
    setImmediate(() => this.tryFill(order));
    return order;
  }

  /**
   * Alpaca holds the quantity an open order would close: with a long position, open sell orders hold the shares they
   * would sell (open buy orders hold a short one), and an order that would close more than the rest is refused with
   * 403 `insufficient qty available for order (requested: 10, available: 5)` and the figures in the body (Alpaca-API
   * issue #111: `{"available":"0","code":40310000,"existing_qty":"23","held_for_orders":"23","message":…,
   * "related_orders":[…],"symbol":"TSLA"}`). The legs of one group (a bracket's take-profit and stop-loss, an OCO)
   * hold the quantity once: Alpaca queues them "as a group" (Orders at Alpaca, Bracket Orders); `held` legs of an
   * entry that has not filled hold nothing. An order larger than the position when no open order holds any of it is
   * a short sale for the rest, refused or not by the shorting rules (`shortingEnabled`), not by this one.
   */
  private checkQtyAvailable(symbol: string, side: string, requested: Decimal): void {
    const position = this.positions.get(symbol)?.qty ?? new Decimal(0);
    const closing = (side === 'sell' && position.gt(0)) || (side === 'buy' && position.lt(0));
    if (!closing) return;
    const byGroup = new Map<string, { qty: Decimal; ids: string[] }>();
    for (const o of this.orders.values()) {
      if (o.symbol !== symbol || o.side !== side || !LISTED_OPEN.has(o.status)) continue;
      const key = o.parentId ?? o.id;
      const left = new Decimal(o.qty ?? '0').minus(o.filled_qty);
      const group = byGroup.get(key) ?? { qty: new Decimal(0), ids: [] };
      byGroup.set(key, { qty: Decimal.max(group.qty, left), ids: [...group.ids, o.id] });
    }
    const held = [...byGroup.values()].reduce((sum, g) => sum.plus(g.qty), new Decimal(0));
    if (held.isZero()) return;
    const existing = position.abs();
    const available = Decimal.max(existing.minus(held), 0);
    if (requested.lte(available)) return;
    throw new InvalidRequest(403, ERR_FORBIDDEN, `insufficient qty available for order (requested: ${requested.toString()}, available: ${available.toString()})`, {
      available: available.toString(),
      existing_qty: existing.toString(),
      held_for_orders: held.toString(),
      related_orders: [...byGroup.values()].flatMap((g) => g.ids),
      symbol,
    });
  }

  /**
   * Alpaca (Orders at Alpaca, "Threshold on stop price of stop-loss orders"): the stop-loss of a bracket, OTO or OCO
   * "has to be at least $0.01 below (for stop-loss sell, above for buy) than the base price", which is the limit price
   * of the take-profit for an OCO, the limit price of the entry for a bracket or OTO with a limit entry, and the
   * current market price for any of them. Refused with 422 `stop price must be less than base_price - 0.01` (the
   * message Alpaca-API issue #166 quotes; the buy side is worded the same way the other round).
   */
  private checkStopThreshold(symbol: string, exitSide: string, stopPrice: string, limitBase: string | null): void {
    const bases = [new Decimal(this.prices.get(symbol)!), ...(limitBase !== null ? [new Decimal(limitBase)] : [])];
    const stop = new Decimal(stopPrice);
    const tick = new Decimal('0.01');
    for (const base of bases) {
      if (exitSide === 'sell' && stop.gt(base.minus(tick))) throw new InvalidRequest(422, ERR_UNPROCESSABLE, 'stop price must be less than base_price - 0.01');
      if (exitSide === 'buy' && stop.lt(base.plus(tick))) throw new InvalidRequest(422, ERR_UNPROCESSABLE, 'stop price must be greater than base_price + 0.01');
    }
  }

  /** Alpaca refuses an order that could execute against an open order of the same account on the other side. */
  private wouldWashTrade(symbol: string, side: string, type: string, limit: string | null): boolean {
    return [...this.orders.values()].some((o) => {
      if (o.symbol !== symbol || o.side === side || !LISTED_OPEN.has(o.status) || o.parentId) return false;
      if (o.type !== 'limit' || o.limit_price === null) return false; // only a resting limit can be hit
      if (type === 'market') return true;
      if (limit === null) return false;
      return side === 'buy' ? new Decimal(limit).gte(o.limit_price) : new Decimal(limit).lte(o.limit_price);
    });
  }

  /** The orders of `order`'s group: a bracket's, OTO's or OCO's parent and its legs (the order alone otherwise). */
  private group(order: FakeOrder): FakeOrder[] {
    const root = order.parentId !== undefined ? (this.orders.get(order.parentId) ?? order) : order;
    return [root, ...(root.legs ?? [])];
  }

  /** A cancel request for `order`, as `cancelRace` plays it: refused with 422 when the order is no longer open (after
   *  the fill `fill_first` lets in), else accepted: canceled at once, or left `pending_cancel`. */
  requestCancel(order: FakeOrder): void {
    // A queued order (`accepted`: not routed yet) cannot trade before its cancel, and Alpaca cancels it itself.
    const queued = order.status === 'accepted';
    if (this.cancelRace === 'fill_first' && OPEN.has(order.status) && order.status !== 'held' && !queued && this.tradesNow(order)) this.fillNow(order);
    if (!OPEN.has(order.status)) throw new InvalidRequest(422, ERR_UNPROCESSABLE, `order is already in "${order.status}" state`);
    if (this.cancelRace !== 'pending' || order.status === 'held' || queued) {
      this.cancelOrder(order);
      return;
    }
    if (order.status === 'pending_cancel') return; // asked again: still waiting for the venue
    order.status = 'pending_cancel';
    order.updated_at = new Date().toISOString();
    this.stream.publish('pending_cancel', order);
    if (this.cancelConfirmMs !== undefined) {
      const t = setTimeout(() => {
        this.timers.delete(t);
        if (order.status === 'pending_cancel') this.cancelOrder(order);
      }, this.cancelConfirmMs);
      this.timers.add(t);
    }
  }

  /** A trade that fills what is left of `order` at once: at its limit price, else its stop price, else the market. */
  private fillNow(order: FakeOrder): void {
    const total = new Decimal(order.qty ?? '0');
    const left = total.minus(order.filled_qty);
    if (left.lte(0)) return;
    this.execute(order, left, new Decimal(order.limit_price ?? order.stop_price ?? this.prices.get(order.symbol)!));
  }

  /** Alpaca: "If any one of the orders is canceled, any remaining open order in the group is canceled." Canceling a
   *  bracket's entry cancels its held legs (even after a partial fill: the legs only work once the entry has filled
   *  completely), and canceling one working leg cancels the other. */
  private cancelOrder(order: FakeOrder): void {
    this.cancelOne(order);
    for (const other of this.group(order)) if (other !== order && OPEN.has(other.status)) this.cancelOne(other);
  }

  private cancelOne(order: FakeOrder): void {
    order.status = 'canceled';
    order.canceled_at = order.updated_at = new Date().toISOString();
    this.stream.publish('canceled', order);
  }

  /** A trailing stop's high water mark follows the price in the order's favour (the highest price for a sell, the
   *  lowest for a buy) and never moves back; its stop price is the mark less the trail for a sell (`trail_price`
   *  away, or `trail_percent` percent of it), plus the trail for a buy. */
  private trail(order: FakeOrder, price: Decimal): void {
    const sell = order.side === 'sell';
    const hwm = order.hwm === null ? price : sell ? Decimal.max(order.hwm, price) : Decimal.min(order.hwm, price);
    const offset = order.trail_price !== null ? new Decimal(order.trail_price) : hwm.mul(order.trail_percent ?? '0').div(100);
    order.hwm = hwm.toString();
    order.stop_price = (sell ? hwm.minus(offset) : hwm.plus(offset)).toString();
  }

  private marketable(order: FakeOrder, price: Decimal): boolean {
    const buy = order.side === 'buy';
    const limitOk = order.limit_price === null || (buy ? price.lte(order.limit_price) : price.gte(order.limit_price));
    const stopHit = order.stop_price === null || (buy ? price.gte(order.stop_price) : price.lte(order.stop_price));
    if (order.type === 'market') return true;
    if (order.type === 'limit') return limitOk;
    if (order.type === 'stop' || order.type === 'trailing_stop') return stopHit;
    if (order.type === 'stop_limit') return stopHit && limitOk;
    return false;
  }

  /**
   * Fills what of `order` is marketable at the symbol's price, at most `volume` shares; returns the quantity filled.
   * Everything fills at the market price: a marketable limit fills at the price, which is at or better than its
   * limit (a sell limit at 120 with the market at 130 sells at 130), and a triggered stop or trailing stop becomes a
   * market order.
   */
  private tryFill(order: FakeOrder, volume?: Decimal): Decimal {
    const none = new Decimal(0);
    // Held legs wait for their entry, queued orders for their session; nothing fills in a session it cannot trade in.
    if (!OPEN.has(order.status) || order.status === 'held' || order.status === 'accepted' || !this.tradesNow(order)) return none;
    const price = new Decimal(this.prices.get(order.symbol)!);
    if (order.type === 'trailing_stop') this.trail(order, price);
    if (!this.marketable(order, price)) return none;
    const total = order.qty !== null ? new Decimal(order.qty) : new Decimal(order.notional!).div(price).toDecimalPlaces(9, Decimal.ROUND_DOWN);
    if (order.qty === null) order.qty = total.toString();
    const left = Decimal.min(total.minus(order.filled_qty), volume ?? Infinity);
    if (left.lte(0)) return none;
    const first = this.faults.partialFills && order.type === 'market' ? left.div(2).toDecimalPlaces(9, Decimal.ROUND_DOWN) : none;
    if (first.gt(0)) this.execute(order, first, price);
    this.execute(order, left.minus(first), price);
    return left;
  }

  private execute(order: FakeOrder, qty: Decimal, price: Decimal): void {
    const prevFilled = new Decimal(order.filled_qty);
    const filled = prevFilled.plus(qty);
    const prevAvg = new Decimal(order.filled_avg_price ?? '0');
    order.filled_avg_price = prevAvg.mul(prevFilled).plus(price.mul(qty)).div(filled).toString();
    order.filled_qty = filled.toString();
    const done = filled.gte(order.qty!);
    const now = new Date(Date.now() + this.seq).toISOString();
    // A partial fill of an order whose cancel is pending leaves the cancel pending.
    order.status = done ? 'filled' : order.status === 'pending_cancel' ? 'pending_cancel' : 'partially_filled';
    order.updated_at = now;
    if (done) order.filled_at = now;
    const signed = order.side === 'buy' ? qty : qty.neg();
    const pos = this.positions.get(order.symbol) ?? { qty: new Decimal(0), cost: new Decimal(0) };
    const avg = pos.qty.isZero() ? price : pos.cost.div(pos.qty);
    const nextQty = pos.qty.plus(signed);
    // Reducing keeps the average; adding blends it.
    const reducing = !pos.qty.isZero() && pos.qty.isNeg() !== signed.isNeg();
    pos.cost = nextQty.isZero() ? new Decimal(0) : reducing ? avg.mul(nextQty) : pos.cost.plus(price.mul(signed));
    pos.qty = nextQty;
    this.positions.set(order.symbol, pos);
    this.cash = this.cash.minus(price.mul(signed));
    this.seq += 1;
    const activityId = `${now.replace(/\D/g, '')}::${randomUUID()}`;
    this.activities.push({
      id: activityId, activity_type: 'FILL', transaction_time: now, type: done ? 'fill' : 'partial_fill', price: price.toString(), qty: qty.toString(),
      side: order.side, symbol: order.symbol, leaves_qty: new Decimal(order.qty!).minus(filled).toString(), order_id: order.id, cum_qty: filled.toString(), order_status: order.status,
    });
    this.stream.publish(done ? 'fill' : 'partial_fill', order, { price: price.toString(), qty: qty.toString(), timestamp: now, execution_id: activityId, position_qty: pos.qty.toString() });
    const exits = this.group(order).filter((o) => o !== order && OPEN.has(o.status) && (o.order_class === 'oco' || o.parentId !== undefined));
    if (order.order_class === 'oco' || order.parentId !== undefined) {
      // An exit of a group (a bracket's or OTO's leg, or either order of an OCO) filled: when complete, the other
      // exits are canceled; in part, they are cut to the quantity still to close ("If the take-profit order is
      // partially filled, the stop-loss order will be adjusted to the remaining quantity").
      for (const other of exits) {
        if (done) this.cancelOne(other);
        else other.qty = new Decimal(order.qty!).minus(filled).toString();
      }
    } else if (done && order.legs) {
      // A bracket's or OTO's entry filled completely: its legs start working. Not before: a partly filled entry
      // keeps them held, and canceling it then cancels them.
      for (const leg of order.legs) {
        if (leg.status !== 'held') continue;
        leg.status = 'new';
        leg.updated_at = now;
        this.stream.publish('new', leg);
      }
    }
  }
}
