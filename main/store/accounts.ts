import type { Db } from './db.js';
import { ORDER_STATUSES, TERMINAL_STATUSES } from '../../shared/order-status.js';

/** Order statuses that are not final: the agent may still send, look up, cancel or be told of a fill of the order. */
const OPEN_STATUSES = ORDER_STATUSES.filter((s) => !TERMINAL_STATUSES.has(s));

/** What still needs an account: strategies that trade it, its orders not final, its approvals waiting. */
export interface AccountInUse {
  strategies: { id: string; name: string }[];
  openOrders: { id: string; status: string; symbol: string }[];
  pendingApprovals: number;
}

export type AccountDeleteResult = { deleted: true } | { deleted: false; notFound: true } | { deleted: false; notFound?: false; inUse: AccountInUse };

export interface AccountRow {
  id: string;
  name: string;
  broker: string;
  environment: string;
  baseUrl?: string;
  config: Record<string, unknown>;
  createdAt: string;
}

interface RawAccount {
  id: string;
  name: string;
  broker: string;
  environment: string;
  base_url: string | null;
  config: string;
  created_at: string;
}

const map = (r: RawAccount): AccountRow => ({
  id: r.id,
  name: r.name,
  broker: r.broker,
  environment: r.environment,
  baseUrl: r.base_url ?? undefined,
  config: JSON.parse(r.config) as Record<string, unknown>,
  createdAt: r.created_at,
});

export class AccountRepo {
  constructor(private readonly db: Db) {}

  list(): AccountRow[] {
    return (this.db.prepare('SELECT * FROM accounts ORDER BY created_at, id').all() as RawAccount[]).map(map);
  }

  get(id: string): AccountRow | undefined {
    const r = this.db.prepare('SELECT * FROM accounts WHERE id = ?').get(id) as RawAccount | undefined;
    return r && map(r);
  }

  insert(a: AccountRow): void {
    this.db
      .prepare('INSERT INTO accounts (id, name, broker, environment, base_url, config, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(a.id, a.name, a.broker, a.environment, a.baseUrl ?? null, JSON.stringify(a.config), a.createdAt);
  }

  /** Every reason the account cannot be deleted now (empty lists and zero when it may go). */
  inUse(id: string): AccountInUse {
    const strategies = this.db.prepare('SELECT s.id, s.name FROM strategy_accounts sa JOIN strategies s ON s.id = sa.strategy_id WHERE sa.account_id = ? ORDER BY s.created_at, s.id').all(id) as { id: string; name: string }[];
    const openOrders = this.db
      .prepare(`SELECT id, status, symbol FROM orders WHERE account_id = ? AND status IN (${OPEN_STATUSES.map(() => '?').join(', ')}) ORDER BY created_at, id`)
      .all(id, ...OPEN_STATUSES) as { id: string; status: string; symbol: string }[];
    const approvals = this.db.prepare("SELECT count(*) AS n FROM approvals WHERE account_id = ? AND status = 'pending'").get(id) as { n: number };
    return { strategies, openOrders, pendingApprovals: approvals.n };
  }

  /**
   * Deletes the account, its own trading state (a halt or reducing set for it) and its reconciliation cursor (the
   * fills cursor, the baseline of positions not opened by the agent, and the trades counted into it) unless
   * something still needs it, checked in the same transaction as the delete. Its orders, fills, decisions and paper
   * books stay. An account imported again under the same id is reconciled afresh (a first reconciliation), not
   * against a baseline of the deleted one's. The audit triggers record the deletes.
   */
  deleteIfUnused(id: string): AccountDeleteResult {
    return this.db.transaction((): AccountDeleteResult => {
      if (!this.get(id)) return { deleted: false, notFound: true };
      const inUse = this.inUse(id);
      if (isInUse(inUse)) return { deleted: false, inUse };
      // (The global state's scope is 'global': never an account's, whatever id an imported account carries.)
      if (id !== 'global') this.db.prepare('DELETE FROM trading_state WHERE scope = ?').run(id);
      this.db.prepare('DELETE FROM reconcile_state WHERE account_id = ?').run(id);
      this.db.prepare('DELETE FROM external_fills WHERE account_id = ?').run(id);
      this.db.prepare('DELETE FROM accounts WHERE id = ?').run(id);
      return { deleted: true };
    })();
  }
}

export function isInUse(u: AccountInUse): boolean {
  return u.strategies.length > 0 || u.openOrders.length > 0 || u.pendingApprovals > 0;
}
