import type { Migration } from './index.js';

export const m001: Migration = {
  version: 1,
  name: 'core',
  up(db) {
    db.exec(`
      CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);

      CREATE TABLE accounts (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        broker TEXT NOT NULL,
        environment TEXT NOT NULL,
        base_url TEXT,
        config TEXT NOT NULL DEFAULT '{}',
        created_at TEXT NOT NULL
      );

      CREATE TABLE strategies (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        webhook_id TEXT NOT NULL UNIQUE,
        passphrase_hash TEXT,
        enabled INTEGER NOT NULL DEFAULT 1,
        config TEXT NOT NULL DEFAULT '{}',
        created_at TEXT NOT NULL
      );

      CREATE TABLE strategy_accounts (
        strategy_id TEXT NOT NULL REFERENCES strategies(id) ON DELETE CASCADE,
        account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        config TEXT NOT NULL DEFAULT '{}',
        PRIMARY KEY (strategy_id, account_id)
      );

      -- The durable inbox: one row per received alert, committed before the answer is sent.
      CREATE TABLE signals (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        strategy_id TEXT NOT NULL,
        received_at TEXT NOT NULL,
        content_type TEXT,
        source_ip TEXT,
        raw_body TEXT NOT NULL,
        body_hash TEXT NOT NULL,
        dedupe_key TEXT UNIQUE,
        status TEXT NOT NULL,
        code TEXT,
        message TEXT,
        parsed TEXT,
        symbol TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        processed_at TEXT
      );
      CREATE INDEX signals_status ON signals(status, seq);
      CREATE INDEX signals_body_hash ON signals(strategy_id, body_hash, received_at);
      CREATE INDEX signals_received ON signals(received_at);

      -- What the engines decided for each signal and account: the trader sees every rule's verdict.
      CREATE TABLE signal_decisions (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        signal_id TEXT NOT NULL,
        account_id TEXT NOT NULL,
        verdict TEXT NOT NULL,
        code TEXT,
        detail TEXT,
        data TEXT,
        at TEXT NOT NULL
      );
      CREATE INDEX signal_decisions_signal ON signal_decisions(signal_id, seq);

      CREATE TABLE orders (
        id TEXT PRIMARY KEY,
        client_order_id TEXT NOT NULL UNIQUE,
        signal_id TEXT,
        strategy_id TEXT,
        account_id TEXT NOT NULL,
        symbol TEXT NOT NULL,
        side TEXT NOT NULL,
        type TEXT NOT NULL,
        quantity TEXT NOT NULL,
        time_in_force TEXT NOT NULL,
        limit_price TEXT,
        stop_price TEXT,
        status TEXT NOT NULL,
        filled_quantity TEXT NOT NULL DEFAULT '0',
        average_fill_price TEXT,
        broker_order_id TEXT,
        reason TEXT,
        request TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX orders_status ON orders(status);
      CREATE INDEX orders_created ON orders(created_at);
      CREATE INDEX orders_signal ON orders(signal_id);

      -- Append-only: the story of each order, from request to fill.
      CREATE TABLE order_events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        order_id TEXT NOT NULL,
        at TEXT NOT NULL,
        kind TEXT NOT NULL,
        from_status TEXT,
        to_status TEXT,
        data TEXT
      );
      CREATE INDEX order_events_order ON order_events(order_id, seq);

      CREATE TABLE fills (
        account_id TEXT NOT NULL,
        trade_id TEXT NOT NULL,
        order_id TEXT NOT NULL,
        symbol TEXT NOT NULL,
        side TEXT NOT NULL,
        quantity TEXT NOT NULL,
        price TEXT NOT NULL,
        commission TEXT,
        time TEXT NOT NULL,
        PRIMARY KEY (account_id, trade_id)
      );
      CREATE INDEX fills_order ON fills(order_id);

      CREATE TABLE trading_state (
        scope TEXT PRIMARY KEY,
        state TEXT NOT NULL,
        reason TEXT,
        updated_at TEXT NOT NULL
      );
    `);
  },
};
