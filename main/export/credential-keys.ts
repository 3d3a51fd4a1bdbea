// Credentials are never configuration: a key in an account's or a notification channel's settings whose name
// says "credential" (apiKey, secret, password, token, passphrase …, in any case, at any depth) is refused, so
// its value never reaches the database, an answer, an export or a log. The same rule serves account creation
// (POST /api/accounts), notification channels and config import. Only field names are looked at: the refusal
// names the field, never echoes the value.
import type { ValidationIssue } from '../server/validate.js';
import { shownName } from '../server/validate.js';
import { isSecretName } from '../secret-names.js';

/** Keys whose children are names the trader chose (symbols, account ids), not setting names. */
const FREE_KEYS = new Set(['maxPositionBySymbol']);

/** Field names that hold a credential, in any case and style: the same rule as an alert's secret-named fields
 *  (main/secret-names.ts): "pass" and "auth" alone or as a word of the name count (auth, authKey, auth_header,
 *  basicAuth); "bypass" or "author" do not. */
export function isCredentialKey(name: string): boolean {
  return isSecretName(name);
}

/**
 * Every credential-named key inside `value`, as a validation issue at `at` + its path. `where` says where the
 * credential belongs instead (the vault entry or API to use), so the trader knows what to do.
 */
export function credentialKeyIssues(value: unknown, at: string, where: string): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const walk = (v: unknown, p: string): void => {
    if (v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      v.forEach((x, i) => walk(x, `${p}/${i}`));
      return;
    }
    for (const [k, child] of Object.entries(v as Record<string, unknown>)) {
      const path = `${p}/${shownName(k)}`;
      if (isCredentialKey(k)) out.push({ path, message: `looks like a credential; credentials are not settings: ${where}` });
      else if (!FREE_KEYS.has(k)) walk(child, path);
    }
  };
  walk(value, at);
  return out;
}

/**
 * A URL that carries a login: user:password@ (userinfo), or a query parameter named like a credential
 * (?token=…, ?api_key=…). Refused; the value itself is never echoed. Settings are answered, exported and audited in
 * the clear, so a login belongs in the vault.
 */
export function urlUserinfoIssue(url: unknown, path: string, where: string): ValidationIssue | undefined {
  if (typeof url !== 'string') return undefined;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined; // the schema reports a malformed URL
  }
  if (u.username !== '' || u.password !== '') return { path, message: `must not contain a user name or password (user:password@); ${where}` };
  const secret = [...u.searchParams.keys()].find(isSecretName);
  if (secret !== undefined) return { path, message: `must not carry a credential in its query ("${shownName(secret)}="); ${where}` };
  return undefined;
}

/** Where a tunnel's login belongs instead (docs/tunnel.md). */
export const TUNNEL_CREDENTIALS_HINT = 'a tunnel server address carries no login; give the address alone';

/** The tunnel settings' server addresses (`localtunnel.host`, `cloudflared.publicUrl`, and on an import
 *  `manual.publicUrl`) that carry a login, as validation issues at `at` + the field. */
export function tunnelUrlIssues(settings: unknown, at = '', fields: readonly string[] = ['localtunnel/host', 'cloudflared/publicUrl', 'manual/publicUrl']): ValidationIssue[] {
  if (settings === null || typeof settings !== 'object') return [];
  const out: ValidationIssue[] = [];
  for (const field of fields) {
    const [section, key] = field.split('/') as [string, string];
    const value = (settings as Record<string, unknown>)[section];
    const url = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
    const issue = urlUserinfoIssue(url, `${at}/${field}`, TUNNEL_CREDENTIALS_HINT);
    if (issue) out.push(issue);
  }
  return out;
}

/** The value without its credential-named keys (for an export of data an earlier version stored); maps keyed by
 *  symbol are kept whole, as credentialKeyIssues skips them. */
export function stripCredentialKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(stripCredentialKeys) as T;
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .filter(([k]) => !isCredentialKey(k))
      .map(([k, v]) => [k, FREE_KEYS.has(k) ? v : stripCredentialKeys(v)]),
  ) as T;
}

/** Replaces the value of every credential-named key (at any depth) by a marker: for diffs shown to the trader. */
export function hideCredentialValues<T>(value: T): T {
  if (Array.isArray(value)) return value.map(hideCredentialValues) as T;
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, isCredentialKey(k) ? '(hidden)' : hideCredentialValues(v)])) as T;
}
