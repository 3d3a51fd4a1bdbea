// POST /api/config/import tells the agent which accounts it created (so they are connected), only when applied.
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../store/db.js';
import { createControlApp } from '../server/control.js';
import { createLogger } from '../log.js';
import { EventBus } from '../events.js';
import { tempDir } from '../test-support/agent.js';
import { mountExportRoutes } from './routes.js';

const TOKEN = 'import-routes-test-token-0123456789';

describe('POST /api/config/import', () => {
  it('hands the ids of accounts it created to accountsAdded after applying, and nothing on a dry run or for an existing account', async () => {
    const file = path.join(tempDir(), 'v.db');
    const db = openDatabase({ file });
    db.prepare("INSERT INTO accounts (id, name, broker, environment, created_at) VALUES ('acc_old', 'Old', 'paper', 'paper', 't')").run();
    const added: string[][] = [];
    let port = 0;
    const log = createLogger({ console: 'silent' });
    const app = createControlApp({ token: TOKEN, port: () => port, log, bus: new EventBus(), routes: (r) => mountExportRoutes(r, { db, dbFile: file, positions: async () => ({ items: [], errors: [] }), log, accountsAdded: async (ids) => void added.push(ids) }) });
    const server = http.createServer(app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
    const body = { format: 'viewzenix-config', version: 1, settings: {}, strategies: [], accounts: [{ id: 'acc_old', name: 'Old renamed', broker: 'paper', environment: 'paper', config: {} }, { id: 'acc_new', name: 'New', broker: 'paper', environment: 'paper', config: {} }] };
    const post = (dryRun: boolean) => fetch(`http://127.0.0.1:${port}/api/config/import?dryRun=${dryRun}`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    try {
      expect((await post(true)).status).toBe(200);
      expect(added).toEqual([]);
      const applied = await post(false);
      expect(applied.status).toBe(200);
      expect(((await applied.json()) as { accountsAdded: string[] }).accountsAdded).toEqual(['acc_new']);
      expect(added).toEqual([['acc_new']]);
    } finally {
      await new Promise((r) => server.close(r));
      db.close();
    }
  });
});
