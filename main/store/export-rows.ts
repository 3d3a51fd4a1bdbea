// Row sources for journal exports. Each is a lazy iterator over SELECTs (better-sqlite3 .iterate()), so an
// export of any size holds one row at a time. Run them on a connection of their own (openExportReader): while
// an iterator is open its connection can run nothing else, and the agent's writer must not wait for a download.
import fs from 'node:fs';
import { openDatabase, type Db } from './db.js';

export interface ExportRange {
  /** Inclusive, ISO-8601 UTC. */
  from?: string;
  /** Exclusive, ISO-8601 UTC. */
  to?: string;
  accountId?: string;
  strategyId?: string;
}

export type RawRow = Record<string, string | number | null>;

/**
 * Page cache of an export connection, per database file. An export reads each page once, in order: SQLite's
 * default here (16 MB per file) would only fill with pages read already, and an export of the signals reads two
 * files (attachInbox).
 */
const EXPORT_CACHE_KB = 2048;

export function openExportReader(file: string): Db {
  const db = openDatabase({ file, readonly: true });
  db.pragma(`cache_size = -${EXPORT_CACHE_KB}`);
  return db;
}

/** The schema name inbox.db is attached under on an export connection (attachInbox). */
const INBOX = 'inbox';

/**
 * Attaches inbox.db (read-only, like the connection) to an export connection, so that the signals export also
 * holds the alerts received and not copied into `signals` yet (signalRows). False when there is no such file
 * (no listener ever ran on this data directory: nothing waits). Throws when the file cannot be read.
 */
export function attachInbox(db: Db, inboxFile: string): boolean {
  if (!fs.existsSync(inboxFile)) return false;
  db.prepare(`ATTACH DATABASE ? AS ${INBOX}`).run(inboxFile);
  db.pragma(`${INBOX}.cache_size = -${EXPORT_CACHE_KB}`);
  db.prepare(`SELECT value FROM ${INBOX}.meta WHERE key = 'epoch'`).get(); // a damaged file fails here, before the export starts
  return true;
}

function where(timeColumn: string, r: ExportRange, alias: string, more: string[] = []): { sql: string; args: Record<string, string> } {
  const parts: string[] = [...more];
  const args: Record<string, string> = {};
  if (r.from) {
    parts.push(`${timeColumn} >= @from`);
    args.from = r.from;
  }
  if (r.to) {
    parts.push(`${timeColumn} < @to`);
    args.to = r.to;
  }
  if (r.accountId) {
    parts.push(`${alias}.account_id = @accountId`);
    args.accountId = r.accountId;
  }
  if (r.strategyId) {
    parts.push(`${alias}.strategy_id = @strategyId`);
    args.strategyId = r.strategyId;
  }
  return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', args };
}

export function orderRows(db: Db, r: ExportRange): IterableIterator<RawRow> {
  const w = where('o.created_at', r, 'o');
  return db
    .prepare(
      `SELECT o.created_at AS datetime_utc, o.updated_at AS updated_utc, o.account_id, a.name AS account_name, a.broker,
              o.strategy_id, s.name AS strategy_name, o.symbol, o.side, o.type AS order_type, o.quantity, o.limit_price,
              o.stop_price, o.time_in_force, o.status, o.filled_quantity, o.average_fill_price,
              (SELECT json_group_array(f.commission) FROM fills f WHERE f.order_id = o.id AND f.commission IS NOT NULL) AS fees_list,
              o.id AS order_id, o.client_order_id, o.broker_order_id, o.signal_id, o.reason
         FROM orders o LEFT JOIN accounts a ON a.id = o.account_id LEFT JOIN strategies s ON s.id = o.strategy_id
         ${w.sql} ORDER BY o.created_at, o.id`,
    )
    .iterate(w.args) as IterableIterator<RawRow>;
}

export function fillRows(db: Db, r: ExportRange): IterableIterator<RawRow> {
  const w = where('f.time', { ...r, strategyId: undefined }, 'f');
  const strategy = r.strategyId ? `${w.sql ? ' AND' : 'WHERE'} o.strategy_id = @strategyId` : '';
  return db
    .prepare(
      `SELECT f.time AS datetime_utc, f.account_id, a.name AS account_name, a.broker, o.strategy_id, s.name AS strategy_name,
              f.symbol, f.side, f.quantity, f.price, f.commission AS fees, f.trade_id, f.order_id, o.client_order_id, o.broker_order_id
         FROM fills f LEFT JOIN orders o ON o.id = f.order_id LEFT JOIN accounts a ON a.id = f.account_id LEFT JOIN strategies s ON s.id = o.strategy_id
         ${w.sql}${strategy} ORDER BY f.time, f.trade_id`,
    )
    .iterate({ ...w.args, ...(r.strategyId ? { strategyId: r.strategyId } : {}) }) as IterableIterator<RawRow>;
}

/** The signals export's columns, from a `signals` row or an inbox.db `alerts` row (alias `g`, strategies `s`). */
function signalColumns(processedAt: string): string {
  return `g.received_at AS datetime_utc, g.id AS signal_id, g.strategy_id, s.name AS strategy_name, g.status, g.code, g.message,
          g.symbol, json_extract(g.parsed, '$.action') AS action, json_extract(g.parsed, '$.quantity') AS quantity,
          json_extract(g.parsed, '$.price') AS price, g.content_type, g.source_ip, ${processedAt} AS processed_utc, g.raw_body`;
}

/**
 * Every alert received in the range, in arrival order: the rows of `signals`, then (when inbox.db is attached:
 * attachInbox) the alerts still waiting in inbox.db to be copied there, as their copies will be (`queued` or
 * `rejected`, not processed). During an alert storm these are most of the alerts just received.
 *
 * The two are read in one read transaction, inbox.db's snapshot taken first, then viewzenix.db's with how far the
 * copies got (inbox_copied, written in the same commit as the copies). Each alert is then in exactly one of the two:
 * up to that seq in `signals`, after it in inbox.db's snapshot. The listener deletes a row from inbox.db only once
 * its copy was committed, so no row is missing from both, and rows copied or deleted while the export streams do not
 * change what it reads. A waiting row whose id or dedupe key is in `signals` already is left out, as its copy will
 * be (SignalRepo.list does the same). Alerts received after the export started are not in it. While it streams,
 * checkpoints of either file stop at its snapshot, as they do at any export's: the WAL grows by what is written
 * meanwhile and is checkpointed after.
 */
export function* signalRows(db: Db, r: ExportRange): Generator<RawRow, void, undefined> {
  const range = { ...r, accountId: undefined };
  const inbox = db.prepare('SELECT 1 FROM pragma_database_list WHERE name = ?').get(INBOX) !== undefined;
  db.exec('BEGIN'); // deferred: each database's snapshot is taken at its first read, in the order read below
  try {
    let copiedSeq = 0;
    if (inbox) {
      const epoch = (db.prepare(`SELECT value FROM ${INBOX}.meta WHERE key = 'epoch'`).get() as { value: string }).value;
      copiedSeq = (db.prepare('SELECT seq FROM main.inbox_copied WHERE epoch = ?').get(epoch) as { seq: number } | undefined)?.seq ?? 0;
    }
    const copied = where('g.received_at', range, 'g');
    yield* db
      .prepare(`SELECT ${signalColumns('g.processed_at')} FROM main.signals g LEFT JOIN main.strategies s ON s.id = g.strategy_id ${copied.sql} ORDER BY g.seq`)
      .iterate(copied.args) as IterableIterator<RawRow>;
    if (!inbox) return;
    const waiting = where('g.received_at', range, 'g', [
      'g.seq > @copiedSeq',
      'NOT EXISTS (SELECT 1 FROM main.signals x WHERE x.id = g.id)',
      '(g.dedupe_key IS NULL OR NOT EXISTS (SELECT 1 FROM main.signals x WHERE x.dedupe_key = g.dedupe_key))',
    ]);
    yield* db
      .prepare(`SELECT ${signalColumns('NULL')} FROM ${INBOX}.alerts g LEFT JOIN main.strategies s ON s.id = g.strategy_id ${waiting.sql} ORDER BY g.seq`)
      .iterate({ ...waiting.args, copiedSeq }) as IterableIterator<RawRow>;
  } finally {
    if (db.inTransaction) db.exec('ROLLBACK'); // read only: ends the snapshots
  }
}

/** Names for the positions export (positions come from the broker adapters, not from a table). */
export function accountNames(db: Db): Map<string, { name: string; broker: string }> {
  return new Map((db.prepare('SELECT id, name, broker FROM accounts').all() as { id: string; name: string; broker: string }[]).map((a) => [a.id, { name: a.name, broker: a.broker }]));
}
