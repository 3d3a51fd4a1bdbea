// The durable inbox table. Every alert with a valid webhook id becomes a row here before it is answered.
import { durableTransaction, WalSync, type Db, type Statement } from './db.js';
import type { SignalStatus, SignalView } from '../../shared/api-types.js';
import type { Signal } from '../../shared/signal.js';

export interface InboxInsert {
  id: string;
  strategyId: string;
  receivedAt: string;
  contentType?: string;
  sourceIp?: string;
  rawBody: string;
  bodyHash: string;
  /** Unique for ever (explicit id, or body with a time); undefined → window dedupe on bodyHash. */
  dedupeKey?: string;
  /** Window for bodies with neither id nor time: a same-hash row newer than this counts as a duplicate. */
  windowSince?: string;
  status: SignalStatus;
  code?: string;
  message?: string;
  parsed?: Signal;
  symbol?: string;
}

export type InboxInsertResult = { outcome: 'stored'; id: string } | { outcome: 'duplicate'; id: string };

interface RawSignal {
  seq: number;
  id: string;
  strategy_id: string;
  received_at: string;
  content_type: string | null;
  source_ip: string | null;
  raw_body: string;
  status: SignalStatus;
  code: string | null;
  message: string | null;
  parsed: string | null;
  symbol: string | null;
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
  private readonly byKey: Statement;
  private readonly byWindow: Statement;
  private readonly seqOf: Statement;
  private readonly walSync: WalSync;
  /** Seq ranges of batches committed but not yet synced to disk, oldest first. */
  private readonly unsynced: { first: number; last: number; n: number }[] = [];
  /** Counts batches committed through commitBatch(), to know which ones a sync covers. */
  private commits = 0;
  /** The highest seq of a batch this connection made durable (0: none yet). */
  private durableSeq = 0;
  /**
   * When another connection (the webhook thread) writes the inbox, the highest seq it has made durable: rows
   * after it may be committed but not yet on disk, and are not handed to the worker. Undefined: this connection
   * writes the inbox itself, and `unsynced` is the limit.
   */
  private externalDurableSeq: number | undefined;

  constructor(private readonly db: Db) {
    this.walSync = new WalSync(db);
    this.seqOf = db.prepare('SELECT seq FROM signals WHERE id IN (?, ?)');
    this.insertStmt = db.prepare(
      `INSERT INTO signals (id, strategy_id, received_at, content_type, source_ip, raw_body, body_hash, dedupe_key, status, code, message, parsed, symbol)
       VALUES (@id, @strategyId, @receivedAt, @contentType, @sourceIp, @rawBody, @bodyHash, @dedupeKey, @status, @code, @message, @parsed, @symbol)`,
    );
    this.byKey = db.prepare('SELECT id FROM signals WHERE dedupe_key = ?');
    this.byWindow = db.prepare(
      "SELECT id FROM signals WHERE strategy_id = ? AND body_hash = ? AND received_at >= ? AND dedupe_key IS NULL AND status != 'rejected' ORDER BY seq DESC LIMIT 1",
    );
  }

  /** Inserts a batch in ONE transaction committed with synchronous=FULL (one fsync for all alerts that arrived
   *  together); nothing is acknowledged before this returns. */
  insertBatch(items: readonly InboxInsert[]): InboxInsertResult[] {
    return durableTransaction(this.db, () => items.map((item) => this.insertOne(item)));
  }

  /**
   * The inbox's hot path: inserts a batch in ONE transaction committed with synchronous=NORMAL (no fsync on the
   * event loop). The rows are NOT durable yet: nothing may be acknowledged, and pending() does not hand them to
   * the worker, until syncCommitted() has resolved.
   */
  commitBatch(items: readonly InboxInsert[]): InboxInsertResult[] {
    const results = this.db.transaction(() => items.map((item) => this.insertOne(item)))();
    const stored = results.flatMap((r, i) => (r.outcome === 'stored' ? [items[i]!.id] : []));
    if (stored.length > 0) {
      const seqs = this.seqOf.all(stored[0], stored[stored.length - 1]) as { seq: number }[];
      const first = Math.min(...seqs.map((r) => r.seq));
      const last = Math.max(...seqs.map((r) => r.seq));
      this.unsynced.push({ first, last, n: ++this.commits });
    }
    return results;
  }

  /** Makes every batch committed so far durable (fdatasync of the WAL off the event loop); from then on the
   *  worker sees its rows. Calls may overlap. */
  async syncCommitted(): Promise<void> {
    const upTo = this.commits;
    if (this.unsynced.length === 0) return;
    await this.walSync.sync();
    // Syncs may overlap (the inbox starts the next before the last ended): this one covers every batch committed
    // before it started, whichever finishes first.
    while (this.unsynced.length > 0 && this.unsynced[0]!.n <= upTo) this.durableSeq = Math.max(this.durableSeq, this.unsynced.shift()!.last);
  }

  /** The highest seq this connection has made durable through syncCommitted()/syncCommittedNow(). */
  lastDurableSeq(): number {
    return this.durableSeq;
  }

  /**
   * Another connection writes the inbox from now on: the worker sees rows up to the seq reported through
   * advanceDurable(). Rows already in the table (committed before this call) are eligible at once.
   */
  followExternalInbox(): void {
    const row = this.db.prepare('SELECT max(seq) AS seq FROM signals').get() as { seq: number | null };
    this.externalDurableSeq = row.seq ?? 0;
  }

  /** This connection writes the inbox again (the webhook listener runs on this thread). */
  writeInboxHere(): void {
    this.externalDurableSeq = undefined;
  }

  /** The writer made every row up to `seq` durable. */
  advanceDurable(seq: number): void {
    if (this.externalDurableSeq !== undefined && seq > this.externalDurableSeq) this.externalDurableSeq = seq;
  }

  /** The same, blocking: at shutdown, or when the asynchronous sync failed. */
  syncCommittedNow(): void {
    try {
      this.walSync.syncNow();
    } finally {
      // Even when the disk refused the sync, the rows are committed (their alerts were answered 503 and a re-send
      // is a duplicate of them): the worker must not stall behind them for ever.
      for (const r of this.unsynced.splice(0)) this.durableSeq = Math.max(this.durableSeq, r.last);
    }
  }

  /** Releases the WAL file descriptor held for syncing (the connection itself stays open). */
  closeSync(): void {
    this.walSync.close();
  }

  private insertOne(item: InboxInsert): InboxInsertResult {
    if (item.status !== 'rejected') {
      if (item.dedupeKey !== undefined) {
        const existing = this.byKey.get(item.dedupeKey) as { id: string } | undefined;
        if (existing) return { outcome: 'duplicate', id: existing.id };
      } else if (item.windowSince !== undefined) {
        const existing = this.byWindow.get(item.strategyId, item.bodyHash, item.windowSince) as { id: string } | undefined;
        if (existing) return { outcome: 'duplicate', id: existing.id };
      }
    }
    this.insertStmt.run({
      id: item.id,
      strategyId: item.strategyId,
      receivedAt: item.receivedAt,
      contentType: item.contentType ?? null,
      sourceIp: item.sourceIp ?? null,
      rawBody: item.rawBody,
      bodyHash: item.bodyHash,
      dedupeKey: item.status === 'rejected' ? null : (item.dedupeKey ?? null),
      status: item.status,
      code: item.code ?? null,
      message: item.message ?? null,
      parsed: item.parsed ? JSON.stringify(item.parsed) : null,
      symbol: item.symbol ?? null,
    });
    return { outcome: 'stored', id: item.id };
  }

  /** Rows still to process, in arrival order; rows of a batch not yet synced to disk (and any after them) wait. */
  pending(limit: number, afterSeq = 0): QueuedSignal[] {
    const before = Math.min(this.unsynced[0]?.first ?? Number.MAX_SAFE_INTEGER, this.externalDurableSeq === undefined ? Number.MAX_SAFE_INTEGER : this.externalDurableSeq + 1);
    const rows = this.db
      .prepare("SELECT seq, id, strategy_id, received_at, parsed, attempts FROM signals WHERE status IN ('queued', 'processing') AND seq > ? AND seq < ? ORDER BY seq LIMIT ?")
      .all(afterSeq, before, limit) as { seq: number; id: string; strategy_id: string; received_at: string; parsed: string; attempts: number }[];
    return rows.map((r) => ({ seq: r.seq, id: r.id, strategyId: r.strategy_id, receivedAt: r.received_at, parsed: JSON.parse(r.parsed) as Signal, attempts: r.attempts }));
  }

  markProcessing(id: string): void {
    this.db.prepare("UPDATE signals SET status = 'processing', attempts = attempts + 1 WHERE id = ?").run(id);
  }

  finish(id: string, status: SignalStatus, at: string, code?: string, message?: string): void {
    this.db.prepare('UPDATE signals SET status = ?, code = ?, message = ?, processed_at = ? WHERE id = ?').run(status, code ?? null, message ?? null, at, id);
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

  get(id: string): SignalView | undefined {
    const r = this.db.prepare('SELECT * FROM signals WHERE id = ?').get(id) as RawSignal | undefined;
    return r && toView(r);
  }

  list(opts: { limit?: number; strategyId?: string; status?: string; beforeSeq?: number } = {}): SignalView[] {
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
    const sql = `SELECT * FROM signals ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...args, Math.min(opts.limit ?? 200, 5000)) as RawSignal[]).map(toView);
  }

  countByStatus(): Record<string, number> {
    const rows = this.db.prepare('SELECT status, count(*) AS n FROM signals GROUP BY status').all() as { status: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }

  /** Keeps rejected rows bounded by age and count so a flood of bad alerts cannot fill the disk. */
  pruneRejected(olderThan: string, keep: number): number {
    const a = this.db.prepare("DELETE FROM signals WHERE status = 'rejected' AND received_at < ?").run(olderThan).changes;
    const b = this.db
      .prepare("DELETE FROM signals WHERE status = 'rejected' AND seq NOT IN (SELECT seq FROM signals WHERE status = 'rejected' ORDER BY seq DESC LIMIT ?)")
      .run(keep).changes;
    return a + b;
  }
}

function toView(r: RawSignal): SignalView {
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
