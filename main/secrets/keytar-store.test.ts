// Real keytar against a real Secret Service. Run under:
//   dbus-run-session -- sh -c 'echo -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null; npx vitest run main/secrets'
// Without a reachable keychain these tests are skipped, and the test name says why.
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { KeytarStore, loadRealKeytar, PROBE_ACCOUNT } from './keytar-store.js';
import type { KeytarModule } from './keytar-store.js';
import { registerRedactionHook, SecretRedactor } from './redaction.js';
import { VaultError } from './secret-store.js';
import { Vault } from './vault.js';

const SERVICE = `viewzenix-test-${randomBytes(6).toString('hex')}`;
const CANARY = `CANARY-${randomBytes(12).toString('hex')}`;

async function detectKeychain(): Promise<string | null> {
  if (process.platform === 'linux' && !process.env.DBUS_SESSION_BUS_ADDRESS) {
    return 'no D-Bus session (DBUS_SESSION_BUS_ADDRESS is not set); run under dbus-run-session with gnome-keyring';
  }
  const status = await new KeytarStore({ service: SERVICE, timeoutMs: 3000 }).status();
  return status.available ? null : `keychain probe failed: ${status.message}`;
}

const skipReason = await detectKeychain();
// The full suite (scripts/test-all.sh, CI) provides a Secret Service: there a missing keychain is a failure.
if (skipReason && process.env.VIEWZENIX_REQUIRE_KEYCHAIN === '1') {
  throw new Error(`VIEWZENIX_REQUIRE_KEYCHAIN=1 but the real keychain is not usable: ${skipReason}`);
}
const title = skipReason ? `real OS keychain — SKIPPED: ${skipReason}` : 'real OS keychain';

describe.skipIf(skipReason !== null)(title, () => {
  const store = new KeytarStore({ service: SERVICE });
  const offHooks: Array<() => void> = [];

  afterEach(() => offHooks.splice(0).forEach((f) => f()));
  afterAll(async () => {
    // Leave nothing behind in the test service.
    const keytar = await loadRealKeytar();
    for (const c of await keytar.findCredentials(SERVICE)) await keytar.deletePassword(SERVICE, c.account);
  });

  it('reports the keychain as available after a probe, and leaves no probe entry behind', async () => {
    const status = await store.status();
    expect(status).toMatchObject({ available: true, backend: 'keychain' });
    expect(status.message).toContain(SERVICE);
    const keytar = await loadRealKeytar();
    expect((await keytar.findCredentials(SERVICE)).map((c) => c.account)).not.toContain(PROBE_ACCOUNT);
  });

  it('stores, reads, lists by name only, and deletes an entry', async () => {
    await store.set('broker:alpaca-1:apiKey', CANARY);
    await store.set('tunnel:ngrok:authtoken', `${CANARY}-ngrok`);
    expect(await store.get('broker:alpaca-1:apiKey')).toBe(CANARY);
    const names = await store.list();
    expect(names).toEqual(['broker:alpaca-1:apiKey', 'tunnel:ngrok:authtoken']);
    expect(JSON.stringify(names)).not.toContain(CANARY);
    expect(await store.delete('broker:alpaca-1:apiKey')).toBe(true);
    expect(await store.get('broker:alpaca-1:apiKey')).toBeNull();
    expect(await store.delete('broker:alpaca-1:apiKey')).toBe(false);
    expect(await store.list()).toEqual(['tunnel:ngrok:authtoken']);
  });

  it('replaces a value on a second set', async () => {
    await store.set('notify:telegram', `${CANARY}-a`);
    await store.set('notify:telegram', `${CANARY}-b`);
    expect(await store.get('notify:telegram')).toBe(`${CANARY}-b`);
  });

  it('rejects an invalid name before touching the keychain, without echoing it', async () => {
    const err = await store.set(CANARY, CANARY).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/Not a valid credential name/);
    expect(String((err as Error).stack)).not.toContain(CANARY);
    expect(await store.list()).not.toContain(CANARY);
  });

  it('keeps the value out of errors even when the backend echoes it', async () => {
    const real = await loadRealKeytar();
    // A backend whose error repeats the password it was given: the store must scrub it.
    const echoing: KeytarModule = {
      ...real,
      findCredentials: real.findCredentials,
      setPassword: async (service, account, password) => {
        if (account === PROBE_ACCOUNT) return real.setPassword(service, account, password);
        throw new Error(`libsecret: could not save item with secret ${password}`);
      },
    };
    const s = new KeytarStore({ service: SERVICE, loadKeytar: async () => echoing });
    const err = await s.set('broker:acct-9:secret', CANARY).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VaultError);
    expect((err as VaultError).code).toBe('VAULT_BACKEND_FAILED');
    expect((err as VaultError).message).toContain('broker:acct-9:secret');
    expect((err as VaultError).message).not.toContain(CANARY);
    expect(String((err as VaultError).stack)).not.toContain(CANARY);
  });

  it('Vault: keychain first, env fallback for missing entries, values announced to the redaction hook', async () => {
    const redactor = new SecretRedactor();
    offHooks.push(registerRedactionHook(redactor.add));
    const vault = new Vault({ keychain: store, environment: { VIEWZENIX_SECRET_BROKER_OANDA_1_TOKEN: `${CANARY}-env` } });
    expect(await vault.status()).toMatchObject({ available: true, backend: 'keychain', writable: true });
    await vault.set('broker:oanda-1:token', `${CANARY}-kc`);
    expect(await vault.get('broker:oanda-1:token')).toBe(`${CANARY}-kc`);
    await vault.delete('broker:oanda-1:token');
    expect(await vault.get('broker:oanda-1:token')).toBe(`${CANARY}-env`);
    expect(await vault.get('broker:oanda-1:other')).toBeNull();
    expect(redactor.redact(`x ${CANARY}-kc y ${CANARY}-env`)).toBe('x [redacted] y [redacted]');
  });
});
