// The credential facade the rest of the agent uses: the OS keychain first, VIEWZENIX_SECRET_* variables as
// a read-only fallback, never a plaintext file. Every value read or stored is announced to the redaction hooks.
import { EnvStore } from './env-store.js';
import { KeytarStore } from './keytar-store.js';
import { registerSecretValue } from './redaction.js';
import { assertSecretName } from './secret-name.js';
import { VaultError } from './secret-store.js';
import type { SecretStore, SecretStoreStatus } from './secret-store.js';

export interface VaultStatus extends SecretStoreStatus {
  /** Whether set/delete work (only with the keychain). */
  writable: boolean;
}

export interface VaultOptions {
  /** Keychain service name (default "viewzenix"); ignored when `keychain` is given. */
  service?: string;
  keychain?: SecretStore & { recheck?: () => Promise<SecretStoreStatus> };
  /** Environment the fallback reads (default process.env); ignored when `env` is given. */
  environment?: NodeJS.ProcessEnv;
  env?: SecretStore;
}

/** The read side, for code that only needs to look a credential up (brokers, tunnel providers). */
export interface SecretReader {
  get(name: string): Promise<string | null>;
}

export class Vault implements SecretStore, SecretReader {
  private readonly keychain: SecretStore & { recheck?: () => Promise<SecretStoreStatus> };
  private readonly env: SecretStore;

  constructor(options: VaultOptions = {}) {
    this.keychain = options.keychain ?? new KeytarStore(options.service ? { service: options.service } : {});
    this.env = options.env ?? new EnvStore(options.environment ?? process.env);
  }

  async set(name: string, value: string): Promise<void> {
    assertSecretName(name);
    const keychain = await this.keychain.status();
    if (!keychain.available) {
      throw new VaultError(
        'VAULT_UNAVAILABLE',
        `Cannot store "${name}": ${keychain.message} Environment variables are read-only; see docs/credentials.md.`,
        keychain.fix,
      );
    }
    // Announce first: if the backend fails mid-way and its error echoes input, the logger already knows it.
    registerSecretValue(value);
    await this.keychain.set(name, value);
  }

  async get(name: string): Promise<string | null> {
    assertSecretName(name);
    let keychainError: unknown = null;
    if ((await this.keychain.status()).available) {
      try {
        const value = await this.keychain.get(name);
        if (value !== null) return announced(value);
      } catch (err) {
        keychainError = err;
      }
    }
    const fromEnv = await this.env.get(name);
    if (fromEnv !== null) return announced(fromEnv);
    if (keychainError) throw keychainError;
    return null;
  }

  async has(name: string): Promise<boolean> {
    return (await this.get(name)) !== null;
  }

  async delete(name: string): Promise<boolean> {
    assertSecretName(name);
    const keychain = await this.keychain.status();
    if (!keychain.available) {
      throw new VaultError('VAULT_UNAVAILABLE', `Cannot delete "${name}": ${keychain.message}`, keychain.fix);
    }
    return this.keychain.delete(name);
  }

  /** Names stored in the keychain. Environment entries cannot be listed (see EnvStore.list). */
  async list(): Promise<string[]> {
    if (!(await this.keychain.status()).available) return [];
    return this.keychain.list();
  }

  async status(): Promise<VaultStatus> {
    return this.describe(await this.keychain.status());
  }

  /** Probes the keychain again (after the trader unlocked it or started a Secret Service). */
  async recheck(): Promise<VaultStatus> {
    const keychain = this.keychain.recheck ? await this.keychain.recheck() : await this.keychain.status();
    return this.describe(keychain);
  }

  private async describe(keychain: SecretStoreStatus): Promise<VaultStatus> {
    if (keychain.available) return { ...keychain, writable: true };
    const env = await this.env.status();
    if (env.available) {
      return {
        available: true,
        backend: 'env',
        writable: false,
        message: `${keychain.message} ${env.message}`,
        fix: keychain.fix,
      };
    }
    return {
      available: false,
      backend: 'none',
      writable: false,
      message: `${keychain.message} ${env.message}`,
      fix: keychain.fix,
    };
  }
}

function announced(value: string): string {
  registerSecretValue(value);
  return value;
}
