// Opening the database: WAL, numbered migrations recorded in the database, and clear errors for a corrupt file or
// one from a newer version. The agent opens one connection per thread that writes (main, webhook, checkpoints).
//
// Durability: commits that acknowledge something to the outside world (the inbox: an alert answered 202) are
// made durable before the acknowledgement, so they survive power loss: either with synchronous=FULL through
// durableTransaction(), or (the inbox's hot path) committed with NORMAL and then fsynced through WalSync, which
// gives the same guarantee without blocking the event loop for the fsync. Everything else commits with
// synchronous=NORMAL: in WAL mode that survives a crash of the process (SIGKILL) and is made durable by the
// next sync of the WAL. One fsync per pipeline write would block the pipeline's event loop for about six fsyncs
// per order, and lengthen every alert's own sync behind them.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { MIGRATIONS, type Migration } from './migrations/index.js';
import { sealBeforeCommit } from './audit.js';

export type Db = Database.Database;

/**
 * Page size of a NEW database file, in bytes. In WAL mode every commit appends each page it changed, whole, to the
 * WAL (and the next checkpoint copies it once more into the file). The pipeline's commits each change a few rows at
 * the tail of a dozen tables and indexes (signals, decisions, orders, their events, the audit trail): a few hundred
 * bytes of news on each page. With 1 KB pages instead of SQLite's 4 KB, a commit writes about a quarter of the bytes
 * for the same rows (measured: about half of all the bytes the agent writes per alert), which is what the inbox's
 * fdatasync on the same disk waits behind. Larger rows (a long alert body) spill into overflow pages, as before.
 */
export const NEW_DATABASE_PAGE_SIZE = 1024;

/** WAL size past which a commit checkpoints (when no checkpoint thread does it earlier; while alerts are few the
 *  agent checkpoints viewzenix.db sooner, after signals: store/checkpoint-pace.ts). */
export const AUTOCHECKPOINT_WAL_BYTES = 4 * 1024 * 1024;

/**
 * Page cache of a writing connection, in KB: 512 KB (512 pages of 1 KB), an eighth of SQLite's default. Inserts that
 * split a b-tree page in the middle (random keys: client order ids, dedupe keys) make SQLite's balance_nonroot sort
 * the new pages by swapping their numbers through a temporary one, the locking page's (PENDING_BYTE / page size + 1:
 * page 1,048,577 with 1 KB pages). The page cache then holds a page number far past the end of the file, and the end
 * of the transaction truncates the cache by walking every slot of its hash table and every cached page, in each
 * transaction that split a page. The walk costs in proportion to the pages cached: with 8 MB it was 8% of the
 * pipeline thread's CPU at 100 alerts/s (perf), and the thread's CPU per alert fell from 6.5–7.4 ms to 5.4–5.5 ms
 * with 512 KB after 15,000 alerts (single runs: 1 MB gave 5.8–6.1 ms). What the smaller cache misses is read from
 * the OS's page cache (a pread of 1 KB). docs/benchmarks.md.
 */
const WRITER_CACHE_KB = 512;
export type Statement = Database.Statement;

export class StoreError extends Error {
  constructor(
    readonly code: 'DB_CORRUPT' | 'DB_TOO_NEW' | 'DB_LOCKED' | 'DB_OPEN_FAILED',
    message: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

export interface OpenOptions {
  file: string;
  migrations?: readonly Migration[];
  readonly?: boolean;
  /** Page size if the file is created now (default NEW_DATABASE_PAGE_SIZE); ignored for an existing database. */
  pageSize?: number;
}

export function openDatabase({ file, migrations = MIGRATIONS, readonly = false, pageSize = NEW_DATABASE_PAGE_SIZE }: OpenOptions): Db {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  if (!hasDatabaseHeader(file)) {
    // Refused before SQLite opens it: opening replays a leftover WAL (-wal beside it) into the file, which would
    // overwrite parts of the damaged file that is to be kept for inspection.
    throw damaged(file, 'file is not a database');
  }
  let db: Db;
  try {
    db = new Database(file, { readonly, fileMustExist: readonly });
  } catch (err) {
    throw new StoreError('DB_OPEN_FAILED', `Cannot open the database ${file}: ${(err as Error).message}. Check the file's permissions and free disk space.`);
  }
  try {
    db.pragma('busy_timeout = 5000');
    if (!readonly) {
      // Only a new, empty file takes it (an existing database keeps the page size it was created with).
      db.pragma(`page_size = ${Math.trunc(pageSize)}`);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      // SQLite checkpoints past a number of WAL frames (pages): 1,000 by default, a 4 MB WAL with 4 KB pages. Kept at
      // 4 MB whatever the page size: with 1 KB pages, 1,000 frames would checkpoint four times as often, and the
      // tail pages every commit rewrites would be copied into the file four times as often too.
      setCheckpointBytes(db, AUTOCHECKPOINT_WAL_BYTES);
      // SQLite's default page cache is 2 MB: past a few thousand alerts the indexes no longer fit, and every insert
      // at a random position (hashes) reads its page back from the OS. Filled only as pages are used.
      db.pragma(`cache_size = -${WRITER_CACHE_KB}`);
    }
    cacheStatements(db);
    const commits = immediateTransactions(db);
    db.pragma('foreign_keys = ON');
    // Reading the schema is the first thing that fails on a file that is not a database.
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    if (!readonly) migrate(db, migrations, file);
    if (!readonly && db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_log'").get()) commits.beforeCommit = () => sealBeforeCommit(db);
    return db;
  } catch (err) {
    db.close();
    if (err instanceof StoreError) throw err;
    const msg = (err as Error).message;
    if (/not a database|malformed|corrupt/i.test(msg)) throw damaged(file, msg);
    throw new StoreError('DB_OPEN_FAILED', `Cannot use the database ${file}: ${msg}.`);
  }
}

function damaged(file: string, reason: string): StoreError {
  return new StoreError(
    'DB_CORRUPT',
    `The database ${file} is damaged (${reason}). Nothing was changed. Stop the agent, move the file aside and restore the latest backup (see docs/backup.md), or start with a new data directory.`,
  );
}

/** SQLite's file header: every database file that is not empty starts with it. */
const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

/** False for a file that exists, is not empty and does not start with SQLite's header (a missing or empty file is
 *  a new database: in WAL mode the file may stay empty until the first checkpoint). */
function hasDatabaseHeader(file: string): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return true; // missing (created now) or unreadable (SQLite reports why)
  }
  try {
    const head = Buffer.alloc(SQLITE_MAGIC.length);
    const n = fs.readSync(fd, head, 0, head.length, 0);
    return n === 0 || (n === SQLITE_MAGIC.length && head.equals(SQLITE_MAGIC));
  } finally {
    fs.closeSync(fd);
  }
}

export function migrate(db: Db, migrations: readonly Migration[], file = 'database'): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  const applied = new Set((db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version));
  const newest = Math.max(0, ...migrations.map((m) => m.version));
  const newestApplied = Math.max(0, ...applied);
  if (newestApplied > newest) {
    throw new StoreError(
      'DB_TOO_NEW',
      `The database ${file} was written by a newer version of Viewzenix (schema ${newestApplied}, this version knows up to ${newest}). Nothing was changed. Install the newer version again, or use another data directory.`,
    );
  }
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      m.up(db);
      record.run(m.version, m.name, new Date().toISOString());
    })();
  }
}

/** Runs `fn` in one transaction committed with synchronous=FULL (fsync of the WAL before it returns). */
export function durableTransaction<T>(db: Db, fn: () => T): T {
  db.pragma('synchronous = FULL');
  try {
    return db.transaction(fn)();
  } finally {
    db.pragma('synchronous = NORMAL');
  }
}

/**
 * Makes every commit made so far on the connection durable, as synchronous=FULL would have at each commit, with
 * one fdatasync of the WAL file. The fsync runs in libuv's thread pool, so the event loop (and the webhook
 * listener on it) keeps working while the disk flushes; commits made meanwhile are covered by the next sync.
 * Sound because in WAL mode a commit is only appended to the WAL: once the WAL is on disk, so is the commit;
 * and a checkpoint that moved frames into the database file has synced that file itself (SQLite syncs on
 * checkpoint in NORMAL mode too) before the WAL is reused.
 */
export class WalSync {
  private fd: number | undefined;

  constructor(private readonly db: Db) {}

  /** Resolves when everything committed before the call is on disk. Calls may overlap: each covers what was
   *  committed before it started. */
  sync(): Promise<void> {
    const fd = this.open();
    if (fd === undefined) return Promise.resolve();
    return new Promise<void>((resolve, reject) => fs.fdatasync(fd, (err) => (err ? reject(err) : resolve())));
  }

  /** The same, blocking (shutdown, or when the asynchronous path failed). */
  syncNow(): void {
    const fd = this.open();
    if (fd !== undefined) fs.fdatasyncSync(fd);
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }

  /**
   * The WAL file, opened once: SQLite keeps its own descriptor of the file for as long as the connection is
   * open and appends every commit through it, so this descriptor names the same file for as long (a path that
   * were replaced meanwhile would name a file SQLite does not write to). No WAL file at all (every connection
   * closed since the last write, which checkpointed it into the synced database file): nothing to sync.
   */
  private open(): number | undefined {
    if (this.fd === undefined) {
      try {
        this.fd = fs.openSync(`${this.db.name}-wal`, 'r+');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
    }
    return this.fd;
  }
}

/**
 * SQLite's codes for a database that cannot be written just now, whatever is being written: the disk is full
 * (SQLITE_FULL), failing (SQLITE_IOERR_*), read-only or gone (SQLITE_READONLY_*, SQLITE_CANTOPEN), or another
 * connection holds it (SQLITE_BUSY_*, SQLITE_LOCKED_*). Such a failure is not the fault of the row being written.
 */
const STORAGE_CODES = ['SQLITE_FULL', 'SQLITE_IOERR', 'SQLITE_READONLY', 'SQLITE_CANTOPEN', 'SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_NOMEM', 'SQLITE_PROTOCOL'];

export function isStorageError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' && STORAGE_CODES.some((c) => code === c || code.startsWith(`${c}_`));
}

/** Makes SQLite checkpoint this connection's WAL once it holds about `bytes` (its threshold counts pages). */
function setCheckpointBytes(db: Db, bytes: number): void {
  db.pragma(`wal_autocheckpoint = ${Math.ceil(bytes / (db.pragma('page_size', { simple: true }) as number))}`);
}

/**
 * `LIMIT n` (and `OFFSET m`) written into the SQL text. SQLite plans a LIMIT given as a parameter by its bound value,
 * so binding the parameter again (every call does) expires the prepared statement and the next step parses and plans
 * it anew: on the sealing query, run in every commit, that was a second prepare per commit. A literal keeps the
 * statement. The statement cache (bounded) holds one per distinct value: the hot paths use a few fixed limits;
 * listings paged by OFFSET prepare once per page asked for, as every call did before.
 */
export function sqlLimit(limit: number, offset = 0): string {
  if (!Number.isSafeInteger(limit) || limit < 0 || !Number.isSafeInteger(offset) || offset < 0) {
    throw new RangeError(`LIMIT and OFFSET must be whole numbers of at least 0 (got ${String(limit)}, ${String(offset)})`);
  }
  return offset > 0 ? `LIMIT ${limit} OFFSET ${offset}` : `LIMIT ${limit}`;
}

/** Repositories call db.prepare() freely; compiling the same SQL again on every call costs more than the
 *  statement itself, so prepared statements are kept per connection (bounded). */
function cacheStatements(db: Db): void {
  const raw = db.prepare.bind(db);
  let cache = new Map<string, Statement>();
  (db as { prepare: (sql: string) => Statement }).prepare = (sql: string) => {
    let stmt = cache.get(sql);
    if (!stmt) {
      if (cache.size >= 1000) cache = new Map();
      stmt = raw(sql);
      cache.set(sql, stmt);
    }
    return stmt;
  };
}

/**
 * Transactions take the write lock when they begin (BEGIN IMMEDIATE) instead of at their first write. Whenever a
 * second connection writes the same file (a CLI command beside a running agent, the background checkpoint's
 * RESTART), a deferred transaction that read first and then writes fails at once with SQLITE_BUSY (snapshot) when
 * the other committed in between; an immediate one waits for the lock (busy_timeout) instead. Every transaction in
 * the code base writes, so nothing is lost by taking the lock first.
 */
function immediateTransactions(db: Db): CommitHooks {
  const hooks: CommitHooks = { failed: new Set() };
  hooksOf.set(db, hooks);
  const raw = db.transaction.bind(db);
  let depth = 0;
  (db as { transaction: typeof raw }).transaction = ((fn: (...args: never[]) => unknown) => {
    // Nested calls are savepoints: only the outermost transaction's end is a commit.
    const tx = raw((...args: never[]) => {
      depth++;
      try {
        const result = fn(...args);
        if (depth === 1) hooks.beforeCommit?.();
        return result;
      } finally {
        depth--;
      }
    });
    // A transaction (or a savepoint inside one) that throws, its COMMIT included, is rolled back: listeners forget
    // what they learned of its writes.
    const guard =
      (begin: (...args: never[]) => unknown) =>
      (...args: never[]): unknown => {
        try {
          return begin(...args);
        } catch (err) {
          for (const f of hooks.failed) f();
          throw err;
        }
      };
    const run = guard(tx.immediate);
    return Object.assign(run, { default: run, deferred: guard(tx.deferred), immediate: run, exclusive: guard(tx.exclusive) });
  }) as typeof raw;
  return hooks;
}

interface CommitHooks {
  /** Runs at the end of every outermost transaction's function, inside it, just before its COMMIT. */
  beforeCommit?: () => void;
  /** Run after any transaction or savepoint failed and was rolled back. */
  failed: Set<() => void>;
}

const hooksOf = new WeakMap<Db, CommitHooks>();

/** Calls `fn` whenever a transaction on `db` (opened by openDatabase) fails and is rolled back; false when `db`
 *  was not opened by openDatabase, and failures cannot be followed. */
export function onTransactionFailed(db: Db, fn: () => void): boolean {
  const hooks = hooksOf.get(db);
  hooks?.failed.add(fn);
  return hooks !== undefined;
}

export function integrityCheck(db: Db): string {
  const rows = db.pragma('integrity_check') as { integrity_check: string }[];
  return rows.map((r) => r.integrity_check).join('; ');
}
