// Strategy configuration: how a strategy (and each account that follows it) turns a signal into orders.
// Types, defaults and the JSON Schema (ajv) live together so the schema cannot drift from the type.
// Numbers that are money or quantities are decimal strings, as in the Signal.
import type { Decimal, OrderType, QuantityType, TimeInForce } from './signal.js';
import { TIME_ZONE_FORMAT } from './risk-rules.js';

export const STRATEGY_SIDES = ['long', 'short', 'both'] as const;
export type StrategySides = (typeof STRATEGY_SIDES)[number];

/** What a buy does while short (and a sell while long): close only, or close and then open the other side. */
export const OPPOSITE_SIGNAL_BEHAVIOURS = ['exit_only', 'exit_and_reverse'] as const;
export type OppositeSignalBehaviour = (typeof OPPOSITE_SIGNAL_BEHAVIOURS)[number];

export const APPROVAL_MODES = ['auto', 'manual'] as const;
export type ApprovalMode = (typeof APPROVAL_MODES)[number];

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface SizingConfig {
  method: QuantityType;
  /** Shares/contracts, dollars, percent or risk dollars depending on the method. */
  amount: Decimal;
}

/** A daily window in the strategy's time zone; `end` before `start` wraps past midnight. */
export interface TradingWindow {
  days: Weekday[];
  /** "HH:MM", 24 h, inclusive. */
  start: string;
  /** "HH:MM", 24 h, exclusive. */
  end: string;
}

export interface TradingWindowsConfig {
  /** IANA time zone, e.g. "America/New_York". */
  timezone: string;
  /** Empty = always open. */
  windows: TradingWindow[];
  /** Exits and reductions still run outside the windows (a position should never be trapped by a schedule). */
  allowExitsOutside: boolean;
}

export interface DefaultTakeProfit {
  percent?: Decimal;
  amount?: Decimal;
}

export interface DefaultStopLoss {
  type?: 'stop' | 'stop_limit' | 'trailing_stop';
  percent?: Decimal;
  amount?: Decimal;
  trailPercent?: Decimal;
  trailAmount?: Decimal;
}

export interface ApprovalConfig {
  mode: ApprovalMode;
  /** Manual approvals expire after this many seconds (APPROVAL_EXPIRED). */
  timeoutSeconds: number;
}

export interface StrategyConfig {
  sides: StrategySides;
  oppositeSignal: OppositeSignalBehaviour;
  /** A buy while long (sell while short) adds instead of being refused. The `add` action always adds. */
  allowAdd: boolean;
  /** Use the alert's quantity/quantityType; otherwise `sizing` decides entries and exits close fully. */
  useSignalQuantity: boolean;
  sizing: SizingConfig;
  /** Use the alert's orderType / timeInForce instead of the defaults below. */
  useSignalOrderType: boolean;
  useSignalTimeInForce: boolean;
  orderType: OrderType;
  /** Order type of exits and reductions; market by default, so an exit is not left hanging. */
  exitOrderType: OrderType;
  timeInForce: TimeInForce;
  /** Cancel the symbol's open orders before acting (the alert's `cancel` field overrides). */
  cancelOpenOrders: boolean;
  takeProfit?: DefaultTakeProfit;
  stopLoss?: DefaultStopLoss;
  tradingWindows: TradingWindowsConfig;
  /** Alerts older than this (by their `time`) may only reduce or close. */
  maxAlertAgeSeconds: number;
  approval: ApprovalConfig;
}

/** What one account changes for itself; anything left out comes from the strategy. */
export type StrategyAccountOverride = Partial<StrategyConfig>;

export const DEFAULT_STRATEGY_CONFIG: StrategyConfig = {
  sides: 'both',
  oppositeSignal: 'exit_and_reverse',
  allowAdd: false,
  useSignalQuantity: true,
  sizing: { method: 'fixed_quantity', amount: '1' },
  useSignalOrderType: true,
  useSignalTimeInForce: true,
  orderType: 'market',
  exitOrderType: 'market',
  timeInForce: 'day',
  cancelOpenOrders: true,
  tradingWindows: { timezone: 'America/New_York', windows: [], allowExitsOutside: true },
  maxAlertAgeSeconds: 60,
  approval: { mode: 'auto', timeoutSeconds: 300 },
};

/** The account's override wins field by field; nested objects are replaced whole (no deep merge surprises). */
export function resolveStrategyConfig(strategy: StrategyConfig, account?: StrategyAccountOverride): StrategyConfig {
  if (!account) return strategy;
  const merged: StrategyConfig = { ...strategy };
  for (const [key, value] of Object.entries(account)) {
    if (value !== undefined) (merged as unknown as Record<string, unknown>)[key] = value;
  }
  return merged;
}

// --- symbol mapping ----------------------------------------------------------------------------------

/** One explicit mapping row; the most specific row (exchange and broker given) wins. */
export interface SymbolMappingEntry {
  /** Ticker without exchange prefix, e.g. "EURUSD", or "ES1!". */
  ticker: string;
  exchange?: string;
  broker?: string;
  symbol: string;
}

/** How a continuous future (`ES1!`) becomes a contract. */
export interface FuturesRollRule {
  /** Contract month codes traded, e.g. "HMUZ" (quarterly) or "FGHJKMNQUVXZ" (monthly). */
  months: string;
  /**
   * The date the agent must be out of a contract by, by the exchange's rule for the root:
   * - `third_friday`: the third Friday of the contract month (CME equity index futures' last trading day).
   * - `last_business_day`: the last business day of the contract month.
   * - `crude_oil_25th`: NYMEX crude oil's last trading day, 3 business days before the 25th calendar day of the
   *   month before the contract month (before the business day preceding the 25th when the 25th is not one).
   * - `third_last_business_day_prior_month`: NYMEX natural gas's last trading day, the 3rd last business day of
   *   the month before the contract month.
   * - `fx_third_wednesday`: CME currency futures' last trading day, 2 business days before the third Wednesday of
   *   the contract month.
   * - `first_notice_day`: the last business day of the month before the contract month (COMEX metals, CBOT
   *   Treasuries): a long still held then may be assigned delivery.
   */
  expiry: 'third_friday' | 'last_business_day' | 'crude_oil_25th' | 'third_last_business_day_prior_month' | 'fx_third_wednesday' | 'first_notice_day';
  /** Roll to the next contract this many calendar days before that date. */
  rollDaysBefore: number;
  /** Contract symbol shape: `{root}{month}{yyyy}`, `{root}{month}{yy}` or `{root}{month}{y}`. */
  format: string;
}

export interface SymbolMappingTable {
  entries: SymbolMappingEntry[];
  /** Roll rules per futures root ("ES", "NQ", "CL"). A root without a rule is SYMBOL_UNMAPPED unless
   *  `defaultFuturesRoll` is given. */
  futuresRoll: Record<string, FuturesRollRule>;
  /** A rule for every other root. The built-in table has none: one rule cannot fit every exchange's expiry, and a
   *  wrong rule trades an expired or unwanted contract. */
  defaultFuturesRoll?: FuturesRollRule;
}

/** CME equity index futures: quarterly, expiring on the third Friday, rolled 8 days before (the Thursday of the
 *  week before, when volume moves to the next contract). */
export const DEFAULT_FUTURES_ROLL: FuturesRollRule = {
  months: 'HMUZ',
  expiry: 'third_friday',
  rollDaysBefore: 8,
  format: '{root}{month}{yyyy}',
};

const MONTHLY = 'FGHJKMNQUVXZ';
const rule = (months: string, expiry: FuturesRollRule['expiry'], rollDaysBefore: number): FuturesRollRule => ({ months, expiry, rollDaysBefore, format: '{root}{month}{yyyy}' });
const equityIndex = DEFAULT_FUTURES_ROLL;
const currency = rule('HMUZ', 'fx_third_wednesday', 7);
const treasury = rule('HMUZ', 'first_notice_day', 2);

/** The roots the agent rolls by their exchange's rules (docs/strategy-and-risk.md, "Symbol mapping"). */
export const DEFAULT_FUTURES_ROLLS: Record<string, FuturesRollRule> = {
  ES: equityIndex, NQ: equityIndex, YM: equityIndex, RTY: equityIndex,
  MES: equityIndex, MNQ: equityIndex, MYM: equityIndex, M2K: equityIndex,
  CL: rule(MONTHLY, 'crude_oil_25th', 3),
  NG: rule(MONTHLY, 'third_last_business_day_prior_month', 3),
  GC: rule('GJMQVZ', 'first_notice_day', 2),
  SI: rule('HKNUZ', 'first_notice_day', 2),
  HG: rule('HKNUZ', 'first_notice_day', 2),
  ZB: treasury, ZN: treasury,
  '6E': currency, '6B': currency, '6J': currency, '6A': currency, '6C': currency, '6S': currency,
};

export const DEFAULT_SYMBOL_MAPPING: SymbolMappingTable = {
  entries: [],
  futuresRoll: DEFAULT_FUTURES_ROLLS,
};

// --- JSON Schemas --------------------------------------------------------------------------------------

const positiveDecimal = { type: 'string', pattern: '^(0|[1-9][0-9]*)(\\.[0-9]+)?$' } as const;
const hhmm = { type: 'string', pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' } as const;

const sizingSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['method', 'amount'],
  properties: {
    method: { enum: ['fixed_quantity', 'dollar_amount', 'risk_dollar_amount', 'percent_of_equity', 'percent_of_position'] },
    amount: positiveDecimal,
  },
} as const;

const orderTypeSchema = { enum: ['market', 'limit', 'stop', 'stop_limit', 'trailing_stop'] } as const;

const tradingWindowsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['timezone', 'windows', 'allowExitsOutside'],
  properties: {
    // An IANA zone this platform knows, checked as the risk rules' tradingDay.timeZone is. A strategy stored before
    // this check with an unknown zone still loads and trades as before (insideTradingWindow: outside every window).
    timezone: { type: 'string', minLength: 1, maxLength: 64, format: TIME_ZONE_FORMAT },
    windows: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['days', 'start', 'end'],
        properties: {
          days: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] } },
          start: hhmm,
          end: hhmm,
        },
      },
    },
    allowExitsOutside: { type: 'boolean' },
  },
} as const;

const strategyProperties = {
  sides: { enum: ['long', 'short', 'both'] },
  oppositeSignal: { enum: ['exit_only', 'exit_and_reverse'] },
  allowAdd: { type: 'boolean' },
  useSignalQuantity: { type: 'boolean' },
  sizing: sizingSchema,
  useSignalOrderType: { type: 'boolean' },
  useSignalTimeInForce: { type: 'boolean' },
  orderType: orderTypeSchema,
  exitOrderType: orderTypeSchema,
  timeInForce: { enum: ['day', 'gtc', 'opg', 'cls', 'ioc', 'fok'] },
  cancelOpenOrders: { type: 'boolean' },
  takeProfit: {
    type: 'object',
    additionalProperties: false,
    properties: { percent: positiveDecimal, amount: positiveDecimal },
  },
  stopLoss: {
    type: 'object',
    additionalProperties: false,
    properties: {
      type: { enum: ['stop', 'stop_limit', 'trailing_stop'] },
      percent: positiveDecimal,
      amount: positiveDecimal,
      trailPercent: positiveDecimal,
      trailAmount: positiveDecimal,
    },
  },
  tradingWindows: tradingWindowsSchema,
  maxAlertAgeSeconds: { type: 'integer', minimum: 1 },
  approval: {
    type: 'object',
    additionalProperties: false,
    required: ['mode', 'timeoutSeconds'],
    properties: { mode: { enum: ['auto', 'manual'] }, timeoutSeconds: { type: 'integer', minimum: 1 } },
  },
} as const;

export const STRATEGY_CONFIG_SCHEMA = {
  $id: 'viewzenix/strategy-config',
  type: 'object',
  additionalProperties: false,
  required: [
    'sides', 'oppositeSignal', 'allowAdd', 'useSignalQuantity', 'sizing', 'useSignalOrderType', 'useSignalTimeInForce',
    'orderType', 'exitOrderType', 'timeInForce', 'cancelOpenOrders', 'tradingWindows', 'maxAlertAgeSeconds', 'approval',
  ],
  properties: strategyProperties,
} as const;

/** An account's override: the same fields, all optional, nothing else. */
export const STRATEGY_ACCOUNT_OVERRIDE_SCHEMA = {
  $id: 'viewzenix/strategy-account-override',
  type: 'object',
  additionalProperties: false,
  properties: strategyProperties,
} as const;

const rollRuleSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['months', 'expiry', 'rollDaysBefore', 'format'],
  properties: {
    months: { type: 'string', pattern: '^[FGHJKMNQUVXZ]{1,12}$' },
    expiry: { enum: ['third_friday', 'last_business_day', 'crude_oil_25th', 'third_last_business_day_prior_month', 'fx_third_wednesday', 'first_notice_day'] },
    rollDaysBefore: { type: 'integer', minimum: 0, maximum: 60 },
    format: { type: 'string', pattern: '\\{root\\}' },
  },
} as const;

export const SYMBOL_MAPPING_SCHEMA = {
  $id: 'viewzenix/symbol-mapping',
  type: 'object',
  additionalProperties: false,
  required: ['entries', 'futuresRoll'],
  properties: {
    entries: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['ticker', 'symbol'],
        properties: {
          ticker: { type: 'string', minLength: 1 },
          exchange: { type: 'string', minLength: 1 },
          broker: { type: 'string', minLength: 1 },
          symbol: { type: 'string', minLength: 1 },
        },
      },
    },
    futuresRoll: { type: 'object', additionalProperties: rollRuleSchema },
    defaultFuturesRoll: rollRuleSchema,
  },
} as const;
