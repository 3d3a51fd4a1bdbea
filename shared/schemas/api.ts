// JSON Schemas of the control API's inputs (docs/api.md). Unknown fields are rejected; every error is
// reported at once.
import { TRADING_STATES } from '../trading-state.js';

const id = { type: 'string', minLength: 1, maxLength: 128 } as const;

export const createStrategySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'accountIds'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 100 },
    accountIds: { type: 'array', items: id, minItems: 1, maxItems: 50, uniqueItems: true },
    passphrase: { type: 'string', minLength: 8, maxLength: 200 },
    enabled: { type: 'boolean' },
    config: { type: 'object' },
  },
} as const;

export const createAccountSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'broker', 'environment'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 100 },
    broker: { type: 'string', enum: ['paper', 'alpaca', 'oanda', 'ccxt'] },
    environment: { type: 'string', enum: ['paper', 'practice', 'testnet', 'live'] },
    baseUrl: { type: 'string', format: 'uri', pattern: '^https?://', maxLength: 500 },
    credentials: { type: 'object', additionalProperties: { type: 'string', maxLength: 4096 }, maxProperties: 10 },
    config: { type: 'object' },
  },
} as const;

export const tradingStateSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['state'],
  properties: {
    state: { type: 'string', enum: [...TRADING_STATES] },
    reason: { type: 'string', maxLength: 500 },
    accountId: id,
  },
} as const;

export const flattenSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    accountId: id,
    halt: { type: 'boolean' },
  },
} as const;

export const ordersQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { type: 'string', pattern: '^[0-9]{1,5}$' },
    offset: { type: 'string', pattern: '^[0-9]{1,9}$' },
    status: { type: 'string', maxLength: 32 },
    symbol: { type: 'string', maxLength: 64 },
    accountId: id,
    strategyId: id,
    signalId: id,
    search: { type: 'string', maxLength: 100 },
    sort: { type: 'string', enum: ['created_at', 'updated_at', 'symbol', 'status'] },
    direction: { type: 'string', enum: ['asc', 'desc'] },
  },
} as const;

export const signalsQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { type: 'string', pattern: '^[0-9]{1,5}$' },
    status: { type: 'string', maxLength: 32 },
    strategyId: id,
  },
} as const;

export const alertCheckSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['text'],
  properties: {
    text: { type: 'string', maxLength: 65536 },
    alertType: { type: 'string', enum: ['strategy', 'indicator'] },
  },
} as const;

export const simulateSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['strategyId', 'text'],
  properties: {
    strategyId: id,
    text: { type: 'string', maxLength: 65536 },
    contentType: { type: 'string', maxLength: 200 },
  },
} as const;
