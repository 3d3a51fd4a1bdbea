// cloudflared is driven through a fake `cloudflared` executable on PATH that prints what the real one prints.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EnvStore } from '../secrets/env-store.js';
import { CloudflaredProvider } from './cloudflared-provider.js';
import { explainCloudflaredLine, isConnectionRegistered, parseQuickTunnelUrl } from './cloudflared-output.js';
import { TunnelError } from './provider.js';
import type { TunnelProviderEvent } from './provider.js';

const CANARY = 'CANARY-eyJhIjoiY2xvdWRmbGFyZWQtdG9rZW4ifQ';
const dir = mkdtempSync(join(tmpdir(), 'viewzenix-cf-'));
const emptyDir = mkdtempSync(join(tmpdir(), 'viewzenix-cf-empty-'));
const record = join(dir, 'record.json');

// The fake logs to stderr in cloudflared's format, records argv / token presence / pid, and runs until killed.
writeFileSync(
  join(dir, 'cloudflared'),
  `#!${process.execPath}
const fs = require('fs');
fs.writeFileSync(${JSON.stringify(record)}, JSON.stringify({ argv: process.argv.slice(2), token: process.env.TUNNEL_TOKEN || null, pid: process.pid }));
// Like cloudflared, info lines are left out below --loglevel info (flag first, then TUNNEL_LOGLEVEL; default info).
const at = process.argv.indexOf('--loglevel');
const level = at >= 0 ? process.argv[at + 1] : (process.env.TUNNEL_LOGLEVEL || 'info');
const log = (m) => { if (level === 'info' || level === 'debug') process.stderr.write('2026-01-01T00:00:00Z INF ' + m + '\\n'); };
const mode = process.env.FAKE_CF_MODE;
log('Starting tunnel tunnelID=');
// cloudflared prints the error it exits with as a bare line, without time or level (cloudflare/cloudflared#555, #972).
if (mode === 'fail') { process.stderr.write('failed to request quick Tunnel: Post "https://api.trycloudflare.com/tunnel": dial tcp: lookup api.trycloudflare.com: no such host\\n'); process.exit(1); }
// A token that does not decode: cloudflared's usage error for TUNNEL_TOKEN / --token, then it exits.
if (mode === 'badtoken') { fs.writeSync(2, 'Provided Tunnel token is not valid.\\n'); process.exit(1); }
if (mode === 'ratelimit') {
  log('Requesting new quick Tunnel on trycloudflare.com...');
  process.stderr.write('2026-01-01T00:00:00Z ERR Error unmarshaling QuickTunnel response: error code: 1015 error="invalid character \\'e\\' looking for beginning of value" status_code="429 Too Many Requests"\\n');
  process.stderr.write("failed to unmarshal quick Tunnel: invalid character 'e' looking for beginning of value\\n");
  process.exit(1);
}
if (mode === 'quick') {
  log('Requesting new quick Tunnel on trycloudflare.com...');
  log('+--------------------------------------------------------------------------------------------+');
  log('|  Your quick Tunnel has been created! Visit it at (it may take some time to be reachable):  |');
  log('|  https://seasonal-deck-organisms-sf.trycloudflare.com                                      |');
  log('+--------------------------------------------------------------------------------------------+');
}
setTimeout(() => log('Registered tunnel connection connIndex=0 connection=abc event=0 ip=198.41.192.7 location=ams01 protocol=quic'), 20);
setInterval(() => {}, 1000);
process.on('SIGTERM', () => process.exit(0));
`,
);
chmodSync(join(dir, 'cloudflared'), 0o755);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(emptyDir, { recursive: true, force: true });
});

const recorded = () => JSON.parse(readFileSync(record, 'utf8')) as { argv: string[]; token: string | null; pid: number };

describe('cloudflared output parsing', () => {
  it('finds the quick-tunnel URL and ignores the API host', () => {
    expect(parseQuickTunnelUrl('INF |  https://seasonal-deck-organisms-sf.trycloudflare.com   |')).toBe('https://seasonal-deck-organisms-sf.trycloudflare.com');
    expect(parseQuickTunnelUrl('ERR failed to request quick Tunnel: Post "https://api.trycloudflare.com/tunnel"')).toBeNull();
    expect(parseQuickTunnelUrl('INF Requesting new quick Tunnel on trycloudflare.com...')).toBeNull();
    expect(isConnectionRegistered('INF Registered tunnel connection connIndex=0')).toBe(true);
    expect(explainCloudflaredLine('ERR failed to request quick Tunnel: dial tcp: no such host')).toMatch(/quick tunnel/);
  });
});

describe('cloudflared provider (fake executable on PATH)', () => {
  it('quick tunnel: forwards the webhook port on loopback and returns the trycloudflare URL once connected', async () => {
    const provider = new CloudflaredProvider({ mode: 'quick', dnsSettleMs: 0, env: { PATH: dir, FAKE_CF_MODE: 'quick' } });
    const started = await provider.start({ localPort: 4402 });
    expect(started.publicUrl).toBe('https://seasonal-deck-organisms-sf.trycloudflare.com');
    expect(recorded().argv).toEqual(['tunnel', '--no-autoupdate', '--loglevel', 'info', '--url', 'http://127.0.0.1:4402']);
    expect(provider.status()).toMatchObject({ running: true, publicUrl: started.publicUrl });
    await provider.stop();
    expect(provider.status().running).toBe(false);
  });

  it('still sees the URL and the connection when the environment sets TUNNEL_LOGLEVEL=warn', async () => {
    const provider = new CloudflaredProvider({ mode: 'quick', dnsSettleMs: 0, env: { PATH: dir, FAKE_CF_MODE: 'quick', TUNNEL_LOGLEVEL: 'warn' }, startTimeoutMs: 2000 });
    const started = await provider.start({ localPort: 4402 });
    expect(started.publicUrl).toBe('https://seasonal-deck-organisms-sf.trycloudflare.com');
    await provider.stop();
  });

  it('quick tunnel: hands out the URL only some time after the first edge connection, when its DNS record exists', async () => {
    const provider = new CloudflaredProvider({ mode: 'quick', dnsSettleMs: 600, env: { PATH: dir, FAKE_CF_MODE: 'quick' } });
    const began = Date.now();
    const started = await provider.start({ localPort: 4402 });
    // The fake registers its connection about 20 ms after start; the URL must wait the settle time on top.
    expect(Date.now() - began).toBeGreaterThanOrEqual(600);
    expect(started.publicUrl).toBe('https://seasonal-deck-organisms-sf.trycloudflare.com');
    await provider.stop();
  });

  /** A named tunnel with the canary token in the vault, run by the fake cloudflared in `fakeMode`. */
  const namedTunnel = (fakeMode: string) =>
    new CloudflaredProvider({ mode: 'named', publicUrl: 'https://alerts.example.com', secrets: new EnvStore({ VIEWZENIX_SECRET_TUNNEL_CLOUDFLARED_TOKEN: CANARY }), env: { PATH: dir, FAKE_CF_MODE: fakeMode } });

  it('named tunnel: passes the vault token in TUNNEL_TOKEN, never on the command line', async () => {
    const provider = namedTunnel('named');
    const started = await provider.start({ localPort: 4402 });
    expect(started.publicUrl).toBe('https://alerts.example.com');
    const rec = recorded();
    expect(rec.argv).toEqual(['tunnel', '--no-autoupdate', '--loglevel', 'info', 'run']);
    expect(rec.argv.join(' ')).not.toContain(CANARY);
    expect(rec.token).toBe(CANARY);
    await provider.stop();
  });

  it('named tunnel whose token cloudflared refuses: TUNNEL_AUTH_FAILED, the fix says to copy the token again, no token in it', async () => {
    const provider = namedTunnel('badtoken');
    const err = await provider.start({ localPort: 4402 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TunnelError);
    expect((err as TunnelError).code).toBe('TUNNEL_AUTH_FAILED');
    expect((err as TunnelError).message).toBe('Cloudflare refused the tunnel token. (exit 1)');
    expect((err as TunnelError).fix).toMatch(/copy this tunnel's token again/);
    expect(JSON.stringify([(err as TunnelError).message, (err as TunnelError).fix, provider.status()])).not.toContain(CANARY);
  });

  it('named tunnel without a stored token fails with plain words', async () => {
    const provider = new CloudflaredProvider({ mode: 'named', publicUrl: 'https://alerts.example.com', secrets: new EnvStore({}), env: { PATH: dir } });
    await expect(provider.start({ localPort: 4402 })).rejects.toMatchObject({ code: 'TUNNEL_AUTH_MISSING' });
  });

  it('reports a missing binary before trying to run it', async () => {
    const provider = new CloudflaredProvider({ mode: 'quick', env: { PATH: emptyDir } });
    const err = await provider.start({ localPort: 4402 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TunnelError);
    expect((err as TunnelError).code).toBe('TUNNEL_BINARY_MISSING');
    expect((err as TunnelError).message).toMatch(/cloudflared is not installed/);
  });

  it('explains why cloudflared quit during start', async () => {
    const provider = new CloudflaredProvider({ mode: 'quick', env: { PATH: dir, FAKE_CF_MODE: 'fail' } });
    const err = await provider.start({ localPort: 4402 }).catch((e: unknown) => e);
    expect((err as TunnelError).code).toBe('TUNNEL_FAILED');
    expect((err as TunnelError).message).toMatch(/Cloudflare did not hand out a quick tunnel/);
  });

  it('says Cloudflare is rate-limiting quick tunnels (429, error 1015), not just that cloudflared stopped', async () => {
    const provider = new CloudflaredProvider({ mode: 'quick', env: { PATH: dir, FAKE_CF_MODE: 'ratelimit' } });
    const err = await provider.start({ localPort: 4402 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TunnelError);
    expect((err as TunnelError).code).toBe('TUNNEL_FAILED');
    expect((err as TunnelError).message).toMatch(/^Cloudflare refused to hand out another quick tunnel for now \(429 Too Many Requests, error 1015.*\(exit 1\)$/);
    expect((err as TunnelError).fix).toMatch(/growing delays/);
    // An older cloudflared prints only the wrapper; another error page keeps its status.
    expect(explainCloudflaredLine("failed to unmarshal quick Tunnel: invalid character 'e' looking for beginning of value")).toMatch(/answered with an error/);
    expect(explainCloudflaredLine('ERR Error unmarshaling QuickTunnel response: error code: 1101 status_code="500 Internal Server Error"')).toMatch(/\(500 Internal Server Error\)/);
  });

  it('emits disconnected when cloudflared dies after the tunnel was up', async () => {
    const provider = new CloudflaredProvider({ mode: 'quick', dnsSettleMs: 0, env: { PATH: dir, FAKE_CF_MODE: 'quick' } });
    await provider.start({ localPort: 4402 });
    const lost = new Promise<TunnelProviderEvent>((resolve) => provider.on(resolve));
    process.kill(recorded().pid, 'SIGKILL');
    expect(await lost).toMatchObject({ type: 'disconnected', reason: expect.stringMatching(/cloudflared exited/) });
    expect(provider.status()).toMatchObject({ running: false, publicUrl: null });
  });
});
