// Configuration export / import as JSON: strategies, accounts (without credentials), their links and overrides,
// and settings (notification routing, rules, mappings). Import is validated with ajv (unknown fields rejected,
// every error reported at once) and shows what will change before anything is applied (dryRun).
import type { Db } from '../store/db.js';
import { applyConfigSnapshot, readConfigSnapshot, type AccountSnapshot, type ConfigSnapshotData, type StrategySnapshot } from '../store/config-snapshot.js';
import { validator, type ValidationIssue } from '../server/validate.js';
import { STRATEGY_ACCOUNT_OVERRIDE_SCHEMA } from '../../shared/strategy-config.js';
import { accountConfigSchema, createAccountSchema, createStrategySchema, strategyConfigSchema } from '../../shared/schemas/api.js';
import { newWebhookId } from '../ids.js';
import { accountConfigIssues } from '../account-connections.js';
import { exportableNotifyConfig, notifyConfigIssues, SETTINGS_KEY as NOTIFY_SETTINGS_KEY } from '../notify/config.js';
import { credentialKeyIssues, hideCredentialValues, isCredentialKey, stripCredentialKeys, tunnelUrlIssues } from './credential-keys.js';

export const CONFIG_FORMAT = 'viewzenix-config';

export interface ConfigSnapshot extends ConfigSnapshotData {
  format: typeof CONFIG_FORMAT;
  version: 1;
  exportedAt: string;
}

/** Settings the agent keeps for itself (first-run markers), not configuration. */
const INTERNAL_SETTINGS = new Set(['seeded', 'demoStrategyId']);
/** The tunnel settings (tunnel-service.ts SETTINGS_KEY): its server addresses must carry no login. */
const TUNNEL_SETTINGS_KEY = 'tunnel.settings';

const ID = { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' } as const;
const { $id: _drop, ...strategyOverrideSchema } = STRATEGY_ACCOUNT_OVERRIDE_SCHEMA;

/** The nested keys of a strategy's `config`, as the API writes it and the engine reads it (StrategySettings). */
const NESTED_KEYS = new Set(Object.keys(strategyConfigSchema.properties));

/**
 * A strategy's `config` in the file: the API's shape ({strategy, accounts, risk, intake}), validated with the
 * schema POST/PUT /api/strategies use. Files of earlier versions wrote the strategy's behaviour flat at the top
 * of `config` (`{"sides": "long"}`) and per-account overrides in `accountOverrides`: still accepted, checked with
 * the same field schemas, and moved where the engine reads them (config.strategy, config.accounts), never dropped.
 */
const importedStrategyConfigSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { ...strategyConfigSchema.properties, ...strategyOverrideSchema.properties },
} as const;

export const CONFIG_SNAPSHOT_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['format', 'version', 'accounts', 'strategies', 'settings'],
  properties: {
    format: { const: CONFIG_FORMAT },
    version: { const: 1 },
    exportedAt: { type: 'string', format: 'date-time' },
    accounts: {
      type: 'array',
      maxItems: 1000,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'name', 'broker', 'environment', 'config'],
        properties: {
          id: ID,
          // The same fields and rules as POST /api/accounts.
          name: createAccountSchema.properties.name,
          broker: createAccountSchema.properties.broker,
          environment: createAccountSchema.properties.environment,
          baseUrl: createAccountSchema.properties.baseUrl,
          config: accountConfigSchema,
        },
      },
    },
    strategies: {
      type: 'array',
      maxItems: 1000,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'name', 'enabled', 'config', 'accountIds'],
        properties: {
          id: ID,
          // The same fields and rules as POST /api/strategies.
          name: createStrategySchema.properties.name,
          enabled: { type: 'boolean' },
          config: importedStrategyConfigSchema,
          accountIds: { ...createStrategySchema.properties.accountIds, items: ID },
          accountOverrides: { type: 'object', propertyNames: ID, additionalProperties: strategyOverrideSchema },
        },
      },
    },
    settings: { type: 'object', propertyNames: { type: 'string', minLength: 1, maxLength: 128 }, additionalProperties: { type: 'string', maxLength: 1_000_000 } },
  },
} as const;

const SETTING_CREDENTIALS_HINT = 'keep it in the vault (PUT /api/credentials/:name), never in a configuration file';

export function exportConfig(db: Db, now = new Date().toISOString()): ConfigSnapshot {
  const data = readConfigSnapshot(db);
  const settings = Object.fromEntries(Object.entries(data.settings).filter(([k]) => !INTERNAL_SETTINGS.has(k) && !isCredentialKey(k)));
  if (settings[NOTIFY_SETTINGS_KEY] !== undefined) settings[NOTIFY_SETTINGS_KEY] = exportableNotifyConfig(settings[NOTIFY_SETTINGS_KEY]);
  return {
    format: CONFIG_FORMAT,
    version: 1,
    exportedAt: now,
    accounts: data.accounts.map((a) => ({ ...a, config: stripCredentialKeys(a.config) })),
    // A strategy's config is closed by its schema (no credential can be in it); its `accounts` map is keyed by
    // account id, which must never be mistaken for a field name.
    strategies: data.strategies,
    settings,
  };
}

export interface FieldChange {
  path: string;
  before?: unknown;
  after?: unknown;
}

export interface EntityChange {
  entity: 'account' | 'strategy' | 'setting';
  id: string;
  action: 'add' | 'update' | 'unchanged';
  changes: FieldChange[];
}

export interface ImportPlan {
  ok: true;
  dryRun: boolean;
  applied: boolean;
  summary: { add: number; update: number; unchanged: number };
  changes: EntityChange[];
  /** Accounts this import created (applied only): the running agent connects them (ExportRouteDeps.accountsAdded). */
  accountsAdded?: string[];
}

export type ImportResult = ImportPlan | { ok: false; errors: ValidationIssue[] };

function diff(before: unknown, after: unknown, at: string, out: FieldChange[]): void {
  const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (isObj(before) && isObj(after)) {
    for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) diff(before[k], after[k], `${at}/${k}`, out);
    return;
  }
  if (JSON.stringify(before) !== JSON.stringify(after)) out.push({ path: at || '/', ...(before !== undefined ? { before } : {}), ...(after !== undefined ? { after } : {}) });
}

function change(entity: EntityChange['entity'], id: string, before: unknown, after: unknown, differs?: boolean): EntityChange {
  if (before === undefined) return { entity, id, action: 'add', changes: [] };
  const changes: FieldChange[] = [];
  // A credential stored by an earlier version must not be shown in the preview: its value is hidden.
  diff(hideCredentialValues(before), hideCredentialValues(after), '', changes);
  if (differs && changes.length === 0) changes.push({ path: '/', before: '(hidden)', after });
  return { entity, id, action: changes.length ? 'update' : 'unchanged', changes };
}

/** A stored setting as the preview shows it: a URL password or credential kept by an earlier version hidden. */
function shownSetting(key: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const v = key === NOTIFY_SETTINGS_KEY ? exportableNotifyConfig(value) : value;
  try {
    const parsed: unknown = JSON.parse(v);
    return parsed !== null && typeof parsed === 'object' ? JSON.stringify(hideCredentialValues(parsed)) : v;
  } catch {
    return v;
  }
}

/** Account settings the engine reads at each alert; every other setting was used to make the running connection. */
const LIVE_ACCOUNT_SETTINGS = new Set(['risk', 'symbolMapping']);

/**
 * An existing account keeps its broker, environment, base URL and connection settings: the running adapter was
 * made with them, and changing the stored row alone would leave the two disagreeing (orders going to one broker
 * while the account shows another). Such a change is refused; a new account is the way to another connection.
 */
function connectionChanges(current: AccountSnapshot, next: AccountSnapshot, at: string): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const why = `cannot be changed by an import: account ${current.id} is connected with the stored value (import a new account, with a new id, for another connection)`;
  if (next.broker !== current.broker) out.push({ path: `${at}/broker`, message: `${why}; it is ${current.broker}` });
  if (next.environment !== current.environment) out.push({ path: `${at}/environment`, message: `${why}; it is ${current.environment}` });
  if ((next.baseUrl ?? null) !== (current.baseUrl ?? null)) out.push({ path: `${at}/baseUrl`, message: why });
  for (const k of new Set([...Object.keys(current.config), ...Object.keys(next.config)])) {
    if (LIVE_ACCOUNT_SETTINGS.has(k) || isCredentialKey(k)) continue;
    if (JSON.stringify(current.config[k]) !== JSON.stringify(next.config[k])) out.push({ path: `${at}/config/${k}`, message: `is a connection setting and ${why}` });
  }
  return out;
}

/**
 * A strategy in the shape the engine reads: flat behaviour fields (files of earlier versions) moved into
 * config.strategy, `accountOverrides` into config.accounts. The same field given both ways is an error, not a
 * silent choice.
 */
function toEngineShape(s: StrategySnapshot, at: string, errors: ValidationIssue[]): StrategySnapshot {
  const nested: Record<string, unknown> = {};
  const flat: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s.config)) (NESTED_KEYS.has(k) ? nested : flat)[k] = v;
  const config: Record<string, unknown> = { ...nested };
  if (Object.keys(flat).length > 0) {
    const strategy = { ...((nested.strategy as Record<string, unknown> | undefined) ?? {}) };
    for (const [k, v] of Object.entries(flat)) {
      if (k in strategy) errors.push({ path: `${at}/config/${k}`, message: `is also given in config.strategy; give it once, in config.strategy` });
      strategy[k] = v;
    }
    config.strategy = strategy;
  }
  const overrides = s.accountOverrides ?? {};
  if (Object.keys(overrides).length > 0) {
    const accounts = { ...((nested.accounts as Record<string, unknown> | undefined) ?? {}) };
    for (const [a, o] of Object.entries(overrides)) {
      if (!s.accountIds.includes(a)) errors.push({ path: `${at}/accountOverrides/${a}`, message: 'an override for an account the strategy does not use' });
      if (a in accounts) errors.push({ path: `${at}/accountOverrides/${a}`, message: 'is also given in config.accounts; give it once, in config.accounts' });
      accounts[a] = o;
    }
    config.accounts = accounts;
  }
  // Checked again in the shape that is stored, with the schema of POST /api/strategies.
  for (const e of validator(strategyConfigSchema)(config)) errors.push({ path: `${at}/config${e.path === '/' ? '' : e.path}`, message: e.message });
  return { id: s.id, name: s.name, enabled: s.enabled, config, accountIds: s.accountIds };
}

/** Each setting: no credential-named key or value; the notification routing checked like PUT /api/notifications. */
function settingsIssues(settings: Record<string, string>): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  for (const [k, v] of Object.entries(settings)) {
    const at = `/settings/${k}`;
    if (INTERNAL_SETTINGS.has(k)) out.push({ path: at, message: 'an internal setting cannot be imported' });
    if (isCredentialKey(k)) {
      out.push({ path: at, message: `looks like a credential; ${SETTING_CREDENTIALS_HINT}` });
      continue;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(v);
    } catch {
      parsed = undefined;
    }
    if (k === NOTIFY_SETTINGS_KEY) {
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) out.push({ path: at, message: 'must be the JSON of the notification settings (an object)' });
      else out.push(...notifyConfigIssues(parsed, at));
    } else out.push(...credentialKeyIssues(parsed, at, SETTING_CREDENTIALS_HINT));
    if (k === TUNNEL_SETTINGS_KEY) out.push(...tunnelUrlIssues(parsed, at));
  }
  return out;
}

/** Validates, computes the diff against the database, and applies it unless dryRun. */
export function importConfig(db: Db, input: unknown, o: { dryRun: boolean; now?: string; /** CCXT's exchange ids (ccxtExchangesFor), when the file has a CCXT account. */ ccxtExchanges?: readonly string[] }): ImportResult {
  const errors = validator(CONFIG_SNAPSHOT_SCHEMA)(input);
  if (errors.length > 0) return { ok: false, errors };
  const snap = input as ConfigSnapshot;
  const current = readConfigSnapshot(db);
  const accountIds = new Set([...current.accounts.map((a) => a.id), ...snap.accounts.map((a) => a.id)]);
  const seen = new Set<string>();
  snap.accounts.forEach((a, i) => {
    const at = `/accounts/${i}`;
    if (seen.has(`a:${a.id}`)) errors.push({ path: `${at}/id`, message: `duplicate account id ${a.id}` });
    seen.add(`a:${a.id}`);
    // The checks POST /api/accounts makes (environment per broker, required settings, CCXT exchange id, no credentials).
    for (const e of accountConfigIssues(a, o.ccxtExchanges)) errors.push({ path: `${at}${e.path}`, message: e.message });
    const before = current.accounts.find((c) => c.id === a.id);
    if (before) errors.push(...connectionChanges(before, a, at));
  });
  const strategies = snap.strategies.map((s, i) => {
    const at = `/strategies/${i}`;
    if (seen.has(`s:${s.id}`)) errors.push({ path: `${at}/id`, message: `duplicate strategy id ${s.id}` });
    seen.add(`s:${s.id}`);
    s.accountIds.forEach((a, j) => {
      if (!accountIds.has(a)) errors.push({ path: `${at}/accountIds/${j}`, message: `unknown account ${a}` });
    });
    return toEngineShape(s, at, errors);
  });
  errors.push(...settingsIssues(snap.settings));
  if (errors.length > 0) return { ok: false, errors };

  const changes: EntityChange[] = [
    ...snap.accounts.map((a) => change('account', a.id, current.accounts.find((c) => c.id === a.id), a)),
    ...strategies.map((s) => change('strategy', s.id, current.strategies.find((c) => c.id === s.id), s)),
    ...Object.entries(snap.settings).map(([k, v]) => (current.settings[k] === v ? change('setting', k, v, v) : change('setting', k, shownSetting(k, current.settings[k]), v, true))),
  ];
  const summary = { add: 0, update: 0, unchanged: 0 };
  for (const c of changes) summary[c.action]++;
  const applied = !o.dryRun && summary.add + summary.update > 0;
  if (applied) applyConfigSnapshot(db, { accounts: snap.accounts, strategies, settings: snap.settings }, { now: o.now ?? new Date().toISOString(), newWebhookId });
  const added = changes.filter((c) => c.entity === 'account' && c.action === 'add').map((c) => c.id);
  return { ok: true, dryRun: o.dryRun, applied, summary, changes, ...(applied && added.length ? { accountsAdded: added } : {}) };
}
