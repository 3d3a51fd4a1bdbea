import { describe, expect, it } from 'vitest';
import { EnvStore } from './env-store.js';
import { VaultError } from './secret-store.js';

const CANARY = 'CANARY-env-secret-9f8e7d6c5b4a';

describe('EnvStore (read-only fallback)', () => {
  it('reads VIEWZENIX_SECRET_<NAME> for an entry name', async () => {
    const store = new EnvStore({ VIEWZENIX_SECRET_BROKER_ALPACA_1_APIKEY: CANARY });
    expect(await store.get('broker:alpaca-1:apiKey')).toBe(CANARY);
    expect(await store.get('broker:alpaca-1:secret')).toBeNull();
  });

  it('treats an empty variable as no entry', async () => {
    const store = new EnvStore({ VIEWZENIX_SECRET_TUNNEL_NGROK_AUTHTOKEN: '' });
    expect(await store.get('tunnel:ngrok:authtoken')).toBeNull();
    expect((await store.status()).available).toBe(false);
  });

  it('refuses writes with the keychain hint and the variable to set, never the value', async () => {
    const store = new EnvStore({});
    const err = await store.set('broker:alpaca-1:apiKey', CANARY).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VaultError);
    expect((err as VaultError).code).toBe('VAULT_READ_ONLY');
    expect((err as VaultError).message).toMatch(/keychain is not available/);
    expect((err as VaultError).message).toContain('VIEWZENIX_SECRET_BROKER_ALPACA_1_APIKEY');
    expect((err as VaultError).message).not.toContain(CANARY);
    expect(String((err as VaultError).stack)).not.toContain(CANARY);
    await expect(store.delete('broker:alpaca-1:apiKey')).rejects.toMatchObject({ code: 'VAULT_READ_ONLY' });
  });

  it('reports how many variables are set without naming values, and lists nothing', async () => {
    const store = new EnvStore({ VIEWZENIX_SECRET_A: CANARY, VIEWZENIX_SECRET_B: 'x', OTHER: 'y' });
    const status = await store.status();
    expect(status).toMatchObject({ available: true, backend: 'env' });
    expect(status.message).toContain('2 credential(s)');
    expect(JSON.stringify(status)).not.toContain(CANARY);
    expect(await store.list()).toEqual([]);
  });
});
