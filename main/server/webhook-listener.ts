// Starts the webhook listener: in its own thread (main/server/webhook-thread.ts) when the built thread entry is
// there, else (running from TypeScript sources, e.g. unit tests, or VIEWZENIX_WEBHOOK_THREAD=0) on this thread.
// Either way the contract is the same: an alert is in inbox.db and on disk before its 202; this thread copies it
// into viewzenix.db (InboxCopier) as soon as it is committed and wakes the worker, which plans it while the sync
// runs and sends nothing to a broker before the alert is on disk (untilDurable); the listener deletes copied rows
// once the copy is on disk too.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../log.js';
import type { StrategyRepo } from '../store/strategies.js';
import type { SignalRepo } from '../store/signals.js';
import { openDatabase } from '../store/db.js';
import { BACKSTOP_FRAMES, MAX_FAILED_STARTS, startCheckpointer } from '../store/checkpointer.js';
import { DEDUPE_KEEP_MS, InboxReader, type CommittedRows, type InboxRow, InboxStore, inboxEpoch, openInboxDatabase, openInboxDatabaseOrSetAside } from '../store/inbox-db.js';
import { Inbox, pruneInbox } from '../signals/inbox.js';
import { InboxCopier } from '../signals/inbox-copy.js';
import { latencyTracing, traceIntake, traceReceivedAt } from '../latency-trace.js';
import { createWebhookServer, listen, closeServer, DEFAULT_DEDUPE_WINDOW_MS, type WebhookStats } from './webhook.js';
import { sharedWebhookStats, STATS_BYTES, type ThreadData, type ToMain, type ToThread } from './webhook-thread-protocol.js';
import { finishesWithin } from '../time-limit.js';

export interface WebhookListener {
  port: number;
  mode: 'thread' | 'in-process';
  stats: WebhookStats;
  /** How many times the thread was restarted after it stopped unexpectedly. */
  readonly restarts: number;
  /** Ends the thread as a crash would (tests of the restart); in-process: undefined. */
  terminateThread?: () => Promise<void>;
  /** Strategies changed: forget cached webhook lookups. */
  invalidate(): void;
  /** An alert storm: requests arriving faster than ALERT_STORM_PER_MS (over the last 20 ms or more). */
  storm(): boolean;
  /** Resolves once the alert `signalId` is on disk in inbox.db; undefined when it is already (InboxCopier). */
  untilDurable(signalId: string): Promise<void> | undefined;
  /** Stops accepting alerts; resolves once everything received is committed, on disk and answered. */
  close(): Promise<void>;
}

export interface WebhookListenerOptions {
  /** viewzenix.db (the thread reads strategies from it). */
  dbFile: string;
  /** inbox.db: the listener is its only writer. */
  inboxFile: string;
  host: string;
  port: number;
  strategies: StrategyRepo;
  signals: SignalRepo;
  log: Logger;
  /** New alerts were copied into signals: wake the worker. */
  onCopied: () => void;
  /** Alerts the listener rejected (stored with their code) were copied into signals, once each: tell the UI. */
  onRejected?: (rows: readonly InboxRow[]) => void;
  /** Default: a thread when the built entry exists and VIEWZENIX_WEBHOOK_THREAD is not "0". */
  thread?: boolean;
  /** The thread's compiled entry (default: webhook-thread.js beside this module; tests running from sources
   *  point at the build). */
  threadEntry?: string;
  /** The checkpoint thread's compiled entry (default: store/checkpoint-thread.js beside the checkpointer). */
  checkpointThreadEntry?: string;
  bodyLimit?: number;
  dedupeWindowMs?: number;
}

const THREAD_ENTRY = fileURLToPath(new URL('./webhook-thread.js', import.meta.url));

/** How often copies are made durable here and their rows released (deleted) from inbox.db. */
const RELEASE_EVERY_MS = 1000;
/** Copies into viewzenix.db at most this often (each is a commit, ~10 pages however few rows it holds). */
const COPY_SPACING_MS = 2;
/** The same during an alert storm. */
const STORM_COPY_SPACING_MS = 50;
/** Requests per millisecond above which the listener is in an alert storm (1,000 alerts/s): the worker and the
 *  copies into viewzenix.db give way to it. */
const ALERT_STORM_PER_MS = 1;
/** A failed copy is tried again after this long. */
const RETRY_COPY_MS = 1000;
/** How long closing waits for the webhook thread to exit once asked (it finishes what it received; its server ends
 *  connections still open after 2 s), and for a restart under way to listen. A thread that has not by then is
 *  ended: what it committed is in inbox.db and copied as after a crash. */
const THREAD_CLOSE_MS = 4_000;

export async function startWebhookListener(o: WebhookListenerOptions): Promise<WebhookListener> {
  const wanted = o.thread ?? (process.env.VIEWZENIX_WEBHOOK_THREAD !== '0' && fs.existsSync(o.threadEntry ?? THREAD_ENTRY));
  const intake = openIntake(o);
  if (wanted) {
    try {
      return await startThread(o, intake);
    } catch (err) {
      if ((err as ListenError).listenError) {
        await intake.close();
        throw err; // the port is taken or not allowed: same answer either way
      }
      o.log.warn({ err }, 'the webhook thread could not start; the webhook listener runs on the main thread');
    }
  }
  try {
    return await startInProcess(o, intake);
  } catch (err) {
    await intake.close();
    throw err;
  }
}

/** This thread's side of the intake, in both modes. */
interface Intake {
  /** Copies rows up to `seq` (reported committed by the writer, with some of them) and wakes the worker. */
  copy(seq: number, committed?: CommittedRows): void;
  /** Rows up to `seq` are on disk (reported durable by the writer). */
  durable(seq: number): void;
  untilDurable(signalId: string): Promise<void> | undefined;
  /** Syncs and copies whatever inbox.db holds (after its writer stopped), and wakes the worker. */
  copyAll(): void;
  /** From now on, copies are spaced out while `storm` says so. */
  followStorm(storm: () => boolean): void;
  /** From now on, every RELEASE_EVERY_MS, tells `release` how far copies are on disk here. */
  releaseTo(release: (seq: number) => void): void;
  checkpointed: boolean;
  close(): Promise<void>;
}

/**
 * Prepares inbox.db (created on first use; the keys of alerts received before it existed are carried over, so they
 * stay duplicates), makes what it holds durable and copies it: alerts a previous run received are in signals before
 * the worker starts.
 */
function openIntake(o: WebhookListenerOptions): Intake {
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
  // Should the thread stop, inbox.db's own commits checkpoint it past the backstop (BACKSTOP_FRAMES) meanwhile.
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
    { entry: o.checkpointThreadEntry },
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
      }, RETRY_COPY_MS);
      return 0;
    }
  };
  // Copies are spaced at least COPY_SPACING_MS apart: one alert at a time is copied at once, while a flood's
  // reports (one per sync, every millisecond or so) are gathered into fewer, larger commits.
  let target = 0;
  let lastCopy = 0;
  let pending: NodeJS.Timeout | undefined;
  let storm: () => boolean = () => false;
  const copyNow = (): void => {
    pending = undefined;
    lastCopy = performance.now();
    copied(guarded(() => copier.copy(target))); // a retry copies up to the latest reported row
  };
  const copyUpTo = (seq: number): void => {
    target = Math.max(target, seq);
    if (pending) return;
    // In a storm copies wait longer, so each commit carries more rows and this thread spends its time on them
    // rather than on commits.
    const wait = lastCopy + (storm() ? STORM_COPY_SPACING_MS : COPY_SPACING_MS) - performance.now();
    if (wait <= 0) copyNow();
    else pending = setTimeout(copyNow, wait);
  };
  o.signals.copyLate = (id) => copied(guarded(() => copier.copyAnswered(id)));
  return {
    checkpointed: checkpointer !== undefined,
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
      pending = undefined;
      copied(guarded(() => copier.copyAllOnDisk()));
    },
    followStorm(s) {
      storm = s;
    },
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
      if (pending) copyNow(); // what was reported is copied before the worker stops
      o.signals.copyLate = () => {};
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

async function startInProcess(o: WebhookListenerOptions, intake: Intake): Promise<WebhookListener> {
  const db = openInboxDatabase(o.inboxFile);
  if (intake.checkpointed) db.pragma(`wal_autocheckpoint = ${BACKSTOP_FRAMES}`);
  const store = new InboxStore(db);
  const inbox = new Inbox(store, o.log, { observe: latencyTracing ? (commitWait, syncWait) => traceIntake([commitWait], [syncWait]) : undefined });
  inbox.onWritten = () => intake.copy(store.lastCommittedSeq(), store.takeCommitted());
  inbox.onCommitted = () => intake.durable(store.lastDurableSeq());
  const windowMs = o.dedupeWindowMs ?? DEFAULT_DEDUPE_WINDOW_MS;
  intake.releaseTo((seq) => pruneInbox(store, seq, windowMs, o.log));
  const webhook = createWebhookServer({ strategies: o.strategies, inbox, log: o.log, bodyLimit: o.bodyLimit, dedupeWindowMs: o.dedupeWindowMs });
  const storm = stormOf(webhook.stats);
  intake.followStorm(storm);
  let port: number;
  try {
    port = await listen(webhook.server, o.port, o.host);
  } catch (err) {
    inbox.close();
    db.close();
    throw err;
  }
  return {
    port,
    mode: 'in-process',
    stats: webhook.stats,
    restarts: 0,
    invalidate: () => webhook.invalidate(),
    storm,
    untilDurable: intake.untilDurable,
    close: async () => {
      await closeServer(webhook.server);
      inbox.close(); // commits, syncs and answers what was received; copies it (onCommitted)
      db.close();
      await intake.close();
    },
  };
}

interface ListenError extends Error {
  listenError?: true;
  code?: string;
}

function startThread(o: WebhookListenerOptions, intake: Intake): Promise<WebhookListener> {
  const statsBuffer = new SharedArrayBuffer(STATS_BYTES);
  const stats = sharedWebhookStats(statsBuffer);
  const storm = stormOf(stats);
  intake.followStorm(storm);
  let boundPort = o.port;
  let stopping = false;
  let restarts = 0;
  let closed: Promise<void> | undefined;
  /** The thread listening now (none between a crash and its restart): set until its `exit` event. */
  let live: Worker | undefined;
  /** A thread started and not listening yet. */
  let starting: Worker | undefined;
  let restartTimer: NodeJS.Timeout | undefined;
  let restarting: Promise<void> | undefined;

  const onMessage = (m: ToMain): void => {
    if (m.type === 'committed') {
      if (m.received.length > 0) traceReceivedAt(m.received);
      intake.copy(m.seq, m.committed);
    } else if (m.type === 'durable') intake.durable(m.seq);
    else if (m.type === 'log') forwardLog(o.log, m.line);
    else if (m.type === 'intake-stages') traceIntake(m.commitWait, m.syncWait);
  };
  intake.releaseTo((seq) => live?.postMessage({ type: 'release', seq } satisfies ToThread));

  const spawn = (port: number): Promise<Worker> =>
    new Promise((resolve, reject) => {
      const data: ThreadData = {
        dbFile: o.dbFile,
        inboxFile: o.inboxFile,
        checkpointed: intake.checkpointed,
        host: o.host,
        port,
        logLevel: o.log.level,
        stats: statsBuffer,
        bodyLimit: o.bodyLimit,
        dedupeWindowMs: o.dedupeWindowMs,
      };
      const w = new Worker(o.threadEntry ?? THREAD_ENTRY, { workerData: data, name: 'webhook' });
      starting = w;
      let started = false;
      w.on('message', (m: ToMain) => {
        if (m.type === 'listening') {
          started = true;
          if (starting === w) starting = undefined;
          live = w;
          boundPort = m.port;
          resolve(w);
        } else if (m.type === 'listen-error') {
          reject(Object.assign(new Error(m.message), { code: m.code, listenError: true as const }));
        } else onMessage(m);
      });
      w.on('error', (err) => {
        if (!started) reject(err);
        else o.log.error({ err }, 'the webhook thread failed');
      });
      w.on('exit', (code) => {
        if (live === w) live = undefined;
        if (starting === w) starting = undefined;
        if (!started) return reject(new Error(`the webhook thread exited (code ${code}) before listening`));
        // Alerts it committed but could not report (or sync) are in inbox.db: sync and copy them.
        intake.copyAll();
        if (stopping) return;
        // Listen again. A thread that keeps failing is restarted less and less often (0.2 s, 0.4 s … every 10 s).
        const delay = Math.min(10_000, 200 * 2 ** restarts++);
        o.log.error({ code, restartInMs: delay }, 'the webhook thread stopped unexpectedly; restarting it');
        restartTimer = setTimeout(() => {
          restartTimer = undefined;
          if (stopping) return;
          restarting = spawn(boundPort).then(
            () => undefined,
            (err: unknown) => {
              if (!stopping) o.log.fatal({ err }, 'the webhook listener could not be restarted: alerts are not received');
            },
          );
        }, delay);
        restartTimer.unref();
      });
    });

  return spawn(o.port).then(() => {
    return {
      get port() {
        return boundPort;
      },
      mode: 'thread' as const,
      stats,
      get restarts() {
        return restarts;
      },
      terminateThread: async () => {
        await live?.terminate();
      },
      // A thread started later begins with an empty cache.
      invalidate: () => live?.postMessage({ type: 'invalidate' } satisfies ToThread),
      storm,
      untilDurable: intake.untilDurable,
      close: () => {
        stopping = true;
        closed ??= (async () => {
          // Between a crash and its restart there is no thread to close; a restart under way is let finish first
          // (one that does not get to listen in time is ended: it has received nothing).
          if (restartTimer) clearTimeout(restartTimer);
          if (restarting && !(await finishesWithin(restarting, THREAD_CLOSE_MS))) {
            o.log.error({ limitMs: THREAD_CLOSE_MS }, 'the restarted webhook thread did not start listening in time; ending it');
            const w = starting;
            if (w) await finishesWithin(w.terminate(), THREAD_CLOSE_MS);
          }
          // A thread whose exit has come and gone is not `live` any more: that exit is not waited for again.
          const w = live;
          if (w) {
            const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
            w.postMessage({ type: 'close' } satisfies ToThread);
            if (!(await finishesWithin(exited, THREAD_CLOSE_MS))) {
              o.log.error({ limitMs: THREAD_CLOSE_MS }, 'the webhook thread did not stop in time; ending it (the alerts it committed are copied)');
              await finishesWithin(w.terminate(), THREAD_CLOSE_MS);
            }
          }
          await intake.close();
        })();
        return closed;
      },
    };
  });
}

const stormOf = (stats: Pick<WebhookStats, 'received'>): (() => boolean) => {
  const above = arrivalRate(stats);
  return () => above(ALERT_STORM_PER_MS);
};

/** Compares the listener's arrival rate (requests per ms, over windows of at least 20 ms) with a threshold. */
export function arrivalRate(stats: Pick<WebhookStats, 'received'>, clock = () => performance.now()): (perMs: number) => boolean {
  let at = clock();
  let count = stats.received;
  let rate = 0;
  return (perMs) => {
    const now = clock();
    if (now - at >= 20) {
      rate = (stats.received - count) / (now - at);
      at = now;
      count = stats.received;
    }
    return rate > perMs;
  };
}

/** A line the thread's logger wrote, logged again here with its level, fields and message. */
function forwardLog(log: Logger, line: string): void {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return;
  }
  const { level, msg, ...fields } = entry;
  const label = log.levels.labels[Number(level)] ?? 'info';
  const fn = (log as unknown as Record<string, (obj: unknown, msg?: string) => void>)[label];
  fn?.call(log, { ...fields, thread: 'webhook' }, typeof msg === 'string' ? msg : undefined);
}
