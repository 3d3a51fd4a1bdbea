import { describe, expect, it } from 'vitest';
import { CLOUDFLARED_TOKEN_NAME, formFromSettings, NGROK_AUTHTOKEN_NAME, tokenWrites, tunnelRequest, type TunnelForm } from './tunnel-form.js';

const empty = formFromSettings(undefined);
const form = (patch: Partial<TunnelForm>): TunnelForm => ({ ...empty, ...patch });

// The exact shape PUT /api/tunnel accepts (shared/schemas/api.ts tunnelSettingsSchema): anything else is refused.
const ALLOWED: Record<string, string[]> = { ngrok: ['domain', 'restrictToTradingView'], cloudflared: ['mode', 'publicUrl'], manual: ['publicUrl'], localtunnel: ['host', 'subdomain'] };
function onlyAllowedFields(body: object): void {
  for (const [k, v] of Object.entries(body)) {
    if (k === 'provider') continue;
    expect(Object.keys(ALLOWED)).toContain(k);
    for (const f of Object.keys(v as object)) expect(ALLOWED[k]).toContain(f);
  }
}

describe('formFromSettings', () => {
  it('checks the saved provider and fills every section the agent returned', () => {
    const f = formFromSettings({ provider: 'localtunnel', ngrok: { domain: 'me.ngrok.app', restrictToTradingView: true }, cloudflared: { mode: 'named', publicUrl: 'https://a.example.com' }, manual: { publicUrl: 'https://m.example.com' }, localtunnel: { subdomain: 'vz-abcd' } });
    expect(f).toEqual({
      provider: 'localtunnel',
      ngrokDomain: 'me.ngrok.app',
      ngrokRestrictToTradingView: true,
      ngrokToken: '',
      cloudflaredMode: 'named',
      cloudflaredPublicUrl: 'https://a.example.com',
      cloudflaredToken: '',
      manualPublicUrl: 'https://m.example.com',
      localtunnelHost: '',
      localtunnelSubdomain: 'vz-abcd',
    });
  });
  it('leaves the provider unchosen when none was saved, and defaults Cloudflare to a quick tunnel', () => {
    const f = formFromSettings({ ngrok: {}, cloudflared: {}, manual: {}, localtunnel: {} });
    expect(f.provider).toBeUndefined();
    expect(f.cloudflaredMode).toBe('quick');
  });
});

describe('tunnelRequest', () => {
  it('sends a manual URL as manual.publicUrl, trimmed, and nothing else', () => {
    const body = tunnelRequest(form({ provider: 'manual', manualPublicUrl: '  https://alerts.example.com/ ', ngrokDomain: 'x.ngrok.app', ngrokToken: 'SECRET' }));
    expect(body).toEqual({ provider: 'manual', manual: { publicUrl: 'https://alerts.example.com/' } });
  });
  it('sends ngrok domain and the TradingView restriction, never the token', () => {
    const body = tunnelRequest(form({ provider: 'ngrok', ngrokDomain: 'me.ngrok-free.app', ngrokRestrictToTradingView: true, ngrokToken: 'NGROK_CANARY_1' }));
    expect(body).toEqual({ provider: 'ngrok', ngrok: { domain: 'me.ngrok-free.app', restrictToTradingView: true } });
    expect(JSON.stringify(body)).not.toContain('NGROK_CANARY_1');
  });
  it('leaves an empty ngrok domain out (the agent refuses an empty one)', () => {
    expect(tunnelRequest(form({ provider: 'ngrok', ngrokDomain: '  ' }))).toEqual({ provider: 'ngrok', ngrok: { restrictToTradingView: false } });
  });
  it('sends localtunnel host and subdomain only when given', () => {
    expect(tunnelRequest(form({ provider: 'localtunnel', localtunnelHost: 'https://lt.example.com', localtunnelSubdomain: 'my-desk' }))).toEqual({ provider: 'localtunnel', localtunnel: { host: 'https://lt.example.com', subdomain: 'my-desk' } });
    expect(tunnelRequest(form({ provider: 'localtunnel' }))).toEqual({ provider: 'localtunnel', localtunnel: {} });
  });
  it('sends a quick Cloudflare tunnel without a hostname, and a named one with its hostname', () => {
    expect(tunnelRequest(form({ provider: 'cloudflared', cloudflaredMode: 'quick', cloudflaredPublicUrl: 'https://kept.example.com' }))).toEqual({ provider: 'cloudflared', cloudflared: { mode: 'quick' } });
    expect(tunnelRequest(form({ provider: 'cloudflared', cloudflaredMode: 'named', cloudflaredPublicUrl: 'https://alerts.example.com', cloudflaredToken: 'CF_CANARY' }))).toEqual({ provider: 'cloudflared', cloudflared: { mode: 'named', publicUrl: 'https://alerts.example.com' } });
  });
  it('sends an empty body when no provider is chosen', () => {
    expect(tunnelRequest(empty)).toEqual({});
  });
  it('never sends a field outside the documented PUT /api/tunnel shape, whatever the form holds', () => {
    const full: Omit<TunnelForm, 'provider'> = { ngrokDomain: 'd', ngrokRestrictToTradingView: true, ngrokToken: 't', cloudflaredMode: 'named', cloudflaredPublicUrl: 'https://c', cloudflaredToken: 't', manualPublicUrl: 'https://m', localtunnelHost: 'https://h', localtunnelSubdomain: 'sub1' };
    for (const provider of ['ngrok', 'cloudflared', 'manual', 'localtunnel'] as const) {
      const body = tunnelRequest({ ...full, provider });
      onlyAllowedFields(body);
      expect(Object.keys(body).sort()).toEqual(['provider', provider].sort());
      expect(JSON.stringify(body)).not.toMatch(/token|autoStart|"url"/i);
    }
  });
});

describe('tokenWrites', () => {
  it('stores a typed ngrok authtoken under tunnel:ngrok:authtoken', () => {
    expect(tokenWrites(form({ provider: 'ngrok', ngrokToken: ' abc123 ' }))).toEqual([{ name: NGROK_AUTHTOKEN_NAME, value: 'abc123' }]);
    expect(NGROK_AUTHTOKEN_NAME).toBe('tunnel:ngrok:authtoken');
  });
  it('stores nothing when no token was typed (the saved one stays)', () => {
    expect(tokenWrites(form({ provider: 'ngrok', ngrokToken: '   ' }))).toEqual([]);
    expect(tokenWrites(form({ provider: 'cloudflared', cloudflaredMode: 'named' }))).toEqual([]);
  });
  it('stores a named Cloudflare tunnel token under tunnel:cloudflared:token, and none for a quick tunnel', () => {
    expect(tokenWrites(form({ provider: 'cloudflared', cloudflaredMode: 'named', cloudflaredToken: 'cf-tok' }))).toEqual([{ name: CLOUDFLARED_TOKEN_NAME, value: 'cf-tok' }]);
    expect(CLOUDFLARED_TOKEN_NAME).toBe('tunnel:cloudflared:token');
    expect(tokenWrites(form({ provider: 'cloudflared', cloudflaredMode: 'quick', cloudflaredToken: 'cf-tok' }))).toEqual([]);
  });
  it('never sends a token typed for another provider than the chosen one', () => {
    expect(tokenWrites(form({ provider: 'cloudflared', cloudflaredMode: 'named', ngrokToken: 'NGROK_CANARY' }))).toEqual([]);
    expect(tokenWrites(form({ provider: 'ngrok', cloudflaredToken: 'CF_CANARY' }))).toEqual([]);
    expect(tokenWrites(form({ provider: 'manual', ngrokToken: 'a', cloudflaredToken: 'b' }))).toEqual([]);
  });
});
