// Checkpoints of the agent's databases (viewzenix.db, written by the order pipeline; inbox.db, written by the webhook
// listener). SQLite's automatic checkpoint runs inside the commit that crosses its threshold, on the thread that
// committed, with two fsyncs: an alert's answer or an order's submission would wait for them. Here, on a thread of
// its own: PASSIVE checkpoints do the copying and syncing without blocking anyone, on every tick; once a WAL is
// large, a RESTART (which holds the write lock while it copies the few frames written since the last PASSIVE) makes
// the next writer start the WAL from the beginning, so it stays bounded.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { walFrames } from './checkpointer.js';

export interface CheckpointThreadData {
  dbFiles: string[];
  /** Checkpointed only when the agent asks (PASSIVE), never on the tick: viewzenix.db, whose writer paces its
   *  checkpoints (checkpoint-pace.ts) and hands the quiet ones here so the pipeline's thread does not wait for them. */
  onRequest?: string[];
  /** Restart the WAL once it holds this many bytes of frames; PASSIVE checkpoints copy frames on every tick. */
  thresholdBytes: number;
  /** RESTART only when at most this many frames are left to copy (a short hold of the write lock). */
  restartAtFrames: number;
  intervalMs: number;
}

/** What the thread tells the agent: its databases are open and its timer runs (`ready`), or a checkpoint failed
 *  (`error`; the next tick tries again). */
export type FromCheckpointThread = { type: 'ready' } | { type: 'error'; message: string } | { type: 'checkpointed'; file: string };
/** What the agent tells the thread: close, or checkpoint one of the `onRequest` files now. */
export type ToCheckpointThread = { type: 'close' } | { type: 'checkpoint'; file: string };

const port = parentPort;
if (!port) throw new Error('checkpoint-thread.js runs as a worker thread of the agent.');
const data = workerData as CheckpointThreadData;
const open = (file: string): Database.Database => {
  try {
    const db = new Database(file, { fileMustExist: true });
    db.pragma('wal_autocheckpoint = 0');
    // No waiting: while RESTART waits for the writer of the moment, it keeps every other writer out. When it cannot
    // start at once, the next tick tries again.
    db.pragma('busy_timeout = 0');
    return db;
  } catch (err) {
    // Thrown again as a plain Error: SQLite's own error class reaches the agent as a bare { code }, its message lost.
    throw new Error(`cannot open ${file}: ${(err as Error).message}`, { cause: err });
  }
};
/** Each file with its restart threshold in frames (one page each: the file's page size decides). */
const dbs = data.dbFiles.map((file) => {
  const db = open(file);
  return { db, thresholdFrames: walFrames(data.thresholdBytes, db.pragma('page_size', { simple: true }) as number) };
});
const onRequest = new Map((data.onRequest ?? []).map((file) => [file, open(file)]));

type Result = { busy: number; log: number; checkpointed: number };

function tick({ db, thresholdFrames }: { db: Database.Database; thresholdFrames: number }): void {
  const checkpoint = (mode: 'PASSIVE' | 'RESTART'): Result => (db.pragma(`wal_checkpoint(${mode})`) as Result[])[0]!;
  try {
    let passive = checkpoint('PASSIVE');
    // Copy what the writers appended meanwhile until little is left: RESTART holds the write lock (and with it the
    // inbox's commits, which the alerts' answers wait for) while it copies that rest and syncs the file.
    for (let i = 0; i < 4 && passive.log - passive.checkpointed > data.restartAtFrames; i++) passive = checkpoint('PASSIVE');
    if (passive.log < thresholdFrames || passive.log - passive.checkpointed > data.restartAtFrames) return;
    checkpoint('RESTART'); // busy when a reader or the writer kept it waiting past busy_timeout: next tick
  } catch (err) {
    port!.postMessage({ type: 'error', message: `${db.name}: ${(err as Error).message}` } satisfies FromCheckpointThread);
  }
}

const timer = setInterval(() => {
  for (const d of dbs) tick(d);
}, data.intervalMs);

port.on('message', (m: ToCheckpointThread) => {
  if (m.type === 'checkpoint') {
    const db = onRequest.get(m.file);
    if (!db) return;
    try {
      db.pragma('wal_checkpoint(PASSIVE)');
    } catch (err) {
      port.postMessage({ type: 'error', message: `${db.name}: ${(err as Error).message}` } satisfies FromCheckpointThread);
    }
    port.postMessage({ type: 'checkpointed', file: m.file } satisfies FromCheckpointThread);
    return;
  }
  if (m.type !== 'close') return;
  clearInterval(timer);
  for (const db of [...dbs.map((d) => d.db), ...onRequest.values()]) db.close();
  port.close();
});
port.postMessage({ type: 'ready' } satisfies FromCheckpointThread);
