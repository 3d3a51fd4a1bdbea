// PUT /api/tunnel's service call: only a change to the running provider's own settings restarts the tunnel.
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from './store/db.js';
import { SettingsRepo } from './store/settings.js';
import { EventBus } from './events.js';
import { TunnelService } from './tunnel-service.js';
import { tempDir } from './test-support/agent.js';
import { HEALTH_PROBE_PARAM, healthProbeEcho } from './tunnel/health-echo.js';
import { LocaltunnelServer, freePort, viaTunnelServer } from './tunnel/localtunnel-server.fixture.js';

let server: LocaltunnelServer;
let app: http.Server;
beforeAll(async () => {
  app = http.createServer((req, res) => {
    const q = new URL(req.url ?? '/', 'http://x').searchParams.get(HEALTH_PROBE_PARAM);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ ok: true, [HEALTH_PROBE_PARAM]: healthProbeEcho(q ?? undefined) }));
  });
  await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
  server = new LocaltunnelServer(await freePort());
  await server.start();
});
afterAll(async () => {
  await server.stop();
  await new Promise((r) => app.close(r));
});

describe('TunnelService.update', () => {
  it('refuses a public URL kept for a provider not in use that TradingView could not post to, and saves a good one', async () => {
    const db = openDatabase({ file: path.join(tempDir(), 'tunnel.db') });
    const svc = new TunnelService({ settings: new SettingsRepo(db), secrets: { get: async () => null }, bus: new EventBus(), log: pino({ level: 'silent' }), webhookPort: () => 1 });
    try {
      await expect(svc.update({ provider: 'localtunnel', manual: { publicUrl: 'https://alerts.example.com:8443' } })).rejects.toMatchObject({ code: 'TUNNEL_CONFIG_INVALID', message: expect.stringMatching(/^manual\.publicUrl: TradingView only sends webhooks to ports 80 and 443/) });
      await expect(svc.update({ provider: 'ngrok', cloudflared: { mode: 'named', publicUrl: 'not a url' } })).rejects.toMatchObject({ code: 'TUNNEL_CONFIG_INVALID' });
      expect(svc.status().settings.manual.publicUrl).toBeUndefined(); // nothing saved
      const saved = await svc.update({ provider: 'localtunnel', manual: { publicUrl: 'https://alerts.example.com' }, cloudflared: { mode: 'quick' } });
      expect(saved.settings.manual.publicUrl).toBe('https://alerts.example.com');
    } finally {
      db.close();
    }
  });

  it('leaves a running localtunnel alone when another provider\'s section changes, and restarts it when its own does', async () => {
    const db = openDatabase({ file: path.join(tempDir(), 'tunnel.db') });
    const bus = new EventBus();
    const states: string[] = [];
    bus.subscribe((e) => { if (e.type === 'tunnel') states.push(e.status.state); });
    const svc = new TunnelService({ settings: new SettingsRepo(db), secrets: { get: async () => null }, bus, log: pino({ level: 'silent' }), webhookPort: () => (app.address() as AddressInfo).port, probe: { timeoutMs: 5000, resolveProbeTarget: viaTunnelServer(server) } });
    try {
      await svc.update({ provider: 'localtunnel', localtunnel: { host: server.address, subdomain: 'desk-delta' } });
      expect((await svc.start()).publicUrl).toBe('http://desk-delta.lt.test');
      states.length = 0;
      await svc.update({ cloudflared: { mode: 'quick' } });
      await svc.update({ manual: { publicUrl: 'https://alerts.example.com' } });
      await svc.update({ ngrok: { domain: 'my-desk.ngrok-free.app' } });
      expect(states).toEqual([]); // not stopped, not restarted
      expect(svc.status()).toMatchObject({ state: 'up', publicUrl: 'http://desk-delta.lt.test' });
      await svc.update({ localtunnel: { host: server.address, subdomain: 'desk-echo' } });
      expect(states).toContain('stopped');
      expect(svc.status().publicUrl).toBe('http://desk-echo.lt.test');
    } finally {
      await svc.shutdown();
      db.close();
    }
  });
});
