// What the risk engine takes and returns. Values only; the caller gathers the account's facts and the clock.
import type { Decimal, OrderType } from '../../shared/signal.js';
import type { Code } from '../../shared/codes.js';
import type { RiskRules, RiskRulesOverride } from '../../shared/risk-rules.js';
import type { TradingState } from '../../shared/trading-state.js';
import type { AssetClass, OpenOrderView, PositionView, Side } from '../strategy/broker-view.js';
import type { ValuationFacts } from '../strategy/valuation.js';

export type RiskAction = 'submit' | 'modify' | 'cancel';

/** The order to check. For a modify, quantity and prices are the order's NEW values. */
export interface RiskOrder {
  action: RiskAction;
  symbol: string;
  side: Side;
  type: OrderType;
  quantity: Decimal;
  assetClass: AssetClass;
  limitPrice?: Decimal;
  stopPrice?: Decimal;
  referencePrice?: Decimal;
  extendedHours?: boolean;
  /** For a modify: the client order id being changed (left out of the open orders when projecting). */
  clientOrderId?: string;
}

export type MarketSession = 'open' | 'extended' | 'closed';

export interface RiskOpenOrder extends OpenOrderView {
  clientOrderId?: string;
}

export interface RecentOrder {
  time: string;
  symbol: string;
  side: Side;
  /** The order only reduced a position (an exit). Known for the agent's own orders; an exit and the entry that
   *  follows it are never duplicates of each other (exit, then reverse, in the same second). */
  reducing?: boolean;
  /** The alert that placed it (the agent's own orders). */
  signalId?: string;
}

export interface RiskContext {
  positions: PositionView[];
  openOrders: RiskOpenOrder[];
  equity: Decimal;
  /** Equity at the start of the rules' trading day: the day's loss is this minus `equity` (realised and unrealised
   *  together). */
  dayStartEquity: Decimal;
  /** Highest equity seen today. */
  dayEquityHigh: Decimal;
  /** Orders submitted recently, newest last or in any order: at least those of the duplicate window, and those of
   *  the day and the last minute when `orderCounts` is left out. */
  recentOrders: RecentOrder[];
  /** The order-rate rule's counts, when the caller counted them (the store counts through an index instead of
   *  listing every order of a busy day); otherwise they are counted from `recentOrders`. */
  orderCounts?: { lastMinute: number; today: number };
  /** When an exit last filled at a loss (against the position's average price), within the cooldown window. */
  lastLossAt?: string;
  /** When an exit (a reduce-only order or a bracket child) last filled, within the cooldown window. */
  lastExitAt?: string;
  /** Last known price per broker symbol. */
  lastPrices: Record<string, Decimal>;
  /** Session per asset class; an asset class left out is not checked (e.g. crypto trades around the clock). */
  marketHours: Partial<Record<AssetClass, MarketSession>>;
  /** Start of the trading day for the per-day order count; when left out, the start of the rules' `tradingDay`
   *  around `now` (the UTC day when that is not set). */
  dayStart?: string;
  /** The account's currency: the notional and exposure limits are amounts in it. */
  accountCurrency?: string;
  /** Per broker symbol, what one unit is worth (quote and base currency, contract size), for the order's symbol
   *  and every held one. When given, the notional and exposure rules value a quantity as sizing does
   *  (strategy/valuation.ts): quantity × price × contract size, in the account's currency, and refuse a symbol
   *  they cannot value (SIZING_NEEDS_CONVERSION, CONTRACT_SIZE_UNKNOWN) while their limit is on. Left out, a
   *  quantity is worth quantity × price (a caller that knows no instruments, such as a replay). */
  instruments?: Record<string, ValuationFacts>;
}

export interface RiskInput {
  intent: RiskOrder;
  tradingState: { global: TradingState; account: TradingState };
  /** The account's rules; `strategyRules` overrides them field by field. */
  rules: RiskRules;
  strategyRules?: RiskRulesOverride;
  context: RiskContext;
  now: string;
}

export type RuleId =
  | 'trading_state'
  | 'symbol_allowed'
  | 'market_hours'
  | 'max_order_quantity'
  | 'max_order_notional'
  | 'max_position'
  | 'max_open_positions'
  | 'max_gross_exposure'
  | 'order_rate'
  | 'daily_loss'
  | 'drawdown'
  | 'cooldown'
  | 'price_band'
  | 'duplicate_order';

export interface RuleVerdict {
  rule: RuleId;
  passed: boolean;
  code?: Code;
  /** Why it passed or failed, for the UI ("off" when the limit is not set). */
  detail?: string;
}

export interface StateChange {
  scope: 'account';
  to: TradingState;
  code: Code;
  detail: string;
}

export interface RiskVerdict {
  allowed: boolean;
  denial?: { code: Code; detail: string; values: Record<string, string> };
  /** Every rule's verdict, in evaluation order. */
  rules: RuleVerdict[];
  /** A loss limit was hit: the trading state the account should move to. */
  stateChange?: StateChange;
}
