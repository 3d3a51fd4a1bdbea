// Configuration export / import as JSON: strategies, accounts (without credentials), their links and overrides,
// and settings (notification routing, rules, mappings). Import is validated with ajv (unknown fields rejected,
// every error reported at once) and shows what will change before anything is applied (dryRun).
import type { Db } from '../store/db.js';
import { applyConfigSnapshot, readConfigSnapshot, type ConfigSnapshotData } from '../store/config-snapshot.js';
import { validator, type ValidationIssue } from '../server/validate.js';
import { STRATEGY_ACCOUNT_OVERRIDE_SCHEMA } from '../../shared/strategy-config.js';
import { newWebhookId } from '../ids.js';

export const CONFIG_FORMAT = 'viewzenix-config';

export interface ConfigSnapshot extends ConfigSnapshotData {
  format: typeof CONFIG_FORMAT;
  version: 1;
  exportedAt: string;
}

/** Settings the agent keeps for itself (first-run markers), not configuration. */
const INTERNAL_SETTINGS = new Set(['seeded', 'demoStrategyId']);
const SECRET_KEY = /pass(word|phrase)?|secret|token|api[_-]?key|apikey|private[_-]?key|credential|auth/i;

const ID = { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' } as const;
const { $id: _drop, ...strategyConfigSchema } = STRATEGY_ACCOUNT_OVERRIDE_SCHEMA;

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
          name: { type: 'string', minLength: 1, maxLength: 200 },
          broker: { type: 'string', minLength: 1, maxLength: 64 },
          environment: { type: 'string', minLength: 1, maxLength: 64 },
          baseUrl: { type: 'string', format: 'uri', pattern: '^https?://' },
          config: { type: 'object' },
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
          name: { type: 'string', minLength: 1, maxLength: 200 },
          enabled: { type: 'boolean' },
          config: strategyConfigSchema,
          accountIds: { type: 'array', uniqueItems: true, items: ID },
          accountOverrides: { type: 'object', propertyNames: ID, additionalProperties: strategyConfigSchema },
        },
      },
    },
    settings: { type: 'object', propertyNames: { type: 'string', minLength: 1, maxLength: 128 }, additionalProperties: { type: 'string', maxLength: 1_000_000 } },
  },
} as const;

/** Keys anywhere inside an object whose names say "credential": those never belong in configuration. */
function secretKeys(value: unknown, at: string, out: ValidationIssue[]): void {
  if (value === null || typeof value !== 'object') return;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const p = `${at}/${k}`;
    if (SECRET_KEY.test(k)) out.push({ path: p, message: 'credentials are not configuration; they are stored in the OS keychain (vault), never in an export' });
    else secretKeys(v, p, out);
  }
}

function stripSecrets<T>(value: T): T {
  if (Array.isArray(value)) return value.map(stripSecrets) as T;
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).filter(([k]) => !SECRET_KEY.test(k)).map(([k, v]) => [k, stripSecrets(v)])) as T;
}

export function exportConfig(db: Db, now = new Date().toISOString()): ConfigSnapshot {
  const data = readConfigSnapshot(db);
  return {
    format: CONFIG_FORMAT,
    version: 1,
    exportedAt: now,
    accounts: data.accounts.map((a) => ({ ...a, config: stripSecrets(a.config) })),
    strategies: data.strategies.map((s) => stripSecrets(s)),
    settings: Object.fromEntries(Object.entries(data.settings).filter(([k]) => !INTERNAL_SETTINGS.has(k) && !SECRET_KEY.test(k))),
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

function change(entity: EntityChange['entity'], id: string, before: unknown, after: unknown): EntityChange {
  if (before === undefined) return { entity, id, action: 'add', changes: [] };
  const changes: FieldChange[] = [];
  diff(before, after, '', changes);
  return { entity, id, action: changes.length ? 'update' : 'unchanged', changes };
}

/** Validates, computes the diff against the database, and applies it unless dryRun. */
export function importConfig(db: Db, input: unknown, o: { dryRun: boolean; now?: string }): ImportResult {
  const errors = validator(CONFIG_SNAPSHOT_SCHEMA)(input);
  secretKeys(input, '', errors);
  if (errors.length === 0) {
    const snap = input as ConfigSnapshot;
    const current = readConfigSnapshot(db);
    const accountIds = new Set([...current.accounts.map((a) => a.id), ...snap.accounts.map((a) => a.id)]);
    const seen = new Set<string>();
    snap.accounts.forEach((a, i) => {
      if (seen.has(`a:${a.id}`)) errors.push({ path: `/accounts/${i}/id`, message: `duplicate account id ${a.id}` });
      seen.add(`a:${a.id}`);
    });
    snap.strategies.forEach((s, i) => {
      if (seen.has(`s:${s.id}`)) errors.push({ path: `/strategies/${i}/id`, message: `duplicate strategy id ${s.id}` });
      seen.add(`s:${s.id}`);
      s.accountIds.forEach((a, j) => {
        if (!accountIds.has(a)) errors.push({ path: `/strategies/${i}/accountIds/${j}`, message: `unknown account ${a}` });
      });
      for (const a of Object.keys(s.accountOverrides ?? {})) if (!s.accountIds.includes(a)) errors.push({ path: `/strategies/${i}/accountOverrides/${a}`, message: 'an override for an account the strategy does not use' });
    });
    for (const k of Object.keys(snap.settings)) if (INTERNAL_SETTINGS.has(k)) errors.push({ path: `/settings/${k}`, message: 'an internal setting cannot be imported' });
  }
  if (errors.length > 0) return { ok: false, errors };

  const snap = input as ConfigSnapshot;
  const current = readConfigSnapshot(db);
  const changes: EntityChange[] = [
    ...snap.accounts.map((a) => change('account', a.id, current.accounts.find((c) => c.id === a.id), a)),
    ...snap.strategies.map((s) => {
      const before = current.strategies.find((c) => c.id === s.id);
      return change('strategy', s.id, before && { ...before, accountOverrides: before.accountOverrides ?? {} }, { ...s, accountOverrides: s.accountOverrides ?? {} });
    }),
    ...Object.entries(snap.settings).map(([k, v]) => change('setting', k, current.settings[k], v)),
  ];
  const summary = { add: 0, update: 0, unchanged: 0 };
  for (const c of changes) summary[c.action]++;
  const applied = !o.dryRun && summary.add + summary.update > 0;
  if (applied) applyConfigSnapshot(db, { accounts: snap.accounts, strategies: snap.strategies, settings: snap.settings }, { now: o.now ?? new Date().toISOString(), newWebhookId });
  return { ok: true, dryRun: o.dryRun, applied, summary, changes };
}
