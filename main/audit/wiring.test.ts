// The pieces as the composition root mounts them: one control app with the notify, export, backup and audit
// routes, driven through the CLI handlers with a client like main/cli.ts's.
import { afterEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import path from 'node:path';
import fs from 'node:fs';
import { Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { openDatabase } from '../store/db.js';
import { createControlApp } from '../server/control.js';
import { createLogger } from '../log.js';
import { EventBus } from '../events.js';
import { tempDir } from '../test-support/agent.js';
import { startNotifications } from '../notify/index.js';
import { mountNotifyRoutes } from '../notify/routes.js';
import { runNotifyCommand } from '../notify/cli.js';
import { mountExportRoutes } from '../export/routes.js';
import { runExportCommand, runImportCommand } from '../export/cli.js';
import { BackupService } from '../backup/backups.js';
import { mountBackupRoutes } from '../backup/routes.js';
import { runBackupCommand } from '../backup/cli.js';
import { startAudit } from './audit.js';
import { mountAuditRoutes } from './routes.js';
import { runAuditCommand } from './cli.js';
import type { CliClient, CliContext } from '../export/cli-context.js';
import { fakeDiscord } from '../notify/testing/fake-services.js';
import { CredentialsService } from '../credentials-service.js';

import { memoryVault } from '../test-support/memory-secret-store.js';

const TOKEN = 'wiring-test-token-0123456789';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setup() {
  const dataDir = tempDir();
  const dbFile = path.join(dataDir, 'viewzenix.db');
  const db = openDatabase({ file: dbFile });
  db.prepare("INSERT INTO accounts (id, name, broker, environment, created_at) VALUES ('acc1', 'Paper', 'paper', 'paper', '2026-01-01T00:00:00.000Z')").run();
  db.prepare("INSERT INTO orders (id, client_order_id, account_id, symbol, side, type, quantity, time_in_force, status, request, created_at, updated_at) VALUES ('o1', 'vz-1', 'acc1', 'AAPL', 'buy', 'market', '1', 'day', 'filled', '{}', '2026-01-02T00:00:00.000Z', '2026-01-02T00:00:00.000Z')").run();
  const log = createLogger({ console: 'silent' });
  const bus = new EventBus();
  const discord = await fakeDiscord({ id: '1', token: 'discordTokenForWiring_abcdef' });
  const notifications = await startNotifications({ db, bus, log, secrets: { get: async (n) => (n === 'notify:discord' ? 'https://discord.com/api/webhooks/1/discordTokenForWiring_abcdef' : null) }, mailTransport: null });
  const audit = startAudit({ db, log });
  const backups = new BackupService({ db, dir: path.join(dataDir, 'backups'), intervalMs: 0, log });
  let port = 0;
  const app = createControlApp({
    token: TOKEN,
    port: () => port,
    log,
    bus,
    routes: (r) => {
      mountNotifyRoutes(r, { notifications, credentials: new CredentialsService(memoryVault()) });
      mountExportRoutes(r, { db, dbFile, positions: async () => ({ items: [], errors: [] }), log });
      mountBackupRoutes(r, { backups });
      mountAuditRoutes(r, { audit });
    },
  });
  const server = http.createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  const base = `http://127.0.0.1:${port}`;
  const send = async (method: string, p: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(base + p, { method, headers: { authorization: `Bearer ${TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
    const answer = (await res.json()) as { code?: string; message?: string };
    if (!res.ok) throw new Error(`${answer.code}: ${answer.message}`);
    return answer;
  };
  const client: CliClient = { get: (p) => send('GET', p), send, raw: (p) => fetch(base + p, { headers: { authorization: `Bearer ${TOKEN}` } }) };
  let out = '';
  const stdout = new Writable({ write(c: Buffer, _e, cb) { out += c.toString(); cb(); } });
  const ctx: CliContext = { dataDir, connect: async () => client, stdout, json: false };
  cleanups.push(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    await notifications.stop();
    audit.stop();
    await backups.stop();
    await discord.close();
    db.close();
  });
  return { ctx, out: () => out, reset: () => (out = ''), discord, dataDir, send };
}

describe('routes and CLI handlers mounted together', () => {
  it('configures a channel, sends a test, exports, backs up and verifies the audit log from the CLI', async () => {
    const t = await setup();
    await t.send('PUT', '/api/notifications/channels/discord', { enabled: true, events: ['fill'], baseUrl: t.discord.base });
    expect(await runNotifyCommand(['test', 'discord'], t.ctx)).toBe(0);
    expect(t.out()).toBe('test message sent to discord\n');
    expect(t.discord.received).toHaveLength(1);

    t.reset();
    const csv = path.join(t.dataDir, 'orders.csv');
    expect(await runExportCommand(['orders', '--from', '2026-01-01', '--out', csv], t.ctx)).toBe(0);
    expect(fs.readFileSync(csv, 'utf8').split('\r\n')[1]).toMatch(/^2026-01-02,00:00:00\.000,/);

    const cfg = path.join(t.dataDir, 'config.json');
    await runExportCommand(['config', '--out', cfg], t.ctx);
    const snap = JSON.parse(fs.readFileSync(cfg, 'utf8')) as { accounts: { name: string }[] };
    snap.accounts[0]!.name = 'Paper renamed';
    fs.writeFileSync(cfg, JSON.stringify(snap));
    t.reset();
    expect(await runImportCommand(['config', cfg], t.ctx)).toBe(0);
    expect(t.out()).toContain('~ account acc1\n    /name: "Paper" → "Paper renamed"');
    expect(t.out()).toContain('Nothing changed yet: run again with --apply.');
    expect(await runImportCommand(['config', cfg, '--apply'], t.ctx)).toBe(0);

    t.reset();
    expect(await runBackupCommand(['now'], t.ctx)).toBe(0);
    expect(t.out()).toMatch(/^backup written: viewzenix-\d{8}T\d{9}Z\.db/);

    t.reset();
    // agent.json is what tells the CLI an agent runs; without it the handler checks the file itself.
    fs.writeFileSync(path.join(t.dataDir, 'agent.json'), JSON.stringify({ pid: process.pid, webhookPort: 1, controlPort: 1, uiUrl: '', webhookUrl: '', startedAt: '' }));
    expect(await runAuditCommand(['verify'], t.ctx)).toBe(0);
    expect(t.out()).toMatch(/^audit log ok: \d+ row\(s\) verified; head [0-9a-f]{64}\n$/);

    // The account's history through the agent: created, then renamed by the import.
    t.reset();
    expect(await runAuditCommand(['history', 'accounts', 'acc1'], t.ctx)).toBe(0);
    const lines = t.out().trimEnd().split('\n');
    expect(lines[0]).toMatch(/^SEQ\s+AT\s+OP\s+CHAIN\s+ROW AS WRITTEN$/);
    expect(lines.slice(1).map((l) => l.split(/\s{2,}/)[2])).toEqual(['insert', 'update']);
    expect(lines[2]).toContain('"name":"Paper renamed"');
    t.reset();
    expect(await runAuditCommand(['history', 'accounts', 'nobody'], t.ctx)).toBe(0);
    expect(t.out()).toBe('no recorded writes of accounts nobody\n');
    // With no agent running, the file itself (read-only), the same rows.
    fs.rmSync(path.join(t.dataDir, 'agent.json'));
    t.reset();
    expect(await runAuditCommand(['history', 'accounts', 'acc1', '--json'], { ...t.ctx, json: true })).toBe(0);
    const items = (JSON.parse(t.out()) as { items: { op: string; payload: { name: string } }[] }).items;
    expect(items.map((i) => [i.op, i.payload.name])).toEqual([
      ['insert', 'Paper'],
      ['update', 'Paper renamed'],
    ]);
    await expect(runAuditCommand(['history', 'passwords', 'x'], t.ctx)).rejects.toThrow(/No audit history is kept for "passwords"/);
    await expect(runAuditCommand(['history', 'accounts'], t.ctx)).rejects.toThrow(/Usage: viewzenix audit verify/);
  });

  it('removes a channel and lists and clears the undelivered notifications from the CLI', async () => {
    const t = await setup();
    await t.send('PUT', '/api/notifications/channels/discord', { enabled: true, events: ['fill'], baseUrl: t.discord.base, perMinute: 3 });
    expect(await runNotifyCommand(['undelivered'], t.ctx)).toBe(0);
    expect(t.out()).toBe('(none)\n');
    t.reset();
    expect(await runNotifyCommand(['remove', 'discord'], t.ctx)).toBe(0);
    expect(t.out()).toBe('discord removed: settings forgotten\n'); // the vault here holds nothing for it
    expect(((await t.send('GET', '/api/notifications')) as { config: { discord: object } }).config.discord).not.toHaveProperty('perMinute');
    t.reset();
    expect(await runNotifyCommand(['undelivered', 'clear'], t.ctx)).toBe(0);
    expect(t.out()).toBe('0 undelivered notification(s) cleared\n');
    await expect(runNotifyCommand(['remove'], t.ctx)).rejects.toThrow(/Usage: viewzenix notify/);
    await expect(runNotifyCommand(['remove', 'pager'], t.ctx)).rejects.toThrow(/NOT_FOUND/);
  });

  it('answers a bad channel name with 404 and bad settings with every validation error', async () => {
    const t = await setup();
    await expect(t.send('PUT', '/api/notifications/channels/pager', { enabled: true, events: [] })).rejects.toThrow(/NOT_FOUND/);
    await expect(t.send('PUT', '/api/notifications/channels/slack', { enabled: 1, events: ['nope'] })).rejects.toThrow(/VALIDATION_FAILED: The channel settings have 2 problem/);
  });
});
