// The keychain is missing: the native module cannot load, or there is no D-Bus / Secret Service.
// Each case must give a clear status and a clear error, never a crash or a hang, and never a value.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KeytarStore, loadRealKeytar } from './keytar-store.js';
import { VaultError } from './secret-store.js';
import { Vault } from './vault.js';

const SERVICE = `viewzenix-test-${randomBytes(6).toString('hex')}`;
const CANARY = `CANARY-${randomBytes(12).toString('hex')}`;

const missingModule = () =>
  new KeytarStore({
    service: SERVICE,
    loadKeytar: async () => {
      throw new Error("Cannot find module '../build/Release/keytar.node'");
    },
  });

describe('keychain unavailable', () => {
  it('real keytar with D-Bus pointing nowhere reports the missing session bus', async () => {
    // This file runs in its own process (vitest forks pool) and this is its first real keytar call, so libsecret
    // connects to this address and nothing else.
    const saved = { bus: process.env.DBUS_SESSION_BUS_ADDRESS, display: process.env.DISPLAY };
    process.env.DBUS_SESSION_BUS_ADDRESS = `unix:path=/nonexistent/viewzenix-${randomBytes(4).toString('hex')}`;
    delete process.env.DISPLAY;
    try {
      const store = new KeytarStore({ service: SERVICE, timeoutMs: 5000 });
      const status = await store.status();
      expect(status.available).toBe(false);
      if (process.platform === 'linux') expect(status.message).toMatch(/No D-Bus session/);
      const err = await store.set('broker:acct-1:secret', CANARY).catch((e: unknown) => e);
      expect((err as VaultError).code).toBe('VAULT_UNAVAILABLE');
      expect(String((err as VaultError).stack)).not.toContain(CANARY);
    } finally {
      if (saved.bus === undefined) delete process.env.DBUS_SESSION_BUS_ADDRESS;
      else process.env.DBUS_SESSION_BUS_ADDRESS = saved.bus;
      if (saved.display !== undefined) process.env.DISPLAY = saved.display;
    }
  });

  it('reports a missing native module as a clear status with per-platform fixes', async () => {
    const status = await missingModule().status();
    expect(status.available).toBe(false);
    expect(status.backend).toBe('none');
    expect(status.message).toMatch(/keychain module \(keytar\) could not be loaded/);
    expect(status.fix.linux).toMatch(/gnome-keyring/);
    expect(status.fix.macos).toMatch(/keychain/i);
    expect(status.fix.windows).toMatch(/Credential Manager/);
  });

  it('fails writes with VAULT_UNAVAILABLE and no value in the error', async () => {
    const err = await missingModule().set('broker:acct-1:secret', CANARY).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VaultError);
    expect((err as VaultError).code).toBe('VAULT_UNAVAILABLE');
    expect(String((err as VaultError).stack)).not.toContain(CANARY);
  });

  it('Vault falls back to read-only environment variables and says writes need the keychain', async () => {
    const vault = new Vault({
      keychain: missingModule(),
      environment: { VIEWZENIX_SECRET_TUNNEL_NGROK_AUTHTOKEN: CANARY },
    });
    const status = await vault.status();
    expect(status).toMatchObject({ available: true, backend: 'env', writable: false });
    expect(JSON.stringify(status)).not.toContain(CANARY);
    expect(await vault.get('tunnel:ngrok:authtoken')).toBe(CANARY);
    expect(await vault.list()).toEqual([]);
    const err = await vault.set('tunnel:ngrok:authtoken', CANARY).catch((e: unknown) => e);
    expect((err as VaultError).code).toBe('VAULT_UNAVAILABLE');
    expect((err as VaultError).message).toMatch(/Cannot store "tunnel:ngrok:authtoken"/);
    expect(String((err as VaultError).stack)).not.toContain(CANARY);
    await expect(vault.delete('tunnel:ngrok:authtoken')).rejects.toMatchObject({ code: 'VAULT_UNAVAILABLE' });
  });

  it('Vault with neither keychain nor variables reports backend "none"', async () => {
    const status = await new Vault({ keychain: missingModule(), environment: {} }).status();
    expect(status).toMatchObject({ available: false, backend: 'none', writable: false });
    expect(status.message).toMatch(/No VIEWZENIX_SECRET_\* environment variables/);
  });

  it('a keychain call that never answers times out with a clear status instead of hanging', async () => {
    const real = await loadRealKeytar();
    const store = new KeytarStore({
      service: SERVICE,
      timeoutMs: 200,
      loadKeytar: async () => ({ ...real, setPassword: () => new Promise<void>(() => undefined) }),
    });
    const status = await store.status();
    expect(status.available).toBe(false);
    expect(status.message).toMatch(/did not answer/);
  });
});
