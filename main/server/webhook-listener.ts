// Starts the webhook listener: in its own thread (main/server/webhook-thread.ts) when the built thread entry is
// there, else (running from TypeScript sources, e.g. unit tests, or VIEWZENIX_WEBHOOK_THREAD=0) on this thread.
// Either way the contract is the same: an alert is on disk before its 202, and the worker is woken only for rows
// that are on disk.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../log.js';
import type { StrategyRepo } from '../store/strategies.js';
import type { SignalRepo } from '../store/signals.js';
import { yieldWritesTo, type Db } from '../store/db.js';
import { WriteGate } from '../store/write-gate.js';
import { startCheckpointer } from '../store/checkpointer.js';
import { Inbox } from '../signals/inbox.js';
import { latencyTracing, traceIntake, traceReceivedAt } from '../latency-trace.js';
import { createWebhookServer, listen, closeServer, type WebhookStats } from './webhook.js';
import { sharedWebhookStats, STATS_BYTES, type ThreadData, type ToMain, type ToThread } from './webhook-thread-protocol.js';

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
  /** Stops accepting alerts; resolves once everything received is committed, on disk and answered. */
  close(): Promise<void>;
}

export interface WebhookListenerOptions {
  dbFile: string;
  /** The main thread's connection: its writes let the thread's inbox commits go first. */
  db: Db;
  host: string;
  port: number;
  strategies: StrategyRepo;
  signals: SignalRepo;
  log: Logger;
  /** New inbox rows are on disk: wake the worker. */
  onDurable: () => void;
  /** Default: a thread when the built entry exists and VIEWZENIX_WEBHOOK_THREAD is not "0". */
  thread?: boolean;
  /** The thread's compiled entry (default: webhook-thread.js beside this module; tests running from sources
   *  point at the build). */
  threadEntry?: string;
  bodyLimit?: number;
  dedupeWindowMs?: number;
}

const THREAD_ENTRY = fileURLToPath(new URL('./webhook-thread.js', import.meta.url));

export async function startWebhookListener(o: WebhookListenerOptions): Promise<WebhookListener> {
  const wanted = o.thread ?? (process.env.VIEWZENIX_WEBHOOK_THREAD !== '0' && fs.existsSync(o.threadEntry ?? THREAD_ENTRY));
  if (wanted) {
    try {
      return await startThread(o);
    } catch (err) {
      if ((err as ListenError).listenError) throw err; // the port is taken or not allowed: same answer either way
      o.log.warn({ err }, 'the webhook thread could not start; the webhook listener runs on the main thread');
    }
  }
  return startInProcess(o);
}

async function startInProcess(o: WebhookListenerOptions): Promise<WebhookListener> {
  o.signals.writeInboxHere();
  yieldWritesTo(o.db, undefined);
  const inbox = new Inbox(o.signals, o.log, { observe: latencyTracing ? (commitWait, syncWait) => traceIntake([commitWait], [syncWait]) : undefined });
  inbox.onCommitted = () => o.onDurable();
  const webhook = createWebhookServer({ strategies: o.strategies, inbox, log: o.log, bodyLimit: o.bodyLimit, dedupeWindowMs: o.dedupeWindowMs });
  const port = await listen(webhook.server, o.port, o.host);
  return {
    port,
    mode: 'in-process',
    stats: webhook.stats,
    restarts: 0,
    invalidate: () => webhook.invalidate(),
    close: async () => {
      await closeServer(webhook.server);
      inbox.close();
    },
  };
}

interface ListenError extends Error {
  listenError?: true;
  code?: string;
}

function startThread(o: WebhookListenerOptions): Promise<WebhookListener> {
  const statsBuffer = new SharedArrayBuffer(STATS_BYTES);
  const stats = sharedWebhookStats(statsBuffer);
  // From here on the inbox is written by the thread's connection: the worker sees rows the thread reports durable,
  // and this thread's writes let the inbox's commits go first.
  o.signals.followExternalInbox();
  const gate = new WriteGate();
  yieldWritesTo(o.db, gate);
  const checkpointer = startCheckpointer(o.db, (err) => o.log.warn({ err }, 'background checkpoint'));
  let boundPort = o.port;
  let stopping = false;
  let restarts = 0;
  let closed: Promise<void> | undefined;
  /** The thread listening now (none between a crash and its restart). */
  let live: Worker | undefined;
  let restartTimer: NodeJS.Timeout | undefined;
  let restarting: Promise<void> | undefined;

  const onMessage = (m: ToMain): void => {
    if (m.type === 'durable') {
      o.signals.advanceDurable(m.seq);
      if (m.received.length > 0) traceReceivedAt(m.received);
      o.onDurable();
    } else if (m.type === 'log') forwardLog(o.log, m.line);
    else if (m.type === 'intake-stages') traceIntake(m.commitWait, m.syncWait);
  };

  const spawn = (port: number): Promise<Worker> =>
    new Promise((resolve, reject) => {
      const data: ThreadData = { dbFile: o.dbFile, host: o.host, port, logLevel: o.log.level, stats: statsBuffer, gate: gate.buffer, bodyLimit: o.bodyLimit, dedupeWindowMs: o.dedupeWindowMs };
      const w = new Worker(o.threadEntry ?? THREAD_ENTRY, { workerData: data, name: 'webhook' });
      let started = false;
      w.on('message', (m: ToMain) => {
        if (m.type === 'listening') {
          started = true;
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
        gate.reset(); // a claim it held when it ended would make every write here wait
        if (!started) return reject(new Error(`the webhook thread exited (code ${code}) before listening`));
        if (stopping) return;
        // Alerts it committed but could not report are committed: hand them to the worker, and listen again.
        // A thread that keeps failing is restarted less and less often (0.2 s, 0.4 s … at most every 10 s).
        const delay = Math.min(10_000, 200 * 2 ** restarts++);
        o.log.error({ code, restartInMs: delay }, 'the webhook thread stopped unexpectedly; restarting it');
        o.signals.followExternalInbox();
        o.onDurable();
        restartTimer = setTimeout(() => {
          restartTimer = undefined;
          if (stopping) return;
          restarting = spawn(boundPort).then(
            () => undefined,
            (err: unknown) => o.log.fatal({ err }, 'the webhook listener could not be restarted: alerts are not received'),
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
      close: () => {
        stopping = true;
        closed ??= (async () => {
          // Between a crash and its restart there is no thread to close; a restart under way is let finish first.
          if (restartTimer) clearTimeout(restartTimer);
          await restarting;
          const w = live;
          if (w) {
            await new Promise<void>((resolve) => {
              w.once('exit', () => resolve());
              w.postMessage({ type: 'close' } satisfies ToThread);
            });
          }
          yieldWritesTo(o.db, undefined);
          await checkpointer?.close();
        })();
        return closed;
      },
    };
  }, async (err: unknown) => {
    // Not started: nothing writes from another thread, the main connection is on its own again.
    stopping = true;
    yieldWritesTo(o.db, undefined);
    await checkpointer?.close();
    throw err;
  });
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
