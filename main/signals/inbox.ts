// Durable receive with group commit: alerts that arrive together are written in ONE transaction, and none is
// answered before that transaction is on disk. The commit itself does not wait for the disk (synchronous=NORMAL);
// the WAL is then fsynced in libuv's thread pool, so the event loop keeps reading requests meanwhile; batches
// committed while a sync runs share the next one, which may start before the running one ends. An alert is
// acknowledged (and handed to the worker) only after the fsync that covers its commit: the same guarantee as a
// synchronous=FULL commit, power loss included, without blocking the webhook listener for the flush.
import { DEDUPE_KEEP_MS, type InboxStore, type InboxInsert, type InboxInsertResult } from '../store/inbox-db.js';
import type { Logger } from '../log.js';

interface Pending {
  item: InboxInsert;
  resolve: (r: InboxInsertResult) => void;
  reject: (e: Error) => void;
  /** performance.now() when received (only when stages are observed). */
  at?: number;
}

interface Committed {
  batch: Pending[];
  results: InboxInsertResult[];
  committedAt?: number;
}

interface InFlightSync {
  groups: Committed[];
}

export interface InboxOptions {
  /** Alerts per transaction at most. */
  maxBatch?: number;
  /** How long a batch waits for the write lock before its alerts are answered 503. */
  lockWaitMs?: number;
  /** WAL syncs in flight at once. */
  maxSyncs?: number;
  /** Told, for each alert answered, how long it waited for its commit and then for the sync (the benchmark's
   *  breakdown of the acknowledgement; VIEWZENIX_TRACE_LATENCY). */
  observe?: (commitWaitMs: number, syncWaitMs: number) => void;
}

/** fdatasyncs of the WAL allowed at once (libuv's thread pool has four threads). */
const MAX_SYNCS = 2;

/** TradingView cancels a webhook request after this long, and re-sends only an alert answered 5xx before then. */
export const TRADINGVIEW_TIMEOUT_MS = 3000;

/**
 * How long a batch waits for the database write lock before its alerts are answered 503 (TradingView re-sends). Well
 * under TRADINGVIEW_TIMEOUT_MS, with room for the WAL sync and the answer: a 503 that comes after TradingView gave up
 * reaches nobody, and the alert is never re-sent.
 */
export const LOCK_WAIT_MS = 2000;

/** What an alert the inbox could not store is answered with (503: TradingView re-sends it). The inbox logs the cause
 *  once per batch; the webhook route does not log it again for each alert (`alreadyLogged`). */
export class InboxUnavailableError extends Error {
  readonly alreadyLogged = true;
  constructor(cause: unknown) {
    super(`the alert could not be stored: ${(cause as Error | undefined)?.message ?? String(cause)}`, { cause });
  }
}

const isBusy = (err: unknown): boolean => {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
};

export class Inbox {
  private pending: Pending[] = [];
  /** Committed, waiting for the fsync that makes them durable. */
  private unsynced: Committed[] = [];
  private scheduled = false;
  /** Syncs in flight, oldest first. */
  private readonly syncs: InFlightSync[] = [];
  private closed = false;
  /** Called once new rows are committed, before their sync (their alerts are not answered yet), with the ids of
   *  the stored alerts the worker is to process: they may be copied and planned, but not sent to a broker. */
  onWritten: (queuedIds: string[]) => void = () => {};
  /** Called once new rows are durable (rejected ones included, copied for the trader to see). */
  onCommitted: () => void = () => {};

  private readonly maxBatch: number;
  private readonly lockWaitMs: number;
  private readonly maxSyncs: number;
  private readonly observe: InboxOptions['observe'];

  constructor(
    private readonly repo: InboxStore,
    private readonly log: Logger,
    o: InboxOptions = {},
  ) {
    this.maxBatch = o.maxBatch ?? 512;
    this.lockWaitMs = o.lockWaitMs ?? LOCK_WAIT_MS;
    this.maxSyncs = o.maxSyncs ?? MAX_SYNCS;
    this.observe = o.observe;
  }

  receive(item: InboxInsert): Promise<InboxInsertResult> {
    if (this.closed) return Promise.reject(new Error('the inbox is closed'));
    return new Promise((resolve, reject) => {
      this.pending.push({ item, resolve, reject, at: this.observe ? performance.now() : undefined });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const written: string[] = [];
    let any = false;
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.maxBatch);
      let results: InboxInsertResult[];
      try {
        results = this.repo.commitBatch(batch.map((p) => p.item));
      } catch (err) {
        if (isBusy(err) && !this.closed && this.waitForLock()) {
          // Another connection (a checkpoint's RESTART) holds the write lock for a moment: try again very soon,
          // without blocking this thread in SQLite's sleeping busy handler. The batch keeps its place.
          this.pending.unshift(...batch);
          break;
        }
        this.busySince = undefined;
        this.log.error({ err, count: batch.length }, 'could not store alerts; answering 503 so TradingView re-sends');
        for (const p of batch) p.reject(new InboxUnavailableError(err));
        continue;
      }
      this.busySince = undefined;
      this.busyRetries = 0;
      this.unsynced.push({ batch, results, committedAt: this.observe ? performance.now() : undefined });
      batch.forEach((p, i) => {
        if (results[i]!.outcome !== 'stored') return;
        any = true;
        if (p.item.status === 'queued') written.push(results[i]!.id);
      });
    }
    this.startSync(); // first: the sync runs in the thread pool while the rows are reported
    if (any) this.onWritten(written);
  }

  private busySince: number | undefined;
  private busyRetries = 0;

  /** Schedules another flush while the write lock has been busy for less than lockWaitMs; false once it has not. */
  private waitForLock(): boolean {
    const now = Date.now();
    this.busySince ??= now;
    if (now - this.busySince > this.lockWaitMs) return false;
    this.scheduled = true;
    // Such holds last well under a millisecond: the first retries come at once (setImmediate), then every
    // millisecond.
    if (this.busyRetries++ < 20) setImmediate(() => this.flush());
    else setTimeout(() => this.flush(), 1);
    return true;
  }

  /**
   * Starts a sync of everything committed so far, unless `maxSyncs` are already running. Syncs overlap on purpose:
   * an alert committed while a sync is running need not wait for that sync to end before its own starts. Any
   * sync covers every batch committed before it started, so when one ends, it settles its batches and those of
   * every sync started before it.
   */
  private startSync(): void {
    if (this.closed || this.unsynced.length === 0 || this.syncs.length >= this.maxSyncs) return;
    const entry: InFlightSync = { groups: this.unsynced.splice(0) };
    this.syncs.push(entry);
    this.repo.syncCommitted().then(
      () => this.synced(entry),
      (err: unknown) => this.syncFailed(entry, err as Error),
    );
  }

  private synced(entry: InFlightSync): void {
    const i = this.syncs.indexOf(entry);
    // Already settled when a sync started after it ended first.
    if (i >= 0) for (const e of this.syncs.splice(0, i + 1)) this.settle(e.groups);
    this.afterSync();
  }

  private syncFailed(entry: InFlightSync, err: Error): void {
    // The thread-pool sync failed (the WAL file could not be opened or flushed): try the blocking path once;
    // if the disk refuses that too, the alerts are not acknowledged (503) and TradingView re-sends them.
    // They are committed, so a re-send is answered as a duplicate and each is processed once.
    try {
      this.repo.syncCommittedNow();
    } catch (again) {
      this.log.error({ err: again, count: entry.groups.length }, 'could not flush alerts to disk; answering 503 so TradingView re-sends');
      const i = this.syncs.indexOf(entry);
      if (i >= 0) this.settle(this.syncs.splice(i, 1)[0]!.groups, again as Error);
      this.afterSync();
      return;
    }
    this.log.warn({ err }, 'asynchronous WAL sync failed; synced on the event loop instead');
    this.synced(entry);
  }

  private afterSync(): void {
    if (this.closed) {
      if (this.syncs.length === 0) this.repo.closeSync();
      return;
    }
    this.startSync(); // batches committed while the others ran
  }

  private settle(group: Committed[], err?: Error): void {
    let any = false;
    const now = this.observe && !err ? performance.now() : undefined;
    for (const { batch, results, committedAt } of group) {
      batch.forEach((p, i) => {
        if (now !== undefined && p.at !== undefined && committedAt !== undefined) this.observe!(committedAt - p.at, now - committedAt);
        if (err) p.reject(new InboxUnavailableError(err));
        else p.resolve(results[i]!);
        if (results[i]!.outcome === 'stored') any = true;
      });
    }
    if (any) this.onCommitted(); // after a failed sync too: a re-send is answered as their duplicate
  }

  /** Stops accepting; pending items are still committed, synced (blocking) and answered. */
  close(): void {
    this.closed = true;
    if (this.pending.length > 0) this.flush();
    const group = this.unsynced.splice(0);
    if (group.length > 0) {
      try {
        this.repo.syncCommittedNow();
        this.settle(group);
      } catch (err) {
        this.settle(group, err as Error);
      }
    }
    if (this.syncs.length === 0) this.repo.closeSync(); // else the last running sync releases it when it ends
  }
}

/** Deletes copied rows (`seq` is on disk in viewzenix.db) and dedupe entries past their time. */
export function pruneInbox(store: InboxStore, seq: number, windowMs: number, log: Logger, now = Date.now()): void {
  try {
    store.prune({ copiedSeq: seq, windowSince: new Date(now - windowMs).toISOString(), keysSince: new Date(now - DEDUPE_KEEP_MS).toISOString() });
  } catch (err) {
    log.warn({ err }, 'could not prune inbox.db; it is tried again with the next copies');
  }
}
