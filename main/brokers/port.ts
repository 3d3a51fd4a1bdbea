// The broker port: what every adapter (paper, Alpaca, OANDA, CCXT) offers the order lifecycle.
// Capabilities are data; the router denies an order that needs a missing capability before any network call.
import type { Decimal, OrderType, TimeInForce } from '../../shared/signal.js';
import type { OrderStatus } from '../../shared/order-status.js';
import type { Code } from '../../shared/codes.js';

export type Side = 'buy' | 'sell';
export type AssetClass = 'equity' | 'crypto' | 'forex' | 'cfd' | 'future' | 'option' | 'other';

export interface BrokerCapabilities {
  orderTypes: readonly OrderType[];
  timeInForce: readonly TimeInForce[];
  brackets: boolean;
  oco: boolean;
  trailingStops: boolean;
  fractional: boolean;
  shortSelling: boolean;
  clientIdLookup: boolean;
  modify: boolean;
  /** Requests the broker allows per minute (the adapter's own limiter keeps below it). */
  requestsPerMinute: number;
  /** Whether the adapter pushes order updates (else the lifecycle polls). */
  streaming: boolean;
}

export interface AccountSnapshot {
  currency: string;
  equity: Decimal;
  cash: Decimal;
  buyingPower: Decimal;
  /** Equity at the start of the broker's trading day, when the broker reports it (Alpaca: `last_equity`, the
   *  equity at the previous close). Otherwise the agent measures the day from the first equity it reads that UTC
   *  day (store/account-days.ts). */
  dayStartEquity?: Decimal;
}

export interface InstrumentInfo {
  symbol: string;
  assetClass: AssetClass;
  tradable: boolean;
  /** Quantity step (lot size). */
  lotSize: Decimal;
  /** Price step. */
  tickSize: Decimal;
  minQuantity: Decimal;
  minNotional?: Decimal;
  shortable?: boolean;
  fractionable?: boolean;
  /** The currency or asset one unit is an amount of ("EUR" of EUR_USD, "BTC" of BTC/USDT); left out for an
   *  equity or a future. */
  baseCurrency?: string;
  /** The currency the price is in ("USD" of EUR_USD and of AAPL, "USDT" of BTC/USDT). Left out when unknown:
   *  money-based sizing is then refused (SIZING_NEEDS_CONVERSION), never guessed. */
  quoteCurrency?: string;
  /** How much one unit of quantity holds, as a decimal string: units of the base per contract or lot (1 for a
   *  share, a forex unit or a spot coin; 0.01 for a swap contract of 0.01 BTC), or for a future its point value,
   *  the quote-currency money per 1.0 of price per contract (ES: 50). The quote-currency value of a quantity is
   *  quantity × price × contractSize. Left out when unknown: money-based sizing is then refused
   *  (CONTRACT_SIZE_UNKNOWN). */
  contractSize?: Decimal;
}

export interface OrderLeg {
  limitPrice?: Decimal;
  stopPrice?: Decimal;
  trailAmount?: Decimal;
  trailPercent?: Decimal;
}

/** The order a stop-loss leg is on its own: a trailing stop (by amount or percent), a stop-limit (with a limit
 *  price) or a stop. */
export function stopLossShape(leg: OrderLeg): Pick<OrderRequest, 'type' | 'stopPrice' | 'limitPrice' | 'trailAmount' | 'trailPercent'> {
  if (leg.trailAmount || leg.trailPercent) return { type: 'trailing_stop', trailAmount: leg.trailAmount, trailPercent: leg.trailPercent };
  if (leg.limitPrice) return { type: 'stop_limit', stopPrice: leg.stopPrice, limitPrice: leg.limitPrice };
  return { type: 'stop', stopPrice: leg.stopPrice };
}

export interface OrderRequest {
  /** Deterministic, stored before the network call; the broker's idempotency key. */
  clientOrderId: string;
  symbol: string;
  side: Side;
  type: OrderType;
  quantity: Decimal;
  timeInForce: TimeInForce;
  limitPrice?: Decimal;
  stopPrice?: Decimal;
  trailAmount?: Decimal;
  trailPercent?: Decimal;
  extendedHours?: boolean;
  /** Take-profit / stop-loss children; the order becomes a bracket (or OTO with one of them). */
  takeProfit?: OrderLeg;
  stopLoss?: OrderLeg;
  /** Only reduce an existing position (exits). */
  reduceOnly?: boolean;
  /** The price the order was sized from: for a market order the price the signal carried (or the last one known),
   *  for a limit or stop order its own limit or stop. The paper broker fills market orders here (and takes a market
   *  order's as a market price, never a limit or stop order's); others ignore it. */
  referencePrice?: Decimal;
}

export interface BrokerOrder {
  clientOrderId: string;
  brokerOrderId: string;
  symbol: string;
  side: Side;
  type: OrderType;
  quantity: Decimal;
  filledQuantity: Decimal;
  averageFillPrice?: Decimal;
  status: OrderStatus;
  limitPrice?: Decimal;
  stopPrice?: Decimal;
  /** Broker's reason for a rejection or cancel. */
  reason?: string;
  updatedAt: string;
  /** Set on an order the broker created for us: a bracket's take-profit or stop-loss child. */
  parentClientOrderId?: string;
}

export interface Fill {
  /** The broker's trade / execution id: a fill already seen is ignored. */
  tradeId: string;
  clientOrderId: string;
  brokerOrderId: string;
  symbol: string;
  side: Side;
  quantity: Decimal;
  price: Decimal;
  commission?: Decimal;
  time: string;
}

export interface Position {
  symbol: string;
  /** Signed: negative is short. */
  quantity: Decimal;
  averagePrice: Decimal;
  marketPrice?: Decimal;
  unrealizedPnl?: Decimal;
  /** Set only where the broker holds the symbol long and short at once (an OANDA hedging account, the pair opened
   *  outside the agent): the units of each side, both positive. `quantity` is still their net, the position the
   *  agent trades; these say what a close of the symbol must close at the broker (BrokerAdapter.closePosition). */
  long?: Decimal;
  short?: Decimal;
}

/** What BrokerAdapter.closePosition closed at the broker. */
export interface PositionClose {
  symbol: string;
  /** Units closed on each side, both positive ('0' for a side that was not held). */
  long: Decimal;
  short: Decimal;
  /** The broker's own orders that closed them, as it reports them. They carry no client id of the agent's: their
   *  fills are booked by reconciliation as trades the agent did not place (main/orders/reconciler.ts). */
  orders: BrokerOrder[];
}

export type OrderUpdate =
  | { kind: 'order'; order: BrokerOrder }
  | { kind: 'fill'; fill: Fill; order: BrokerOrder };

export type BrokerErrorKind =
  | 'rejected' // the broker refused the request; it certainly did not take the order
  | 'insufficient_funds'
  | 'rate_limited'
  | 'auth'
  | 'not_found'
  | 'market_closed'
  | 'invalid' // refused by the adapter before any request (what the broker does not take): nothing was sent
  | 'unreachable' // nothing was sent or the connection was refused: the order certainly does not exist
  | 'timeout' // the request may have reached the broker: outcome unknown
  | 'connection_reset' // likewise unknown
  | 'server_error'; // the broker (or its gateway) answered 5xx: it may or may not have taken the order

/** Every adapter failure is a BrokerError; `outcomeUnknown` says whether the request may have taken effect. `code`,
 *  when the adapter knows a more precise one than its kind's (QUANTITY_NOT_WHOLE), is the code the order is closed
 *  with. */
export class BrokerError extends Error {
  constructor(
    readonly kind: BrokerErrorKind,
    message: string,
    readonly retryAfterMs?: number,
    readonly code?: Code,
  ) {
    super(message);
    this.name = 'BrokerError';
  }

  get outcomeUnknown(): boolean {
    return this.kind === 'timeout' || this.kind === 'connection_reset' || this.kind === 'server_error';
  }

  /** The adapter refused the request before sending anything (an order type or a combination the broker does not
   *  take): the broker never saw it, so it is no rejection of the broker's. */
  get refusedBeforeSending(): boolean {
    return this.kind === 'invalid';
  }
}

export interface BrokerAdapter {
  readonly id: string;
  readonly broker: string;
  readonly capabilities: BrokerCapabilities;
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  account(): Promise<AccountSnapshot>;
  instrument(symbol: string): Promise<InstrumentInfo>;
  submit(order: OrderRequest): Promise<BrokerOrder>;
  cancel(clientOrderId: string): Promise<BrokerOrder>;
  cancelAll(symbol?: string): Promise<void>;
  modify?(clientOrderId: string, changes: Partial<Pick<OrderRequest, 'quantity' | 'limitPrice' | 'stopPrice'>>): Promise<BrokerOrder>;
  /** True when a lookup that finds nothing proves the order was never placed, however recently it was sent: the
   *  books are local and every submit is recorded before it returns (the paper broker). A remote broker may still
   *  be taking a request in flight, so the router waits a grace period before it believes "absent" there. */
  readonly authoritativeLookup?: boolean;
  /** True when the broker frees a client order id once its order is final (OANDA): a re-send with the same id is
   *  then refused only while the first is pending, so a late first request could still be placed as well. The
   *  router waits longer (REUSABLE_ID_GRACE_FACTOR × the grace) before it re-sends an order it cannot find. */
  readonly clientIdsReusable?: boolean;
  /** True when a bracket's take-profit and stop-loss start working only once its entry has filled completely, and
   *  are canceled with the entry (Alpaca): an entry canceled or expired after filling in part leaves the filled
   *  quantity without exits, and the router protects it (main/orders/bracket-remainder.ts). */
  readonly bracketLegsAfterCompleteFill?: boolean;
  /** The order by our client order id, or undefined when the broker certainly does not have it. */
  orderByClientId(clientOrderId: string): Promise<BrokerOrder | undefined>;
  openOrders(): Promise<BrokerOrder[]>;
  fillsSince(since: string): Promise<Fill[]>;
  /** The positions held, one per symbol, without flat ones. `includeFlatPairs`: also a symbol held long and short at
   *  once whose net is zero (quantity '0', with `long` and `short`); only adapters that report `long` / `short` list
   *  any, and only Flatten asks for them (every other caller sees no position there, as before). */
  positions(options?: { includeFlatPairs?: boolean }): Promise<Position[]>;
  /** Closes everything held in the symbol at the broker, both sides of a long-and-short pair, in one request of the
   *  broker's own (OANDA: PUT /positions/{instrument}/close). Only adapters whose positions can hold both sides at once
   *  offer it; Flatten uses it for a position reported with `long` and `short`. */
  closePosition?(symbol: string): Promise<PositionClose>;
  /** Subscribe to order updates; returns an unsubscribe function. */
  onUpdate(listener: (update: OrderUpdate) => void): () => void;
}
