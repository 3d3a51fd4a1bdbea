// The keychain a canary test stores its credentials in: the real OS keychain when a Secret Service answers on D-Bus
// (as the test command runs the suite), else an in-memory test double. Each test file gets its own keychain service,
// so runs never meet, and clears it when done.
import { randomBytes } from 'node:crypto';
import { EnvStore, KeytarStore, loadRealKeytar, Vault } from '../secrets/index.js';
import { memoryVault } from './memory-secret-store.js';

export interface TestKeychain {
  /** The keychain service the real keychain's entries are stored under. */
  service: string;
  /** The real OS keychain answers (else the test double is used). */
  real: boolean;
  /** Which keychain, for test names. */
  description: string;
  /** A vault over this keychain (a new test double each call when there is no real one). */
  vault(): Vault;
  /** Deletes every entry the tests left in the real keychain. */
  clear(): Promise<void>;
}

export async function testKeychain(): Promise<TestKeychain> {
  const service = `viewzenix-test-${randomBytes(6).toString('hex')}`;
  const real = !(process.platform === 'linux' && !process.env.DBUS_SESSION_BUS_ADDRESS) && (await new KeytarStore({ service, timeoutMs: 3000 }).status()).available;
  return {
    service,
    real,
    description: real ? `the real OS keychain (service ${service})` : 'an in-memory keychain test double (no Secret Service on D-Bus here)',
    vault: () => (real ? new Vault({ service, env: new EnvStore({}) }) : memoryVault()),
    async clear() {
      if (!real) return;
      const keytar = await loadRealKeytar();
      for (const c of await keytar.findCredentials(service)) await keytar.deletePassword(service, c.account);
    },
  };
}
