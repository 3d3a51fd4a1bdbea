// End to end without the internet: a real localtunnel server on 127.0.0.1, the real localtunnel client, and
// a local express app standing in for the webhook listener.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHealthProbe } from './health-probe.js';
import { HEALTH_PROBE_PARAM, healthProbeEcho } from './health-echo.js';
import { LocaltunnelProvider } from './localtunnel-provider.js';
import { LocaltunnelServer, freePort, viaTunnelServer } from './localtunnel-server.fixture.js';
import { TunnelError } from './provider.js';
import { TunnelSupervisor } from './supervisor.js';
import type { TunnelSupervisorStatus, UrlChange } from './supervisor.js';

const received: Array<{ path: string; body: string }> = [];
let webhook: http.Server;
let webhookPort: number;
let server: LocaltunnelServer;
const supervisors: TunnelSupervisor[] = [];

beforeAll(async () => {
  const app = express();
  app.get('/health', (req, res) => {
    res.json({ ok: true, [HEALTH_PROBE_PARAM]: healthProbeEcho(req.query[HEALTH_PROBE_PARAM]) });
  });
  app.post('/webhook/:id', express.text({ type: '*/*' }), (req, res) => {
    received.push({ path: req.path, body: String(req.body) });
    res.status(202).json({ accepted: true });
  });
  webhook = await new Promise<http.Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  webhookPort = (webhook.address() as AddressInfo).port;
  server = new LocaltunnelServer(await freePort());
  await server.start();
});

afterEach(async () => {
  await Promise.all(supervisors.splice(0).map((s) => s.stop()));
});

afterAll(async () => {
  await server.stop();
  await new Promise((r) => webhook.close(r));
});

function supervise(provider: LocaltunnelProvider, extra: { lastKnownPublicUrl?: string } = {}): TunnelSupervisor {
  const s = new TunnelSupervisor({
    provider,
    localPort: webhookPort,
    expectHealthy: createHealthProbe({ timeoutMs: 5000, resolveProbeTarget: viaTunnelServer(server) }),
    backoff: { initialMs: 100, maxMs: 500 },
    failuresBeforeRestart: 2,
    ...extra,
  });
  supervisors.push(s);
  return s;
}

function waitForState(s: TunnelSupervisor, state: TunnelSupervisorStatus['state']): Promise<TunnelSupervisorStatus> {
  if (s.status().state === state) return Promise.resolve(s.status());
  return new Promise((resolve) => {
    const on = (st: TunnelSupervisorStatus) => {
      if (st.state === state) {
        s.off('state', on);
        resolve(st);
      }
    };
    s.on('state', on);
  });
}

function postThroughTunnel(publicUrl: string, path: string, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: server.port, path, method: 'POST', headers: { host: new URL(publicUrl).host, 'content-type': 'text/plain' } },
      (res) => {
        let data = '';
        res.on('data', (c: Buffer) => (data += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('localtunnel through a local tunnel server', () => {
  it('delivers a POST sent to the public URL to the webhook listener, body intact, and the self-check reports up', async () => {
    const s = supervise(new LocaltunnelProvider({ host: server.address }));
    const status = await s.start();
    expect(status.state).toBe('up');
    expect(status.publicUrl).toMatch(/^http:\/\/vz-[0-9a-f]{16}\.lt\.test$/);
    expect(status.lastCheck).toMatchObject({ arrived: true, error: null, publicUrl: status.publicUrl });
    expect(status.lastCheck?.latencyMs).toBeGreaterThanOrEqual(0);

    const alert = JSON.stringify({ ticker: 'AAPL', action: 'buy', quantity: '1' });
    const answer = await postThroughTunnel(status.publicUrl ?? '', '/webhook/abc123', alert);
    expect(answer.status).toBe(202);
    expect(JSON.parse(answer.body)).toEqual({ accepted: true });
    expect(received.at(-1)).toEqual({ path: '/webhook/abc123', body: alert });
  });

  it('goes down when the tunnel server stops and back up (same URL, no url-changed) when it returns', async () => {
    const provider = new LocaltunnelProvider({ host: server.address, subdomain: 'desk-alpha' });
    const s = supervise(provider);
    const changes: UrlChange[] = [];
    s.on('url-changed', (c) => changes.push(c));
    const first = await s.start();
    expect(first.state).toBe('up');
    expect(first.publicUrl).toBe('http://desk-alpha.lt.test');

    const down = waitForState(s, 'down');
    await server.stop();
    const downStatus = await down;
    expect(downStatus.publicUrl).toBeNull();
    expect(downStatus.lastError?.message).toMatch(/localtunnel server/);

    const up = waitForState(s, 'up');
    await server.start();
    const upStatus = await up;
    expect(upStatus.publicUrl).toBe('http://desk-alpha.lt.test');
    expect(upStatus.lastCheck?.arrived).toBe(true);
    expect(changes).toEqual([]);

    const answer = await postThroughTunnel(upStatus.publicUrl ?? '', '/webhook/after-restart', 'ping');
    expect(answer.status).toBe(202);
    expect(received.at(-1)).toEqual({ path: '/webhook/after-restart', body: 'ping' });
  });

  it('announces url-changed (old, new) when the URL differs from the one the alerts were set up with', async () => {
    const s = supervise(new LocaltunnelProvider({ host: server.address, subdomain: 'desk-bravo' }), {
      lastKnownPublicUrl: 'http://desk-old.lt.test',
    });
    const changes: UrlChange[] = [];
    s.on('url-changed', (c) => changes.push(c));
    expect((await s.start()).state).toBe('up');
    expect(changes).toEqual([{ previous: 'http://desk-old.lt.test', current: 'http://desk-bravo.lt.test' }]);
  });

  it('never accepts a random name while its subdomain is still held: asks again, fails saying so, and gets it once freed', async () => {
    const holder = new LocaltunnelProvider({ host: server.address, subdomain: 'desk-charlie' });
    expect((await holder.start({ localPort: webhookPort })).publicUrl).toBe('http://desk-charlie.lt.test');
    const again = new LocaltunnelProvider({ host: server.address, subdomain: 'desk-charlie', subdomainAttempts: 2, subdomainRetryMs: 20 });
    const err = await again.start({ localPort: webhookPort }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TunnelError);
    expect((err as TunnelError).message).toMatch(/gave another address .* because desk-charlie is still taken; the agent did not switch URLs/);
    expect(again.status()).toMatchObject({ running: false, publicUrl: null });
    // The old connection goes away (as after a restart); the server frees the name a moment later.
    await holder.stop();
    const patient = new LocaltunnelProvider({ host: server.address, subdomain: 'desk-charlie', subdomainAttempts: 8, subdomainRetryMs: 250 });
    expect((await patient.start({ localPort: webhookPort })).publicUrl).toBe('http://desk-charlie.lt.test');
    await patient.stop();
  });

  it('fails fast with TUNNEL_UNREACHABLE when the tunnel server cannot be reached', async () => {
    const closed = await freePort();
    const provider = new LocaltunnelProvider({ host: `http://127.0.0.1:${closed}` });
    const err = await provider.start({ localPort: webhookPort }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TunnelError);
    expect((err as TunnelError).code).toBe('TUNNEL_UNREACHABLE');
    expect((err as TunnelError).message).toMatch(/cannot be reached/);
    expect(provider.status()).toMatchObject({ running: false, publicUrl: null });
  });

  it("shows the server's reason when it refuses the subdomain, and stops asking once the start failed", async () => {
    // Answers as localtunnel-server does for a subdomain it will not hand out: 403 {"message": "Invalid subdomain. …"}.
    let asked = 0;
    const refusing = http.createServer((req, res) => {
      if (req.url === '/api/status') return void res.end('{"tunnels":0}');
      asked++;
      res.writeHead(403, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'Invalid subdomain. Subdomains must be lowercase and between 4 and 63 alphanumeric characters.' }));
    });
    await new Promise<void>((r) => refusing.listen(0, '127.0.0.1', r));
    try {
      const provider = new LocaltunnelProvider({ host: `http://127.0.0.1:${(refusing.address() as AddressInfo).port}`, subdomain: 'desk-delta', startTimeoutMs: 2000 });
      const err = await provider.start({ localPort: webhookPort }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TunnelError);
      expect((err as TunnelError).code).toBe('TUNNEL_FAILED');
      expect((err as TunnelError).message).toBe('The localtunnel server refused the tunnel: Invalid subdomain. Subdomains must be lowercase and between 4 and 63 alphanumeric characters. (HTTP 403)');
      const afterFailure = asked;
      await new Promise((r) => setTimeout(r, 2500));
      expect(asked).toBe(afterFailure); // nothing keeps polling the server behind the agent's back
    } finally {
      await new Promise((r) => refusing.close(r));
    }
  });

  it('a server that drops the request for the tunnel is TUNNEL_UNREACHABLE, at once', async () => {
    const dropping = http.createServer((req, res) => {
      if (req.url === '/api/status') return void res.end('{"tunnels":0}');
      req.socket.destroy();
    });
    await new Promise<void>((r) => dropping.listen(0, '127.0.0.1', r));
    try {
      const provider = new LocaltunnelProvider({ host: `http://127.0.0.1:${(dropping.address() as AddressInfo).port}`, subdomain: 'desk-echo', startTimeoutMs: 5000 });
      const started = Date.now();
      const err = await provider.start({ localPort: webhookPort }).catch((e: unknown) => e);
      expect((err as TunnelError).code).toBe('TUNNEL_UNREACHABLE');
      expect((err as TunnelError).message).toMatch(/^The localtunnel server http:\/\/127\.0\.0\.1:\d+ cannot be reached \(.+\)\.$/);
      expect(Date.now() - started).toBeLessThan(4000);
    } finally {
      await new Promise((r) => dropping.close(r));
    }
  });

  it('rejects a subdomain the server would refuse, before connecting', () => {
    expect(() => new LocaltunnelProvider({ subdomain: 'ab' })).toThrow(/subdomain/);
    expect(() => new LocaltunnelProvider({ subdomain: 'Has.Dots' })).toThrow(/subdomain/);
  });
});
