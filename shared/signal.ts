// The signal: what every alert, in any dialect, is parsed into. Numbers are decimal strings ("189.42"),
// never binary floats, so no precision is lost between the alert and the order.

export const ACTIONS = ['buy', 'sell', 'exit', 'cancel', 'add'] as const;
export type Action = (typeof ACTIONS)[number];

export const SENTIMENTS = ['bullish', 'bearish', 'flat'] as const;
export type Sentiment = (typeof SENTIMENTS)[number];

export const QUANTITY_TYPES = ['fixed_quantity', 'dollar_amount', 'risk_dollar_amount', 'percent_of_equity', 'percent_of_position'] as const;
export type QuantityType = (typeof QUANTITY_TYPES)[number];
/** What a parsed signal's quantity counts: the alert's own types, or `lots` (MetaTrader lots: 100,000 units of a
 *  forex pair's base, 100 oz of gold, 5,000 oz of silver), which only the PineConnector dialect sets (vol_lots=).
 *  An alert cannot send `lots` as its quantityType. */
export const SIGNAL_QUANTITY_TYPES = [...QUANTITY_TYPES, 'lots'] as const;
export type SignalQuantityType = (typeof SIGNAL_QUANTITY_TYPES)[number];

export const ORDER_TYPES = ['market', 'limit', 'stop', 'stop_limit', 'trailing_stop'] as const;
export type OrderType = (typeof ORDER_TYPES)[number];

export const TIME_IN_FORCE = ['day', 'gtc', 'opg', 'cls', 'ioc', 'fok'] as const;
export type TimeInForce = (typeof TIME_IN_FORCE)[number];

export const MARKET_POSITIONS = ['long', 'short', 'flat'] as const;
export type MarketPosition = (typeof MARKET_POSITIONS)[number];

export type Decimal = string;

export interface TakeProfit {
  limitPrice?: Decimal;
  percent?: Decimal;
  amount?: Decimal;
}

export interface StopLoss {
  type?: 'stop' | 'stop_limit' | 'trailing_stop';
  stopPrice?: Decimal;
  limitPrice?: Decimal;
  percent?: Decimal;
  amount?: Decimal;
  trailAmount?: Decimal;
  trailPercent?: Decimal;
}

/** Which format the alert was written in. */
export type Dialect = 'native' | 'pineconnector' | 'threecommas' | 'keyvalue';

export interface Signal {
  dialect: Dialect;
  /** Symbol without exchange prefix, upper case: "AAPL", "EURUSD", "ES1!". */
  symbol: string;
  /** Exchange prefix when the ticker had one ("NASDAQ" for "NASDAQ:NVDA"); used by symbol mapping. */
  exchange?: string;
  /** The ticker exactly as received. */
  ticker: string;
  action: Action;
  sentiment?: Sentiment;
  quantity?: Decimal;
  quantityType?: SignalQuantityType;
  orderType?: OrderType;
  limitPrice?: Decimal;
  stopPrice?: Decimal;
  trailAmount?: Decimal;
  trailPercent?: Decimal;
  /** Price at the time of the alert (`price`, else `signalPrice`). */
  price?: Decimal;
  signalPrice?: Decimal;
  timeInForce?: TimeInForce;
  takeProfit?: TakeProfit;
  stopLoss?: StopLoss;
  /** Alert time, ISO-8601 UTC. */
  time?: string;
  extendedHours?: boolean;
  cancel?: boolean;
  ignoreTradingWindows?: boolean;
  /** Explicit idempotency id from the alert. */
  id?: string;
  positionSize?: Decimal;
  marketPosition?: MarketPosition;
  marketPositionSize?: Decimal;
  prevMarketPosition?: MarketPosition;
  prevMarketPositionSize?: Decimal;
  /** The alert is an explicit command to close this side only (PineConnector closelong / closeshort, 3Commas
   *  exit_long / exit_short): holding the other side, or nothing, is NO_POSITION, never a close of the other side. */
  closeSide?: 'long' | 'short';
  /** The alert's own limit on its age in seconds (3Commas `max_lag`); the stricter of it and the strategy's
   *  maximum alert age applies. */
  maxAgeSeconds?: number;
  /** Unknown fields, kept for the trader to see; never acted on. */
  extras?: Record<string, unknown>;
  /** What the parser read differently from what the alert may have meant (a field it does not apply, a synonym, an
   *  unknown field), stored with the signal so the trader sees it. */
  warnings?: string[];
}
