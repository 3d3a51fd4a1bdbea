// Checkpoints for a database written by two connections (the webhook thread's inbox, the main thread's pipeline).
// SQLite's automatic checkpoint runs inside the commit that crosses the threshold, on the thread that committed
// (two fsyncs), and with two writers it never gets to restart the WAL: the other connection appends frames between
// the checkpoint and this connection's next write, so every later commit checkpoints again, each with an fsync.
// Here, on a thread of its own: a PASSIVE checkpoint does the copying and syncing without blocking anyone, then a
// RESTART (which holds the write lock for the few frames written meanwhile) makes the next writer start the WAL
// from the beginning, so it stays small.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

export interface CheckpointThreadData {
  dbFile: string;
  /** Checkpoint once the WAL holds this many frames (pages). */
  thresholdFrames: number;
  intervalMs: number;
}

const port = parentPort;
if (!port) throw new Error('checkpoint-thread.js runs as a worker thread of the agent.');
const data = workerData as CheckpointThreadData;
const db = new Database(data.dbFile, { fileMustExist: true });
db.pragma('wal_autocheckpoint = 0');
// RESTART waits for the writer of the moment and for readers on older snapshots (a few milliseconds at most).
db.pragma('busy_timeout = 200');

type Result = { busy: number; log: number; checkpointed: number };
const checkpoint = (mode: 'PASSIVE' | 'RESTART'): Result => (db.pragma(`wal_checkpoint(${mode})`) as Result[])[0]!;

const timer = setInterval(() => {
  try {
    const passive = checkpoint('PASSIVE');
    if (passive.log < data.thresholdFrames) return;
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
