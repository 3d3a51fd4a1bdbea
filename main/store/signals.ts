// Signals: every alert with a valid webhook id, copied here from the inbox (inbox-db.ts) once it is committed there,
// with what became of it (nothing of it reaches a broker before it is on disk there: signals/inbox-copy.ts). The
// copy and the record of how far it got are one commit, so each alert is copied once.
import { WalSync, sqlLimit, type Db, type Statement } from './db.js';
import { sealLater } from './audit.js';
import type { InboxRow } from './inbox-db.js';
import type { SignalStatus, SignalView } from '../../shared/api-types.js';
import type { Signal } from '../../shared/signal.js';

/** A signals row: the inbox row it was copied from, with what became of it. */
interface RawSignal extends Omit<InboxRow, 'body_hash' | 'dedupe_key'> {
  attempts: number;
  processed_at: string | null;
}

export interface Decision {
  signalId: string;
  accountId: string;
  verdict: 'order' | 'denied' | 'nothing';
  code?: string;
  detail?: string;
  data?: unknown;
  at: string;
}

export interface QueuedSignal {
  seq: number;
  id: string;
  strategyId: string;
  receivedAt: string;
  parsed: Signal;
  attempts: number;
}

export class SignalRepo {
  private readonly insertStmt: Statement;
  private readonly markStmt: Statement;
  private readonly walSync: WalSync;

  constructor(private readonly db: Db) {
    this.walSync = new WalSync(db);
    this.insertStmt = db.prepare(
      `INSERT OR IGNORE INTO signals (id, strategy_id, received_at, content_type, source_ip, raw_body, body_hash, dedupe_key, status, code, message, parsed, symbol)
       VALUES (@id, @strategy_id, @received_at, @content_type, @source_ip, @raw_body, @body_hash, @dedupe_key, @status, @code, @message, @parsed, @symbol)`,
    );
    this.markStmt = db.prepare('INSERT INTO inbox_copied (epoch, seq) VALUES (?, ?) ON CONFLICT (epoch) DO UPDATE SET seq = excluded.seq WHERE excluded.seq > seq');
  }

  /**
   * Copies inbox rows (in arrival order) and records the last one's seq for the inbox file `epoch`, in one commit.
   * Returns the ids NOT copied because a signal with the same id or dedupe key is here already (never processed
   * twice). On the alert's way to the broker: its audit rows are sealed by a later commit (sealLater).
   */
  ingest(epoch: string, rows: readonly InboxRow[]): string[] {
    if (rows.length === 0) return [];
    return sealLater(() =>
      this.db.transaction(() => {
        const skipped: string[] = [];
        for (const r of rows) if (this.insertStmt.run(r).changes === 0) skipped.push(r.id);
        this.markStmt.run(epoch, rows[rows.length - 1]!.seq);
        return skipped;
      })(),
    );
  }

  /** Records rows of the inbox file `epoch` up to `seq` as copied. */
  markCopied(epoch: string, seq: number): void {
    this.markStmt.run(epoch, seq);
  }

  /** How far rows of the inbox file `epoch` were copied (0: none). */
  copiedSeq(epoch: string): number {
    return (this.db.prepare('SELECT seq FROM inbox_copied WHERE epoch = ?').get(epoch) as { seq: number } | undefined)?.seq ?? 0;
  }

  /** Makes this database's commits so far durable (fdatasync of its WAL off the event loop). */
  syncCommitted(): Promise<void> {
    return this.walSync.sync();
  }

  /** Releases the WAL file descriptor held for syncing. */
  closeSync(): void {
    this.walSync.close();
  }

  /** Dedupe keys of alerts received since `since` (to seed a new inbox file). */
  dedupeKeysSince(since: string): { key: string; signalId: string; receivedAt: string }[] {
    return this.db.prepare('SELECT dedupe_key AS key, id AS signalId, received_at AS receivedAt FROM signals WHERE dedupe_key IS NOT NULL AND received_at >= ?').all(since) as {
      key: string;
      signalId: string;
      receivedAt: string;
    }[];
  }

  /** Rows still to process, in arrival order. */
  pending(limit: number, afterSeq = 0): QueuedSignal[] {
    const rows = this.db
      .prepare(`SELECT seq, id, strategy_id, received_at, parsed, attempts FROM signals WHERE status IN ('queued', 'processing') AND seq > ? ORDER BY seq ${sqlLimit(limit)}`)
      .all(afterSeq) as { seq: number; id: string; strategy_id: string; received_at: string; parsed: string; attempts: number }[];
    return rows.map((r) => ({ seq: r.seq, id: r.id, strategyId: r.strategy_id, receivedAt: r.received_at, parsed: JSON.parse(r.parsed) as Signal, attempts: r.attempts }));
  }

  /** Marks the signal as being processed (one attempt more, unless not `counted`); `withIt` writes in the same commit. On the alert's
   *  way to the broker: its audit rows are sealed by a later commit (sealLater). */
  markProcessing(id: string, withIt?: () => void, counted = true): void {
    const mark = (): void => void this.db.prepare("UPDATE signals SET status = 'processing', attempts = attempts + ? WHERE id = ?").run(counted ? 1 : 0, id);
    if (!withIt) return mark();
    sealLater(() =>
      this.db.transaction(() => {
        mark();
        withIt();
      })(),
    );
  }

  finish(id: string, status: SignalStatus, at: string, code?: string, message?: string): void {
    this.db.prepare('UPDATE signals SET status = ?, code = ?, message = ?, processed_at = ? WHERE id = ?').run(status, code ?? null, message ?? null, at, id);
  }

  /** The signal's status alone (undefined: no such signal). */
  status(id: string): SignalStatus | undefined {
    return (this.db.prepare('SELECT status FROM signals WHERE id = ?').get(id) as { status: SignalStatus } | undefined)?.status;
  }

  /** Changes a finished signal's status (and code, message), only while it is still `from`; its processed time
   *  stays. False when it was not `from`. */
  restate(id: string, from: SignalStatus, to: SignalStatus, code: string | undefined, message: string | undefined): boolean {
    return this.db.prepare('UPDATE signals SET status = ?, code = ?, message = ? WHERE id = ? AND status = ?').run(to, code ?? null, message ?? null, id, from).changes > 0;
  }

  recordError(id: string, error: string): void {
    this.db.prepare('UPDATE signals SET last_error = ? WHERE id = ?').run(error, id);
  }

  /** The final status and the decisions not yet written, in one transaction (one commit per denied alert). */
  finishWithDecisions(id: string, status: SignalStatus, at: string, code: string | undefined, message: string | undefined, decisions: readonly Decision[]): void {
    if (decisions.length === 0) return this.finish(id, status, at, code, message);
    this.db.transaction(() => {
      for (const d of decisions) this.recordDecision(d);
      this.finish(id, status, at, code, message);
    })();
  }

  recordDecision(d: Decision): void {
    this.db
      .prepare('INSERT INTO signal_decisions (signal_id, account_id, verdict, code, detail, data, at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(d.signalId, d.accountId, d.verdict, d.code ?? null, d.detail ?? null, d.data === undefined ? null : JSON.stringify(d.data), d.at);
  }

  decisions(signalId: string): { accountId: string; verdict: string; code?: string; detail?: string; data?: unknown; at: string }[] {
    const rows = this.db.prepare('SELECT * FROM signal_decisions WHERE signal_id = ? ORDER BY seq').all(signalId) as { account_id: string; verdict: string; code: string | null; detail: string | null; data: string | null; at: string }[];
    return rows.map((r) => ({ accountId: r.account_id, verdict: r.verdict, code: r.code ?? undefined, detail: r.detail ?? undefined, data: r.data ? (JSON.parse(r.data) as unknown) : undefined, at: r.at }));
  }

  /**
   * Set by the webhook listener: copies an alert that was answered but is not copied here yet. The listener in its
   * own thread answers first and reports to this thread a moment later; a client asking for the alert in between
   * must still find it.
   */
  copyLate: (id: string) => void = () => {};

  get(id: string): SignalView | undefined {
    const byId = this.db.prepare('SELECT * FROM signals WHERE id = ?');
    let r = byId.get(id) as RawSignal | undefined;
    if (!r) {
      this.copyLate(id);
      r = byId.get(id) as RawSignal | undefined;
    }
    return r && toView(r);
  }

  /**
   * Set by the webhook intake: alerts received (answered, or about to be) and not copied here yet, newest first, of
   * one strategy and status when given. During an alert storm they wait in inbox.db until the worker asks for them
   * (docs/architecture.md); the list shows them all the same, read from there, as their copies will be.
   */
  notCopied: (filter: { strategyId?: string; status?: string }) => Iterable<InboxRow> = () => [];

  /**
   * The newest signals first. Alerts not copied yet (notCopied) arrived after every copied one and head the list;
   * `beforeSeq` (a seq of this table) pages through the copied ones only.
   */
  list(opts: { limit?: number; strategyId?: string; status?: string; beforeSeq?: number } = {}): SignalView[] {
    const limit = Math.min(opts.limit ?? 200, 5000);
    const items: SignalView[] = [];
    if (!opts.beforeSeq && limit > 0) {
      const filter = { ...(opts.strategyId ? { strategyId: opts.strategyId } : {}), ...(opts.status ? { status: opts.status } : {}) };
      const stored = this.db.prepare('SELECT 1 FROM signals WHERE id = ? OR dedupe_key = ?');
      for (const r of this.notCopied(filter)) {
        if (stored.get(r.id, r.dedupe_key)) continue; // its copy will be skipped: stored already under this id or key
        items.push(toView(r));
        if (items.length >= limit) return items;
      }
    }
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (opts.strategyId) {
      where.push('strategy_id = ?');
      args.push(opts.strategyId);
    }
    if (opts.status) {
      where.push('status = ?');
      args.push(opts.status);
    }
    if (opts.beforeSeq) {
      where.push('seq < ?');
      args.push(opts.beforeSeq);
    }
    const sql = `SELECT * FROM signals ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC ${sqlLimit(limit - items.length)}`;
    for (const r of this.db.prepare(sql).all(...args) as RawSignal[]) items.push(toView(r));
    return items;
  }

  countByStatus(): Record<string, number> {
    const rows = this.db.prepare('SELECT status, count(*) AS n FROM signals GROUP BY status').all() as { status: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }

  /** Keeps rejected rows bounded by age and count so a flood of bad alerts cannot fill the disk. */
  pruneRejected(olderThan: string, keep: number): number {
    const a = this.db.prepare("DELETE FROM signals WHERE status = 'rejected' AND received_at < ?").run(olderThan).changes;
    const b = this.db
      .prepare(`DELETE FROM signals WHERE status = 'rejected' AND seq NOT IN (SELECT seq FROM signals WHERE status = 'rejected' ORDER BY seq DESC ${sqlLimit(keep)})`)
      .run().changes;
    return a + b;
  }
}

/** A signal as the API shows it; a row not copied yet (an InboxRow) shows as its copy will, not processed yet. */
function toView(r: Omit<RawSignal, 'attempts' | 'processed_at'> & { processed_at?: string | null }): SignalView {
  return {
    id: r.id,
    strategyId: r.strategy_id,
    receivedAt: r.received_at,
    contentType: r.content_type ?? undefined,
    sourceIp: r.source_ip ?? undefined,
    status: r.status,
    code: r.code ?? undefined,
    message: r.message ?? undefined,
    symbol: r.symbol ?? undefined,
    rawBody: r.raw_body,
    parsed: r.parsed ? (JSON.parse(r.parsed) as Signal) : undefined,
    processedAt: r.processed_at ?? undefined,
  };
}
