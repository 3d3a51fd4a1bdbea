// Starts checkpoint-thread.ts for the agent's database files (see there why), and starts it again should it stop.
// The thread is an optimisation, never a dependency: while it is not running, the writers' own checkpoints (past
// BACKSTOP_BYTES) keep each WAL bounded, and nothing else waits for it. Closing never waits for a thread that is
// gone, nor longer than CLOSE_WAIT_MS for one that is there.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { Worker } from 'node:worker_threads';
import { finishesWithin } from '../time-limit.js';
import type { CheckpointThreadData, FromCheckpointThread, ToCheckpointThread } from './checkpoint-thread.js';

export interface Checkpointer {
  /** Stops the thread (a restart that is due is called off). Resolves once the thread has exited, at once when it
   *  is not running, as soon as it is ended when it was still starting, and after about 2 × CLOSE_WAIT_MS at the
   *  latest (one that does not stop is ended). */
  close(): Promise<void>;
  /**
   * Asks the thread for a PASSIVE checkpoint of `file` (one of the options' `onRequest`). True when the thread
   * takes it, or is still at the one asked before; false when no thread is running and ready (the caller
   * checkpoints itself).
   */
  request(file: string): boolean;
}

export interface CheckpointerEvents {
  /** A checkpoint failed, or the thread had to be ended on close; the thread goes on (the next tick tries again). */
  onError(err: Error): void;
  /**
   * The thread stopped without being asked to (`err`: what it threw). Until a new one runs, the writers checkpoint
   * in their own commits past the backstop. `restartInMs`: when it is started again; undefined: it is not, as it
   * failed MAX_FAILED_STARTS times in a row before it was ready (a broken build, a file it cannot open).
   */
  onStopped(stop: { code: number; err?: Error; restartInMs?: number }): void;
}

export interface CheckpointerOptions {
  /** The compiled thread (default: checkpoint-thread.js beside this module). */
  entry?: string;
  /** How long close() waits for the thread to finish before it ends it (tests shorten it). */
  closeWaitMs?: number;
  /** The first restart's delay; it doubles with each stop, up to MAX_RESTART_DELAY_MS (tests shorten it). */
  restartDelayMs?: number;
  /** Files checkpointed only on request(): opened by the thread, never on its tick. */
  onRequest?: readonly string[];
  /** The WAL size past which the thread forces a RESTART (default THRESHOLD_BYTES; tests lower it). */
  thresholdBytes?: number;
}

/**
 * A RESTART holds the write lock while it copies the frames written since the last PASSIVE checkpoint and syncs the
 * database file: one commit of the file system's journal, 2–70 ms on this project's test machines, longest during
 * an alert storm (the pipeline's syncs share the journal), and every alert arriving meanwhile waits for its commit.
 * So the thread does not restart the WAL while alerts keep coming: once a PASSIVE has copied every frame, the
 * writer's next commit starts the WAL from the beginning by itself, holding nothing, and that happens at the first
 * pause of a storm (the next PASSIVE, within a quarter of a second, must find no new frame). A RESTART is forced only past 128 MB of frames
 * (131,072 with inbox.db's 1 KB pages): a storm of about 20 s at 1,000 alerts/s (an alert makes about 7 frames: its
 * row, its dedupe key, their deletion once copied), 30 s when they are not copied (a broker that holds the worker).
 * At 32 MB, two RESTARTs in every 10 s of such a storm held 20–70 ms each (docs/benchmarks.md).
 */
const THRESHOLD_BYTES = 128 * 1024 * 1024;
const RESTART_AT_FRAMES = 200;
const INTERVAL_MS = 250;
/** While the thread runs, a writer checkpoints in its own commit only past this much WAL: a backstop should the
 *  thread stop. SQLite's default (1,000 frames) puts two fsyncs into a commit every few hundred alerts. */
const BACKSTOP_BYTES = 2 * THRESHOLD_BYTES;

/** WAL frames (one page each) that hold `bytes` of a database of `pageSize`-byte pages. */
export function walFrames(bytes: number, pageSize: number): number {
  return Math.ceil(bytes / pageSize);
}

/** The thread's restart threshold, in frames, for a database of `pageSize`-byte pages. */
export function restartFrames(pageSize: number): number {
  return walFrames(THRESHOLD_BYTES, pageSize);
}

/**
 * Sets the backstop on a writer's connection of a file the thread checkpoints (`wal_autocheckpoint`, in frames). The
 * WAL file keeps the size its largest storm gave it (at most a little over THRESHOLD_BYTES while the thread runs):
 * cut back (`journal_size_limit`), it was cut in the first commit after it started over, and that commit, an alert's,
 * waited for the file system to free the blocks (175 ms more for a WAL of 128 MB, docs/benchmarks.md); and the next
 * storm's syncs would allocate them again.
 */
export function setBackstopCheckpoint(db: { pragma(source: string, options?: { simple: boolean }): unknown }): void {
  db.pragma(`wal_autocheckpoint = ${walFrames(BACKSTOP_BYTES, db.pragma('page_size', { simple: true }) as number)}`);
}

/** The thread answers a close between two ticks (each a few milliseconds); one that has not exited by then is
 *  ended. SQLite makes an interrupted checkpoint harmless: the next one starts over. */
const CLOSE_WAIT_MS = 3_000;
/** A thread that stopped is started again after 0.2 s, 0.4 s … every 10 s at most (as the webhook thread is). */
const FIRST_RESTART_DELAY_MS = 200;
const MAX_RESTART_DELAY_MS = 10_000;
/** A thread that stopped this many times in a row before it was ready is not started again. */
export const MAX_FAILED_STARTS = 5;

const DEFAULT_ENTRY = fileURLToPath(new URL('./checkpoint-thread.js', import.meta.url));

/**
 * Moves the checkpoints of `files` to their own thread; their writers set the backstop (setBackstopCheckpoint).
 * Undefined, and nothing changes, when the compiled thread entry is not there (running from sources).
 */
export function startCheckpointer(files: readonly string[], events: CheckpointerEvents, options: CheckpointerOptions = {}): Checkpointer | undefined {
  const entry = options.entry ?? DEFAULT_ENTRY;
  if (!fs.existsSync(entry)) return undefined;
  const data: CheckpointThreadData = { dbFiles: [...files], onRequest: [...(options.onRequest ?? [])], thresholdBytes: options.thresholdBytes ?? THRESHOLD_BYTES, restartAtFrames: RESTART_AT_FRAMES, intervalMs: INTERVAL_MS };
  const closeWaitMs = options.closeWaitMs ?? CLOSE_WAIT_MS;
  const firstDelayMs = options.restartDelayMs ?? FIRST_RESTART_DELAY_MS;
  let closing = false;
  let closed: Promise<void> | undefined;
  /** The thread now, until its `exit` event: none between a stop and its restart, nor once it is not restarted. */
  let running: Worker | undefined;
  let restartTimer: NodeJS.Timeout | undefined;
  let stops = 0;
  let failedStarts = 0;
  /** The thread that has said it is ready (the running one, or one that has since exited). */
  let ready: Worker | undefined;
  /** Files whose requested checkpoint the thread has not answered yet. */
  const requested = new Set<string>();

  const stopped = (code: number, err: Error | undefined, wasReady: boolean): void => {
    if (closing) return;
    failedStarts = wasReady ? 0 : failedStarts + 1;
    if (failedStarts >= MAX_FAILED_STARTS) {
      events.onStopped({ code, err });
      return;
    }
    const restartInMs = Math.min(MAX_RESTART_DELAY_MS, firstDelayMs * 2 ** stops++);
    events.onStopped({ code, err, restartInMs });
    restartTimer = setTimeout(() => {
      restartTimer = undefined;
      if (closing) return;
      try {
        start();
      } catch (startErr) {
        stopped(-1, startErr as Error, false);
      }
    }, restartInMs);
    restartTimer.unref(); // nothing to keep the process alive for
  };

  const start = (): void => {
    const worker = new Worker(entry, { workerData: data, name: 'checkpoint' });
    running = worker;
    let thrown: Error | undefined;
    requested.clear();
    worker.on('message', (m: FromCheckpointThread) => {
      if (m.type === 'ready') ready = worker;
      else if (m.type === 'checkpointed') requested.delete(m.file);
      else if (m.type === 'error') events.onError(new Error(`checkpoint failed: ${m.message}`));
    });
    worker.on('error', (err: unknown) => {
      // Its exit follows. What it threw arrives as a copy: only a plain Error keeps its message.
      thrown = err instanceof Error ? err : new Error(`the checkpoint thread threw ${inspect(err)}`);
    });
    worker.on('exit', (code) => {
      if (running === worker) running = undefined;
      stopped(code, thrown, ready === worker);
    });
  };

  start();
  return {
    request: (file) => {
      if (!running || ready !== running || closing) return false;
      if (requested.has(file)) return true;
      requested.add(file);
      running.postMessage({ type: 'checkpoint', file } satisfies ToCheckpointThread);
      return true;
    },
    close: () => {
      closed ??= (async () => {
        closing = true;
        clearTimeout(restartTimer);
        // A thread that has exited (its `exit` event fired) is not waited for: that event does not come again.
        const worker = running;
        if (!worker) return;
        // One that has not said it is ready is still starting (the first start, or a restart after a stop): it is
        // ended rather than waited for. Nothing is handed to it before it is ready (request()), a checkpoint cut
        // short is harmless, and starting a thread takes a second or more on a loaded machine: the agent's stop
        // used to wait for all of that start, then for the close.
        if (ready !== worker) {
          await finishesWithin(worker.terminate(), closeWaitMs);
          return;
        }
        const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
        worker.postMessage({ type: 'close' } satisfies ToCheckpointThread);
        if (await finishesWithin(exited, closeWaitMs)) return;
        events.onError(new Error(`the checkpoint thread did not stop within ${closeWaitMs} ms; it was ended`));
        await finishesWithin(worker.terminate(), closeWaitMs);
      })();
      return closed;
    },
  };
}
