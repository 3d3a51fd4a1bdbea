// Strategy configuration: how a strategy (and each account that follows it) turns a signal into orders.
// Types, defaults and the JSON Schema (ajv) live together so the schema cannot drift from the type.
// Numbers that are money or quantities are decimal strings, as in the Signal.
import type { Decimal, OrderType, QuantityType, TimeInForce } from './signal.js';

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
  /** Expiry day inside the contract month. */
  expiry: 'third_friday' | 'last_business_day';
  /** Roll to the next contract this many calendar days before expiry. */
  rollDaysBefore: number;
  /** Contract symbol shape: `{root}{month}{yyyy}`, `{root}{month}{yy}` or `{root}{month}{y}`. */
  format: string;
}

export interface SymbolMappingTable {
  entries: SymbolMappingEntry[];
  /** Roll rules per futures root ("ES", "NQ", "CL"); others use `defaultFuturesRoll`. */
  futuresRoll: Record<string, FuturesRollRule>;
  defaultFuturesRoll: FuturesRollRule;
}

export const DEFAULT_FUTURES_ROLL: FuturesRollRule = {
  months: 'HMUZ',
  expiry: 'third_friday',
  rollDaysBefore: 8,
  format: '{root}{month}{yyyy}',
};

export const DEFAULT_SYMBOL_MAPPING: SymbolMappingTable = {
  entries: [],
  futuresRoll: {
    CL: { months: 'FGHJKMNQUVXZ', expiry: 'last_business_day', rollDaysBefore: 10, format: '{root}{month}{yyyy}' },
  },
  defaultFuturesRoll: DEFAULT_FUTURES_ROLL,
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
    timezone: { type: 'string', minLength: 1 },
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
    expiry: { enum: ['third_friday', 'last_business_day'] },
    rollDaysBefore: { type: 'integer', minimum: 0, maximum: 60 },
    format: { type: 'string', pattern: '\\{root\\}' },
  },
} as const;

export const SYMBOL_MAPPING_SCHEMA = {
  $id: 'viewzenix/symbol-mapping',
  type: 'object',
  additionalProperties: false,
  required: ['entries', 'futuresRoll', 'defaultFuturesRoll'],
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
