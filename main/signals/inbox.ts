// Durable receive with group commit: alerts that arrive together are written in ONE transaction (one fsync,
// synchronous=FULL), and none is answered before its commit. better-sqlite3 is synchronous, so while one
// commit runs, new requests queue up and form the next batch by themselves.
import type { SignalRepo, InboxInsert, InboxInsertResult } from '../store/signals.js';
import type { Logger } from '../log.js';

interface Pending {
  item: InboxInsert;
  resolve: (r: InboxInsertResult) => void;
  reject: (e: Error) => void;
}

export class Inbox {
  private pending: Pending[] = [];
  private scheduled = false;
  private closed = false;
  /** Called after each commit with the stored (non-duplicate, non-rejected) ids, to wake the worker. */
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
        results = this.repo.insertBatch(batch.map((p) => p.item));
      } catch (err) {
        this.log.error({ err, count: batch.length }, 'could not store alerts; answering 503 so TradingView re-sends');
        for (const p of batch) p.reject(err as Error);
        continue;
      }
      batch.forEach((p, i) => p.resolve(results[i]!));
      const stored = results.filter((r, i) => r.outcome === 'stored' && batch[i]!.item.status === 'queued').map((r) => r.id);
      if (stored.length > 0) this.onCommitted(stored);
    }
  }

  /** Stops accepting; pending items are still committed. */
  close(): void {
    this.closed = true;
    if (this.pending.length > 0) this.flush();
  }
}
