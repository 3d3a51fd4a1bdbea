// JSON Schemas of the control API's inputs (docs/api.md). Unknown fields are rejected; every error is
// reported at once.
import { TRADING_STATES } from '../trading-state.js';
import { STRATEGY_ACCOUNT_OVERRIDE_SCHEMA, SYMBOL_MAPPING_SCHEMA } from '../strategy-config.js';
import { RISK_RULES_OVERRIDE_SCHEMA } from '../risk-rules.js';

/** A schema embedded in another must not carry its own $id (ajv registers ids once per instance). */
function embed<T extends { $id?: string }>(schema: T): Omit<T, '$id'> {
  const { $id: _id, ...rest } = schema;
  return rest;
}

const strategyOverride = embed(STRATEGY_ACCOUNT_OVERRIDE_SCHEMA);
const riskOverride = embed(RISK_RULES_OVERRIDE_SCHEMA);

/** A strategy's `config`: its trading behaviour, per-account overrides, risk overrides and intake limits. */
export const strategyConfigSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    strategy: strategyOverride,
    accounts: { type: 'object', additionalProperties: strategyOverride, maxProperties: 50 },
    risk: riskOverride,
    intake: {
      type: 'object',
      additionalProperties: false,
      properties: {
        ipAllowlist: { type: 'array', items: { type: 'string', format: 'ipv4' }, maxItems: 100, uniqueItems: true },
        rateLimit: {
          type: 'object',
          additionalProperties: false,
          required: ['perSecond', 'burst'],
          properties: { perSecond: { type: 'number', exclusiveMinimum: 0, maximum: 1000000 }, burst: { type: 'integer', minimum: 1, maximum: 1000000 } },
        },
      },
    },
  },
} as const;

/** An account's `config`: risk rules, symbol mappings, paper-broker settings, and the broker's own settings
 *  (OANDA accountId, CCXT exchange …, see docs/brokers.md), which stay open for the adapter to read. */
export const accountConfigSchema = {
  type: 'object',
  properties: {
    risk: riskOverride,
    symbolMapping: embed(SYMBOL_MAPPING_SCHEMA).properties.entries,
    paper: {
      type: 'object',
      additionalProperties: false,
      properties: {
        currency: { type: 'string', pattern: '^[A-Z]{3}$' },
        startingCash: { type: 'string', pattern: '^[0-9]+(\\.[0-9]+)?$' },
        slippageBps: { type: 'string', pattern: '^[0-9]+(\\.[0-9]+)?$' },
        commissionPerOrder: { type: 'string', pattern: '^[0-9]+(\\.[0-9]+)?$' },
        allowShort: { type: 'boolean' },
        fractional: { type: 'boolean' },
        partialFills: { type: 'boolean' },
      },
    },
  },
} as const;

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
    config: strategyConfigSchema,
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
    environment: { type: 'string', enum: ['paper', 'practice', 'demo', 'testnet', 'sandbox', 'live'] },
    baseUrl: { type: 'string', format: 'uri', pattern: '^https?://', maxLength: 500 },
    credentials: credentialFields,
    config: accountConfigSchema,
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

/** DELETE /api/accounts/:id: `force=true` deletes it even when its positions cannot be read at the broker. */
export const deleteAccountQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    force: { type: 'string', enum: ['true', 'false'] },
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

export const replaySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['strategyId'],
  properties: {
    strategyId: id,
    accountId: id,
    from: { type: 'string', format: 'date-time' },
    to: { type: 'string', format: 'date-time' },
    /** Signed position per broker symbol at the start of the period (default: flat). */
    positions: { type: 'object', additionalProperties: { type: 'string', pattern: '^-?[0-9]+(\\.[0-9]+)?$' }, maxProperties: 500 },
  },
} as const;

export const updateStrategySchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 100 },
    accountIds: { type: 'array', items: id, minItems: 1, maxItems: 50, uniqueItems: true },
    passphrase: { anyOf: [{ type: 'string', minLength: 8, maxLength: 200 }, { type: 'null' }] },
    enabled: { type: 'boolean' },
    config: strategyConfigSchema,
  },
} as const;

/** GET /api/approvals query. */
export const approvalsQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { type: 'string', enum: ['pending', 'approved', 'rejected', 'expired'] },
    limit: { type: 'string', pattern: '^[0-9]{1,4}$' },
  },
} as const;

/** POST /api/approvals/:id/reject body (optional). */
export const rejectApprovalSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    reason: { type: 'string', maxLength: 500 },
  },
} as const;
