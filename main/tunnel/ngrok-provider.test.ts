import net from 'node:net';
import type { Config as NgrokConfig } from '@ngrok/ngrok';
import { describe, expect, it } from 'vitest';
import { EnvStore } from '../secrets/env-store.js';
import { NgrokProvider, explainNgrokError, loadRealNgrok, ngrokForwardConfig } from './ngrok-provider.js';
import type { NgrokSdk } from './ngrok-provider.js';
import { TunnelError } from './provider.js';
import type { TunnelProviderEvent } from './provider.js';

const CANARY = 'CANARY-2abcDEF-ngrok-authtoken-9876543210';
const withToken = () => new EnvStore({ VIEWZENIX_SECRET_TUNNEL_NGROK_AUTHTOKEN: CANARY });

/** An SDK stand-in that keeps the config it was given, to check exactly what would reach ngrok. */
function recordingSdk(url = 'https://desk.ngrok-free.app') {
  const calls: NgrokConfig[] = [];
  let closed = 0;
  const sdk: NgrokSdk = {
    forward: async (config) => {
      calls.push(config);
      return { url: () => url, close: async () => void closed++ };
    },
  };
  return { sdk, calls, closed: () => closed };
}

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

describe('ngrok provider', () => {
  it('forwards only the webhook port on loopback, with the vault authtoken, domain and TradingView-only IPs', async () => {
    const rec = recordingSdk();
    const provider = new NgrokProvider({ secrets: withToken(), domain: 'desk.ngrok-free.app', restrictToTradingView: true, loadSdk: async () => rec.sdk });
    const started = await provider.start({ localPort: 4401 });
    expect(started.publicUrl).toBe('https://desk.ngrok-free.app');
    expect(rec.calls).toHaveLength(1);
    const { onStatusChange, ...rest } = rec.calls[0] as NgrokConfig;
    expect(typeof onStatusChange).toBe('function');
    expect(rest).toEqual({
      addr: '127.0.0.1:4401',
      proto: 'http',
      authtoken: CANARY,
      domain: 'desk.ngrok-free.app',
      ip_restriction_allow_cidrs: ['52.89.214.238/32', '34.212.75.30/32', '54.218.53.128/32', '52.32.178.7/32'],
    });
    expect(provider.status()).toEqual({ running: true, publicUrl: 'https://desk.ngrok-free.app', lastError: null });
    await provider.stop();
    expect(rec.closed()).toBe(1);
    expect(provider.status().running).toBe(false);
  });

  it('leaves domain and IP restriction out when not configured', () => {
    const config = ngrokForwardConfig({ localPort: 80, authtoken: 't' });
    expect(config).toEqual({ addr: '127.0.0.1:80', proto: 'http', authtoken: 't' });
  });

  it("turns the SDK's session status into provider events, and ignores them after stop", async () => {
    const rec = recordingSdk();
    const provider = new NgrokProvider({ secrets: withToken(), loadSdk: async () => rec.sdk });
    const events: TunnelProviderEvent[] = [];
    provider.on((e) => events.push(e));
    await provider.start({ localPort: 4401 });
    const onStatusChange = rec.calls[0]?.onStatusChange;
    onStatusChange?.('closed');
    onStatusChange?.('connected');
    expect(events).toEqual([
      { type: 'disconnected', reason: expect.stringMatching(/reconnecting/), selfHealing: true },
      { type: 'reconnected' },
    ]);
    await provider.stop();
    onStatusChange?.('closed');
    expect(events).toHaveLength(2);
  });

  it('without a stored authtoken fails with plain words and never calls ngrok', async () => {
    const rec = recordingSdk();
    const provider = new NgrokProvider({ secrets: new EnvStore({}), loadSdk: async () => rec.sdk });
    const err = await provider.start({ localPort: 4401 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TunnelError);
    expect((err as TunnelError).code).toBe('TUNNEL_AUTH_MISSING');
    expect((err as TunnelError).message).toBe('No ngrok authtoken is stored, so the ngrok tunnel cannot start.');
    expect((err as TunnelError).fix).toMatch(/dashboard\.ngrok\.com/);
    expect(rec.calls).toHaveLength(0);
    expect(provider.status().lastError).toMatch(/No ngrok authtoken/);
  });

  it('real SDK, ngrok unreachable: "failed to connect session" becomes plain words, authtoken not in the error', async () => {
    const real = await loadRealNgrok();
    const port = await closedPort();
    // The real SDK, dialing a closed local port instead of ngrok's servers: the same failure as being offline.
    const offline: NgrokSdk = { forward: (config) => real.forward({ ...config, server_addr: `127.0.0.1:${port}` }) };
    const provider = new NgrokProvider({ secrets: withToken(), loadSdk: async () => offline });
    const err = await provider.start({ localPort: 4401 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TunnelError);
    expect((err as TunnelError).code).toBe('TUNNEL_UNREACHABLE');
    expect((err as TunnelError).message).toMatch(/Could not reach the ngrok service/);
    expect(String((err as TunnelError).stack)).not.toContain(CANARY);
    expect(JSON.stringify(provider.status())).not.toContain(CANARY);
  });

  it('maps ngrok error codes to what the trader should do, scrubbing the authtoken', () => {
    expect(explainNgrokError(new Error(`authentication failed: The authtoken ${CANARY} is invalid\n\nERR_NGROK_105`), CANARY)).toMatchObject({ code: 'TUNNEL_AUTH_FAILED' });
    expect(explainNgrokError(new Error(`authentication failed: token ${CANARY}\n\nERR_NGROK_105`), CANARY).message).not.toContain(CANARY);
    expect(explainNgrokError(new Error('Your account is limited to 1 simultaneous ngrok agent sessions.\n\nERR_NGROK_108')).message).toMatch(/Another ngrok agent/);
    expect(explainNgrokError(new Error('failed to bind the domain x.ngrok.app: reserved for another account ERR_NGROK_320'))).toMatchObject({ code: 'TUNNEL_CONFIG_INVALID' });
    const other = explainNgrokError(new Error(`strange failure mentioning ${CANARY}`), CANARY);
    expect(other.code).toBe('TUNNEL_FAILED');
    expect(other.message).not.toContain(CANARY);
  });

  it('an error ngrok answered with a code is never reported as "offline", though the SDK prefixes it "failed to connect session"', () => {
    // The SDK's text: "failed to connect session: <ngrok's message> error_code: ERR_NGROK_<n>" (ngrok-javascript#125).
    const sdkError = (message: string, code: string) => Object.assign(new Error(`failed to connect session: ${message} error_code: ${code}`), { errorCode: code });
    const v1 = explainNgrokError(sdkError(`The authtoken you specified is an ngrok v1 authtoken, but you're using ngrok v2.\nYour authtoken: ${CANARY}`, 'ERR_NGROK_106'), CANARY);
    expect(v1.code).toBe('TUNNEL_AUTH_FAILED');
    expect(v1.message).not.toContain(CANARY);
    const old = explainNgrokError(sdkError('Your ngrok agent version "1.0" is no longer supported.', 'ERR_NGROK_120'));
    expect(old.code).toBe('TUNNEL_FAILED');
    expect(old.message).toBe('ngrok refused the tunnel (ERR_NGROK_120): Your ngrok agent version "1.0" is no longer supported.');
    expect(old.fix).toMatch(/ERR_NGROK_120/);
    const online = explainNgrokError(sdkError("The endpoint 'https://desk.ngrok-free.app' is already online.", 'ERR_NGROK_334'));
    expect(online.code).toBe('TUNNEL_FAILED');
    expect(online.message).toMatch(/ERR_NGROK_334.*already online/);
    // The trader's domain name may contain the word; the endpoint being online elsewhere is still not a domain problem.
    const held = explainNgrokError(sdkError("The endpoint 'https://my-domain.ngrok.app' is already online.", 'ERR_NGROK_334'));
    expect(held.code).toBe('TUNNEL_FAILED');
    expect(held.message).toMatch(/ERR_NGROK_334.*already online/);
    const notOwned = explainNgrokError(sdkError('This domain is reserved for another account. Failed to create an endpoint with the domain my-domain.ngrok.app for the account Desk.', 'ERR_NGROK_320'));
    expect(notOwned.code).toBe('TUNNEL_CONFIG_INVALID');
    const unverified = explainNgrokError(sdkError('Usage of ngrok requires a verified account and authtoken.', 'ERR_NGROK_4018'));
    expect(unverified.code).toBe('TUNNEL_AUTH_MISSING');
  });

  it('refuses a domain that is not a host name', () => {
    expect(() => new NgrokProvider({ secrets: withToken(), domain: 'https://desk.ngrok-free.app/' })).toThrow(/host name/);
  });
});
