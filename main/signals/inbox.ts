// Durable receive with group commit: alerts that arrive together are written in ONE transaction, and none is
// answered before that transaction is on disk. The commit itself does not wait for the disk (synchronous=NORMAL);
// the WAL is then fsynced in libuv's thread pool, so the event loop keeps reading requests meanwhile, and all
// batches committed during one fsync share the next one. An alert is acknowledged (and handed to the worker)
// only after the fsync that covers its commit: the same guarantee as a synchronous=FULL commit, power loss
// included, without blocking the webhook listener for the flush.
import type { SignalRepo, InboxInsert, InboxInsertResult } from '../store/signals.js';
import type { Logger } from '../log.js';

interface Pending {
  item: InboxInsert;
  resolve: (r: InboxInsertResult) => void;
  reject: (e: Error) => void;
}

interface Committed {
  batch: Pending[];
  results: InboxInsertResult[];
}

export class Inbox {
  private pending: Pending[] = [];
  /** Committed, waiting for the fsync that makes them durable. */
  private unsynced: Committed[] = [];
  private scheduled = false;
  private syncing = false;
  private closed = false;
  /** Called once the stored (non-duplicate, non-rejected) ids are durable, to wake the worker. */
  onCommitted: (ids: string[]) => void = () => {};

  constructor(
    private readonly repo: SignalRepo,
    private readonly log: Logger,
    private readonly maxBatch = 512,
  ) {}

  receive(item: InboxInsert): Promise<InboxInsertResult> {
    if (this.closed) return Promise.reject(new Error('the inbox is closed'));
    return new Promise((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.maxBatch);
      let results: InboxInsertResult[];
      try {
        results = this.repo.commitBatch(batch.map((p) => p.item));
      } catch (err) {
        this.log.error({ err, count: batch.length }, 'could not store alerts; answering 503 so TradingView re-sends');
        for (const p of batch) p.reject(err as Error);
        continue;
      }
      this.unsynced.push({ batch, results });
    }
    if (!this.closed) void this.syncLoop();
  }

  /** One fsync at a time; whatever was committed while it ran is covered by the next. */
  private async syncLoop(): Promise<void> {
    if (this.syncing) return;
    this.syncing = true;
    try {
      while (this.unsynced.length > 0 && !this.closed) {
        const group = this.unsynced.splice(0);
        try {
          await this.repo.syncCommitted();
        } catch (err) {
          // The thread-pool sync failed (the WAL file could not be opened or flushed): try the blocking path once;
          // if the disk refuses that too, the alerts are not acknowledged (503) and TradingView re-sends them.
          // They are committed, so a re-send is answered as a duplicate and each is processed once.
          try {
            this.repo.syncCommittedNow();
          } catch (again) {
            this.log.error({ err: again, count: group.length }, 'could not flush alerts to disk; answering 503 so TradingView re-sends');
            this.settle(group, again as Error);
            continue;
          }
          this.log.warn({ err }, 'asynchronous WAL sync failed; synced on the event loop instead');
        }
        this.settle(group);
      }
    } finally {
      this.syncing = false;
      if (this.closed) this.repo.closeSync();
    }
  }

  private settle(group: Committed[], err?: Error): void {
    const stored: string[] = [];
    for (const { batch, results } of group) {
      batch.forEach((p, i) => {
        if (err) p.reject(err);
        else p.resolve(results[i]!);
        if (results[i]!.outcome === 'stored' && p.item.status === 'queued') stored.push(results[i]!.id);
      });
    }
    if (stored.length > 0) this.onCommitted(stored);
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
    if (!this.syncing) this.repo.closeSync(); // else the running sync loop releases it when it ends
  }
}
