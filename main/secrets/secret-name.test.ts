import { describe, expect, it } from 'vitest';
import { assertSecretName, envVarName, isSecretName } from './secret-name.js';

describe('secret names', () => {
  it('accepts the names the agent uses, by purpose', () => {
    for (const name of [
      'broker:alpaca-paper-1:apiKey',
      'broker:3f2c9a1e-7b7d-4c1a-9d55-0f1e2d3c4b5a:secret',
      'broker:oanda.live:token',
      'tunnel:ngrok:authtoken',
      'tunnel:cloudflared:token',
      'notify:telegram',
      'notify:discord:webhook',
    ]) {
      expect(isSecretName(name), name).toBe(true);
    }
  });

  it('rejects names outside the scheme, so a typo cannot create a stray entry', () => {
    for (const name of ['', 'apiKey', 'broker:apiKey', 'broker::key', 'broker:a:b:c', 'tunnel:frp:token', 'Broker:a:key', 'notify:', 'broker:a:key ', 'broker:a/b:key', 42, null]) {
      expect(isSecretName(name), String(name)).toBe(false);
    }
  });

  it('does not echo a rejected name, in case a value was passed where a name belongs', () => {
    const canary = 'CANARY-sk-live-1234567890abcdef';
    expect(() => assertSecretName(canary)).toThrow(/Not a valid credential name/);
    try {
      assertSecretName(canary);
    } catch (err) {
      expect(String((err as Error).message)).not.toContain(canary);
      expect(String((err as Error).stack)).not.toContain(canary);
    }
  });

  it('maps a name to its environment variable: upper case, non-alphanumerics to underscores', () => {
    expect(envVarName('broker:alpaca-paper-1:apiKey')).toBe('VIEWZENIX_SECRET_BROKER_ALPACA_PAPER_1_APIKEY');
    expect(envVarName('tunnel:ngrok:authtoken')).toBe('VIEWZENIX_SECRET_TUNNEL_NGROK_AUTHTOKEN');
    expect(envVarName('notify:discord:webhook')).toBe('VIEWZENIX_SECRET_NOTIFY_DISCORD_WEBHOOK');
    expect(() => envVarName('nope')).toThrow(/Not a valid credential name/);
  });
});
