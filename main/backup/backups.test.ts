import { describe, expect, it } from 'vitest';
import path from 'node:path';
import fs from 'node:fs';
import { openDatabase } from '../store/db.js';
import { BackupService, BackupError, restoreBackup } from './backups.js';
import { acquireLock } from '../data-dir.js';
import { tempDir } from '../test-support/agent.js';

const silent = { info() {}, error() {} };

describe('database backups', () => {
  it('backs up an open database with the backup API, then restores exactly the backup state with integrity ok', async () => {
    const dataDir = tempDir();
    const file = path.join(dataDir, 'viewzenix.db');
    const db = openDatabase({ file });
    const ins = db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)');
    for (let i = 0; i < 500; i++) ins.run(`k${i}`, `v${i}`);
    const clock = Date.parse('2026-01-02T03:04:05.000Z');
    const svc = new BackupService({ db, dir: path.join(dataDir, 'backups'), keep: 2, intervalMs: 0, log: silent, now: () => clock });
    const backup = await svc.runNow();
    expect(backup.name).toBe('viewzenix-20260102T030405000Z.db');
    // Changes after the backup: they must be gone after the restore.
    ins.run('after', 'x');
    db.prepare("DELETE FROM settings WHERE key = 'k1'").run();
    db.close();

    const r = restoreBackup({ dataDir, backupFile: backup.file, now: () => clock });
    expect(r.integrity).toBe('ok');
    expect(fs.existsSync(r.previousMovedTo!)).toBe(true);
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
    const restored = openDatabase({ file });
    expect((restored.prepare('SELECT count(*) AS n FROM settings').get() as { n: number }).n).toBe(500);
    expect(restored.prepare("SELECT value FROM settings WHERE key = 'k1'").get()).toEqual({ value: 'v1' });
    expect(restored.prepare("SELECT value FROM settings WHERE key = 'after'").get()).toBeUndefined();
    // The audit trail came along and still verifies (schema and triggers are in the backup too).
    expect((restored.prepare('SELECT count(*) AS n FROM audit_log').get() as { n: number }).n).toBe(500);
    restored.close();
  });

  it('keeps only the newest N backups', async () => {
    const dataDir = tempDir();
    const db = openDatabase({ file: path.join(dataDir, 'viewzenix.db') });
    let clock = Date.parse('2026-01-02T00:00:00.000Z');
    const svc = new BackupService({ db, dir: path.join(dataDir, 'backups'), keep: 3, intervalMs: 0, log: silent, now: () => clock });
    for (let i = 0; i < 5; i++) {
      await svc.runNow();
      clock += 3600_000;
    }
    expect(svc.list().map((b) => b.name)).toEqual(['viewzenix-20260102T040000000Z.db', 'viewzenix-20260102T030000000Z.db', 'viewzenix-20260102T020000000Z.db']);
    db.close();
  });

  it('refuses to restore while an agent holds the data directory, or from a file that is not a database', async () => {
    const dataDir = tempDir();
    const db = openDatabase({ file: path.join(dataDir, 'viewzenix.db') });
    const svc = new BackupService({ db, dir: path.join(dataDir, 'backups'), intervalMs: 0, log: silent });
    const b = await svc.runNow();
    const release = acquireLock(dataDir);
    expect(() => restoreBackup({ dataDir, backupFile: b.file })).toThrow(/Stop the agent/);
    release();
    const junk = path.join(dataDir, 'junk.db');
    fs.writeFileSync(junk, 'this is not sqlite'.repeat(100));
    expect(() => restoreBackup({ dataDir, backupFile: junk })).toThrow(BackupError);
    expect(fs.existsSync(path.join(dataDir, 'viewzenix.db'))).toBe(true);
    db.close();
  });
});
