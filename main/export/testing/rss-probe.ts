// Run in a child process by export.test.ts: fills a database with N orders (or N signals, half of them still
// waiting in inbox.db as during an alert storm), exports them to a file through writeExport, sampling resident
// memory meanwhile, and prints one JSON line with the numbers.
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { openDatabase } from '../../store/db.js';
import { attachInbox, openExportReader } from '../../store/export-rows.js';
import { inboxEpoch, openInboxDatabase } from '../../store/inbox-db.js';
import { COLUMNS, exportRows } from '../datasets.js';
import { writeExport, type ExportFormat } from '../stream.js';

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 100_000);
  const format = (process.argv[3] ?? 'csv') as ExportFormat;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vz-rss-'));
  const file = path.join(dir, 'viewzenix.db');
  const dataset = process.argv[5] === 'signals' ? 'signals' : 'orders';
  const db = openDatabase({ file });
  if (dataset === 'orders') {
    db.exec('DROP TRIGGER audit_orders_insert'); // the probe measures the export, not the audit trail
    db.prepare("INSERT INTO accounts (id, name, broker, environment, created_at) VALUES ('acc1', 'Paper, main', 'paper', 'paper', '2026-01-01T00:00:00.000Z')").run();
    const ins = db.prepare(
      "INSERT INTO orders (id, client_order_id, account_id, symbol, side, type, quantity, time_in_force, status, filled_quantity, average_fill_price, reason, request, created_at, updated_at) VALUES (?, ?, 'acc1', 'AAPL', 'buy', 'limit', '100', 'day', 'filled', '100', '190.25', ?, '{}', ?, ?)",
    );
    db.transaction(() => {
      for (let i = 0; i < n; i++) {
        const at = new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();
        ins.run(`ord_${i}`, `vz-${i.toString(16).padStart(32, '0')}`, `note "${i}", with comma`, at, at);
      }
    })();
  } else {
    db.exec('DROP TRIGGER audit_signals_insert');
    const inbox = openInboxDatabase(path.join(dir, 'inbox.db'));
    const sql = (table: string) =>
      `INSERT INTO ${table} (id, strategy_id, received_at, raw_body, body_hash, dedupe_key, status, parsed, symbol) VALUES (?, 'str1', ?, ?, ?, ?, 'queued', '{"action":"buy","quantity":"100"}', 'AAPL')`;
    const copied = db.prepare(sql('signals'));
    const waiting = inbox.prepare(sql('alerts'));
    const fill = (target: typeof db, from: number, to: number, ins: typeof copied): void =>
      target.transaction(() => {
        for (let i = from; i < to; i++) {
          const at = new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();
          ins.run(`sig_${i}`, at, `{"ticker":"AAPL","action":"buy","quantity":"100","note":"alert number ${i}, with a comma"}`, `h${i}`, `k${i}`);
        }
      })();
    fill(db, 0, n / 2, copied);
    fill(inbox, n / 2, n, waiting);
    db.prepare('INSERT INTO inbox_copied (epoch, seq) VALUES (?, 0)').run(inboxEpoch(inbox));
    inbox.close();
  }
  db.close();
  global.gc?.();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 5);
  const reader = openExportReader(file);
  if (dataset === 'signals') attachInbox(reader, path.join(dir, 'inbox.db'));
  const outFile = path.join(dir, `${dataset}.${format}`);
  const out = fs.createWriteStream(outFile, { highWaterMark: 16 * 1024 });
  // 'buffered' is the control case: the same rows collected in memory first, as a non-streaming export would.
  const rows = process.argv[4] === 'buffered' ? [...exportRows(reader, dataset, {})] : exportRows(reader, dataset, {});
  const result = await writeExport(out, rows, COLUMNS[dataset], format);
  await new Promise<void>((resolve) => out.end(resolve));
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  reader.close();
  const bytes = fs.statSync(outFile).size;
  fs.rmSync(dir, { recursive: true, force: true });
  process.stdout.write(`${JSON.stringify({ rows: result.rows, bytes, baselineRss: baseline, peakRss: peak, growth: peak - baseline })}\n`);
}

void main();
