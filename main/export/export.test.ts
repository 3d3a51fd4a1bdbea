import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import http from 'node:http';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { openDatabase, type Db } from '../store/db.js';
import { createControlApp } from '../server/control.js';
import { createLogger } from '../log.js';
import { EventBus } from '../events.js';
import { tempDir } from '../test-support/agent.js';
import { InboxReader, InboxStore, openInboxDatabase } from '../store/inbox-db.js';
import { attachInbox, openExportReader } from '../store/export-rows.js';
import { SignalRepo } from '../store/signals.js';
import { InboxCopier } from '../signals/inbox-copy.js';
import { inboxInsert } from '../test-support/inbox-rows.js';
import { csvField, csvRecord, parseCsv } from './csv.js';
import { COLUMNS, exportRows } from './datasets.js';
import { mountExportRoutes } from './routes.js';

const TOKEN = 'export-test-token-0123456789';

function seed(file: string): Db {
  const db = openDatabase({ file });
  db.prepare("INSERT INTO accounts (id, name, broker, environment, created_at) VALUES ('acc1', 'Main, \"paper\"', 'paper', 'paper', '2026-01-01T00:00:00.000Z')").run();
  db.prepare("INSERT INTO strategies (id, name, webhook_id, created_at) VALUES ('str1', 'Breakout', 'wh-secret-id', '2026-01-01T00:00:00.000Z')").run();
  const order = db.prepare("INSERT INTO orders (id, client_order_id, signal_id, strategy_id, account_id, symbol, side, type, quantity, time_in_force, status, filled_quantity, average_fill_price, reason, request, created_at, updated_at) VALUES (?, ?, 'sig1', 'str1', 'acc1', ?, ?, 'market', ?, 'day', 'filled', ?, ?, ?, '{}', ?, ?)");
  order.run('ord1', 'vz-1', 'AAPL', 'buy', '10', '10', '190.5', null, '2026-01-02T14:30:00.123Z', '2026-01-02T14:30:01.000Z');
  order.run('ord2', 'vz-2', 'ES1!', 'sell', '2', '2', '5000.25', 'closed; "manual"\nnote', '2026-01-03T09:00:00.000Z', '2026-01-03T09:00:00.500Z');
  order.run('ord3', 'vz-3', 'MSFT', 'buy', '1', '1', '400', null, '2026-02-01T00:00:00.000Z', '2026-02-01T00:00:00.000Z');
  const fill = db.prepare("INSERT INTO fills (account_id, trade_id, order_id, symbol, side, quantity, price, commission, time) VALUES ('acc1', ?, ?, ?, ?, ?, ?, ?, ?)");
  fill.run('t1', 'ord1', 'AAPL', 'buy', '4', '190.4', '0.1', '2026-01-02T14:30:00.500Z');
  fill.run('t2', 'ord1', 'AAPL', 'buy', '6', '190.5666', '0.2', '2026-01-02T14:30:00.900Z');
  const sig = db.prepare("INSERT INTO signals (id, strategy_id, received_at, raw_body, body_hash, status, symbol, parsed) VALUES (?, 'str1', ?, ?, 'h', 'done', 'AAPL', ?)");
  sig.run('sig1', '2026-01-02T14:29:59.000Z', '{"ticker":"AAPL","action":"buy","passphrase":"CANARYpassphrase77","apiKey":"CANARYapikey88","note":"token=CANARYtoken99"}', JSON.stringify({ action: 'buy', quantity: '10', price: '190' }));
  return db;
}

async function serve(db: Db, file: string, inboxFile?: string): Promise<{ base: string; close: () => Promise<void> }> {
  let port = 0;
  const app = createControlApp({ token: TOKEN, port: () => port, log: createLogger({ console: 'silent' }), bus: new EventBus(), routes: (r) => mountExportRoutes(r, { db, dbFile: file, inboxFile, positions: async () => ({ items: [{ accountId: 'acc1', symbol: 'AAPL', quantity: '10', averagePrice: '190.5' }], errors: [] }), log: createLogger({ console: 'silent' }) }) });
  const server = http.createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  return { base: `http://127.0.0.1:${port}/api`, close: () => new Promise((r) => server.close(() => r())) };
}

const get = async (url: string) => {
  const res = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
  return { status: res.status, type: res.headers.get('content-type'), disposition: res.headers.get('content-disposition'), text: await res.text() };
};

describe('CSV encoding (RFC 4180)', () => {
  it('round-trips any text through quoting, doubled quotes and CRLF records', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.string({ unit: 'binary' }), { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 5 }), (rows) => {
        const text = rows.map(csvRecord).join('');
        expect(parseCsv(text)).toEqual(rows.map((r) => r.map((v) => (/^[=+\-@\t\r]/.test(v) && !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v) ? `'${v}` : v))));
      }),
    );
  });

  it('quotes only what needs quoting and defuses spreadsheet formulas but not negative numbers', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('line\r\nbreak')).toBe('"line\r\nbreak"');
    expect(csvField('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvField('-5')).toBe('-5');
    expect(csvField(null)).toBe('');
  });
});

describe('journal exports over the control API', () => {
  it('exports orders in a date range as CSV with journal columns, fees summed from fills', async () => {
    const file = path.join(tempDir(), 'viewzenix.db');
    const db = seed(file);
    const s = await serve(db, file);
    const r = await get(`${s.base}/export/orders?format=csv&from=2026-01-02&to=2026-01-31`);
    await s.close();
    db.close();
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/^text\/csv/);
    expect(r.disposition).toBe('attachment; filename="viewzenix-orders-from-2026-01-02-to-2026-01-31.csv"');
    const rows = parseCsv(r.text);
    expect(rows[0]).toEqual([...COLUMNS.orders]);
    expect(rows).toHaveLength(3); // ord3 (February) is outside the range
    const rec = (i: number) => Object.fromEntries(COLUMNS.orders.map((c, j) => [c, rows[i]![j]]));
    expect(rec(1)).toMatchObject({ date_utc: '2026-01-02', time_utc: '14:30:00.123', account_name: 'Main, "paper"', strategy_name: 'Breakout', symbol: 'AAPL', side: 'buy', quantity: '10', average_fill_price: '190.5', fees: '0.3', order_id: 'ord1', client_order_id: 'vz-1', status: 'filled' });
    expect(rec(2)).toMatchObject({ symbol: 'ES1!', side: 'sell', reason: 'closed; "manual"\nnote', fees: '' });
  });

  it('exports fills and positions as JSON arrays with exact decimal values', async () => {
    const file = path.join(tempDir(), 'viewzenix.db');
    const db = seed(file);
    const s = await serve(db, file);
    const fills = JSON.parse((await get(`${s.base}/export/fills?format=json`)).text) as Record<string, string>[];
    const positions = JSON.parse((await get(`${s.base}/export/positions?format=json`)).text) as Record<string, string>[];
    const empty = JSON.parse((await get(`${s.base}/export/fills?format=json&from=2030-01-01`)).text) as unknown[];
    const bad = await get(`${s.base}/export/fills?format=xml&since=yesterday`);
    await s.close();
    db.close();
    expect(fills.map((f) => [f.trade_id, f.quantity, f.price, f.fees, f.gross_value, f.client_order_id, f.strategy_name])).toEqual([
      ['t1', '4', '190.4', '0.1', '761.6', 'vz-1', 'Breakout'],
      ['t2', '6', '190.5666', '0.2', '1143.3996', 'vz-1', 'Breakout'],
    ]);
    expect(positions).toEqual([expect.objectContaining({ account_id: 'acc1', account_name: 'Main, "paper"', symbol: 'AAPL', quantity: '10', average_price: '190.5' })]);
    expect(empty).toEqual([]);
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text).errors).toHaveLength(2); // both problems at once
  });

  it('never exports a credential: passphrases, secret-shaped fields and webhook ids stay out (canaries)', async () => {
    const file = path.join(tempDir(), 'viewzenix.db');
    const db = seed(file);
    const s = await serve(db, file);
    const out = (await Promise.all(['signals?format=csv', 'signals?format=json', 'orders?format=json', 'fills?format=csv'].map((p) => get(`${s.base}/export/${p}`)))).map((r) => r.text).join('\n');
    await s.close();
    db.close();
    expect(out).toMatch(/ticker\W{1,6}:\W{1,6}AAPL/); // the body is there …
    for (const canary of ['CANARYpassphrase77', 'CANARYapikey88', 'CANARYtoken99', 'wh-secret-id']) expect(out, canary).not.toContain(canary); // … its secrets are not
  });

  it('exports the alerts still waiting in inbox.db (an alert storm) with their status, in range, and each once after its copy', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'viewzenix.db');
    const inboxFile = path.join(dir, 'inbox.db');
    const db = seed(file);
    const store = new InboxStore(openInboxDatabase(inboxFile));
    // Answered and on disk in inbox.db, not copied into viewzenix.db yet: the worker has not asked for them.
    store.commitBatch([
      inboxInsert(1, { strategyId: 'str1', parsed: { action: 'sell', quantity: '3' } as never }),
      inboxInsert(2, { strategyId: 'str1', status: 'rejected', code: 'PASSPHRASE_INVALID', message: 'Wrong passphrase', dedupeKey: undefined, parsed: undefined }),
      inboxInsert(3, { strategyId: 'str1', receivedAt: '2026-02-10T00:00:00.000Z' }), // outside the range
      inboxInsert(4, { strategyId: 'str1', id: 'sig1' }), // stored already under this id: its copy will be skipped
      inboxInsert(5, { strategyId: 'str1' }),
    ]);
    store.syncCommittedNow();
    const s = await serve(db, file, inboxFile);
    const exported = async (): Promise<{ json: Record<string, string>[]; csv: Record<string, string>[] }> => {
      const json = JSON.parse((await get(`${s.base}/export/signals?format=json&from=2026-01-01&to=2026-01-31`)).text) as Record<string, string>[];
      const [head, ...rows] = parseCsv((await get(`${s.base}/export/signals?format=csv&from=2026-01-01&to=2026-01-31`)).text);
      expect(head).toEqual([...COLUMNS.signals]);
      return { json, csv: rows.map((r) => Object.fromEntries(head!.map((c, j) => [c, r[j]!]))) };
    };
    const waiting = await exported();
    expect(waiting.json.map((r) => [r.signal_id, r.status, r.code, r.processed_utc])).toEqual([
      ['sig1', 'done', '', ''],
      ['s1', 'queued', '', ''],
      ['s2', 'rejected', 'PASSPHRASE_INVALID', ''],
      ['s5', 'queued', '', ''],
    ]);
    expect(waiting.json[1]).toMatchObject({ date_utc: '2026-01-05', time_utc: '10:00:01.000', strategy_id: 'str1', strategy_name: 'Breakout', symbol: 'AAPL', action: 'sell', quantity: '3', raw_body: '{"ticker":"AAPL","action":"buy","i":1}' });
    expect(waiting.json[2]).toMatchObject({ message: 'Wrong passphrase', action: '' });
    expect(waiting.csv).toEqual(waiting.json);

    // The worker asks for them: copied, processed, and deleted from inbox.db.
    const signals = new SignalRepo(db);
    const log = createLogger({ console: 'silent' });
    const inboxReader = new InboxReader(openDatabase({ file: inboxFile, readonly: true }));
    const copier = new InboxCopier(inboxReader, signals, log);
    copier.copyAllOnDisk();
    signals.finish('s1', 'done', '2026-01-05T10:00:02.000Z');
    store.prune({ copiedSeq: copier.copiedSeq, windowSince: '2026-01-01T00:00:00.000Z', keysSince: '2026-01-01T00:00:00.000Z' });
    expect(inboxReader.countAfter(0)).toEqual({ queued: 1 }); // all but the newest row deleted
    const copied = await exported();
    await s.close();
    inboxReader.close();
    store.closeSync();
    db.close();
    expect(copied.json.map((r) => [r.signal_id, r.status, r.processed_utc])).toEqual([
      ['sig1', 'done', ''],
      ['s1', 'done', '2026-01-05T10:00:02.000Z'],
      ['s2', 'rejected', ''],
      ['s5', 'queued', ''],
    ]);
    expect(copied.csv).toEqual(copied.json);
  });

  it('exports each alert once when alerts are copied and deleted from inbox.db while the export streams', () => {
    const dir = tempDir();
    const file = path.join(dir, 'viewzenix.db');
    const inboxFile = path.join(dir, 'inbox.db');
    const db = openDatabase({ file });
    const signals = new SignalRepo(db);
    const store = new InboxStore(openInboxDatabase(inboxFile));
    const inboxReader = new InboxReader(openDatabase({ file: inboxFile, readonly: true }));
    const copier = new InboxCopier(inboxReader, signals, createLogger({ console: 'silent' }));
    const batch = (from: number, n: number) => Array.from({ length: n }, (_, i) => inboxInsert(from + i));
    store.commitBatch(batch(1, 300));
    store.syncCommittedNow();
    copier.copy(100); // 1–100 copied, 101–300 waiting
    const reader = openExportReader(file);
    expect(attachInbox(reader, inboxFile)).toBe(true);
    const rows = exportRows(reader, 'signals', {});
    const ids = [rows.next().value!.signal_id]; // the export has started
    // Meanwhile the storm goes on: the rest is copied and released from inbox.db, and new alerts arrive.
    copier.copyAllOnDisk();
    store.prune({ copiedSeq: copier.copiedSeq, windowSince: '2026-01-01T00:00:00.000Z', keysSince: '2026-01-01T00:00:00.000Z', limit: 10_000 });
    expect(inboxReader.countAfter(0)).toEqual({ queued: 1 }); // all but the newest row deleted
    store.commitBatch(batch(301, 50));
    for (const r of rows) ids.push(r.signal_id!);
    reader.close();
    // Every alert received before the export started, once, in arrival order; those received after it are not in it.
    expect(ids).toEqual(batch(1, 300).map((a) => a.id));
    // A new export has them all.
    const again = openExportReader(file);
    attachInbox(again, inboxFile);
    expect([...exportRows(again, 'signals', {})].map((r) => r.signal_id)).toEqual(batch(1, 350).map((a) => a.id));
    again.close();
    inboxReader.close();
    store.closeSync();
    db.close();
  });

  it('streams 100,000 orders, and 100,000 signals half of them waiting in inbox.db, in bounded memory (child process, 24 MB heap cap, peak RSS printed)', () => {
    const probe = path.join(import.meta.dirname, 'testing', 'rss-probe.ts');
    const jiti = path.join(process.cwd(), 'node_modules', 'jiti', 'lib', 'jiti-cli.mjs');
    const run = (format: string, mode = 'stream', dataset = 'orders') =>
      execFileSync(process.execPath, ['--expose-gc', '--max-old-space-size=24', jiti, probe, '100000', format, mode, dataset], { encoding: 'utf8', timeout: 120_000, stdio: ['ignore', 'pipe', 'ignore'] });
    for (const format of ['csv', 'json']) {
      const r = JSON.parse(run(format).trim()) as { rows: number; bytes: number; baselineRss: number; peakRss: number; growth: number };
      console.log(`export ${format}: ${r.rows} orders, ${(r.bytes / 1e6).toFixed(1)} MB written, peak RSS ${(r.peakRss / 1e6).toFixed(1)} MB (+${(r.growth / 1e6).toFixed(1)} MB over baseline)`);
      expect(r.rows).toBe(100_000);
      expect(r.bytes).toBeGreaterThan(20e6);
      expect(r.growth).toBeLessThan(48e6);
    }
    // Signals, half of them still waiting in inbox.db (an alert storm): read from both files, the same bound.
    const signals = JSON.parse(run('csv', 'stream', 'signals').trim()) as { rows: number; bytes: number; growth: number; peakRss: number };
    console.log(`export signals csv: ${signals.rows} signals (50,000 waiting in inbox.db), ${(signals.bytes / 1e6).toFixed(1)} MB written, peak RSS ${(signals.peakRss / 1e6).toFixed(1)} MB (+${(signals.growth / 1e6).toFixed(1)} MB over baseline)`);
    expect(signals.rows).toBe(100_000);
    expect(signals.bytes).toBeGreaterThan(20e6);
    expect(signals.growth).toBeLessThan(48e6);
    // Control: the same rows collected in memory first die under the same heap cap, so the cap is a real bound.
    expect(() => run('csv', 'buffered')).toThrow();
    expect(() => run('csv', 'buffered', 'signals')).toThrow();
  }, 300_000);
});
