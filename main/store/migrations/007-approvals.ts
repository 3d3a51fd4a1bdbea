import type { Migration } from './index.js';

/**
 * Manual approval: one row per order intent the worker held back instead of sending. The order request is kept
 * exactly as it will be sent (its client order id is the deterministic one the worker would use), so approving
 * sends the same order the alert asked for and a second approve cannot create a second order. The status only
 * ever leaves 'pending' once: every decision is a conditional UPDATE ... WHERE status = 'pending'.
 */
export const m007: Migration = {
  version: 7,
  name: 'approvals',
  up(db) {
    db.exec(`
      CREATE TABLE approvals (
        id TEXT PRIMARY KEY,
        signal_id TEXT NOT NULL,
        strategy_id TEXT NOT NULL,
        account_id TEXT NOT NULL,
        leg TEXT NOT NULL,
        depends_on TEXT,
        symbol TEXT NOT NULL,
        side TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
        quantity TEXT NOT NULL,
        request TEXT NOT NULL,
        intent TEXT NOT NULL,
        verdict TEXT NOT NULL,
        cancel_open_orders INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected', 'expired')),
        decided_at TEXT,
        decided_by TEXT,
        reason TEXT,
        code TEXT,
        order_id TEXT,
        UNIQUE (signal_id, account_id, leg)
      );
      CREATE INDEX approvals_pending ON approvals(expires_at) WHERE status = 'pending';
      CREATE INDEX approvals_status ON approvals(status, created_at);
    `);
  },
};
