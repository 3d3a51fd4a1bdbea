import type { Migration } from './index.js';

/** Order lifecycle depth: bracket children linked to their parent, a reconciliation cursor and position baseline
 *  per account, and the paper broker's resting-order state (stop triggered, trailing stop, brackets / OCO). */
export const m003: Migration = {
  version: 3,
  name: 'order-lifecycle',
  up(db) {
    db.exec(`
      ALTER TABLE orders ADD COLUMN parent_order_id TEXT;
      CREATE INDEX orders_account_status ON orders(account_id, status);

      -- Per account: where the last fills query stopped, and the positions the agent did not open itself
      -- (held before the agent, or traded by hand at the broker) so that they are not taken for a mismatch.
      CREATE TABLE reconcile_state (
        account_id TEXT PRIMARY KEY,
        fills_cursor TEXT,
        baseline TEXT NOT NULL DEFAULT '{}',
        last_run_at TEXT,
        last_result TEXT
      );
      -- Fills at the broker that are not of our orders, already counted into the baseline (once each).
      CREATE TABLE external_fills (
        account_id TEXT NOT NULL,
        trade_id TEXT NOT NULL,
        PRIMARY KEY (account_id, trade_id)
      );

      ALTER TABLE paper_orders ADD COLUMN triggered INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE paper_orders ADD COLUMN trail_amount TEXT;
      ALTER TABLE paper_orders ADD COLUMN trail_percent TEXT;
      ALTER TABLE paper_orders ADD COLUMN trail_extreme TEXT;
      ALTER TABLE paper_orders ADD COLUMN parent_client_order_id TEXT;
      ALTER TABLE paper_orders ADD COLUMN oco_group TEXT;
      CREATE INDEX paper_orders_oco ON paper_orders(account_id, oco_group);
    `);
  },
};
