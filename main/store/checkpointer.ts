// Starts checkpoint-thread.ts for a connection whose database another connection also writes (see there why).
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Db } from './db.js';
import type { CheckpointThreadData } from './checkpoint-thread.js';

export interface Checkpointer {
  close(): Promise<void>;
}

/** The WAL is restarted past 8,000 frames (32 MB with 4 KB pages), not at every commit past 1,000 as SQLite's own
 *  checkpoint would: each restart holds the write lock (and the alerts' commits) for a few milliseconds, so it
 *  should be rare. Frames are copied into the database file a few times a second regardless. (At 1,000 alerts/s,
 *  restarting past 16,000 frames gave ack p99 23–30 ms against 34–48 ms past 2,000.) */
const THRESHOLD_FRAMES = 8000;
const RESTART_AT_FRAMES = 200;
const INTERVAL_MS = 250;

/**
 * Moves checkpoints of `db`'s file to their own thread; `db` stops checkpointing in its commits. Undefined (and
 * `db` keeps its automatic checkpoints) when the compiled thread entry is not there (running from sources).
 */
export function startCheckpointer(db: Db, onError: (err: Error) => void, entry = fileURLToPath(new URL('./checkpoint-thread.js', import.meta.url))): Checkpointer | undefined {
  if (!fs.existsSync(entry)) return undefined;
  const data: CheckpointThreadData = { dbFile: db.name, thresholdFrames: THRESHOLD_FRAMES, restartAtFrames: RESTART_AT_FRAMES, intervalMs: INTERVAL_MS };
  const worker = new Worker(entry, { workerData: data, name: 'checkpoint' });
  db.pragma('wal_autocheckpoint = 0');
  let closing = false;
  worker.on('message', (m: { type: string; message?: string }) => {
    if (m.type === 'error') onError(new Error(`checkpoint failed: ${m.message ?? ''}`));
  });
  worker.on('error', (err) => onError(err));
  worker.on('exit', () => {
    // Without the thread, the connection checkpoints in its commits again (a WAL that only grows is worse).
    if (!closing && db.open) db.pragma('wal_autocheckpoint = 1000');
  });
  return {
    close: () => {
      closing = true;
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.postMessage({ type: 'close' });
      if (db.open) db.pragma('wal_autocheckpoint = 1000');
      return exited;
    },
  };
}
