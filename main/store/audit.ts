// The audit trail's hash chain. Triggers (migration 005) append rows; sealAudit links them in seq order:
// hash = SHA-256(prev_hash, seq, at, table, row id, op, payload). verifyAudit recomputes the chain, so an altered,
// removed or reordered row is reported with the first place the chain breaks.
import crypto from 'node:crypto';
import { sqlLimit, type Db } from './db.js';

export const AUDIT_GENESIS = '0'.repeat(64);

/** The tables whose writes the audit trail records (migration 005's triggers): what a history can be asked of. */
export const AUDITED_TABLES = ['signals', 'signal_decisions', 'orders', 'order_events', 'fills', 'strategies', 'strategy_accounts', 'accounts', 'settings', 'trading_state'] as const;

interface AuditRow {
  seq: number;
  at: string;
  tbl: string;
  row_id: string;
  op: string;
  payload: string;
  prev_hash: string | null;
  hash: string | null;
}

export function auditHash(prev: string, r: Pick<AuditRow, 'seq' | 'at' | 'tbl' | 'row_id' | 'op' | 'payload'>): string {
  // JSON array: unambiguous field boundaries whatever the payload contains.
  return crypto.createHash('sha256').update(JSON.stringify([prev, r.seq, r.at, r.tbl, r.row_id, r.op, r.payload])).digest('hex');
}

/** Seals up to `limit` unsealed rows, in order, in one transaction. Returns how many were sealed. */
export function sealAudit(db: Db, limit = 10_000): number {
  sealing = true; // its own batch size holds: the commit hook does not seal more in this transaction
  try {
    return db.transaction(() => sealUnsealed(db, limit)).immediate();
  } finally {
    sealing = false;
  }
}

let sealing = false;
/** Set while a commit on the way to a broker call runs: its rows are left to the next commit's seal. */
let sealingLater = false;

/**
 * Runs `fn`, whose transactions commit without sealing their audit rows: the commits an alert makes before its
 * order reaches the broker (its copy, its processing mark, the order itself). Hashing and sealing the rows in those
 * commits put about 0.2 ms on every alert's way to the broker; left unsealed, they are the tail the next commit
 * seals (the broker's answer, the paper broker's fill, any later write), or the periodic sealer within seconds. The
 * chain and its order are the same; only the moment of sealing moves.
 */
export function sealLater<T>(fn: () => T): T {
  if (sealingLater) return fn();
  sealingLater = true;
  try {
    return fn();
  } finally {
    sealingLater = false;
  }
}

/** Rows a commit seals itself at most (see sealBeforeCommit); a larger backlog is left to the periodic sealer. */
const SEAL_IN_COMMIT = 100;

/**
 * Seals the unsealed rows inside the transaction that is about to commit (db.ts calls it before every outermost
 * COMMIT on a database with an audit log). The rows that transaction appended are on pages it rewrites anyway:
 * hashed there, they reach the WAL once, with their hash, instead of once without it and again when the periodic
 * sealer rewrites them (about a tenth of all the pipeline's page writes). Same chain, same order: the write lock is
 * held, so the rows after the last sealed one are exactly the tail. A failure leaves them to the periodic sealer,
 * unless it ended the transaction (then the commit itself fails, as it would have on the same error).
 */
export function sealBeforeCommit(db: Db): void {
  if (sealing || sealingLater) return;
  try {
    sealUnsealed(db, SEAL_IN_COMMIT);
  } catch (err) {
    if (!db.inTransaction) throw err;
  }
}

/** The sealing itself; the caller holds the write lock (a transaction). */
function sealUnsealed(db: Db, limit: number): number {
  // Unsealed rows are the tail of the log: the newest sealed row is found walking back from the end over them,
  // and they are read forward from it, both in seq (rowid) order, without an index of their own.
  const last = db.prepare('SELECT seq, hash FROM audit_log WHERE hash IS NOT NULL ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined;
  const rows = db.prepare(`SELECT seq, at, tbl, row_id, op, payload FROM audit_log WHERE seq > ? AND hash IS NULL ORDER BY seq ${sqlLimit(limit)}`).all(last?.seq ?? 0) as AuditRow[];
  const update = db.prepare('UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?');
  let prev = last?.hash ?? AUDIT_GENESIS;
  for (const r of rows) {
    const hash = auditHash(prev, r);
    update.run(prev, hash, r.seq);
    prev = hash;
  }
  return rows.length;
}

export interface AuditVerification {
  ok: boolean;
  /** Sealed rows whose hash was recomputed. */
  checked: number;
  /** Rows not sealed yet (written in the last seconds); not covered by this check. */
  unsealed: number;
  /** The hash of the last sealed row: note it down to detect a later truncation of the log's tail. */
  head: string;
  firstBadRow?: { seq: number; table: string; rowId: string; reason: string };
}

export function verifyAudit(db: Db): AuditVerification {
  let prev = AUDIT_GENESIS;
  let checked = 0;
  let unsealed = 0;
  let expectedSeq: number | undefined;
  const bad = (r: AuditRow, reason: string): AuditVerification => ({ ok: false, checked, unsealed, head: prev, firstBadRow: { seq: r.seq, table: r.tbl, rowId: r.row_id, reason } });
  for (const r of db.prepare('SELECT seq, at, tbl, row_id, op, payload, prev_hash, hash FROM audit_log ORDER BY seq').iterate() as IterableIterator<AuditRow>) {
    if (expectedSeq !== undefined && r.seq !== expectedSeq) return bad(r, `row ${expectedSeq} is missing`);
    expectedSeq = r.seq + 1;
    if (r.hash === null) {
      unsealed++;
      continue;
    }
    if (unsealed > 0) return bad(r, 'a sealed row follows an unsealed one');
    if (r.prev_hash !== prev) return bad(r, 'the link to the previous row is broken');
    if (auditHash(prev, r) !== r.hash) return bad(r, 'the row content does not match its hash');
    prev = r.hash;
    checked++;
  }
  return { ok: true, checked, unsealed, head: prev };
}

export interface AuditEntry {
  seq: number;
  at: string;
  table: string;
  rowId: string;
  op: string;
  payload: unknown;
  sealed: boolean;
}

/** The history of one row (e.g. a strategy's configuration changes), oldest first. */
export function auditHistory(db: Db, table: string, rowId: string, limit = 500): AuditEntry[] {
  const rows = db.prepare(`SELECT seq, at, tbl, row_id, op, payload, hash FROM audit_log WHERE tbl = ? AND row_id = ? ORDER BY seq ${sqlLimit(limit)}`).all(table, rowId) as AuditRow[];
  return rows.map((r) => ({ seq: r.seq, at: r.at, table: r.tbl, rowId: r.row_id, op: r.op, payload: JSON.parse(r.payload) as unknown, sealed: r.hash !== null }));
}
