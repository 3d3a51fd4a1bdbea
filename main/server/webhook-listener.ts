// Starts the webhook listener: in its own thread (main/server/webhook-thread.ts) when the built thread entry is
// there, else (running from TypeScript sources, e.g. unit tests, or VIEWZENIX_WEBHOOK_THREAD=0) on this thread.
// Either way the contract is the same: an alert is in inbox.db and on disk before its 202; this thread copies it
// into viewzenix.db (InboxCopier) as soon as it is committed and wakes the worker, which plans it while the sync
// runs and sends nothing to a broker before the alert is on disk (untilDurable); the listener deletes copied rows
// once the copy is on disk too.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../log.js';
import type { StrategyRepo } from '../store/strategies.js';
import type { SignalRepo } from '../store/signals.js';
import { setBackstopCheckpoint } from '../store/checkpointer.js';
import { type InboxRow, InboxStore, openInboxDatabase } from '../store/inbox-db.js';
import { Inbox, pruneInbox } from '../signals/inbox.js';
import { latencyTracing, traceIntake, traceReceivedAt } from '../latency-trace.js';
import { createWebhookServer, DEFAULT_DEDUPE_WINDOW_MS, type WebhookStats } from './webhook.js';
import { listen, closeServer } from './webhook-http.js';
import { sharedWebhookStats, STATS_BYTES, type ThreadData, type ToMain, type ToThread } from './webhook-thread-protocol.js';
import { finishesWithin } from '../time-limit.js';
import type { ForwardedHeader } from './security.js';
import { openIntake, type Intake } from './webhook-intake.js';

export interface WebhookListener {
  port: number;
  mode: 'thread' | 'in-process';
  stats: WebhookStats;
  /** How many times the thread was restarted after it stopped unexpectedly. */
  readonly restarts: number;
  /** False between a thread's crash and the moment a new one listens (alerts are refused meanwhile). */
  readonly listening: boolean;
  /** Ends the thread as a crash would (tests of the restart); in-process: undefined. */
  terminateThread?: () => Promise<void>;
  /** Strategies changed: forget cached webhook lookups. Resolves once the listener has (its thread answered, or is
   *  gone: a thread started later begins with an empty cache): an alert arriving after that sees the change. */
  invalidate(): Promise<void>;
  /** The tunnel provider changed: believe its forwarded-address header from now on (a restarted thread too). */
  setForwardedHeader(header: ForwardedHeader): void;
  /** An alert storm: requests arriving faster than ALERT_STORM_PER_MS (over the last 20 ms or more). */
  storm(): boolean;
  /** Alerts received and not copied into signals yet (during a storm they wait in inbox.db), by status. */
  notCopied(): Record<string, number>;
  /** Resolves once the alert `signalId` is on disk in inbox.db; undefined when it is already (InboxCopier). */
  untilDurable(signalId: string): Promise<void> | undefined;
  /** Hands a PASSIVE checkpoint of viewzenix.db to the checkpoint thread; false when no thread can take it. */
  checkpointAgentDb(): boolean;
  /** Stops accepting alerts; resolves once everything received is committed, on disk and answered (a thread still
   *  being restarted has received nothing: it is ended at once). */
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
  /** During an alert storm rows are copied into signals only while this says the worker needs more (default: always). */
  workerWants?: () => boolean;
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
  /** The forwarded-address header of the configured tunnel provider (security.ts forwardedHeaderFor). */
  forwardedHeader?: ForwardedHeader;
  /** How long a new thread may take to listen before it is ended (default THREAD_START_MS). */
  threadStartLimitMs?: number;
}

const THREAD_ENTRY = fileURLToPath(new URL('./webhook-thread.js', import.meta.url));

/** Requests per millisecond above which the listener is in an alert storm (500 alerts/s, above what the pipeline
 *  works off on two cores): the worker and the copies into viewzenix.db give way to it (docs/architecture.md). */
const ALERT_STORM_PER_MS = 0.5;
/** How long closing waits for the webhook thread to exit once asked (it finishes what it received; its server ends
 *  connections still open after 2 s). A thread that has not by then is ended: what it committed is in inbox.db and
 *  copied as after a crash. (A restart still starting is ended at once.) */
const THREAD_CLOSE_MS = 4_000;
/** A thread that has not listened this long after it was started is ended: at start-up the listener then runs
 *  on the main thread; after a crash the restart is tried again later. */
const THREAD_START_MS = 10_000;
/** A thread that listened this long before it stopped counts as healthy: the next restart waits the least again. */
const THREAD_HEALTHY_MS = 60_000;

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

async function startInProcess(o: WebhookListenerOptions, intake: Intake): Promise<WebhookListener> {
  const db = openInboxDatabase(o.inboxFile);
  if (intake.checkpointed) setBackstopCheckpoint(db);
  const store = new InboxStore(db);
  const inbox = new Inbox(store, o.log, { observe: latencyTracing ? (commitWait, syncWait) => traceIntake([commitWait], [syncWait]) : undefined });
  inbox.onWritten = () => intake.copy(store.lastCommittedSeq(), store.takeCommitted());
  inbox.onCommitted = () => intake.durable(store.lastDurableSeq());
  const windowMs = o.dedupeWindowMs ?? DEFAULT_DEDUPE_WINDOW_MS;
  intake.releaseTo((seq) => pruneInbox(store, seq, windowMs, o.log));
  const webhook = createWebhookServer({ strategies: o.strategies, inbox, log: o.log, bodyLimit: o.bodyLimit, dedupeWindowMs: o.dedupeWindowMs, forwardedHeader: o.forwardedHeader });
  const storm = stormOf(webhook.stats);
  intake.followStorm(storm, o.workerWants);
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
    get listening() {
      return webhook.server.listening;
    },
    invalidate: () => {
      webhook.invalidate();
      return Promise.resolve();
    },
    setForwardedHeader: (header) => webhook.setForwardedHeader(header),
    storm,
    notCopied: intake.notCopied,
    untilDurable: intake.untilDurable,
    checkpointAgentDb: intake.checkpointAgentDb,
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
  intake.followStorm(storm, o.workerWants);
  let boundPort = o.port;
  let stopping = false;
  let restarts = 0;
  /** Restarts since the last thread that stayed up THREAD_HEALTHY_MS: each waits twice as long (capped). */
  let failures = 0;
  let closed: Promise<void> | undefined;
  /** The thread listening now (none between a crash and its restart): set until its `exit` event. */
  let live: Worker | undefined;
  let liveSince = 0;
  /** A thread started and not listening yet (until its `listening`, or its `exit`). */
  let starting: Worker | undefined;
  let restartTimer: NodeJS.Timeout | undefined;
  const startLimitMs = o.threadStartLimitMs ?? THREAD_START_MS;
  /** The header a thread started now (a restart too) believes. */
  let forwardedHeader = o.forwardedHeader;

  const invalidations = new Acknowledgements(INVALIDATE_WAIT_MS);
  const onMessage = (m: ToMain): void => {
    if (m.type === 'committed') {
      if (m.received.length > 0) traceReceivedAt(m.received);
      intake.copy(m.seq, m.committed);
    } else if (m.type === 'durable') intake.durable(m.seq);
    else if (m.type === 'log') forwardLog(o.log, m.line);
    else if (m.type === 'intake-stages') traceIntake(m.commitWait, m.syncWait);
    else if (m.type === 'invalidated') invalidations.settle(m.n);
  };
  intake.releaseTo((seq) => live?.postMessage({ type: 'release', seq } satisfies ToThread));

  /** Listens again after a crash, and keeps trying (0.2 s, 0.4 s … then every 10 s) until a thread listens: an
   *  agent that cannot receive alerts must not stay that way silently. */
  const restartLater = (): void => {
    if (stopping) return;
    const delay = Math.min(10_000, 200 * 2 ** failures++);
    restartTimer = setTimeout(() => {
      restartTimer = undefined;
      if (stopping) return;
      void spawn(boundPort).then(
        () => {
          o.log.info({ port: boundPort }, 'the webhook listener is receiving alerts again');
        },
        (err: unknown) => {
          if (stopping) return;
          o.log.fatal({ err, port: boundPort }, 'the webhook listener could not be restarted: alerts are not received; trying again');
          restartLater();
        },
      );
    }, delay);
    restartTimer.unref();
  };

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
        forwardedHeader,
      };
      const w = new Worker(o.threadEntry ?? THREAD_ENTRY, { workerData: data, name: 'webhook' });
      starting = w;
      let started = false;
      /** Ended for taking too long: a `listening` that still comes in is too late, and ignored. */
      let timedOut = false;
      const startLimit = setTimeout(() => {
        timedOut = true;
        o.log.error({ limitMs: startLimitMs }, 'the webhook thread did not start listening in time; ending it');
        reject(new Error(`the webhook thread did not start listening within ${startLimitMs} ms`));
        void w.terminate();
      }, startLimitMs);
      startLimit.unref();
      w.on('message', (m: ToMain) => {
        if (m.type === 'listening') {
          if (timedOut) return;
          clearTimeout(startLimit);
          started = true;
          if (starting === w) starting = undefined;
          live = w;
          liveSince = Date.now();
          // The provider changed while this thread was starting with the previous header in its workerData.
          if (forwardedHeader !== undefined && forwardedHeader !== data.forwardedHeader) w.postMessage({ type: 'forwarded-header', header: forwardedHeader } satisfies ToThread);
          boundPort = m.port;
          resolve(w);
        } else if (m.type === 'listen-error') {
          clearTimeout(startLimit);
          reject(Object.assign(new Error(m.message), { code: m.code, listenError: true as const }));
        } else onMessage(m);
      });
      w.on('error', (err) => {
        if (!started) reject(err);
        else o.log.error({ err }, 'the webhook thread failed');
      });
      w.on('exit', (code) => {
        clearTimeout(startLimit);
        invalidations.settleAll(); // its cache is gone with it
        if (live === w) live = undefined;
        if (starting === w) starting = undefined;
        if (!started) return reject(new Error(`the webhook thread exited (code ${code}) before listening`));
        // Alerts it committed but could not report (or sync) are in inbox.db: sync and copy them.
        intake.copyAll();
        if (stopping) return;
        restarts++;
        if (Date.now() - liveSince >= THREAD_HEALTHY_MS) failures = 0;
        o.log.error({ code }, 'the webhook thread stopped unexpectedly; restarting it');
        restartLater();
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
      get listening() {
        return live !== undefined;
      },
      terminateThread: async () => {
        await live?.terminate();
      },
      // A thread started later begins with an empty cache.
      invalidate: () => {
        const w = live;
        if (!w) return Promise.resolve();
        const { n, done } = invalidations.next();
        w.postMessage({ type: 'invalidate', n } satisfies ToThread);
        return done;
      },
      setForwardedHeader: (header: ForwardedHeader) => {
        forwardedHeader = header;
        live?.postMessage({ type: 'forwarded-header', header } satisfies ToThread);
      },
      storm,
      notCopied: intake.notCopied,
      untilDurable: intake.untilDurable,
      checkpointAgentDb: intake.checkpointAgentDb,
      close: () => {
        stopping = true;
        closed ??= (async () => {
          // Between a crash and its restart there is no thread to close. A restart under way is ended rather than
          // waited for, as the stop would undo its start: starting a thread takes a second or more on a loaded
          // machine, and the stop used to wait for that (up to THREAD_CLOSE_MS), then for its close. A thread that
          // has not said it listens has been handed nothing; its `exit` rejects the restart, which is not tried again.
          if (restartTimer) clearTimeout(restartTimer);
          const unready = starting;
          if (unready) {
            o.log.info('the agent stops while the webhook thread is being restarted; ending it');
            await finishesWithin(unready.terminate(), THREAD_CLOSE_MS);
            // Had it begun to listen just now (its `listening` not read here yet), an alert it answered is in
            // inbox.db: copied as after a crash.
            intake.copyAll();
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

/** How long a strategy change waits for the webhook thread's acknowledgement at most (a busy or dying thread). */
const INVALIDATE_WAIT_MS = 2_000;

/** Numbered requests to the thread, each resolved by its answer (or any later one, answered in order), by the
 *  thread's exit, or after `waitMs` at the latest: a caller never waits for ever. */
class Acknowledgements {
  private last = 0;
  private readonly waiting = new Map<number, () => void>();

  constructor(private readonly waitMs: number) {}

  next(): { n: number; done: Promise<void> } {
    const n = ++this.last;
    const done = new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.settle(n), this.waitMs);
      timer.unref();
      this.waiting.set(n, () => {
        clearTimeout(timer);
        resolve();
      });
    });
    return { n, done };
  }

  settle(upTo: number): void {
    for (const [n, resolve] of this.waiting) {
      if (n > upTo) continue;
      this.waiting.delete(n);
      resolve();
    }
  }

  settleAll(): void {
    this.settle(Number.POSITIVE_INFINITY);
  }
}
