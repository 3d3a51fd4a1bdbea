// The OS keychain through keytar (macOS Keychain, Windows Credential Manager, Linux Secret Service).
// keytar is a native module and on Linux needs a Secret Service on D-Bus; either can be missing. So it is
// loaded lazily, its availability is probed with a harmless entry, and every call has a timeout (without a
// responding D-Bus service a call can hang). Failure becomes a clear status, never a crash.
import { randomBytes } from 'node:crypto';
import { assertSecretName, isSecretName } from './secret-name.js';
import { KEYCHAIN_FIX, VaultError, scrub } from './secret-store.js';
import type { SecretStore, SecretStoreStatus } from './secret-store.js';

/** The part of keytar's API this store uses. */
export interface KeytarModule {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
  findCredentials(service: string): Promise<Array<{ account: string; password: string }>>;
}

export interface KeytarStoreOptions {
  /** Keychain service the entries live under. Tests pass `viewzenix-test-<random>`. */
  service?: string;
  /** How keytar is obtained; tests inject one that throws to exercise the "missing module" path. */
  loadKeytar?: () => Promise<KeytarModule>;
  /** Per-call limit in milliseconds (default 5000). */
  timeoutMs?: number;
}

export const DEFAULT_SERVICE = 'viewzenix';
/** Account used by the availability probe; never a valid entry name, so it can never clash with one. */
export const PROBE_ACCOUNT = '__viewzenix_probe__';

export async function loadRealKeytar(): Promise<KeytarModule> {
  const mod = (await import('keytar')) as unknown as KeytarModule & { default?: KeytarModule };
  return mod.default ?? mod;
}

export class KeytarStore implements SecretStore {
  readonly service: string;
  private readonly load: () => Promise<KeytarModule>;
  private readonly timeoutMs: number;
  private probed: Promise<{ keytar: KeytarModule | null; status: SecretStoreStatus }> | null = null;

  constructor(options: KeytarStoreOptions = {}) {
    this.service = options.service ?? DEFAULT_SERVICE;
    if (this.service.trim() === '') throw new Error('KeytarStore: the service name must not be empty.');
    this.load = options.loadKeytar ?? loadRealKeytar;
    this.timeoutMs = options.timeoutMs ?? 5000;
  }

  /** Cached result of the availability probe; `recheck()` runs it again (e.g. after the trader unlocked it). */
  status(): Promise<SecretStoreStatus> {
    return this.probe().then((p) => p.status);
  }

  recheck(): Promise<SecretStoreStatus> {
    this.probed = null;
    return this.status();
  }

  async set(name: string, value: string): Promise<void> {
    assertSecretName(name);
    if (typeof value !== 'string' || value.length === 0) {
      throw new TypeError(`The value for "${name}" must be a non-empty string.`);
    }
    const keytar = await this.ready();
    await this.call(`store "${name}"`, () => keytar.setPassword(this.service, name, value), value);
  }

  async get(name: string): Promise<string | null> {
    assertSecretName(name);
    const keytar = await this.ready();
    const value = await this.call(`read "${name}"`, () => keytar.getPassword(this.service, name));
    return value ?? null;
  }

  async delete(name: string): Promise<boolean> {
    assertSecretName(name);
    const keytar = await this.ready();
    return this.call(`delete "${name}"`, () => keytar.deletePassword(this.service, name));
  }

  async list(): Promise<string[]> {
    const keytar = await this.ready();
    const found = await this.call('list entries', () => keytar.findCredentials(this.service));
    // findCredentials returns passwords too; keep only the names, and only ones we could have written.
    return found.map((c) => c.account).filter((a) => isSecretName(a)).sort();
  }

  private async ready(): Promise<KeytarModule> {
    const { keytar, status } = await this.probe();
    if (!keytar) throw new VaultError('VAULT_UNAVAILABLE', status.message);
    return keytar;
  }

  private probe(): Promise<{ keytar: KeytarModule | null; status: SecretStoreStatus }> {
    this.probed ??= this.runProbe();
    return this.probed;
  }

  private async runProbe(): Promise<{ keytar: KeytarModule | null; status: SecretStoreStatus }> {
    let keytar: KeytarModule;
    try {
      keytar = await this.load();
    } catch (err) {
      return unavailable(
        'The keychain module (keytar) could not be loaded, so credentials cannot be stored in the OS keychain ' +
          `(${detail(err)}). Reinstall the app, or rebuild keytar for this Node/Electron version.`,
      );
    }
    const marker = randomBytes(12).toString('hex');
    try {
      await this.call('store a test entry', () => keytar.setPassword(this.service, PROBE_ACCOUNT, marker), marker);
      const back = await this.call('read a test entry', () => keytar.getPassword(this.service, PROBE_ACCOUNT));
      await this.call('delete a test entry', () => keytar.deletePassword(this.service, PROBE_ACCOUNT));
      if (back !== marker) {
        return unavailable('The OS keychain accepted a test entry but returned something else when read back.');
      }
    } catch (err) {
      return unavailable(explainProbeFailure(err));
    }
    return {
      keytar,
      status: {
        available: true,
        backend: 'keychain',
        message: `Credentials are stored in the OS keychain (${platformKeychain()}, service "${this.service}").`,
        fix: KEYCHAIN_FIX,
      },
    };
  }

  /** Runs one keytar call with a timeout; errors become VaultErrors that name the operation, never the value. */
  private async call<T>(what: string, fn: () => Promise<T>, value?: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new VaultError(
              'VAULT_TIMEOUT',
              `The OS keychain did not answer within ${this.timeoutMs} ms when asked to ${what}.`,
            ),
          ),
        this.timeoutMs,
      );
      timer.unref();
    });
    try {
      return await Promise.race([fn(), timeout]);
    } catch (err) {
      if (err instanceof VaultError) throw err;
      throw new VaultError('VAULT_BACKEND_FAILED', `The OS keychain could not ${what}: ${scrub(detail(err), value)}`);
    } finally {
      clearTimeout(timer);
    }
  }
}

function unavailable(message: string): { keytar: null; status: SecretStoreStatus } {
  return { keytar: null, status: { available: false, backend: 'none', message, fix: KEYCHAIN_FIX } };
}

function detail(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.replace(/\s+/g, ' ').trim().slice(0, 300);
}

/** Turns libsecret / D-Bus wording into what the trader should know. */
export function explainProbeFailure(err: unknown): string {
  const raw = detail(err);
  const lower = raw.toLowerCase();
  const tail = ` (${raw})`;
  if (err instanceof VaultError && err.code === 'VAULT_TIMEOUT') {
    return `The OS keychain did not answer; on Linux this usually means no Secret Service is responding on D-Bus${tail}.`;
  }
  if (lower.includes('autolaunch d-bus') || lower.includes('could not connect') || lower.includes('dbus_session_bus')) {
    return `No D-Bus session was found, and the Linux keychain (Secret Service) needs one${tail}.`;
  }
  if (lower.includes('org.freedesktop.secrets') || lower.includes('serviceunknown') || lower.includes('not provided by any')) {
    return `No Secret Service (GNOME Keyring or KWallet) is running on the D-Bus session${tail}.`;
  }
  if (lower.includes('locked') || lower.includes('prompt') || lower.includes('interaction')) {
    return `The OS keychain is locked; unlock it and check again${tail}.`;
  }
  return `The OS keychain refused a test entry${tail}.`;
}

function platformKeychain(): string {
  if (process.platform === 'darwin') return 'macOS Keychain';
  if (process.platform === 'win32') return 'Windows Credential Manager';
  return 'Secret Service';
}
