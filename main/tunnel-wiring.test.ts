// End to end without the internet: a real localtunnel server on 127.0.0.1, a real in-process agent configured
// through its control API, and an alert sent to the tunnel server's address with the public host name. It must
// be answered by the agent's webhook listener, stored and traded at the paper broker.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocaltunnelServer, freePort, viaTunnelServer } from './tunnel/localtunnel-server.fixture.js';
import { startTestAgent, eventually, listenEvents, type TestAgent } from './test-support/agent.js';
import { memoryVault } from './test-support/memory-secret-store.js';
import { CLI_TEST_TIMEOUT_MS, runCli } from './test-support/cli.js';

import type { StartOverrides } from './agent.js';
import type { AgentEvent, OrderView, StrategyView, TunnelStatusView } from '../shared/api-types.js';

let server: LocaltunnelServer;

beforeAll(async () => {
  server = new LocaltunnelServer(await freePort());
  await server.start();
});

afterAll(async () => {
  await server.stop();
});

function overrides(): StartOverrides {
  return {
    vault: memoryVault(),
    tunnel: { probe: { timeoutMs: 5000, resolveProbeTarget: viaTunnelServer(server) }, backoff: { initialMs: 100, maxMs: 500 }, failuresBeforeRestart: 2, checkIntervalMs: 1000 },
  };
}

/** POST to the tunnel server's address with the public URL's Host, as TradingView's request would arrive. */
function postViaTunnel(publicUrl: string, p: string, body: string): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, path: p, method: 'POST', headers: { host: new URL(publicUrl).host, 'content-type': 'application/json' } }, (res) => {
      let data = '';
      res.on('data', (c: Buffer) => (data += c.toString()));
      res.on('end', () => {
        let parsed: Record<string, unknown>;
        try {
          parsed = JSON.parse(data) as Record<string, unknown>;
        } catch {
          parsed = { text: data };
        }
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function tunnelState(agent: TestAgent, state: TunnelStatusView['state'], timeoutMs = 20_000): Promise<TunnelStatusView> {
  return eventually(async () => (await agent.api<TunnelStatusView>('GET', '/api/tunnel')).body, (s) => s.state === state, timeoutMs);
}

describe('tunnel wired into the agent (local localtunnel server)', { timeout: CLI_TEST_TIMEOUT_MS }, () => {
  it('an alert sent through the tunnel is answered 202, stored and filled; the self-check follows the server down and up', async () => {
    const agent = await startTestAgent({}, overrides());
    const sse = await listenEvents(agent);
    try {
      const put = await agent.api<TunnelStatusView>('PUT', '/api/tunnel', { provider: 'localtunnel', localtunnel: { host: server.address, subdomain: 'desk-e2e' } });
      expect(put.status).toBe(200);
      expect(put.body).toMatchObject({ state: 'stopped', provider: 'localtunnel', settings: { provider: 'localtunnel', localtunnel: { host: server.address, subdomain: 'desk-e2e' } } });

      const started = await agent.api<TunnelStatusView>('POST', '/api/tunnel/start');
      expect(started.status).toBe(200);
      expect(started.body).toMatchObject({ state: 'up', provider: 'localtunnel', publicUrl: 'http://desk-e2e.lt.test', autoStart: true });
      expect(started.body.lastCheck).toMatchObject({ arrived: true, error: null, publicUrl: 'http://desk-e2e.lt.test' });

      // The strategy's webhook URL is now the public one.
      const strategies = (await agent.api<{ items: StrategyView[] }>('GET', '/api/strategies')).body.items;
      const demo = strategies[0]!;
      expect(demo.webhookUrl).toBe(`http://desk-e2e.lt.test/webhook/${demo.webhookId}`);

      const answer = await postViaTunnel(demo.webhookUrl, `/webhook/${demo.webhookId}`, '{"ticker":"AAPL","action":"buy","quantity":3,"price":190}');
      expect(answer.status).toBe(202);
      expect(answer.body).toMatchObject({ status: 'queued' });
      const signalId = answer.body.signalId as string;
      const orders = await eventually(async () => (await agent.api<{ items: OrderView[] }>('GET', `/api/orders?signalId=${signalId}`)).body.items, (o) => o.length === 1 && o[0]!.status === 'filled');
      expect(orders).toHaveLength(1);
      expect(orders[0]).toMatchObject({ symbol: 'AAPL', side: 'buy', quantity: '3', status: 'filled', filledQuantity: '3' });
      const signal = (await agent.api<{ status: string; sourceIp?: string }>('GET', `/api/signals/${signalId}`)).body;
      expect(signal.status).toBe('done');

      // The control listener is not reachable through the tunnel: only the webhook listener is exposed.
      const control = await postViaTunnel(demo.webhookUrl, '/api/flatten', '{}');
      expect(control.status).toBe(404);

      await server.stop();
      const down = await tunnelState(agent, 'down');
      expect(down.publicUrl).toBeNull();
      const checkWhileDown = await runCli(agent, 'tunnel', 'check');
      expect(checkWhileDown.code, checkWhileDown.stdout + checkWhileDown.stderr).toBe(1);
      expect(demoUrl(await agent.api<{ items: StrategyView[] }>('GET', '/api/strategies'))).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/webhook\//);

      await server.start();
      const up = await tunnelState(agent, 'up');
      expect(up.publicUrl).toBe('http://desk-e2e.lt.test');
      expect(up.lastCheck?.arrived).toBe(true);

      const checked = await agent.api<TunnelStatusView>('POST', '/api/tunnel/check');
      expect(checked.body.lastCheck).toMatchObject({ arrived: true });
      const checkWhileUp = await runCli(agent, 'tunnel', 'check');
      expect(checkWhileUp.code, checkWhileUp.stdout + checkWhileUp.stderr).toBe(0);
      // Every state change reached the event stream.
      const states = sse.events.filter((e): e is Extract<AgentEvent, { type: 'tunnel' }> => e.type === 'tunnel').map((e) => e.status.state);
      expect(states).toEqual(expect.arrayContaining(['starting', 'up', 'down']));
      expect(sse.events.some((e) => e.type === 'notice' && e.code === 'TUNNEL_URL_CHANGED')).toBe(false);
    } finally {
      sse.close();
      await agent.stop();
      if (!(await serverAnswers())) await server.start();
    }
  });

  it('reopens the tunnel at the next agent start, closes it on agent stop, and announces a changed URL loudly', async () => {
    const first = await startTestAgent({}, overrides());
    const dataDir = first.dataDir;
    await first.api('PUT', '/api/tunnel', { provider: 'localtunnel', localtunnel: { host: server.address, subdomain: 'desk-restart' } });
    expect((await first.api<TunnelStatusView>('POST', '/api/tunnel/start')).body.state).toBe('up');
    const hook = (await first.api<{ items: StrategyView[] }>('GET', '/api/strategies')).body.items[0]!;
    expect(hook.webhookUrl).toBe(`http://desk-restart.lt.test/webhook/${hook.webhookId}`);
    await first.stop();
    // Agent stopped: its tunnel is closed, and the tunnel server drops the client (after its 1 s grace period).
    const gone = await eventually(() => fetch(`${server.address}/api/tunnels/desk-restart/status`).then((r) => r.status), (st) => st === 404);
    expect(gone).toBe(404);

    const second = await startTestAgent({ dataDir }, overrides());
    const sse = await listenEvents(second);
    try {
      const up = await tunnelState(second, 'up');
      expect(up.publicUrl).toBe('http://desk-restart.lt.test');

      // The trader switches to another subdomain: every TradingView alert must be edited, so it is announced.
      const changed = await second.api<TunnelStatusView>('PUT', '/api/tunnel', { localtunnel: { host: server.address, subdomain: 'desk-moved' } });
      expect(changed.body).toMatchObject({ state: 'up', publicUrl: 'http://desk-moved.lt.test', lastPublicUrl: 'http://desk-moved.lt.test' });
      const notice = await eventually(
        () => sse.events.find((e) => e.type === 'notice' && e.code === 'TUNNEL_URL_CHANGED'),
        (e) => e !== undefined,
      );
      expect(notice).toMatchObject({ type: 'notice', level: 'warning', code: 'TUNNEL_URL_CHANGED' });
      expect((notice as { message: string }).message).toContain('http://desk-restart.lt.test');
      expect((notice as { message: string }).message).toContain('http://desk-moved.lt.test');

      const stopped = await second.api<TunnelStatusView>('POST', '/api/tunnel/stop');
      expect(stopped.body).toMatchObject({ state: 'stopped', autoStart: false });
    } finally {
      sse.close();
      await second.stop();
    }
    // The log transport writes from a worker thread: give it until the line is on disk.
    const readLogs = () => fs.readdirSync(path.join(dataDir, 'logs')).map((f) => fs.readFileSync(path.join(dataDir, 'logs', f), 'utf8')).join('');
    const log = await eventually(readLogs, (t) => t.includes('"code":"TUNNEL_URL_CHANGED"'));
    expect(log).toMatch(/"level":40[^\n]*"code":"TUNNEL_URL_CHANGED"/);

    // Stopped by the trader: it stays stopped at the next start.
    const third = await startTestAgent({ dataDir }, overrides());
    try {
      expect((await third.api<TunnelStatusView>('GET', '/api/tunnel')).body).toMatchObject({ state: 'stopped', autoStart: false });
    } finally {
      await third.stop();
    }
  });

  it('refuses tunnel settings that cannot work, and unknown fields, before saving them', async () => {
    const agent = await startTestAgent({}, overrides());
    try {
      const unknown = await agent.api<{ code: string; errors: { path: string; message: string }[] }>('PUT', '/api/tunnel', { provider: 'localtunnel', authtoken: 'x' });
      expect(unknown.status).toBe(400);
      expect(unknown.body.errors).toContainEqual({ path: '/', message: 'unknown field "authtoken"' });
      const badPort = await agent.api<{ code: string; message: string }>('PUT', '/api/tunnel', { provider: 'manual', manual: { publicUrl: 'https://alerts.example.com:8443' } });
      expect(badPort.status).toBe(400);
      expect(badPort.body.code).toBe('TUNNEL_CONFIG_INVALID');
      expect(badPort.body.message).toMatch(/ports 80 and 443/);
      const notConfigured = await agent.api<{ code: string }>('POST', '/api/tunnel/start');
      expect(notConfigured.status).toBe(409);
      expect(notConfigured.body.code).toBe('TUNNEL_NOT_CONFIGURED');
      expect((await agent.api<TunnelStatusView>('GET', '/api/tunnel')).body.settings.provider).toBeUndefined();
    } finally {
      await agent.stop();
    }
  });

  it('GET /health on the webhook listener echoes a well-formed probe nonce and keeps status ok', async () => {
    const agent = await startTestAgent({}, overrides());
    try {
      const echoed = await (await fetch(`${agent.webhookBase}/health?probe=abcdefghijklmnop_-12`)).json();
      expect(echoed).toEqual({ status: 'ok', probe: 'abcdefghijklmnop_-12' });
      const malformed = await (await fetch(`${agent.webhookBase}/health?probe=%3Cscript%3E`)).json();
      expect(malformed).toEqual({ status: 'ok' });
    } finally {
      await agent.stop();
    }
  });
});

function demoUrl(res: { body: { items: StrategyView[] } }): string {
  return res.body.items[0]!.webhookUrl;
}

async function serverAnswers(): Promise<boolean> {
  try {
    return (await fetch(`${server.address}/api/status`)).ok;
  } catch {
    return false;
  }
}
