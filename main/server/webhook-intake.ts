// The main thread's side of the webhook intake, the same whichever thread listens: inbox.db opened (or set aside
// when damaged) and what it holds copied before the listener starts, committed rows copied into viewzenix.db as the
// writer reports them (InboxCopier), durable reports passed on, copies made durable and their rows released from
// inbox.db, and inbox.db's checkpoint thread.
import crypto from 'node:crypto';
import { openDatabase } from '../store/db.js';
import { MAX_FAILED_STARTS, startCheckpointer } from '../store/checkpointer.js';
import { DEDUPE_KEEP_MS, InboxReader, type CommittedRows, InboxStore, inboxEpoch, openInboxDatabaseOrSetAside } from '../store/inbox-db.js';
import { InboxCopier } from '../signals/inbox-copy.js';
import type { WebhookListenerOptions } from './webhook-listener.js';

/** How often copies are made durable here and their rows released (deleted) from inbox.db. */
const RELEASE_EVERY_MS = 1000;
/** Copies into viewzenix.db at most this often (each is a commit, ~10 pages however few rows it holds). */
const COPY_SPACING_MS = 2;
/** The same during an alert storm, when the worker asks for more. */
const STORM_COPY_SPACING_MS = 50;
/** Rows per copy during an alert storm: enough to keep the worker busy until the next one. */
const STORM_COPY_ROWS = 100;
/** Rows per copy when a backlog is caught up after a storm: the rest follows on the next turn of the event loop. */
const CATCH_UP_ROWS = 500;
/** A failed copy is tried again after this long. */
const RETRY_COPY_MS = 1000;

/** This thread's side of the intake, in both modes. */
export interface Intake {
  /** Copies rows up to `seq` (reported committed by the writer, with some of them) and wakes the worker. */
  copy(seq: number, committed?: CommittedRows): void;
  /** Rows up to `seq` are on disk (reported durable by the writer). */
  durable(seq: number): void;
  untilDurable(signalId: string): Promise<void> | undefined;
  /** Syncs and copies whatever inbox.db holds (after its writer stopped), and wakes the worker. */
  copyAll(): void;
  /**
   * From now on, while `storm` says so, rows are copied only as the worker needs them (`wanted`): the rest waits
   * in inbox.db, on disk, and is copied when the storm has passed.
   */
  followStorm(storm: () => boolean, wanted?: () => boolean): void;
  /** Rows received and not copied into viewzenix.db yet, by status (queued or rejected). */
  notCopied(): Record<string, number>;
  /** From now on, every RELEASE_EVERY_MS, tells `release` how far copies are on disk here. */
  releaseTo(release: (seq: number) => void): void;
  checkpointed: boolean;
  /** Hands a PASSIVE checkpoint of viewzenix.db to the checkpoint thread; false when it cannot take it. */
  checkpointAgentDb(): boolean;
  close(): Promise<void>;
}

/**
 * Prepares inbox.db (created on first use; the keys of alerts received before it existed are carried over, so they
 * stay duplicates), makes what it holds durable and copies it: alerts a previous run received are in signals before
 * the worker starts.
 */
export function openIntake(o: WebhookListenerOptions): Intake {
  const { db: writer, setAside } = openInboxDatabaseOrSetAside(o.inboxFile);
  if (setAside) {
    o.log.error(
      { setAside },
      'inbox.db was damaged: it was moved aside and a new one started. Alerts received in the last moments before the agent stopped may not have been processed: check the strategies\' recent alerts in TradingView.',
    );
  }
  try {
    const store = new InboxStore(writer); // syncs what the file holds
    const lostTail = startAfterLostTail(store, inboxEpoch(writer), o);
    if (lostTail || !store.seeded()) store.seedKeys(o.signals.dedupeKeysSince(new Date(Date.now() - DEDUPE_KEEP_MS).toISOString()));
    store.closeSync();
  } finally {
    writer.close();
  }
  const reader = new InboxReader(openDatabase({ file: o.inboxFile, readonly: true }));
  const copier = new InboxCopier(reader, o.signals, o.log, o.onRejected);
  copier.copyAllOnDisk();
  // Only inbox.db's checkpoints move to their own thread. viewzenix.db keeps SQLite's own, in the pipeline's
  // commits: moved to the thread too, they were fewer and larger, and each one's flush of the database file held
  // the alerts' WAL syncs (sync p99 at 1,000 alerts/s: 35–37 ms, against 11–12 ms).
  // Should the thread stop, inbox.db's own commits checkpoint it past the backstop (setBackstopCheckpoint) meanwhile.
  const checkpointer = startCheckpointer(
    [o.inboxFile],
    {
      onError: (err) => o.log.warn({ err }, 'background checkpoint of inbox.db'),
      onStopped: ({ code, err, restartInMs }) => {
        if (restartInMs !== undefined) {
          o.log.error({ err, code, restartInMs }, "the checkpoint thread stopped unexpectedly; restarting it (meanwhile inbox.db's commits checkpoint it themselves)");
        } else {
          o.log.error({ err, code }, `the checkpoint thread stopped ${MAX_FAILED_STARTS} times in a row before it was ready and is not started again: inbox.db's commits checkpoint it themselves from now on`);
        }
      },
    },
    // viewzenix.db's quiet-time checkpoints are asked for (checkpointAgentDb) and made there too.
    { entry: o.checkpointThreadEntry, onRequest: [o.dbFile] },
  );
  let timer: NodeJS.Timeout | undefined;
  const copied = (n: number): void => {
    if (n > 0) o.onCopied();
  };
  // A copy that fails (the agent database busy or refusing a write) loses nothing: the rows stay in inbox.db and
  // are copied by the next attempt, a second later at the latest. It must not end the agent either.
  let retry: NodeJS.Timeout | undefined;
  const guarded = (copy: () => number): number => {
    try {
      return copy();
    } catch (err) {
      o.log.error({ err }, 'could not copy received alerts into the agent database; trying again in a second');
      retry ??= setTimeout(() => {
        retry = undefined;
        copied(guarded(copy));
        if (copier.copiedSeq < target) schedule(false);
      }, RETRY_COPY_MS);
      return 0;
    }
  };
  // Copies are spaced at least COPY_SPACING_MS apart: one alert at a time is copied at once, while a flood's
  // reports (one per sync, every millisecond or so) are gathered into fewer, larger commits.
  // During an alert storm nothing is copied ahead of the worker. The worker gives way to the listener then and
  // takes few alerts; copying the whole flood as it arrives cost this thread a third of a core on two cores, taken
  // from the listener, for rows that would only wait in viewzenix.db instead of in inbox.db. The rows are on disk
  // either way, and the status counts them (notCopied).
  let target = 0;
  let lastCopy = 0;
  let pending: NodeJS.Timeout | undefined;
  let storm: () => boolean = () => false;
  let wanted: () => boolean = () => true;
  const copyNow = (): void => {
    pending = undefined;
    lastCopy = performance.now();
    const inStorm = storm();
    if (!inStorm || wanted()) copied(guarded(() => copier.copy(target, inStorm ? STORM_COPY_ROWS : CATCH_UP_ROWS))); // a retry copies up to the latest reported row
    // The rest in steps, with pending I/O (requests to the control API, the worker's) run between them.
    if (copier.copiedSeq < target && !retry) schedule(false);
  };
  const schedule = (atOnce: boolean): void => {
    if (pending) return;
    // In a storm copies wait longer, so each commit carries more rows and this thread spends its time on them
    // rather than on commits.
    const wait = lastCopy + (storm() ? STORM_COPY_SPACING_MS : COPY_SPACING_MS) - performance.now();
    if (wait <= 0 && atOnce) copyNow();
    else pending = setTimeout(copyNow, Math.max(0, wait));
  };
  const copyUpTo = (seq: number): void => {
    target = Math.max(target, seq);
    if (copier.copiedSeq < target) schedule(true);
  };
  const countGuarded = (count: () => Record<string, number>): Record<string, number> => {
    try {
      return count();
    } catch (err) {
      o.log.warn({ err }, 'could not count the alerts waiting in inbox.db');
      return {};
    }
  };
  o.signals.copyLate = (id) => copied(guarded(() => copier.copyAnswered(id)));
  // The alerts list reads what waits in inbox.db rather than copying it first: a read takes no commit and leaves the
  // storm's copies as the worker paces them (a list polled every few seconds would otherwise copy the whole flood).
  o.signals.notCopied = function* (filter) {
    try {
      yield* reader.newestAfter(copier.copiedSeq, filter);
    } catch (err) {
      o.log.warn({ err }, 'could not read the alerts waiting in inbox.db; the alerts list shows the copied ones only');
    }
  };
  return {
    checkpointed: checkpointer !== undefined,
    checkpointAgentDb: () => checkpointer?.request(o.dbFile) ?? false,
    copy: (seq, committed) => {
      if (committed) copier.offer(committed);
      copyUpTo(seq);
    },
    durable: (seq) => {
      copier.markDurable(seq);
      if (seq > target) copyUpTo(seq); // a report of the commit that did not arrive (or failed) is not waited for
    },
    untilDurable: (id) => copier.untilDurable(id),
    copyAll: () => {
      clearTimeout(pending);
      target = 0;
      pending = undefined;
      copied(guarded(() => copier.copyAllOnDisk()));
    },
    followStorm(s, w) {
      storm = s;
      if (w) wanted = w;
    },
    notCopied: () => countGuarded(() => reader.countAfter(copier.copiedSeq)),
    releaseTo(release) {
      clearInterval(timer);
      timer = setInterval(() => {
        copier.releasable().then(
          (seq) => {
            if (seq !== undefined) release(seq);
          },
          (err: unknown) => o.log.warn({ err }, 'could not sync the database; copied alerts stay in inbox.db for now'),
        );
      }, RELEASE_EVERY_MS);
      timer.unref();
    },
    close: async () => {
      clearInterval(timer);
      clearTimeout(retry);
      clearTimeout(pending);
      pending = undefined;
      guarded(() => copier.copy(target)); // what was reported is copied before the worker stops (a storm's rows too)
      o.signals.copyLate = () => {};
      o.signals.notCopied = () => [];
      o.signals.closeSync();
      reader.close();
      await checkpointer?.close();
    },
  };
}

/**
 * Rows are copied as soon as they are committed, before their sync. Should the power go in between, inbox.db comes
 * back without them while viewzenix.db may have kept their copies (none of them was answered or sent to a broker).
 * New rows would then take those seqs again and pass for copied. The file is named anew instead (a new epoch, its
 * remaining rows counted as copied), and the dedupe keys are taken over again, so a re-send of a lost alert is a
 * duplicate of its copy. True when that happened.
 */
function startAfterLostTail(store: InboxStore, epoch: string, o: WebhookListenerOptions): boolean {
  const copied = o.signals.copiedSeq(epoch);
  const newest = store.newestSeq();
  if (copied <= newest) return false;
  const renamed = crypto.randomUUID();
  o.signals.markCopied(renamed, newest); // first: a crash before the rename leaves the old name, found again here
  store.setEpoch(renamed);
  o.log.warn({ copied, newest }, 'inbox.db lost its last alerts after they were copied (a power loss before their sync); it continues under a new name');
  return true;
}
