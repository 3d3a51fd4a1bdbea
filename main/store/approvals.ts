// Orders held for manual approval (migration 007). A row leaves 'pending' exactly once: every decision is a
// conditional UPDATE ... WHERE status = 'pending', so two approvals racing each other (two clicks, the UI and
// the CLI) cannot both win, and an approval cannot race the expiry sweep.
import { sqlLimit, type Db } from './db.js';
import type { ApprovalStatus, ApprovalView } from '../../shared/api-types.js';

export interface NewApproval {
  id: string;
  signalId: string;
  strategyId: string;
  accountId: string;
  leg: string;
  dependsOn?: string;
  /** The OrderRequest exactly as it will be sent (client order id included); NOT sent yet. */
  request: { clientOrderId: string; symbol: string; side: 'buy' | 'sell'; quantity: string; type: string; limitPrice?: string; stopPrice?: string } & Record<string, unknown>;
  /** The strategy engine's intent, for the risk check made again at approval time. */
  intent: unknown;
  /** The risk verdict when the intent was held. */
  verdict: unknown;
  cancelOpenOrders: boolean;
  createdAt: string;
  expiresAt: string;
}

export interface ApprovalRecord extends ApprovalView {
  request: NewApproval['request'];
  intent: unknown;
  verdict: unknown;
  cancelOpenOrders: boolean;
}

interface Raw {
  id: string;
  signal_id: string;
  strategy_id: string;
  account_id: string;
  leg: string;
  depends_on: string | null;
  symbol: string;
  side: 'buy' | 'sell';
  quantity: string;
  request: string;
  intent: string;
  verdict: string;
  cancel_open_orders: number;
  created_at: string;
  expires_at: string;
  status: ApprovalStatus;
  decided_at: string | null;
  decided_by: string | null;
  reason: string | null;
  code: string | null;
  order_id: string | null;
}

function toRecord(r: Raw): ApprovalRecord {
  const request = JSON.parse(r.request) as NewApproval['request'];
  return {
    id: r.id,
    signalId: r.signal_id,
    strategyId: r.strategy_id,
    accountId: r.account_id,
    leg: r.leg,
    dependsOn: r.depends_on ?? undefined,
    symbol: r.symbol,
    side: r.side,
    quantity: r.quantity,
    type: request.type,
    limitPrice: request.limitPrice,
    stopPrice: request.stopPrice,
    clientOrderId: request.clientOrderId,
    status: r.status,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    decidedAt: r.decided_at ?? undefined,
    decidedBy: r.decided_by ?? undefined,
    reason: r.reason ?? undefined,
    code: r.code ?? undefined,
    orderId: r.order_id ?? undefined,
    request,
    intent: JSON.parse(r.intent) as unknown,
    verdict: JSON.parse(r.verdict) as unknown,
    cancelOpenOrders: r.cancel_open_orders === 1,
  };
}

/** The public shape: what the API and the UI see (no stored request/verdict blobs). */
export function toApprovalView(r: ApprovalRecord): ApprovalView {
  const { request: _r, intent: _i, verdict: _v, cancelOpenOrders: _c, ...view } = r;
  return view;
}

export interface Decision {
  at: string;
  by?: string;
  reason?: string;
  code?: string;
}

export class ApprovalRepo {
  constructor(private readonly db: Db) {}

  /**
   * Holds a signal's intents for one account and records the 'pending_approval' decision on the signal, in one
   * transaction. Idempotent per (signal, account, leg): a signal resumed after a crash holds nothing twice.
   * Returns the rows as stored (existing ones included).
   */
  hold(items: readonly NewApproval[], decision: { signalId: string; accountId: string; detail: string; data?: unknown; at: string }): ApprovalRecord[] {
    const insert = this.db.prepare(
      `INSERT OR IGNORE INTO approvals (id, signal_id, strategy_id, account_id, leg, depends_on, symbol, side, quantity, request, intent, verdict, cancel_open_orders, created_at, expires_at)
       VALUES (@id, @signalId, @strategyId, @accountId, @leg, @dependsOn, @symbol, @side, @quantity, @request, @intent, @verdict, @cancelOpenOrders, @createdAt, @expiresAt)`,
    );
    const byLeg = this.db.prepare('SELECT * FROM approvals WHERE signal_id = ? AND account_id = ? AND leg = ?');
    return this.db.transaction(() => {
      let added = 0;
      const rows = items.map((a) => {
        added += insert.run({
          id: a.id,
          signalId: a.signalId,
          strategyId: a.strategyId,
          accountId: a.accountId,
          leg: a.leg,
          dependsOn: a.dependsOn ?? null,
          symbol: a.request.symbol,
          side: a.request.side,
          quantity: a.request.quantity,
          request: JSON.stringify(a.request),
          intent: JSON.stringify(a.intent),
          verdict: JSON.stringify(a.verdict),
          cancelOpenOrders: a.cancelOpenOrders ? 1 : 0,
          createdAt: a.createdAt,
          expiresAt: a.expiresAt,
        }).changes;
        return toRecord(byLeg.get(a.signalId, a.accountId, a.leg) as Raw);
      });
      if (added > 0) {
        this.db
          .prepare("INSERT INTO signal_decisions (signal_id, account_id, verdict, code, detail, data, at) VALUES (?, ?, 'pending_approval', NULL, ?, ?, ?)")
          .run(decision.signalId, decision.accountId, decision.detail, decision.data === undefined ? null : JSON.stringify(decision.data), decision.at);
      }
      return rows;
    })();
  }

  get(id: string): ApprovalRecord | undefined {
    const r = this.db.prepare('SELECT * FROM approvals WHERE id = ?').get(id) as Raw | undefined;
    return r && toRecord(r);
  }

  bySignalLeg(signalId: string, accountId: string, leg: string): ApprovalRecord | undefined {
    const r = this.db.prepare('SELECT * FROM approvals WHERE signal_id = ? AND account_id = ? AND leg = ?').get(signalId, accountId, leg) as Raw | undefined;
    return r && toRecord(r);
  }

  list(opts: { status?: ApprovalStatus; limit?: number } = {}): ApprovalRecord[] {
    const limit = Math.min(opts.limit ?? 200, 1000);
    const rows = opts.status
      ? (this.db.prepare(`SELECT * FROM approvals WHERE status = ? ORDER BY created_at DESC, id ${sqlLimit(limit)}`).all(opts.status) as Raw[])
      : (this.db.prepare(`SELECT * FROM approvals ORDER BY created_at DESC, id ${sqlLimit(limit)}`).all() as Raw[]);
    return rows.map(toRecord);
  }

  countPending(): number {
    return (this.db.prepare("SELECT count(*) AS n FROM approvals WHERE status = 'pending'").get() as { n: number }).n;
  }

  /** The earliest expiry among pending rows (the expiry timer sleeps until then). */
  nextExpiry(): string | undefined {
    const r = this.db.prepare("SELECT min(expires_at) AS at FROM approvals WHERE status = 'pending'").get() as { at: string | null };
    return r.at ?? undefined;
  }

  /**
   * The one guard against a double order: moves a pending, unexpired row to 'approved' and records the
   * decision on the signal. True only for the one caller that made the change.
   */
  claimApproval(id: string, d: Decision): boolean {
    return this.db.transaction(() => {
      const changed = this.db
        .prepare("UPDATE approvals SET status = 'approved', decided_at = ?, decided_by = ?, reason = ? WHERE id = ? AND status = 'pending' AND expires_at > ?")
        .run(d.at, d.by ?? null, d.reason ?? null, id, d.at).changes === 1;
      if (changed) this.decide(id, 'order', undefined, `approved${d.by ? ` by ${d.by}` : ''}`, d.at);
      return changed;
    })();
  }

  /** Links the order sent for an approved row. */
  setOrder(id: string, orderId: string): void {
    this.db.prepare('UPDATE approvals SET order_id = ? WHERE id = ?').run(orderId, id);
  }

  /** pending → rejected; false when the row was no longer pending. */
  reject(id: string, d: Decision): boolean {
    return this.db.transaction(() => {
      const changed = this.db
        .prepare("UPDATE approvals SET status = 'rejected', decided_at = ?, decided_by = ?, reason = ?, code = 'APPROVAL_REJECTED' WHERE id = ? AND status = 'pending'")
        .run(d.at, d.by ?? null, d.reason ?? null, id).changes === 1;
      if (changed) this.decide(id, 'denied', 'APPROVAL_REJECTED', d.reason ?? 'rejected by hand', d.at);
      return changed;
    })();
  }

  /** Every pending row whose expiry has passed → expired (APPROVAL_EXPIRED); returns the ids it changed. */
  expireDue(now: string): string[] {
    return this.db.transaction(() => {
      const due = (this.db.prepare("SELECT id FROM approvals WHERE status = 'pending' AND expires_at <= ?").all(now) as { id: string }[]).map((r) => r.id);
      const changed: string[] = [];
      for (const id of due) {
        const n = this.db
          .prepare("UPDATE approvals SET status = 'expired', decided_at = ?, decided_by = 'expiry', code = 'APPROVAL_EXPIRED' WHERE id = ? AND status = 'pending'")
          .run(now, id).changes;
        if (n === 1) {
          this.decide(id, 'denied', 'APPROVAL_EXPIRED', 'not approved before it expired', now);
          changed.push(id);
        }
      }
      return changed;
    })();
  }

  private decide(id: string, verdict: string, code: string | undefined, detail: string, at: string): void {
    this.db
      .prepare("INSERT INTO signal_decisions (signal_id, account_id, verdict, code, detail, data, at) SELECT signal_id, account_id, ?, ?, ?, json_object('approvalId', id, 'leg', leg), ? FROM approvals WHERE id = ?")
      .run(verdict, code ?? null, detail, at, id);
  }
}
