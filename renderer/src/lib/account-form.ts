// The account forms' mapping to the API, pure so it can be tested without a browser.
// Keys are optional when adding a real account: left out, nothing is stored (no keychain needed) and the agent
// answers the VIEWZENIX_SECRET_* variables to set instead (docs/api.md, "credentials may be left out").
import type { BrokerSpec, FieldSpec } from './brokers.js';

export interface AccountDraft {
  name: string;
  broker: string;
  environment: string;
  baseUrl: string;
  /** Typed values by field name, credentials and config fields together (as the form holds them). */
  values: Record<string, string>;
}

export interface CreateAccountBody {
  name: string;
  broker: string;
  environment: string;
  baseUrl?: string;
  credentials?: Record<string, string>;
  config?: Record<string, string>;
}

/** Whether any credential field has something typed in it. */
export function keysTyped(spec: BrokerSpec, values: Record<string, string>): boolean {
  return spec.credentials.some((f) => (values[f.name] ?? '') !== '');
}

/**
 * Fields that block "Add account": a required setting (OANDA account id, CCXT exchange) is always needed; the keys
 * only once the trader started typing them and they are to be sent (half a key pair would fail the broker's test
 * anyway).
 */
function missingFields(spec: BrokerSpec, values: Record<string, string>, withKeys: boolean): FieldSpec[] {
  const missing = spec.config.filter((f) => !f.optional && !(values[f.name] ?? '').trim());
  if (withKeys && keysTyped(spec, values)) missing.push(...spec.credentials.filter((f) => !f.optional && !values[f.name]));
  return missing;
}

/** A problem of an account form beside its field; `path` is the field's path in the API body (`/config/accountId`). */
export interface AccountFieldError {
  path: string;
  message: string;
}

/** The path in the API body of a broker's field: a setting under `config`, a key under `credentials`. */
export function accountFieldPath(spec: BrokerSpec, f: FieldSpec): string {
  return `/${spec.credentials.includes(f) ? 'credentials' : 'config'}/${f.name}`;
}

/**
 * What keeps "Add account" from sending, each beside its field: an empty name, a required setting left empty, and,
 * once a key is typed and the keys are to be sent (`withKeys`), a required key left empty.
 */
export function addAccountErrors(spec: BrokerSpec, d: Pick<AccountDraft, 'name' | 'values'>, opts: { withKeys: boolean } = { withKeys: true }): AccountFieldError[] {
  const errors: AccountFieldError[] = d.name.trim() ? [] : [{ path: '/name', message: 'is required' }];
  for (const f of missingFields(spec, d.values, opts.withKeys)) {
    errors.push({ path: accountFieldPath(spec, f), message: spec.credentials.includes(f) ? 'is required with the other keys (or leave every key empty to add the account without keys)' : 'is required' });
  }
  return errors;
}

/**
 * POST /api/accounts body. Empty inputs are left out, never sent as "". `withKeys: false` (or nothing typed) leaves
 * `credentials` out entirely: the account is created without keys. Key values are sent as typed (no trimming: a
 * secret is exactly what the broker issued).
 */
export function createAccountBody(spec: BrokerSpec, d: AccountDraft, opts: { withKeys: boolean } = { withKeys: true }): CreateAccountBody {
  const body: CreateAccountBody = { name: d.name.trim(), broker: d.broker, environment: d.environment };
  if (d.baseUrl.trim()) body.baseUrl = d.baseUrl.trim();
  const config: Record<string, string> = {};
  for (const f of spec.config) {
    const v = (d.values[f.name] ?? '').trim();
    if (v) config[f.name] = v;
  }
  if (Object.keys(config).length > 0) body.config = config;
  if (opts.withKeys) {
    const credentials: Record<string, string> = {};
    for (const f of spec.credentials) {
      const v = d.values[f.name] ?? '';
      if (v) credentials[f.name] = v;
    }
    if (Object.keys(credentials).length > 0) body.credentials = credentials;
  }
  return body;
}

/**
 * PUT /api/accounts/:id/credentials `credentials`: every required field of the broker must be given (the new keys
 * are tested together); optional ones only when typed. `errors` names each required one still empty.
 */
export function replaceKeysBody(spec: BrokerSpec, values: Record<string, string>): { credentials: Record<string, string>; errors: AccountFieldError[] } {
  const credentials: Record<string, string> = {};
  const errors: AccountFieldError[] = [];
  for (const f of spec.credentials) {
    const v = values[f.name] ?? '';
    if (v) credentials[f.name] = v;
    else if (!f.optional) errors.push({ path: accountFieldPath(spec, f), message: 'is required: the new keys are tested together' });
  }
  return { credentials, errors };
}
