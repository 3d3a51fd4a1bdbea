// The one SQLite connection: WAL, numbered migrations recorded in the database, and clear errors for a corrupt
// file or one from a newer version.
//
// Durability: commits that acknowledge something to the outside world (the inbox: an alert answered 202) run
// with synchronous=FULL through durableTransaction(), so they survive power loss. Everything else commits with
// synchronous=NORMAL: in WAL mode that survives a crash of the process (SIGKILL) and is made durable by the
// next FULL commit, which syncs the whole WAL. One fsync per pipeline write would block the event loop the
// webhook listener shares (about 10 per alert), which is what the intake throughput bar forbids.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { MIGRATIONS, type Migration } from './migrations/index.js';

export type Db = Database.Database;
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
}

export function openDatabase({ file, migrations = MIGRATIONS, readonly = false }: OpenOptions): Db {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let db: Db;
  try {
    db = new Database(file, { readonly, fileMustExist: readonly });
  } catch (err) {
    throw new StoreError('DB_OPEN_FAILED', `Cannot open the database ${file}: ${(err as Error).message}. Check the file's permissions and free disk space.`);
  }
  try {
    db.pragma('busy_timeout = 5000');
    if (!readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
    }
    cacheStatements(db);
    db.pragma('foreign_keys = ON');
    // Reading the schema is the first thing that fails on a file that is not a database.
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    if (!readonly) migrate(db, migrations, file);
    return db;
  } catch (err) {
    db.close();
    if (err instanceof StoreError) throw err;
    const msg = (err as Error).message;
    if (/not a database|malformed|corrupt/i.test(msg)) {
      throw new StoreError(
        'DB_CORRUPT',
        `The database ${file} is damaged (${msg}). Nothing was changed. Stop the agent, move the file aside and restore the latest backup (see docs/backup.md), or start with a new data directory.`,
      );
    }
    throw new StoreError('DB_OPEN_FAILED', `Cannot use the database ${file}: ${msg}.`);
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

export function integrityCheck(db: Db): string {
  const rows = db.pragma('integrity_check') as { integrity_check: string }[];
  return rows.map((r) => r.integrity_check).join('; ');
}
