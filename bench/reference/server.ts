// Reference servers measured in the same run as the agent, so the durable-intake ratio compares like with like:
//   bare   — express + ajv validating the native alert schema, no storage at all (the bar's denominator);
//   sqlite — the same plus one better-sqlite3 insert per request (WAL, synchronous=FULL: one fsync per alert).
// Usage: node dist/bench/reference/server.js bare|sqlite [dbFile]; prints {"port":N} on stdout.
import express from 'express';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import Database from 'better-sqlite3';
import crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { nativeAlertSchema } from './alert-schema.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const mode = process.argv[2] ?? 'bare';
const dbFile = process.argv[3];

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
addFormats(ajv);
const validate = ajv.compile(nativeAlertSchema);

let insert: ((id: string, body: string, at: string) => void) | undefined;
if (mode === 'sqlite') {
  if (!dbFile) throw new Error('the sqlite reference needs a database file');
  const db = new Database(dbFile);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE IF NOT EXISTS alerts (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, body TEXT NOT NULL, received_at TEXT NOT NULL)');
  const stmt = db.prepare('INSERT INTO alerts (id, body, received_at) VALUES (?, ?, ?)');
  insert = (id, body, at) => void stmt.run(id, body, at);
}

const app = express();
app.disable('x-powered-by');
app.disable('etag');
app.use(express.json({ limit: '64kb', type: () => true }));
app.post('/webhook/:id', (req, res) => {
  if (!validate(req.body)) {
    res.status(400).json({ status: 'rejected', code: 'INVALID_FIELD', errors: validate.errors?.length ?? 0 });
    return;
  }
  const id = `sig_${crypto.randomBytes(16).toString('base64url')}`;
  insert?.(id, JSON.stringify(req.body), new Date().toISOString());
  res.status(202).json({ status: 'queued', signalId: id });
});
app.get('/health', (_req, res) => {
  res.json({ status: 'ok' });
});

const server = app.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
server.keepAliveTimeout = 65_000;
process.on('SIGTERM', () => server.close(() => process.exit(0)));
