// How large viewzenix.db's WAL grows before a commit checkpoints it, following how busy the agent is. The
// checkpoint runs inside the commit that crosses the threshold, on the pipeline's thread, and ends with two
// fsyncs: every alert that arrives meanwhile waits for it. While alerts are few, small checkpoints keep that wait
// short (a 4 MB one held the pipeline for up to ~10 ms; received → adapter p99 at 100 alerts/s was 19–27 ms
// with 4 MB and 11–17 ms with 1 MB). While they are many, large ones keep the number of fsyncs per second down:
// at 1,000 alerts/s a 1 MB threshold meant ~60 checkpoints a second, and the alerts' own WAL syncs waited behind
// their flushes (ack p99 44 ms against 18 ms). See docs/benchmarks.md.
import { AUTOCHECKPOINT_WAL_BYTES, setCheckpointBytes, type Db } from './db.js';

export const QUIET_CHECKPOINT_BYTES = 1024 * 1024;
/** What every connection starts with (openDatabase): 4 MB. */
export const BUSY_CHECKPOINT_BYTES = AUTOCHECKPOINT_WAL_BYTES;

export interface CheckpointPacer {
  /** The threshold in force now. */
  readonly bytes: number;
  stop(): void;
}

/** Checks `busy` every `everyMs` and sets the threshold when it changes; starts quiet. */
export function paceCheckpoints(db: Db, busy: () => boolean, everyMs = 250): CheckpointPacer {
  let bytes = QUIET_CHECKPOINT_BYTES;
  setCheckpointBytes(db, bytes);
  const timer = setInterval(() => {
    const want = busy() ? BUSY_CHECKPOINT_BYTES : QUIET_CHECKPOINT_BYTES;
    if (want === bytes || !db.open) return;
    bytes = want;
    setCheckpointBytes(db, bytes);
  }, everyMs);
  timer.unref();
  return {
    get bytes() {
      return bytes;
    },
    stop: () => clearInterval(timer),
  };
}
