// The main thread's half of the inbox: copies alerts the listener committed to inbox.db into `signals`
// (viewzenix.db), where the worker, the API and the UI find them. Rows are copied in arrival order, and the copy and
// its mark are one commit (SignalRepo.ingest), so an alert is copied once however often this runs. The listener
// may delete a copied row from inbox.db only once the copy is on disk too: releasable() syncs this database first.
//
// A row may be copied as soon as it is committed, while the fsync that makes it durable (and lets its client be
// answered) still runs: the worker plans it meanwhile. Such a row is "early" until the writer reports it durable,
// and nothing of it may reach a broker before then (untilDurable): were the power to go before the sync, the
// alert was never acknowledged and its re-send must not find an order already placed.
import type { CommittedRows, InboxReader, InboxRow } from '../store/inbox-db.js';
import type { SignalRepo } from '../store/signals.js';
import type { Logger } from '../log.js';
import { latencyTracing, traceStep } from '../latency-trace.js';

/** Rows per copy transaction: a long flood is copied in short commits that let the pipeline's writes through. */
const CHUNK = 500;

/** Rows offered by the writer's reports and kept until copied, at most (past it they are read back instead). */
const MAX_OFFERED = 2_000;

export class InboxCopier {
  private copied: number;
  private released: number;
  private releasing = false;
  /** Every row up to this seq is on disk in inbox.db. */
  private durable: number;
  /** Rows copied before they were durable, by signal id, in arrival order. */
  private readonly early = new Map<string, { seq: number; done?: Promise<void>; wake?: () => void }>();
  /** Rows the writer reported with its commits, by the seq they follow: copied from here, not read back. */
  private readonly offered = new Map<number, InboxRow[]>();
  private offeredRows = 0;

  constructor(
    private readonly reader: InboxReader,
    private readonly signals: SignalRepo,
    private readonly log: Logger,
    /** Rows stored as rejected at the webhook (a 4xx answer with a valid webhook id), once each, after the commit
     *  that copied them: the worker never sees them, so this is where the UI learns of them. */
    private readonly onRejected: (rows: readonly InboxRow[]) => void = () => {},
  ) {
    this.copied = signals.copiedSeq(reader.epoch);
    this.released = this.copied;
    // The writer syncs what the file holds when it opens it, before any copy.
    this.durable = this.copied;
  }

  /** The seq of the last row copied. */
  get copiedSeq(): number {
    return this.copied;
  }

  /** Copies every row after the last copied one up to `upToSeq` (rows the writer committed; those after the last
   *  one reported durable are early), or the first `maxRows` of them. */
  copy(upToSeq: number, maxRows = Number.MAX_SAFE_INTEGER): number {
    let n = 0;
    while (this.copied < upToSeq && n < maxRows) {
      const limit = Math.min(CHUNK, maxRows - n);
      const rows = this.takeOffered(upToSeq, limit) ?? this.reader.rows(this.copied, upToSeq, limit);
      if (rows.length === 0) break;
      const skipped = this.signals.ingest(this.reader.epoch, rows);
      if (skipped.length > 0) this.log.warn({ signalIds: skipped }, 'alerts already stored under the same id or dedupe key were not copied again');
      this.copied = rows[rows.length - 1]!.seq;
      if (latencyTracing) for (const r of rows) traceStep(r.id, 'copy');
      for (const r of rows) if (r.seq > this.durable) this.early.set(r.id, { seq: r.seq });
      n += rows.length;
      this.reportRejected(rows, skipped);
    }
    return n;
  }

  private reportRejected(rows: readonly InboxRow[], skipped: readonly string[]): void {
    let rejected = rows.filter((r) => r.status === 'rejected');
    if (rejected.length === 0) return;
    if (skipped.length > 0) rejected = rejected.filter((r) => !skipped.includes(r.id));
    if (rejected.length === 0) return;
    try {
      this.onRejected(rejected);
    } catch (err) {
      this.log.warn({ err }, 'could not announce alerts rejected at the webhook');
    }
  }

  /**
   * Rows the writer just committed, as it reported them: every row after `after` up to the last one. The copy that
   * reaches them takes them from here instead of reading them back; rows it has copied already are dropped.
   */
  offer(c: CommittedRows): void {
    if (c.rows.length === 0 || c.rows[c.rows.length - 1]!.seq <= this.copied) return;
    if (this.offeredRows + c.rows.length > MAX_OFFERED) this.dropOffered();
    this.offered.set(c.after, c.rows);
    this.offeredRows += c.rows.length;
  }

  /** The offered rows that follow the last copied one without a gap, up to `upToSeq` and `limit` rows. */
  private takeOffered(upToSeq: number, limit: number): InboxRow[] | undefined {
    if (this.offered.size === 0) return undefined;
    const out: InboxRow[] = [];
    let at = this.copied;
    for (let batch = this.offered.get(at); batch; batch = this.offered.get(at)) {
      this.offered.delete(at);
      this.offeredRows -= batch.length;
      const room = Math.min(limit - out.length, batch.filter((r) => r.seq <= upToSeq).length);
      out.push(...batch.slice(0, room));
      if (room < batch.length) {
        // The rest follows the last row taken: offered again for the next round.
        this.offered.set(batch[room - 1]?.seq ?? at, batch.slice(room));
        this.offeredRows += batch.length - room;
        break;
      }
      at = batch[batch.length - 1]!.seq;
    }
    if (out.length === 0) return undefined;
    // Reports of rows copied by now (read back, or copied early for an answered alert) are of no more use.
    const last = out[out.length - 1]!.seq;
    for (const [after, rows] of this.offered) {
      if (rows[rows.length - 1]!.seq <= last) {
        this.offered.delete(after);
        this.offeredRows -= rows.length;
      }
    }
    return out;
  }

  private dropOffered(): void {
    this.offered.clear();
    this.offeredRows = 0;
  }

  /**
   * Copies up to the alert `id`, which its client was answered for: it and every row before it are on disk (a
   * sync covers every commit made before it started), even when the writer's report has not arrived yet.
   */
  copyAnswered(id: string): number {
    const seq = this.reader.seqOf(id);
    // Not marked durable here: only the writer's report says so (a client cannot know an id it was not answered,
    // but the broker does not rely on that).
    return seq === undefined ? 0 : this.copy(seq);
  }

  /** The writer reports every row up to `seq` on disk: their signals may now reach the broker. */
  markDurable(seq: number): void {
    if (seq <= this.durable) return;
    this.durable = seq;
    for (const [id, row] of this.early) {
      if (row.seq > seq) break;
      this.early.delete(id);
      row.wake?.();
    }
  }

  /** Resolves once the alert's row is on disk; undefined when it already is (or was never copied early). */
  untilDurable(signalId: string): Promise<void> | undefined {
    const row = this.early.get(signalId);
    if (!row) return undefined;
    row.done ??= new Promise((resolve) => (row.wake = resolve));
    return row.done;
  }

  /** Makes everything in inbox.db durable (a writer may have stopped before its last sync) and copies it all. */
  copyAllOnDisk(): number {
    this.reader.syncNow();
    const n = this.copy(Number.MAX_SAFE_INTEGER);
    this.markDurable(this.copied);
    return n;
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
