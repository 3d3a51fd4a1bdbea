// Starts checkpoint-thread.ts for the agent's database files (see there why).
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { CheckpointThreadData } from './checkpoint-thread.js';

export interface Checkpointer {
  close(): Promise<void>;
}

/** The WAL is restarted past 8,000 frames (32 MB with 4 KB pages), not at every commit past 1,000 as SQLite's own
 *  checkpoint would: each restart holds the write lock (and the commits waiting for it) for a few milliseconds, so
 *  it should be rare. Frames are copied into the database file a few times a second regardless. */
const THRESHOLD_FRAMES = 8000;
const RESTART_AT_FRAMES = 200;
const INTERVAL_MS = 250;
/** While the thread runs, a writer checkpoints in its own commit only past this many frames: a backstop should the
 *  thread stop. SQLite's default (1,000) puts two fsyncs into a commit every few hundred alerts. */
export const BACKSTOP_FRAMES = 16_000;

/**
 * Moves the checkpoints of `files` to their own thread; their writers set `wal_autocheckpoint = BACKSTOP_FRAMES`.
 * Undefined, and nothing changes, when the compiled thread entry is not there (running from sources).
 */
export function startCheckpointer(files: readonly string[], onError: (err: Error) => void, entry = fileURLToPath(new URL('./checkpoint-thread.js', import.meta.url))): Checkpointer | undefined {
  if (!fs.existsSync(entry)) return undefined;
  const data: CheckpointThreadData = { dbFiles: [...files], thresholdFrames: THRESHOLD_FRAMES, restartAtFrames: RESTART_AT_FRAMES, intervalMs: INTERVAL_MS };
  const worker = new Worker(entry, { workerData: data, name: 'checkpoint' });
  let closing = false;
  worker.on('message', (m: { type: string; message?: string }) => {
    if (m.type === 'error') onError(new Error(`checkpoint failed: ${m.message ?? ''}`));
  });
  worker.on('error', (err) => onError(err));
  worker.on('exit', () => {
    if (!closing) onError(new Error('the checkpoint thread stopped; commits checkpoint past the backstop from now on'));
  });
  return {
    close: () => {
      closing = true;
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.postMessage({ type: 'close' });
      return exited;
    },
  };
}
