// When viewzenix.db's WAL is checkpointed, following how busy the agent is. A checkpoint fsyncs the WAL and the
// database file (3–10 ms here, up to 20 on a slow day); on the pipeline's thread every alert that arrives meanwhile
// waits for it.
// - While alerts are few, a checkpoint starts as soon as 1 MB is waiting, right after a signal is done (its orders
//   are with the broker). It runs on the checkpoint thread (PASSIVE: the pipeline keeps committing meanwhile); only
//   when that thread is not running does the pipeline's thread make it, between alerts. SQLite's own checkpoint,
//   in the commit that crosses its threshold, as often fell inside an alert's own commits before its order was
//   sent: that alert waited the whole checkpoint (received → adapter p99 at 100 alerts/s; docs/benchmarks.md).
// - While they are many, SQLite's own checkpoint runs at 4 MB (openDatabase's threshold): large checkpoints keep the
//   number of fsyncs per second down. At 1,000 alerts/s a 1 MB threshold meant
//   ~60 checkpoints a second, and the alerts' own WAL syncs waited behind their flushes (ack p99 44 ms against
//   18 ms). See docs/benchmarks.md.
// - While quiet, SQLite's own checkpoint (the backstop, in whatever commit crosses it) waits for 16 MB. The quiet-time
//   checkpoints copy the frames back, but a steady flow of alerts (100 a second) leaves no pause long enough for the
//   WAL to start over (a PASSIVE must end with no frame written since it began), so the WAL grows anyway; at the
//   4 MB backstop, the pipeline's thread made the last checkpoint (two fsyncs, 5–15 ms) every 30 alerts or so, inside
//   an alert's commit or ahead of the next alert: received → adapter p99 at 100 alerts/s 17–21 ms, 12–13 ms with
//   16 MB (docs/benchmarks.md).
import { AUTOCHECKPOINT_WAL_BYTES, type Db } from './db.js';

export const QUIET_CHECKPOINT_BYTES = 1024 * 1024;
/** SQLite's own threshold on every connection (openDatabase): 4 MB; the pipeline's while busy. */
export const BUSY_CHECKPOINT_BYTES = AUTOCHECKPOINT_WAL_BYTES;
/** SQLite's own threshold on the pipeline's connection while quiet: a backstop behind the quiet-time checkpoints. */
export const QUIET_BACKSTOP_BYTES = 16 * 1024 * 1024;

export interface CheckpointPacer {
  /** How much WAL waits before a checkpoint now. */
  readonly bytes: number;
  /** A signal was processed to the end: while quiet, checkpoints when QUIET_CHECKPOINT_BYTES are waiting. */
  signalDone(): void;
  stop(): void;
}

/**
 * Checks `busy` every `everyMs`; starts quiet. `elsewhere` hands a quiet-time checkpoint to another thread (the
 * checkpoint thread, webhook-intake.ts) and says whether it took it: the pipeline's thread then only looks at the
 * WAL's size. It makes the checkpoint itself when no thread can.
 */
export function paceCheckpoints(db: Db, busy: () => boolean, everyMs = 250, elsewhere: () => boolean = () => false): CheckpointPacer {
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  let quiet = false;
  const follow = (nowQuiet: boolean): void => {
    if (nowQuiet === quiet) return;
    quiet = nowQuiet;
    if (!db.open) return;
    try {
      db.pragma(`wal_autocheckpoint = ${Math.ceil((quiet ? QUIET_BACKSTOP_BYTES : BUSY_CHECKPOINT_BYTES) / pageSize)}`);
    } catch {
      // Closing: nothing more is written.
    }
  };
  follow(true);
  const timer = setInterval(() => follow(!busy()), everyMs);
  timer.unref();
  return {
    get bytes() {
      return quiet ? QUIET_CHECKPOINT_BYTES : BUSY_CHECKPOINT_BYTES;
    },
    signalDone() {
      if (!quiet || !db.open) return;
      try {
        // NOOP only reads the WAL's state: frames written since its start, and how many of them are copied back.
        const wal = (db.pragma('wal_checkpoint(NOOP)') as { log: number; checkpointed: number }[])[0]!;
        if ((wal.log - wal.checkpointed) * pageSize >= QUIET_CHECKPOINT_BYTES && !elsewhere()) db.pragma('wal_checkpoint(PASSIVE)');
      } catch {
        // The database refused (busy, or closing): the next signal tries again, SQLite's own threshold meanwhile.
      }
    },
    stop: () => clearInterval(timer),
  };
}
