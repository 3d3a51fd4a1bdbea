// The control API's view of the vault: names and presence only, never values. Every refusal says, in plain
// words, why and what to do (the keychain fix for this platform). Values handed in are announced to the log
// redaction at once, so even an error that echoes one cannot put it into a log line.
import { ApiFailure } from './server/control.js';
import { registerSecret, scrubText } from './log.js';
import { envVarName, isSecretName, InvalidSecretNameError, VaultError } from './secrets/index.js';
import type { VaultStatus } from './secrets/index.js';
import type { Code } from '../shared/codes.js';
import type { VaultStatusView } from '../shared/api-types.js';
import type { ValidationIssue } from './server/validate.js';

/** The vault operations this service needs (main/secrets/vault.ts's Vault has them all). */
export interface VaultLike {
  get(name: string): Promise<string | null>;
  set(name: string, value: string): Promise<void>;
  delete(name: string): Promise<boolean>;
  list(): Promise<string[]>;
  status(): Promise<VaultStatus>;
}

/**
 * Credential fields per broker, as the adapters take them (AlpacaCredentials, OandaCredentials, CCXT's
 * exchange options). A field outside this list is refused: a typo would otherwise store a key nobody reads.
 */
export const BROKER_CREDENTIAL_FIELDS: Record<string, { required: readonly string[]; optional: readonly string[] }> = {
  alpaca: { required: ['keyId', 'secretKey'], optional: [] },
  oanda: { required: ['token'], optional: [] },
  ccxt: { required: ['apiKey', 'secret'], optional: ['password'] },
};

/** An ApiFailure whose fix is specific to this refusal (e.g. the keychain steps for this platform). */
export class FixedApiFailure extends ApiFailure {
  constructor(
    code: Code,
    message: string,
    override readonly fix: string,
  ) {
    super(code, message, undefined, fix);
  }
}

export function brokerSecretName(accountId: string, field: string): string {
  return `broker:${accountId}:${field}`;
}

/**
 * While an account lacks a required credential: the VIEWZENIX_SECRET_* variable for each field not set
 * (docs/credentials.md), so the trader knows exactly what to set for this account id. Undefined once complete.
 */
export function credentialVariables(accountId: string, broker: string, status: Record<string, 'set' | 'not set'>): Record<string, string> | undefined {
  const known = BROKER_CREDENTIAL_FIELDS[broker];
  if (!known || known.required.every((f) => status[f] === 'set')) return undefined;
  const out: Record<string, string> = {};
  for (const field of [...known.required, ...known.optional]) {
    if (status[field] === 'set') continue;
    const name = brokerSecretName(accountId, field);
    if (isSecretName(name)) out[field] = envVarName(name); // (an account id the vault cannot name has no variable)
  }
  return out;
}

export function platformFix(status: Pick<VaultStatus, 'fix'>, platform = process.platform): string {
  const steps = platform === 'darwin' ? status.fix.macos : platform === 'win32' ? status.fix.windows : status.fix.linux;
  return `${steps} See docs/credentials.md.`;
}

export class CredentialsService {
  constructor(private readonly vault: VaultLike) {}

  async status(): Promise<VaultStatusView> {
    const s = await this.vault.status();
    return { available: s.available, backend: s.backend, writable: s.writable, message: s.message, fix: s.fix };
  }

  /** Entry names stored in the keychain (environment variables cannot be listed). */
  async names(): Promise<string[]> {
    return this.guard(() => this.vault.list());
  }

  /** PUT /api/credentials/:name, for tunnel and notification tokens. Broker keys go through their account. */
  async set(name: string, value: string): Promise<void> {
    registerSecret(value);
    assertName(name);
    if (name.startsWith('broker:')) {
      throw new ApiFailure('VALIDATION_FAILED', 'Broker credentials are saved with their account: PUT /api/accounts/<id>/credentials.', [{ path: '/name', message: 'broker credentials belong to an account' }]);
    }
    await this.requireWritable(`Cannot save "${name}"`);
    await this.guard(() => this.vault.set(name, value));
  }

  async delete(name: string): Promise<boolean> {
    assertName(name);
    await this.requireWritable(`Cannot delete "${name}"`);
    return this.guard(() => this.vault.delete(name));
  }

  /**
   * Deletes every keychain entry of a notification channel: notify:<channel> and any notify:<channel>:<field>.
   * Answers the names deleted, and the VIEWZENIX_SECRET_* variables the agent still reads one of them from (read-only:
   * the trader unsets those). 503 VAULT_UNAVAILABLE, with this platform's fix, when the keychain cannot be written.
   */
  async removeNotify(channel: string): Promise<{ deleted: string[]; environment: string[] }> {
    const name = `notify:${channel}`;
    assertName(name);
    await this.requireWritable(`Cannot delete "${name}"`);
    const names = [name, ...(await this.guard(() => this.vault.list())).filter((n) => n.startsWith(`${name}:`))];
    const deleted: string[] = [];
    for (const n of names) if (await this.guard(() => this.vault.delete(n))) deleted.push(n);
    const environment: string[] = [];
    for (const n of names) if ((await this.vault.get(n).catch(() => null)) !== null) environment.push(envVarName(n));
    return { deleted, environment };
  }

  /** Field names and shapes for a broker; `complete` also requires every required field. */
  validateAccountFields(broker: string, credentials: Record<string, string>, complete: boolean): ValidationIssue[] {
    const known = BROKER_CREDENTIAL_FIELDS[broker];
    if (!known) return [{ path: '/credentials', message: `broker ${broker} takes no credentials` }];
    const allowed = new Set([...known.required, ...known.optional]);
    const issues: ValidationIssue[] = [];
    for (const field of Object.keys(credentials)) {
      // The unknown name is not echoed: a value pasted where a name belongs must not come back in an answer.
      if (!allowed.has(field)) issues.push({ path: '/credentials', message: `has a field ${broker} does not take; expected ${[...allowed].join(', ')}` });
    }
    if (complete) for (const field of known.required) if (!(field in credentials)) issues.push({ path: `/credentials/${field}`, message: `is required for ${broker}` });
    return issues;
  }

  /** Throws 503 VAULT_UNAVAILABLE, with this platform's fix, when credentials cannot be saved. */
  async requireWritable(what: string): Promise<void> {
    const s = await this.vault.status();
    if (s.writable) return;
    const why = s.backend === 'env' ? `${s.message} Environment variables are read-only.` : s.message;
    throw new FixedApiFailure('VAULT_UNAVAILABLE', `${what}: ${why}`, platformFix(s));
  }

  /** Stores every field of an account; on a failure midway the fields already written are removed again. */
  async storeAccount(accountId: string, credentials: Record<string, string>, previous: readonly string[] = []): Promise<void> {
    for (const v of Object.values(credentials)) registerSecret(v);
    const written: string[] = [];
    try {
      for (const [field, value] of Object.entries(credentials)) {
        await this.guard(() => this.vault.set(brokerSecretName(accountId, field), value));
        written.push(field);
      }
    } catch (err) {
      for (const field of written) if (!previous.includes(field)) await this.vault.delete(brokerSecretName(accountId, field)).catch(() => false);
      throw err;
    }
    // A replace drops the fields the new set no longer has.
    for (const field of previous) if (!(field in credentials)) await this.guard(() => this.vault.delete(brokerSecretName(accountId, field)));
  }

  async removeAccount(accountId: string, fields: readonly string[]): Promise<void> {
    for (const field of fields) await this.vault.delete(brokerSecretName(accountId, field)).catch(() => false);
  }

  /** The account's credentials as stored (keychain, else VIEWZENIX_SECRET_* variables); missing fields are absent. */
  async readAccount(accountId: string, broker: string): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const field of this.fieldsOf(broker)) {
      const value = await this.vault.get(brokerSecretName(accountId, field)).catch(() => null);
      if (value !== null) out[field] = value;
    }
    return out;
  }

  /** "set" / "not set" per field; nothing else about a value ever leaves the vault through here. */
  async accountStatus(accountId: string, broker: string): Promise<Record<string, 'set' | 'not set'>> {
    const out: Record<string, 'set' | 'not set'> = {};
    for (const field of this.fieldsOf(broker)) {
      const value = await this.vault.get(brokerSecretName(accountId, field)).catch(() => null);
      out[field] = value === null ? 'not set' : 'set';
    }
    return out;
  }

  hasRequired(broker: string, credentials: Record<string, string>): boolean {
    return (BROKER_CREDENTIAL_FIELDS[broker]?.required ?? []).every((f) => f in credentials);
  }

  private fieldsOf(broker: string): string[] {
    const known = BROKER_CREDENTIAL_FIELDS[broker];
    return known ? [...known.required, ...known.optional] : [];
  }

  /** Vault errors become API answers; their messages name an entry at most, and are scrubbed once more. */
  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof InvalidSecretNameError) throw new ApiFailure('SECRET_NAME_INVALID');
      if (err instanceof VaultError) throw new FixedApiFailure('VAULT_UNAVAILABLE', scrubText(err.message), platformFix(err));
      throw err;
    }
  }
}

function assertName(name: string): void {
  if (!isSecretName(name)) throw new ApiFailure('SECRET_NAME_INVALID');
}
