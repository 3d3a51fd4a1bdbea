// Online backups with SQLite's backup API (better-sqlite3 db.backup): a consistent copy while the agent keeps
// writing, WAL contents included. A file copy of a live WAL database is not a backup.
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { integrityCheck, type Db } from './db.js';

export async function backupDatabase(db: Db, dest: string): Promise<{ totalPages: number }> {
  const r = await db.backup(dest);
  return { totalPages: r.totalPages };
}

/**
 * Runs PRAGMA integrity_check on a file that no agent has open: 'ok' or the problems found. Opened without
 * migrations, and not read-only: a read-only connection to a WAL-mode file leaves -wal/-shm files behind,
 * while the last read-write connection removes them on close.
 */
export function checkDatabaseFile(file: string): string {
  if (!fs.existsSync(file)) return `${file} does not exist`;
  let db: Db | undefined;
  try {
    db = new Database(file, { fileMustExist: true });
    return integrityCheck(db);
  } catch (err) {
    return (err as Error).message;
  } finally {
    db?.close();
  }
}
