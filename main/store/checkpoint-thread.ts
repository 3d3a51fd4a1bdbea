// Checkpoints for a database written by two connections (the webhook thread's inbox, the main thread's pipeline).
// SQLite's automatic checkpoint runs inside the commit that crosses the threshold, on the thread that committed
// (two fsyncs), and with two writers it never gets to restart the WAL: the other connection appends frames between
// the checkpoint and this connection's next write, so every later commit checkpoints again, each with an fsync.
// Here, on a thread of its own: PASSIVE checkpoints do the copying and syncing without blocking anyone, on every
// tick; once the WAL is large, a RESTART (which holds the write lock while it copies the few frames written since
// the last PASSIVE) makes the next writer start the WAL from the beginning, so it stays bounded.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

export interface CheckpointThreadData {
  dbFile: string;
  /** Restart the WAL once it holds this many frames (pages); PASSIVE checkpoints copy frames on every tick. */
  thresholdFrames: number;
  /** RESTART only when at most this many frames are left to copy (a short hold of the write lock). */
  restartAtFrames: number;
  intervalMs: number;
}

const port = parentPort;
if (!port) throw new Error('checkpoint-thread.js runs as a worker thread of the agent.');
const data = workerData as CheckpointThreadData;
const db = new Database(data.dbFile, { fileMustExist: true });
db.pragma('wal_autocheckpoint = 0');
// No waiting: while RESTART waits for the writer of the moment, it keeps every other writer out (the inbox's commits
// too). When it cannot start at once, the next tick tries again.
db.pragma('busy_timeout = 0');

type Result = { busy: number; log: number; checkpointed: number };
const checkpoint = (mode: 'PASSIVE' | 'RESTART'): Result => (db.pragma(`wal_checkpoint(${mode})`) as Result[])[0]!;

const timer = setInterval(() => {
  try {
    let passive = checkpoint('PASSIVE');
    // Copy what the writers appended meanwhile until little is left: RESTART holds the write lock (and with it the
    // inbox's commits, which the alerts' answers wait for) while it copies that rest and syncs the file.
    for (let i = 0; i < 4 && passive.log - passive.checkpointed > data.restartAtFrames; i++) passive = checkpoint('PASSIVE');
    if (passive.log < data.thresholdFrames || passive.log - passive.checkpointed > data.restartAtFrames) return;
    checkpoint('RESTART'); // busy when a reader or the writer kept it waiting past busy_timeout: next tick
  } catch (err) {
    port.postMessage({ type: 'error', message: (err as Error).message });
  }
}, data.intervalMs);

port.on('message', (m: { type: string }) => {
  if (m.type !== 'close') return;
  clearInterval(timer);
  db.close();
  port.close();
});
