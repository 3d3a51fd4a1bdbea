// The inbox's own database file (inbox.db beside viewzenix.db). Its one writer is the webhook listener: an alert is
// appended here and synced to disk before it is answered. Nothing else ever writes this file, so an alert's commit
// never waits for the order pipeline's write lock, and its WAL sync flushes alerts only, not the pipeline's pages.
// The main thread reads the rows that are on disk and copies them into `signals` in viewzenix.db (SignalRepo.ingest),
// recording how far it got in that same commit; the listener then deletes the copied rows. The keys that make a
// re-sent alert a duplicate stay here, so the answer "duplicate" never waits for the main database either.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { openDatabase, sqlLimit, StoreError, WalSync, type Db, type Statement } from './db.js';
import type { Migration } from './migrations/index.js';
import type { SignalStatus } from '../../shared/api-types.js';
import type { Signal } from '../../shared/signal.js';

export const INBOX_FILE = 'inbox.db';

/** How long an explicit alert id (or a body with a time) is remembered as received. */
export const DEDUPE_KEEP_MS = 30 * 24 * 3600_000;

export interface InboxInsert {
  id: string;
  strategyId: string;
  receivedAt: string;
  contentType?: string;
  sourceIp?: string;
  rawBody: string;
  bodyHash: string;
  /** Unique for DEDUPE_KEEP_MS (explicit id, or body with a time); undefined → window dedupe on bodyHash. */
  dedupeKey?: string;
  /** A key of the form an earlier version stored (an explicit id alone): a row of it received at or after
   *  `legacySince` makes this alert a duplicate too. New rows never store it (signals/dedupe-key.ts). */
  legacyKey?: string;
  legacySince?: string;
  /** Window for bodies with neither id nor time: a same-hash alert received after this counts as a duplicate. */
  windowSince?: string;
  status: SignalStatus;
  code?: string;
  message?: string;
  parsed?: Signal;
  symbol?: string;
  /** A refused alert that repeats one already accepted is answered as that alert's duplicate (the keys are then the
   *  parsed alert's). Set only for STRATEGY_DISABLED: the alert was received, and may have traded, before the strategy
   *  was disabled. A refused alert still never makes a later one a duplicate. */
  repeatsAccepted?: boolean;
}

export type InboxInsertResult = { outcome: 'stored'; id: string } | { outcome: 'duplicate'; id: string };

/** A stored alert as the main thread reads it back (parsed is still JSON text). */
export interface InboxRow {
  seq: number;
  id: string;
  strategy_id: string;
  received_at: string;
  content_type: string | null;
  source_ip: string | null;
  raw_body: string;
  body_hash: string;
  dedupe_key: string | null;
  status: SignalStatus;
  code: string | null;
  message: string | null;
  parsed: string | null;
  symbol: string | null;
}

const INBOX_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'inbox',
    up(db) {
      db.exec(`
        -- Received alerts waiting to be copied into viewzenix.db. Plain INTEGER PRIMARY KEY: the newest row is never
        -- deleted (see prune), so seq only grows.
        CREATE TABLE alerts (
          seq INTEGER PRIMARY KEY,
          id TEXT NOT NULL,
          strategy_id TEXT NOT NULL,
          received_at TEXT NOT NULL,
          content_type TEXT,
          source_ip TEXT,
          raw_body TEXT NOT NULL,
          body_hash TEXT NOT NULL,
          dedupe_key TEXT,
          status TEXT NOT NULL,
          code TEXT,
          message TEXT,
          parsed TEXT,
          symbol TEXT
        );
        -- Alerts with an id or a time: received once, for DEDUPE_KEEP_MS.
        CREATE TABLE dedupe (key TEXT PRIMARY KEY, signal_id TEXT NOT NULL, received_at TEXT NOT NULL) WITHOUT ROWID;
        CREATE INDEX dedupe_received ON dedupe(received_at);
        -- Alerts with neither: a same body counts as a duplicate only within the window.
        CREATE TABLE recent (strategy_id TEXT NOT NULL, body_hash TEXT NOT NULL, received_at TEXT NOT NULL, signal_id TEXT NOT NULL);
        CREATE INDEX recent_body ON recent(strategy_id, body_hash, received_at);
        -- Names this file: viewzenix.db records how far it copied per epoch, so a new inbox.db starts from its row 1.
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      `);
      db.prepare("INSERT INTO meta (key, value) VALUES ('epoch', ?)").run(crypto.randomUUID());
    },
  },
];

/** Opens (creating and migrating when needed) the inbox database for writing. */
export function openInboxDatabase(file: string): Db {
  return openDatabase({ file, migrations: INBOX_MIGRATIONS });
}

/**
 * The same, except that a damaged file is moved aside (`inbox.db.corrupt-<time>`, with its -wal and -shm, kept for
 * inspection) and a new one started, instead of keeping the agent from starting. A damaged inbox.db can hold at
 * most the alerts of the last moments that were not yet copied into viewzenix.db; the new file takes the dedupe
 * keys over from viewzenix.db again. `setAside` names the moved file.
 */
export function openInboxDatabaseOrSetAside(file: string, now = new Date()): { db: Db; setAside?: string } {
  try {
    return { db: openInboxDatabase(file) };
  } catch (err) {
    if (!(err instanceof StoreError) || err.code !== 'DB_CORRUPT') throw err;
    const aside = `${file}.corrupt-${now.toISOString().replace(/[:.]/g, '-')}`;
    for (const suffix of ['', '-wal', '-shm']) if (fs.existsSync(file + suffix)) fs.renameSync(file + suffix, aside + suffix);
    return { db: openInboxDatabase(file), setAside: aside };
  }
}

export function inboxEpoch(db: Db): string {
  return (db.prepare("SELECT value FROM meta WHERE key = 'epoch'").get() as { value: string }).value;
}

/** Rows just committed, in seq order, and the seq of the row committed before them. */
export interface CommittedRows {
  after: number;
  rows: InboxRow[];
}

/** Rows a commit report carries at most (takeCommitted): one or two alerts at a time are the latency case; at
 *  saturation, passing every body between threads cost the listener's thread about 3% of its throughput. */
export const MAX_ROWS_REPORTED = 4;

/** The writer's side: the webhook listener's connection. */
export class InboxStore {
  private readonly insertStmt: Statement;
  private readonly byKey: Statement;
  private readonly byKeySince: Statement;
  private readonly byWindow: Statement;
  private readonly addKey: Statement;
  private readonly addRecent: Statement;
  private readonly walSync: WalSync;
  /** Last seq of batches committed but not yet synced, oldest first, with the commit count that made them. */
  private readonly unsynced: { last: number; n: number }[] = [];
  private commits = 0;
  private durableSeq: number;
  private committedSeq: number;
  /** Rows committed since the last takeCommitted(), and the seq they follow (see takeCommitted). */
  private fresh: { after: number; rows: InboxRow[] | undefined } | undefined;

  constructor(private readonly db: Db) {
    this.walSync = new WalSync(db);
    this.insertStmt = db.prepare(
      `INSERT INTO alerts (id, strategy_id, received_at, content_type, source_ip, raw_body, body_hash, dedupe_key, status, code, message, parsed, symbol)
       VALUES (@id, @strategy_id, @received_at, @content_type, @source_ip, @raw_body, @body_hash, @dedupe_key, @status, @code, @message, @parsed, @symbol)`,
    );
    this.byKey = db.prepare('SELECT signal_id AS id FROM dedupe WHERE key = ?');
    this.byKeySince = db.prepare('SELECT signal_id AS id FROM dedupe WHERE key = ? AND received_at >= ?');
    this.byWindow = db.prepare('SELECT signal_id AS id FROM recent WHERE strategy_id = ? AND body_hash = ? AND received_at >= ? ORDER BY received_at DESC LIMIT 1');
    this.addKey = db.prepare('INSERT INTO dedupe (key, signal_id, received_at) VALUES (?, ?, ?)');
    this.addRecent = db.prepare('INSERT INTO recent (strategy_id, body_hash, received_at, signal_id) VALUES (?, ?, ?, ?)');
    // What is in the file when it is opened was committed by an earlier connection (a listener that stopped or
    // crashed, perhaps before its last sync): it is made durable now, before anyone treats it as such.
    this.durableSeq = this.newestSeq();
    this.committedSeq = this.durableSeq;
    this.walSync.syncNow();
  }

  /**
   * Inserts a batch in ONE transaction committed with synchronous=NORMAL (no fsync here). The rows are NOT durable
   * yet: nothing may be acknowledged, and lastDurableSeq() does not cover them, until syncCommitted() resolved.
   */
  commitBatch(items: readonly InboxInsert[]): InboxInsertResult[] {
    let last = 0;
    const rows: InboxRow[] = [];
    const results = this.db.transaction(() =>
      items.map((item) => {
        const r = this.insertOne(item);
        if (r.row) {
          last = r.row.seq;
          rows.push(r.row);
        }
        return r.result;
      }),
    )();
    if (last > 0) {
      this.fresh ??= { after: this.committedSeq, rows: [] };
      if (this.fresh.rows && this.fresh.rows.length + rows.length <= MAX_ROWS_REPORTED) this.fresh.rows.push(...rows);
      else this.fresh.rows = undefined;
      this.unsynced.push({ last, n: ++this.commits });
      this.committedSeq = last;
    }
    return results;
  }

  /**
   * The rows committed since the last call, all of them, with the seq they follow: the reader may copy them as they
   * are instead of reading them back. Undefined when there were none, or more than MAX_ROWS_REPORTED (a flood is
   * read back in large chunks, cheaper than passing every body between threads).
   */
  takeCommitted(): CommittedRows | undefined {
    const fresh = this.fresh;
    this.fresh = undefined;
    return fresh?.rows && fresh.rows.length > 0 ? { after: fresh.after, rows: fresh.rows } : undefined;
  }

  /** Makes every batch committed so far durable (fdatasync of the WAL off the event loop). Calls may overlap. */
  async syncCommitted(): Promise<void> {
    const upTo = this.commits;
    if (this.unsynced.length === 0) return;
    await this.walSync.sync();
    // Syncs may overlap: this one covers every batch committed before it started, whichever finishes first.
    while (this.unsynced.length > 0 && this.unsynced[0]!.n <= upTo) this.durableSeq = Math.max(this.durableSeq, this.unsynced.shift()!.last);
  }

  /** The same, blocking: at start, at shutdown, or when the asynchronous sync failed. */
  syncCommittedNow(): void {
    try {
      this.walSync.syncNow();
    } finally {
      // Even when the disk refused the sync, the rows are committed (their alerts were answered 503 and a re-send
      // is a duplicate of them): they must not stay out of the pipeline for ever.
      for (const r of this.unsynced.splice(0)) this.durableSeq = Math.max(this.durableSeq, r.last);
    }
  }

  /** Every row up to this seq is on disk. */
  lastDurableSeq(): number {
    return this.durableSeq;
  }

  /** Every row up to this seq is committed (readers see it), not necessarily on disk yet. */
  lastCommittedSeq(): number {
    return this.committedSeq;
  }

  /** The highest seq in the file (0 when empty). */
  newestSeq(): number {
    return (this.db.prepare('SELECT max(seq) AS seq FROM alerts').get() as { seq: number | null }).seq ?? 0;
  }

  /** Releases the WAL file descriptor held for syncing. */
  closeSync(): void {
    this.walSync.close();
  }

  /**
   * Deletes rows the main database has copied (all but the newest row, so seq keeps growing), window entries older
   * than `windowSince` and keys older than `keysSince`. At most `limit` rows of each per call: a short write.
   */
  prune(o: { copiedSeq: number; windowSince: string; keysSince: string; limit?: number }): number {
    const limit = o.limit ?? 2000;
    return this.db.transaction(() => {
      const upTo = Math.min(o.copiedSeq, this.newestSeq() - 1);
      let n = this.db.prepare(`DELETE FROM alerts WHERE seq IN (SELECT seq FROM alerts WHERE seq <= ? ORDER BY seq ${sqlLimit(limit)})`).run(upTo).changes;
      n += this.db.prepare(`DELETE FROM recent WHERE rowid IN (SELECT rowid FROM recent WHERE received_at < ? ${sqlLimit(limit)})`).run(o.windowSince).changes;
      n += this.db.prepare(`DELETE FROM dedupe WHERE key IN (SELECT key FROM dedupe WHERE received_at < ? ${sqlLimit(limit)})`).run(o.keysSince).changes;
      return n;
    })();
  }

  /** Remembers keys of alerts received before this file existed (an upgrade from a version without it). */
  seedKeys(keys: readonly { key: string; signalId: string; receivedAt: string }[]): void {
    const add = this.db.prepare('INSERT OR IGNORE INTO dedupe (key, signal_id, received_at) VALUES (?, ?, ?)');
    this.db.transaction(() => {
      for (const k of keys) add.run(k.key, k.signalId, k.receivedAt);
      this.db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('seeded', ?)").run(new Date().toISOString());
    })();
  }

  /** Names the file anew: its rows count from there as rows of another file (see openIntake's lost tail). */
  setEpoch(epoch: string): void {
    this.db.prepare("UPDATE meta SET value = ? WHERE key = 'epoch'").run(epoch);
  }

  seeded(): boolean {
    return this.db.prepare("SELECT 1 FROM meta WHERE key = 'seeded'").get() !== undefined;
  }

  private insertOne(item: InboxInsert): { result: InboxInsertResult; row?: InboxRow } {
    const counts = item.status !== 'rejected'; // a rejected alert never makes a later one a duplicate
    if (counts || item.repeatsAccepted === true) {
      if (item.dedupeKey !== undefined) {
        const existing = (this.byKey.get(item.dedupeKey) ?? (item.legacyKey !== undefined && item.legacySince !== undefined ? this.byKeySince.get(item.legacyKey, item.legacySince) : undefined)) as { id: string } | undefined;
        if (existing) return { result: { outcome: 'duplicate', id: existing.id } };
      } else if (item.windowSince !== undefined) {
        const existing = this.byWindow.get(item.strategyId, item.bodyHash, item.windowSince) as { id: string } | undefined;
        if (existing) return { result: { outcome: 'duplicate', id: existing.id } };
      }
    }
    const stored = inboxRowOf(item, counts);
    const seq = Number(this.insertStmt.run(stored).lastInsertRowid);
    if (counts) {
      if (item.dedupeKey !== undefined) this.addKey.run(item.dedupeKey, item.id, item.receivedAt);
      else if (item.windowSince !== undefined) this.addRecent.run(item.strategyId, item.bodyHash, item.receivedAt, item.id);
    }
    return { result: { outcome: 'stored', id: item.id }, row: { seq, ...stored } };
  }
}

/** The row stored for an alert (its seq aside). A rejected alert keeps no dedupe key: it never makes a later one a
 *  duplicate. */
export function inboxRowOf(item: InboxInsert, counts = item.status !== 'rejected'): Omit<InboxRow, 'seq'> {
  return {
    id: item.id,
    strategy_id: item.strategyId,
    received_at: item.receivedAt,
    content_type: item.contentType ?? null,
    source_ip: item.sourceIp ?? null,
    raw_body: item.rawBody,
    body_hash: item.bodyHash,
    dedupe_key: counts ? (item.dedupeKey ?? null) : null,
    status: item.status,
    code: item.code ?? null,
    message: item.message ?? null,
    parsed: item.parsed ? JSON.stringify(item.parsed) : null,
    symbol: item.symbol ?? null,
  };
}

/** Rows per read of newestAfter. */
const READ_PAGE_ROWS = 250;

/** The main thread's side: reads rows the writer reported committed (a read-only connection). */
export class InboxReader {
  private readonly walSync: WalSync;
  readonly epoch: string;

  constructor(private readonly db: Db) {
    this.walSync = new WalSync(db);
    this.epoch = inboxEpoch(db);
  }

  /** Rows after `afterSeq` up to `upToSeq`, in arrival order. */
  rows(afterSeq: number, upToSeq: number, limit: number): InboxRow[] {
    return this.db.prepare(`SELECT * FROM alerts WHERE seq > ? AND seq <= ? ORDER BY seq ${sqlLimit(limit)}`).all(afterSeq, upToSeq) as InboxRow[];
  }

  /** Rows after `afterSeq` (not copied yet), counted by status. */
  countAfter(afterSeq: number): Record<string, number> {
    const rows = this.db.prepare('SELECT status, count(*) AS n FROM alerts WHERE seq > ? GROUP BY status').all(afterSeq) as { status: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }

  /**
   * Rows after `afterSeq` (not copied yet), newest first, of one strategy and one status when given: read a page at
   * a time as the caller takes them, so a caller that needs a few reads a few.
   */
  *newestAfter(afterSeq: number, filter: { strategyId?: string; status?: string } = {}): Generator<InboxRow, void, undefined> {
    const where = ['seq > @afterSeq', 'seq < @before'];
    if (filter.strategyId !== undefined) where.push('strategy_id = @strategyId');
    if (filter.status !== undefined) where.push('status = @status');
    const page = this.db.prepare(`SELECT * FROM alerts WHERE ${where.join(' AND ')} ORDER BY seq DESC ${sqlLimit(READ_PAGE_ROWS)}`);
    for (let before = Number.MAX_SAFE_INTEGER; ; ) {
      const rows = page.all({ afterSeq, before, ...filter }) as InboxRow[];
      yield* rows;
      if (rows.length < READ_PAGE_ROWS) return;
      before = rows[rows.length - 1]!.seq;
    }
  }

  /** The seq of the alert `id` while it is still in the file (a scan: the file holds a second or so of alerts). */
  seqOf(id: string): number | undefined {
    return (this.db.prepare('SELECT seq FROM alerts WHERE id = ?').get(id) as { seq: number } | undefined)?.seq;
  }

  /** Makes everything committed to the file so far durable, whoever committed it (blocking fdatasync). */
  syncNow(): void {
    this.walSync.syncNow();
  }

  close(): void {
    this.walSync.close();
    this.db.close();
  }
}
