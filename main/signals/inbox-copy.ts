// The main thread's half of the inbox: copies alerts the listener has made durable in inbox.db into `signals`
// (viewzenix.db), where the worker, the API and the UI find them. Rows are copied in arrival order, and the copy and
// its mark are one commit (SignalRepo.ingest), so an alert is copied once however often this runs. The listener
// may delete a copied row from inbox.db only once the copy is on disk too: releasable() syncs this database first.
import type { InboxReader } from '../store/inbox-db.js';
import type { SignalRepo } from '../store/signals.js';
import type { Logger } from '../log.js';

/** Rows per copy transaction: a long flood is copied in short commits that let the pipeline's writes through. */
const CHUNK = 500;

export class InboxCopier {
  private copied: number;
  private released: number;
  private releasing = false;

  constructor(
    private readonly reader: InboxReader,
    private readonly signals: SignalRepo,
    private readonly log: Logger,
  ) {
    this.copied = signals.copiedSeq(reader.epoch);
    this.released = this.copied;
  }

  /** Copies every row after the last copied one up to `upToSeq` (rows the writer reported durable). */
  copy(upToSeq: number): number {
    let n = 0;
    while (this.copied < upToSeq) {
      const rows = this.reader.rows(this.copied, upToSeq, CHUNK);
      if (rows.length === 0) break;
      const skipped = this.signals.ingest(this.reader.epoch, rows);
      if (skipped.length > 0) this.log.warn({ signalIds: skipped }, 'alerts already stored under the same id or dedupe key were not copied again');
      this.copied = rows[rows.length - 1]!.seq;
      n += rows.length;
    }
    return n;
  }

  /**
   * Copies up to the alert `id`, which its client was answered for: it and every row before it are on disk (a
   * sync covers every commit made before it started), even when the writer's report has not arrived yet.
   */
  copyAnswered(id: string): number {
    const seq = this.reader.seqOf(id);
    return seq === undefined ? 0 : this.copy(seq);
  }

  /** Makes everything in inbox.db durable (a writer may have stopped before its last sync) and copies it all. */
  copyAllOnDisk(): number {
    this.reader.syncNow();
    return this.copy(Number.MAX_SAFE_INTEGER);
  }

  /**
   * The seq up to which copies are on disk, after syncing viewzenix.db's WAL off the event loop; undefined when
   * nothing new was copied since the last call (or a call is still syncing). The inbox may delete rows up to it.
   */
  async releasable(): Promise<number | undefined> {
    if (this.copied === this.released || this.releasing) return undefined;
    const seq = this.copied;
    this.releasing = true;
    try {
      await this.signals.syncCommitted();
      this.released = seq;
      return seq;
    } finally {
      this.releasing = false;
    }
  }
}
