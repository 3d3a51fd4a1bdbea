// The supervisor against real local HTTP servers: a webhook listener that echoes the health nonce, an impostor
// that answers without it, and a listener that goes away and comes back.
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { EnvStore } from '../secrets/env-store.js';
import { createHealthProbe } from './health-probe.js';
import { HEALTH_PROBE_PARAM, healthProbeEcho } from './health-echo.js';
import { ManualProvider } from './manual-provider.js';
import { NgrokProvider } from './ngrok-provider.js';
import { TunnelSupervisor } from './supervisor.js';
import type { TunnelState, TunnelSupervisorOptions, TunnelSupervisorStatus } from './supervisor.js';

const PUBLIC_URL = 'https://alerts.example.test';
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function healthApp(echo: boolean): express.Express {
  const app = express();
  app.get('/health', (req, res) => {
    res.json(echo ? { ok: true, [HEALTH_PROBE_PARAM]: healthProbeEcho(req.query[HEALTH_PROBE_PARAM]) } : { ok: true });
  });
  return app;
}

async function listen(app: express.Express, port = 0): Promise<http.Server> {
  const server = await new Promise<http.Server>((resolve, reject) => {
    const s = app.listen(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
  cleanups.push(() => close(server));
  return server;
}

function close(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** The trader's own domain is not resolvable here: probe the local listener while sending that Host. */
function supervise(port: number, extra: Partial<TunnelSupervisorOptions> = {}): TunnelSupervisor {
  const s = new TunnelSupervisor({
    provider: new ManualProvider({ publicUrl: PUBLIC_URL }),
    localPort: port,
    expectHealthy: createHealthProbe({ timeoutMs: 3000, resolveProbeTarget: (url) => ({ connectTo: `http://127.0.0.1:${port}`, host: new URL(url).host }) }),
    backoff: { initialMs: 50, maxMs: 200 },
    failuresBeforeRestart: 2,
    ...extra,
  });
  cleanups.push(() => s.stop());
  return s;
}

function waitForState(s: TunnelSupervisor, state: TunnelState): Promise<TunnelSupervisorStatus> {
  if (s.status().state === state) return Promise.resolve(s.status());
  return new Promise((resolve) => {
    const on = (st: TunnelSupervisorStatus) => {
      if (st.state !== state) return;
      s.off('state', on);
      resolve(st);
    };
    s.on('state', on);
  });
}

describe('TunnelSupervisor', () => {
  it('is up when the probe through the public URL reaches the agent and the nonce comes back', async () => {
    const server = await listen(healthApp(true));
    const s = supervise((server.address() as AddressInfo).port);
    const states: TunnelState[] = [];
    s.on('state', (st) => states.push(st.state));
    const status = await s.start();
    expect(status).toMatchObject({ state: 'up', provider: 'manual', publicUrl: PUBLIC_URL, consecutiveFailures: 0, lastError: null, reconnectAttempts: 0, nextRetryAt: null });
    expect(status.lastCheck).toMatchObject({ publicUrl: PUBLIC_URL, arrived: true, error: null });
    expect(states).toEqual(['starting', 'up']);
  });

  it('does not count an answer from something else at the URL (no nonce echo): degraded, then down and reconnecting', async () => {
    const impostor = await listen(healthApp(false));
    const s = supervise((impostor.address() as AddressInfo).port, { checkIntervalMs: 60_000, backoff: { initialMs: 60_000, maxMs: 60_000 } });
    const first = await s.start();
    expect(first.state).toBe('degraded');
    expect(first.lastCheck).toMatchObject({ arrived: false, error: expect.stringMatching(/not this agent/) });
    expect(first.lastError?.code).toBe('TUNNEL_CHECK_FAILED');

    await s.checkNow();
    const second = s.status();
    expect(second.state).toBe('down');
    expect(second.consecutiveFailures).toBe(2);
    expect(second.publicUrl).toBeNull();
    expect(second.reconnectAttempts).toBe(1);
    expect(second.nextRetryAt).not.toBeNull();
  });

  it('reports a non-200 answer as the tunnel not reaching the webhook listener', async () => {
    const app = express();
    app.get('/health', (_req, res) => void res.status(502).send('Bad Gateway'));
    const server = await listen(app);
    const status = await supervise((server.address() as AddressInfo).port).start();
    expect(status.state).toBe('degraded');
    expect(status.lastCheck?.error).toMatch(/HTTP 502/);
  });

  it('periodic checks notice the listener going away (down) and coming back (up)', async () => {
    const first = await listen(healthApp(true));
    const port = (first.address() as AddressInfo).port;
    const s = supervise(port, { checkIntervalMs: 50 });
    expect((await s.start()).state).toBe('up');

    const down = waitForState(s, 'down');
    await close(first);
    const downStatus = await down;
    expect(downStatus.lastError?.message).toMatch(/did not answer \(ECONNREFUSED\)/);

    const up = waitForState(s, 'up');
    await listen(healthApp(true), port);
    const upStatus = await up;
    expect(upStatus.lastCheck?.arrived).toBe(true);
    expect(upStatus.reconnectAttempts).toBe(0);
  });

  it('a provider that cannot start leaves the supervisor down with the reason and fix, retrying', async () => {
    const s = new TunnelSupervisor({
      provider: new NgrokProvider({ secrets: new EnvStore({}) }),
      localPort: 4403,
      expectHealthy: async () => undefined,
      backoff: { initialMs: 60_000, maxMs: 60_000 },
    });
    cleanups.push(() => s.stop());
    const status = await s.start();
    expect(status.state).toBe('down');
    expect(status.provider).toBe('ngrok');
    expect(status.lastError).toMatchObject({ code: 'TUNNEL_AUTH_MISSING', fix: expect.stringMatching(/authtoken/) });
    expect(status.nextRetryAt).not.toBeNull();
  });

  it('stop() ends in "stopped" with no public URL, and start() works again afterwards', async () => {
    const server = await listen(healthApp(true));
    const s = supervise((server.address() as AddressInfo).port, { checkIntervalMs: 50 });
    await s.start();
    await s.stop();
    expect(s.status()).toMatchObject({ state: 'stopped', publicUrl: null, nextRetryAt: null });
    expect((await s.start()).state).toBe('up');
  });
});
