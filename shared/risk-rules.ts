// Risk rules: the limits every order is checked against before it reaches a broker.
// Set per account, overridable per strategy. A limit left out (undefined) is off; the verdict still lists it.
import type { Decimal } from './signal.js';

export const LOSS_LIMIT_ACTIONS = ['halt', 'reduce'] as const;
/** What the account's trading state becomes when the daily loss or drawdown limit is hit. */
export type LossLimitAction = (typeof LOSS_LIMIT_ACTIONS)[number];

/**
 * When the risk rules' day starts: the daily loss limit, the drawdown from the day's high and the orders per day
 * all measure this day. `startsAt` is wall-clock time in `timeZone` (an IANA zone; daylight saving is followed),
 * so `{timeZone: 'America/New_York', startsAt: '17:00'}` is the futures and forex day, turning at 17:00 New York
 * time in winter and summer alike.
 */
export interface TradingDay {
  /** IANA time zone, e.g. "America/New_York", "Europe/London", "UTC". */
  timeZone: string;
  /** "HH:MM", 24 h. On a day when that time does not exist (the hour the clocks skip), the day starts when the
   *  clocks jump past it; when it happens twice (the hour they repeat), at the first. */
  startsAt: string;
}

export const RISK_ASSET_CLASSES = ['equity', 'crypto', 'forex', 'cfd', 'future', 'option', 'other'] as const;

export interface RiskRules {
  /** Only these symbols may trade (broker symbols). Empty = every symbol. */
  allowedSymbols: string[];
  blockedSymbols: string[];
  maxOrderQuantity?: Decimal;
  maxOrderNotional?: Decimal;
  /** Largest |position| per symbol after the order (and the symbol's other open orders) fill. */
  maxPositionPerSymbol?: Decimal;
  /** Per-symbol exceptions to maxPositionPerSymbol. */
  maxPositionBySymbol?: Record<string, Decimal>;
  maxOpenPositions?: number;
  /** Sum of |position| × price over all symbols, after the order. */
  maxGrossExposure?: Decimal;
  maxOrdersPerMinute?: number;
  maxOrdersPerDay?: number;
  /** The fall of equity since the day started (realised and unrealised together), as a positive amount. */
  maxDailyLoss?: Decimal;
  /** Percent below today's equity high. */
  maxDrawdownPercent?: Decimal;
  lossLimitAction: LossLimitAction;
  /**
   * When the day of the daily limits starts (docs/strategy-and-risk.md, "The day"). Left out: the UTC day, and the
   * broker's own starting equity where it reports one (as before this setting existed). Set (even to UTC 00:00):
   * exactly that day, measured from the agent's own first equity reading in it.
   */
  tradingDay?: TradingDay;
  cooldownAfterLossSeconds?: number;
  cooldownAfterExitSeconds?: number;
  /** Limit / stop prices further than this percent from the last price are refused. */
  priceBandPercent?: Decimal;
  /** The same symbol and side again within this many seconds is refused. */
  duplicateWindowSeconds?: number;
  /** Refuse orders while the asset class's market is closed (extended session only with extendedHours). */
  enforceMarketHours: boolean;
}

export type RiskRulesOverride = Partial<RiskRules>;

export const DEFAULT_RISK_RULES: RiskRules = {
  allowedSymbols: [],
  blockedSymbols: [],
  maxOrdersPerMinute: 30,
  maxOrdersPerDay: 1000,
  lossLimitAction: 'halt',
  priceBandPercent: '10',
  // No duplicate guard by default: TradingView's re-sends are caught by the alert dedupe, and two different alerts
  // of one bar (two take-profits, two pyramiding entries) are both meant.
  enforceMarketHours: true,
};

/** The strategy's override wins field by field over the account's rules. */
export function resolveRiskRules(account: RiskRules, strategy?: RiskRulesOverride): RiskRules {
  if (!strategy) return account;
  const merged: RiskRules = { ...account };
  for (const [key, value] of Object.entries(strategy)) {
    if (value !== undefined) (merged as unknown as Record<string, unknown>)[key] = value;
  }
  return merged;
}

const positiveDecimal = { type: 'string', pattern: '^(0|[1-9][0-9]*)(\\.[0-9]+)?$' } as const;
const symbolList = { type: 'array', uniqueItems: true, items: { type: 'string', minLength: 1 } } as const;

/** The `format` of a time-zone field: an IANA zone this platform knows (registered in main/server/validate.ts). */
export const TIME_ZONE_FORMAT = 'iana-time-zone';

/** True when `zone` is an IANA time zone this platform's time-zone database knows. */
export function isKnownTimeZone(zone: string): boolean {
  if (zone.trim() === '') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const tradingDaySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['timeZone', 'startsAt'],
  properties: {
    timeZone: { type: 'string', minLength: 1, maxLength: 64, format: TIME_ZONE_FORMAT },
    startsAt: { type: 'string', pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' },
  },
} as const;

const riskProperties = {
  allowedSymbols: symbolList,
  blockedSymbols: symbolList,
  maxOrderQuantity: positiveDecimal,
  maxOrderNotional: positiveDecimal,
  maxPositionPerSymbol: positiveDecimal,
  maxPositionBySymbol: { type: 'object', additionalProperties: positiveDecimal },
  maxOpenPositions: { type: 'integer', minimum: 0 },
  maxGrossExposure: positiveDecimal,
  maxOrdersPerMinute: { type: 'integer', minimum: 0 },
  maxOrdersPerDay: { type: 'integer', minimum: 0 },
  maxDailyLoss: positiveDecimal,
  maxDrawdownPercent: positiveDecimal,
  lossLimitAction: { enum: ['halt', 'reduce'] },
  tradingDay: tradingDaySchema,
  cooldownAfterLossSeconds: { type: 'integer', minimum: 0 },
  cooldownAfterExitSeconds: { type: 'integer', minimum: 0 },
  priceBandPercent: positiveDecimal,
  duplicateWindowSeconds: { type: 'integer', minimum: 0 },
  enforceMarketHours: { type: 'boolean' },
} as const;

export const RISK_RULES_SCHEMA = {
  $id: 'viewzenix/risk-rules',
  type: 'object',
  additionalProperties: false,
  required: ['allowedSymbols', 'blockedSymbols', 'lossLimitAction', 'enforceMarketHours'],
  properties: riskProperties,
} as const;

export const RISK_RULES_OVERRIDE_SCHEMA = {
  $id: 'viewzenix/risk-rules-override',
  type: 'object',
  additionalProperties: false,
  properties: riskProperties,
} as const;
