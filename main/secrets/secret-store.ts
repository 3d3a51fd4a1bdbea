// The one shape every credential backend has. Values go in and come out; nothing here ever lists them.

export type SecretBackend = 'keychain' | 'env' | 'none';

export interface FixSteps {
  linux: string;
  macos: string;
  windows: string;
}

export interface SecretStoreStatus {
  available: boolean;
  backend: SecretBackend;
  /** Plain words: what works and what does not. Never contains a secret value. */
  message: string;
  /** What the trader can do on each platform to get a working keychain. */
  fix: FixSteps;
}

export interface SecretStore {
  /** Store or replace a value. Rejects when the backend is read-only or unavailable. */
  set(name: string, value: string): Promise<void>;
  /** The value, or null when there is no entry. */
  get(name: string): Promise<string | null>;
  /** True when an entry was removed. */
  delete(name: string): Promise<boolean>;
  /** Entry names only, sorted. */
  list(): Promise<string[]>;
  status(): Promise<SecretStoreStatus>;
}

export const KEYCHAIN_FIX: FixSteps = {
  linux:
    'Run a Secret Service provider on the D-Bus session (GNOME Keyring or KWallet), unlocked. Desktop sessions ' +
    'have one; on a headless machine install gnome-keyring and dbus (Debian: apt install gnome-keyring dbus ' +
    "dbus-x11) and start the agent under: dbus-run-session -- sh -c 'echo -n <password> | " +
    "gnome-keyring-daemon --unlock --components=secrets >/dev/null; viewzenix start'. Or set the " +
    'credentials as VIEWZENIX_SECRET_* environment variables (see docs/credentials.md).',
  macos:
    'The login keychain is used. Unlock it (Keychain Access, or `security unlock-keychain`) and allow ' +
    'Viewzenix when macOS asks. Over SSH the keychain is locked until you unlock it in that session.',
  windows:
    'Windows Credential Manager is used. Run the agent as the signed-in user (not as a service account ' +
    'without a profile); check Control Panel > Credential Manager > Windows Credentials.',
};

/** Errors from a credential backend. The message names the entry at most; never a value. */
export class VaultError extends Error {
  constructor(
    readonly code: 'VAULT_UNAVAILABLE' | 'VAULT_READ_ONLY' | 'VAULT_TIMEOUT' | 'VAULT_BACKEND_FAILED',
    message: string,
    readonly fix: FixSteps = KEYCHAIN_FIX,
  ) {
    super(message);
    this.name = 'VaultError';
  }
}

/**
 * Removes a secret value from text that came from outside our code (a native error message), in case the
 * backend ever echoes what it was given. Our own messages never include values in the first place.
 */
export function scrub(text: string, ...values: readonly (string | undefined)[]): string {
  let out = text;
  for (const v of values) {
    if (v && v.length > 0) out = out.split(v).join('[redacted]');
  }
  return out;
}
