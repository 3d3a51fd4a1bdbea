// Read-only credentials from VIEWZENIX_SECRET_* environment variables, for machines without a keychain
// (a headless server, a container). The agent never writes them anywhere; the trader sets them.
import { envVarName, ENV_PREFIX } from './secret-name.js';
import { KEYCHAIN_FIX, VaultError } from './secret-store.js';
import type { SecretStore, SecretStoreStatus } from './secret-store.js';

export class EnvStore implements SecretStore {
  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  async get(name: string): Promise<string | null> {
    const value = this.env[envVarName(name)];
    return value === undefined || value === '' ? null : value;
  }

  async set(name: string, _value: string): Promise<void> {
    throw readOnly(`store "${name}"`, name);
  }

  async delete(name: string): Promise<boolean> {
    throw readOnly(`delete "${name}"`, name);
  }

  /**
   * Always empty: the variable name cannot be turned back into an entry name (case and punctuation are lost).
   * Ask for a known name with get() instead.
   */
  async list(): Promise<string[]> {
    return [];
  }

  /** How many VIEWZENIX_SECRET_* variables are set (a count, never names with values). */
  count(): number {
    return Object.keys(this.env).filter((k) => k.startsWith(ENV_PREFIX) && (this.env[k] ?? '') !== '').length;
  }

  async status(): Promise<SecretStoreStatus> {
    const n = this.count();
    return {
      available: n > 0,
      backend: n > 0 ? 'env' : 'none',
      message:
        n > 0
          ? `${n} credential(s) are read from VIEWZENIX_SECRET_* environment variables (read-only).`
          : 'No VIEWZENIX_SECRET_* environment variables are set.',
      fix: KEYCHAIN_FIX,
    };
  }
}

function readOnly(what: string, name: string): VaultError {
  let variable = 'VIEWZENIX_SECRET_<NAME>';
  try {
    variable = envVarName(name);
  } catch {
    // invalid names keep the generic hint; the caller's validation reports the name itself
  }
  return new VaultError(
    'VAULT_READ_ONLY',
    `Cannot ${what}: the OS keychain is not available and environment variables are read-only. ` +
      `Enable the keychain (see the fix for your platform and docs/credentials.md), or set ${variable} ` +
      'in the environment the agent starts from.',
  );
}
