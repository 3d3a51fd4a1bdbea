// Scheduled and on-demand backups of viewzenix.db into <data-dir>/backups, kept by count, and the restore
// procedure (docs/backup.md) as a function the CLI calls while the agent is stopped.
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../store/db.js';
import { backupDatabase, checkDatabaseFile } from '../store/backup.js';
import { acquireLock } from '../data-dir.js';
import type { Logger } from '../log.js';

export interface BackupInfo {
  name: string;
  file: string;
  size: number;
  createdAt: string;
}

export class BackupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupError';
  }
}

const PREFIX = 'viewzenix-';
const NAME = /^viewzenix-(\d{8}T\d{6}(?:\d{3})?Z)\.db$/;

function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace('.', '');
}

export function listBackups(dir: string): BackupInfo[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((n) => NAME.test(n))
    .sort()
    .reverse()
    .map((name) => {
      const file = path.join(dir, name);
      const st = fs.statSync(file);
      return { name, file, size: st.size, createdAt: st.mtime.toISOString() };
    });
}

export interface BackupServiceOptions {
  db: Db;
  dir: string;
  /** How many backups to keep (newest first). */
  keep?: number;
  /** Time between scheduled backups; 0 turns the schedule off. */
  intervalMs?: number;
  log: Pick<Logger, 'info' | 'error'>;
  now?: () => number;
}

export class BackupService {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<BackupInfo> | undefined;
  private readonly now: () => number;
  readonly keep: number;

  constructor(private readonly o: BackupServiceOptions) {
    this.now = o.now ?? Date.now;
    this.keep = Math.max(1, o.keep ?? 14);
  }

  start(): void {
    const every = this.o.intervalMs ?? 24 * 3600_000;
    if (every <= 0) return;
    this.timer = setInterval(() => {
      this.runNow().catch((err: unknown) => this.o.log.error({ err }, 'scheduled backup failed'));
    }, every);
    this.timer.unref();
  }

  stop(): Promise<unknown> {
    if (this.timer) clearInterval(this.timer);
    return this.running?.catch(() => undefined) ?? Promise.resolve();
  }

  list(): BackupInfo[] {
    return listBackups(this.o.dir);
  }

  /** One backup at a time; a second call while one runs gets the same result. */
  runNow(): Promise<BackupInfo> {
    this.running ??= this.backup().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async backup(): Promise<BackupInfo> {
    fs.mkdirSync(this.o.dir, { recursive: true, mode: 0o700 });
    const name = `${PREFIX}${stamp(this.now())}.db`;
    const file = path.join(this.o.dir, name);
    const partial = `${file}.partial`;
    fs.rmSync(partial, { force: true });
    await backupDatabase(this.o.db, partial);
    const check = checkDatabaseFile(partial);
    if (check !== 'ok') {
      fs.rmSync(partial, { force: true });
      throw new BackupError(`The backup failed its integrity check (${check}); the previous backups are kept.`);
    }
    fs.chmodSync(partial, 0o600);
    fs.renameSync(partial, file); // a backup file is complete or absent
    for (const old of this.list().slice(this.keep)) fs.rmSync(old.file, { force: true });
    const info = this.list().find((b) => b.name === name)!;
    this.o.log.info({ backup: name, size: info.size }, 'database backup written');
    return info;
  }
}

export interface RestoreResult {
  restoredFrom: string;
  /** The database that was replaced, kept beside it (with its -wal/-shm) in case the restore was a mistake. */
  previousMovedTo?: string;
  integrity: string;
}

/**
 * Replaces <data-dir>/viewzenix.db with a backup. Refuses while an agent runs with this data directory (the
 * agent lock). The current database and its -wal/-shm are moved aside, not deleted.
 */
export function restoreBackup(o: { dataDir: string; backupFile: string; now?: () => number }): RestoreResult {
  const check = checkDatabaseFile(o.backupFile);
  if (check !== 'ok') throw new BackupError(`${o.backupFile} is not a sound database (${check}); nothing was changed.`);
  let release: () => void;
  try {
    release = acquireLock(o.dataDir);
  } catch (err) {
    throw new BackupError(`Stop the agent before restoring: ${(err as Error).message}`);
  }
  try {
    const target = path.join(o.dataDir, 'viewzenix.db');
    let previousMovedTo: string | undefined;
    if (fs.existsSync(target)) {
      previousMovedTo = `${target}.before-restore-${stamp((o.now ?? Date.now)())}`;
      fs.renameSync(target, previousMovedTo);
    }
    for (const suffix of ['-wal', '-shm']) {
      // A WAL left beside the restored file would be replayed into it: it belongs to the old database.
      if (fs.existsSync(target + suffix)) {
        if (previousMovedTo) fs.renameSync(target + suffix, previousMovedTo + suffix);
        else fs.rmSync(target + suffix, { force: true });
      }
    }
    const tmp = `${target}.restoring`;
    fs.copyFileSync(o.backupFile, tmp);
    const fd = fs.openSync(tmp, 'r+');
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.chmodSync(tmp, 0o600);
    fs.renameSync(tmp, target);
    return { restoredFrom: o.backupFile, previousMovedTo, integrity: checkDatabaseFile(target) };
  } finally {
    release();
  }
}
