// JSON Schemas of the alert intake: the raw native alert (what arrives, before normalisation) and the parsed
// Signal (what every dialect must produce). Plain objects so the renderer can show them and main/ can compile
// them with ajv once at load.
//
// The raw schema checks SHAPES only (a number or a numeric string, an object, a boolean or "true"/"false"):
// enum values are matched case-insensitively and numbers are normalised to decimal strings in code, where a
// precise error code and a fix can be given. Unknown top-level fields are allowed; they are kept in `extras`.

import { ACTIONS, MARKET_POSITIONS, ORDER_TYPES, SENTIMENTS, SIGNAL_QUANTITY_TYPES, TIME_IN_FORCE } from '../signal.js';

/** A number, or a string that should hold one ("10", " 189.42 "). Content is checked in code. */
const numeric = { type: ['number', 'string'] } as const;
/** An enum value; case and synonyms are resolved in code. */
const word = { type: 'string' } as const;
const flag = { type: ['boolean', 'string'] } as const;

export const nativeAlertSchema = {
  $id: 'viewzenix:alert/native',
  type: 'object',
  properties: {
    ticker: { type: ['string', 'number'] },
    /** TradingView's {{exchange}}: {{ticker}} has no EXCHANGE: prefix, so the exchange can come on its own. */
    exchange: { type: 'string' },
    action: word,
    sentiment: word,
    quantity: numeric,
    quantityType: word,
    orderType: word,
    limitPrice: numeric,
    stopPrice: numeric,
    trailAmount: numeric,
    trailPercent: numeric,
    price: numeric,
    signalPrice: numeric,
    timeInForce: word,
    takeProfit: {
      type: 'object',
      properties: { limitPrice: numeric, percent: numeric, amount: numeric },
    },
    stopLoss: {
      type: 'object',
      properties: {
        type: word,
        stopPrice: numeric,
        limitPrice: numeric,
        percent: numeric,
        amount: numeric,
        trailAmount: numeric,
        trailPercent: numeric,
      },
    },
    time: { type: ['string', 'number'] },
    extendedHours: flag,
    cancel: flag,
    ignoreTradingWindows: flag,
    extras: { type: 'object' },
    passphrase: { type: ['string', 'number'] },
    id: { type: ['string', 'number'], maxLength: 256 },
    positionSize: numeric,
    marketPosition: word,
    marketPositionSize: numeric,
    prevMarketPosition: word,
    prevMarketPositionSize: numeric,
  },
  additionalProperties: true,
} as const;

/** The fields the native format knows; anything else goes to `extras`. */
export const NATIVE_FIELDS: readonly string[] = Object.keys(nativeAlertSchema.properties);

/** A normalised decimal string: no sign on zero, no leading zeros, no trailing fractional zeros, no exponent. */
export const DECIMAL_PATTERN = '^-?(0|[1-9][0-9]*)(\\.[0-9]*[1-9])?$';
export const POSITIVE_DECIMAL_PATTERN = '^(0\\.[0-9]*[1-9]|[1-9][0-9]*(\\.[0-9]*[1-9])?)$';
export const NON_NEGATIVE_DECIMAL_PATTERN = '^(0|[1-9][0-9]*)(\\.[0-9]*[1-9])?$';

const positive = { type: 'string', pattern: POSITIVE_DECIMAL_PATTERN } as const;
const nonNegative = { type: 'string', pattern: NON_NEGATIVE_DECIMAL_PATTERN } as const;

/** The parsed Signal (shared/signal.ts). Every ok parse result satisfies it. */
export const signalSchema = {
  $id: 'viewzenix:alert/signal',
  type: 'object',
  required: ['dialect', 'symbol', 'ticker', 'action'],
  additionalProperties: false,
  properties: {
    dialect: { enum: ['native', 'pineconnector', 'threecommas', 'keyvalue'] },
    symbol: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Z0-9][A-Z0-9._!/&^=#+*-]*$' },
    exchange: { type: 'string', minLength: 1, maxLength: 64 },
    ticker: { type: 'string', minLength: 1 },
    action: { enum: [...ACTIONS] },
    sentiment: { enum: [...SENTIMENTS] },
    quantity: positive,
    // `lots` only from a dialect that counts in lots (PineConnector vol_lots=); the native alert cannot send it.
    quantityType: { enum: [...SIGNAL_QUANTITY_TYPES] },
    orderType: { enum: [...ORDER_TYPES] },
    limitPrice: positive,
    stopPrice: positive,
    trailAmount: positive,
    trailPercent: positive,
    price: positive,
    signalPrice: positive,
    timeInForce: { enum: [...TIME_IN_FORCE] },
    takeProfit: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      properties: { limitPrice: positive, percent: positive, amount: positive },
    },
    stopLoss: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      properties: {
        type: { enum: ['stop', 'stop_limit', 'trailing_stop'] },
        stopPrice: positive,
        limitPrice: positive,
        percent: positive,
        amount: positive,
        trailAmount: positive,
        trailPercent: positive,
      },
    },
    time: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$' },
    extendedHours: { type: 'boolean' },
    cancel: { type: 'boolean' },
    ignoreTradingWindows: { type: 'boolean' },
    id: { type: 'string', minLength: 1, maxLength: 256 },
    positionSize: { type: 'string', pattern: DECIMAL_PATTERN },
    marketPosition: { enum: [...MARKET_POSITIONS] },
    marketPositionSize: nonNegative,
    prevMarketPosition: { enum: [...MARKET_POSITIONS] },
    prevMarketPositionSize: nonNegative,
    maxAgeSeconds: { type: 'integer', minimum: 1 },
    closeSide: { enum: ['long', 'short'] },
    extras: {
      type: 'object',
      // Secrets never travel in extras (they would be stored and shown).
      propertyNames: { not: { pattern: '[Pp][Aa][Ss][Ss][Pp][Hh][Rr][Aa][Ss][Ee]|[Ss][Ee][Cc][Rr][Ee][Tt]|[Tt][Oo][Kk][Ee][Nn]|[Pp][Aa][Ss][Ss][Ww][Oo][Rr][Dd]' } },
    },
  },
} as const;
