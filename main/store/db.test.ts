import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openDatabase, integrityCheck, StoreError, durableTransaction, WalSync, NEW_DATABASE_PAGE_SIZE } from './db.js';
import { MIGRATIONS } from './migrations/index.js';
import { tempDir } from '../test-support/agent.js';

describe('database', () => {
  it('opens in WAL and applies every migration once, recorded in the database', () => {
    const file = path.join(tempDir(), 'a.db');
    const db = openDatabase({ file });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(1);
    const versions = (db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[]).map((r) => r.version);
    expect(versions).toEqual(MIGRATIONS.map((m) => m.version));
    expect(integrityCheck(db)).toBe('ok');
    db.close();
    const again = openDatabase({ file });
    expect((again.prepare('SELECT count(*) AS n FROM schema_migrations').get() as { n: number }).n).toBe(MIGRATIONS.length);
    again.close();
  });

  it('a new database gets small pages (fewer bytes per commit); an existing one keeps its own page size', () => {
    const fresh = openDatabase({ file: path.join(tempDir(), 'fresh.db') });
    expect(NEW_DATABASE_PAGE_SIZE).toBe(1024);
    expect(fresh.pragma('page_size', { simple: true })).toBe(NEW_DATABASE_PAGE_SIZE);
    // The WAL still checkpoints past 4 MB, as SQLite's default 1,000 frames of 4 KB did.
    expect(fresh.pragma('wal_autocheckpoint', { simple: true })).toBe(4096);
    // A 512 KB page cache (negative: in KB), whatever the page size: a transaction that split a page walks all of it.
    expect(fresh.pragma('cache_size', { simple: true })).toBe(-512);
    fresh.close();
    // A database created by an earlier version, with SQLite's default 4 KB pages and rows in it.
    const file = path.join(tempDir(), 'old.db');
    const old = openDatabase({ file, pageSize: 4096 });
    expect(old.pragma('page_size', { simple: true })).toBe(4096);
    old.prepare("INSERT INTO settings (key, value) VALUES ('k', 'v')").run();
    old.close();
    const reopened = openDatabase({ file });
    expect(reopened.pragma('page_size', { simple: true })).toBe(4096);
    expect(reopened.pragma('wal_autocheckpoint', { simple: true })).toBe(1024);
    expect(reopened.pragma('cache_size', { simple: true })).toBe(-512);
    expect(reopened.prepare("SELECT value FROM settings WHERE key = 'k'").get()).toEqual({ value: 'v' });
    reopened.prepare("INSERT INTO settings (key, value) VALUES ('k2', 'v2')").run();
    expect(integrityCheck(reopened)).toBe('ok');
    reopened.close();
  });

  it('a damaged file with a leftover WAL beside it is refused before SQLite replays the WAL into it', () => {
    const dir = tempDir();
    // A WAL with committed frames, as a stopped agent can leave one.
    const source = openDatabase({ file: path.join(dir, 'source.db') });
    source.pragma('wal_autocheckpoint = 0');
    for (let i = 0; i < 50; i++) source.prepare('INSERT INTO settings (key, value) VALUES (?, ?)').run(`k${i}`, 'v'.repeat(200));
    const file = path.join(dir, 'damaged.db');
    fs.copyFileSync(path.join(dir, 'source.db-wal'), `${file}-wal`);
    source.close();
    const garbage = Buffer.alloc(16384, 7);
    fs.writeFileSync(file, garbage);
    expect(() => openDatabase({ file })).toThrow(expect.objectContaining({ code: 'DB_CORRUPT' }));
    expect(fs.readFileSync(file).equals(garbage)).toBe(true);
    // An empty file is a new database, not a damaged one.
    const empty = path.join(dir, 'empty.db');
    fs.writeFileSync(empty, '');
    const db = openDatabase({ file: empty });
    expect(integrityCheck(db)).toBe('ok');
    db.close();
  });

  it('a durable transaction commits with synchronous=FULL and restores NORMAL afterwards, even when it throws', () => {
    const db = openDatabase({ file: path.join(tempDir(), 'd.db') });
    let inside: unknown;
    durableTransaction(db, () => {
      inside = db.pragma('synchronous', { simple: true });
    });
    expect(inside).toBe(2);
    expect(db.pragma('synchronous', { simple: true })).toBe(1);
    expect(() =>
      durableTransaction(db, () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(db.pragma('synchronous', { simple: true })).toBe(1);
    db.close();
  });

  it('a corrupt file gives a clear error naming the file and the fix, and is not overwritten', () => {
    const file = path.join(tempDir(), 'corrupt.db');
    const garbage = Buffer.from('this is not a database '.repeat(200));
    fs.writeFileSync(file, garbage);
    let error: unknown;
    try {
      openDatabase({ file });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).code).toBe('DB_CORRUPT');
    expect((error as Error).message).toContain(file);
    expect((error as Error).message).toMatch(/restore|backup/i);
    expect(fs.readFileSync(file).equals(garbage)).toBe(true);
  });

  it('a database from a newer version is refused, not downgraded', () => {
    const file = path.join(tempDir(), 'new.db');
    const db = openDatabase({ file });
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, ?, ?)').run('future', new Date().toISOString());
    db.close();
    expect(() => openDatabase({ file })).toThrow(/newer version of Viewzenix/);
  });

  it('a transaction holds the write lock from its first statement, so a read-then-write transaction cannot be overtaken by another connection', () => {
    const file = path.join(tempDir(), 'lock.db');
    const a = openDatabase({ file });
    const b = openDatabase({ file });
    b.pragma('busy_timeout = 0');
    a.exec('CREATE TABLE t (n INTEGER)');
    let overtaken: unknown;
    a.transaction(() => {
      a.prepare('SELECT count(*) FROM t').get();
      try {
        b.prepare('INSERT INTO t VALUES (1)').run(); // the other connection, between the read and the write
      } catch (err) {
        overtaken = err;
      }
      a.prepare('INSERT INTO t VALUES (2)').run(); // a deferred transaction would fail here (SQLITE_BUSY_SNAPSHOT)
    })();
    expect((overtaken as { code?: string }).code).toBe('SQLITE_BUSY');
    expect(b.prepare('SELECT n FROM t').all()).toEqual([{ n: 2 }]);
    a.close();
    b.close();
  });
});


describe('WalSync without a WAL file', () => {
  it('has nothing to sync and says so without an error (the file appears later and is synced then)', async () => {
    const file = path.join(tempDir(), 'nowal.db');
    const db = new Database(file);
    db.pragma('journal_mode = DELETE');
    db.exec('CREATE TABLE t (n INTEGER)');
    const wal = new WalSync(db);
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
    expect(() => wal.syncNow()).not.toThrow();
    await expect(wal.sync()).resolves.toBeUndefined();
    db.pragma('journal_mode = WAL');
    db.exec('INSERT INTO t VALUES (1)');
    expect(fs.existsSync(`${file}-wal`)).toBe(true);
    await expect(wal.sync()).resolves.toBeUndefined();
    wal.close();
    db.close();
  });
});
