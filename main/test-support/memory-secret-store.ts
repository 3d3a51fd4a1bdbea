// Test double of the OS keychain for machines without one (CI, containers): the SecretStore contract in memory,
// with names checked like the real backends. Used only where a test says it ran against it.
import { assertSecretName, EnvStore, KEYCHAIN_FIX, Vault } from '../secrets/index.js';
import type { SecretStore, SecretStoreStatus } from '../secrets/index.js';

export class MemorySecretStore implements SecretStore {
  private readonly entries = new Map<string, string>();

  async set(name: string, value: string): Promise<void> {
    assertSecretName(name);
    this.entries.set(name, value);
  }

  async get(name: string): Promise<string | null> {
    assertSecretName(name);
    return this.entries.get(name) ?? null;
  }

  async delete(name: string): Promise<boolean> {
    assertSecretName(name);
    return this.entries.delete(name);
  }

  async list(): Promise<string[]> {
    return [...this.entries.keys()].sort();
  }

  async status(): Promise<SecretStoreStatus> {
    return { available: true, backend: 'keychain', message: 'Credentials are kept in memory (test keychain).', fix: KEYCHAIN_FIX };
  }
}

/** A vault over a fresh in-memory keychain and no VIEWZENIX_SECRET_* variables. */
export const memoryVault = (): Vault => new Vault({ keychain: new MemorySecretStore(), env: new EnvStore({}) });
