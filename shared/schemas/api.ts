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

/** Credential field names: the <field> part of broker:<account-id>:<field> (docs/credentials.md). */
const credentialFields = {
  type: 'object',
  propertyNames: { pattern: '^[A-Za-z][A-Za-z0-9_-]{0,31}$' },
  additionalProperties: { type: 'string', minLength: 1, maxLength: 4096 },
  maxProperties: 10,
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
    credentials: credentialFields,
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

export const replaceCredentialsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['credentials'],
  properties: { credentials: { ...credentialFields, minProperties: 1 } },
} as const;

export const setCredentialSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['value'],
  properties: { value: { type: 'string', minLength: 1, maxLength: 4096 } },
} as const;

const publicUrl = { type: 'string', maxLength: 500, pattern: '^https?://' } as const;

/** PUT /api/tunnel: the sections given replace the stored ones; tokens are not settings (PUT /api/credentials/:name). */
export const tunnelSettingsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    provider: { type: 'string', enum: ['ngrok', 'cloudflared', 'localtunnel', 'manual'] },
    ngrok: {
      type: 'object',
      additionalProperties: false,
      properties: {
        domain: { type: 'string', minLength: 1, maxLength: 253 },
        restrictToTradingView: { type: 'boolean' },
      },
    },
    cloudflared: {
      type: 'object',
      additionalProperties: false,
      properties: {
        mode: { type: 'string', enum: ['quick', 'named'] },
        publicUrl,
      },
    },
    manual: { type: 'object', additionalProperties: false, properties: { publicUrl } },
    localtunnel: {
      type: 'object',
      additionalProperties: false,
      properties: {
        host: publicUrl,
        subdomain: { type: 'string', minLength: 4, maxLength: 63 },
      },
    },
  },
} as const;
