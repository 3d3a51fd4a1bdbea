import type { Migration } from './index.js';

/** The built-in paper broker's own books: it behaves like a broker with its own state, not a view of ours. */
export const m002: Migration = {
  version: 2,
  name: 'paper-broker',
  up(db) {
    db.exec(`
      CREATE TABLE paper_accounts (
        account_id TEXT PRIMARY KEY,
        currency TEXT NOT NULL,
        cash TEXT NOT NULL,
        realized_pnl TEXT NOT NULL DEFAULT '0',
        seq INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE paper_orders (
        account_id TEXT NOT NULL,
        client_order_id TEXT NOT NULL,
        broker_order_id TEXT NOT NULL,
        symbol TEXT NOT NULL,
        side TEXT NOT NULL,
        type TEXT NOT NULL,
        quantity TEXT NOT NULL,
        filled_quantity TEXT NOT NULL DEFAULT '0',
        average_fill_price TEXT,
        status TEXT NOT NULL,
        limit_price TEXT,
        stop_price TEXT,
        request TEXT NOT NULL,
        reason TEXT,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (account_id, client_order_id)
      );
      CREATE INDEX paper_orders_open ON paper_orders(account_id, status);
      CREATE TABLE paper_fills (
        account_id TEXT NOT NULL,
        trade_id TEXT NOT NULL,
        client_order_id TEXT NOT NULL,
        broker_order_id TEXT NOT NULL,
        symbol TEXT NOT NULL,
        side TEXT NOT NULL,
        quantity TEXT NOT NULL,
        price TEXT NOT NULL,
        commission TEXT NOT NULL,
        time TEXT NOT NULL,
        PRIMARY KEY (account_id, trade_id)
      );
      CREATE INDEX paper_fills_time ON paper_fills(account_id, time);
      CREATE TABLE paper_positions (
        account_id TEXT NOT NULL,
        symbol TEXT NOT NULL,
        quantity TEXT NOT NULL,
        average_price TEXT NOT NULL,
        last_price TEXT,
        PRIMARY KEY (account_id, symbol)
      );
      CREATE TABLE paper_prices (
        symbol TEXT PRIMARY KEY,
        price TEXT NOT NULL,
        at TEXT NOT NULL
      );
    `);
  },
};
