import type { Migration } from './index.js';

/**
 * The audit trail. Triggers copy every write to signals, decisions, orders, order events, fills and the
 * configuration tables into audit_log; a sealer (main/store/audit.ts) then links the rows into a SHA-256 hash
 * chain in seq order. The chain is computed outside SQL so that any connection (the sqlite3 shell, a restore
 * tool) can still write to the audited tables; unsealed rows are sealed within seconds.
 *
 * audit_log and order_events are append-only: DELETE always aborts, UPDATE aborts except the one update the
 * sealer makes (filling prev_hash/hash on a row that has none, changing nothing else).
 */

interface Audited {
  table: string;
  /** SQL expression for the row id, over NEW / OLD. */
  id: (row: 'NEW' | 'OLD') => string;
  columns: readonly string[];
  ops: readonly ('INSERT' | 'UPDATE' | 'DELETE')[];
}

const AUDITED: readonly Audited[] = [
  // raw_body is represented by its hash (body_hash): the chain proves it, without a second copy of every alert.
  { table: 'signals', id: (r) => `${r}.id`, columns: ['id', 'strategy_id', 'received_at', 'content_type', 'source_ip', 'body_hash', 'dedupe_key', 'status', 'code', 'message', 'symbol', 'attempts', 'processed_at'], ops: ['INSERT', 'UPDATE'] },
  { table: 'signal_decisions', id: (r) => `CAST(${r}.seq AS TEXT)`, columns: ['seq', 'signal_id', 'account_id', 'verdict', 'code', 'detail', 'data', 'at'], ops: ['INSERT', 'UPDATE', 'DELETE'] },
  { table: 'orders', id: (r) => `${r}.id`, columns: ['id', 'client_order_id', 'signal_id', 'strategy_id', 'account_id', 'symbol', 'side', 'type', 'quantity', 'time_in_force', 'limit_price', 'stop_price', 'status', 'filled_quantity', 'average_fill_price', 'broker_order_id', 'reason', 'created_at', 'updated_at'], ops: ['INSERT', 'UPDATE', 'DELETE'] },
  { table: 'order_events', id: (r) => `CAST(${r}.seq AS TEXT)`, columns: ['seq', 'order_id', 'at', 'kind', 'from_status', 'to_status', 'data'], ops: ['INSERT'] },
  { table: 'fills', id: (r) => `${r}.account_id || ':' || ${r}.trade_id`, columns: ['account_id', 'trade_id', 'order_id', 'symbol', 'side', 'quantity', 'price', 'commission', 'time'], ops: ['INSERT', 'UPDATE', 'DELETE'] },
  { table: 'strategies', id: (r) => `${r}.id`, columns: ['id', 'name', 'enabled', 'config', 'created_at'], ops: ['INSERT', 'UPDATE', 'DELETE'] },
  { table: 'strategy_accounts', id: (r) => `${r}.strategy_id || ':' || ${r}.account_id`, columns: ['strategy_id', 'account_id', 'config'], ops: ['INSERT', 'UPDATE', 'DELETE'] },
  { table: 'accounts', id: (r) => `${r}.id`, columns: ['id', 'name', 'broker', 'environment', 'base_url', 'config', 'created_at'], ops: ['INSERT', 'UPDATE', 'DELETE'] },
  { table: 'settings', id: (r) => `${r}.key`, columns: ['key', 'value'], ops: ['INSERT', 'UPDATE', 'DELETE'] },
  { table: 'trading_state', id: (r) => `${r}.scope`, columns: ['scope', 'state', 'reason', 'updated_at'], ops: ['INSERT', 'UPDATE', 'DELETE'] },
];

function trigger(a: Audited, op: Audited['ops'][number]): string {
  const row = op === 'DELETE' ? 'OLD' : 'NEW';
  const payload = `json_object(${a.columns.map((c) => `'${c}', ${row}.${c}`).join(', ')})`;
  return `
    CREATE TRIGGER audit_${a.table}_${op.toLowerCase()} AFTER ${op} ON ${a.table}
    BEGIN
      INSERT INTO audit_log (at, tbl, row_id, op, payload)
      VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), '${a.table}', ${a.id(row)}, '${op.toLowerCase()}', ${payload});
    END;`;
}

export const m005: Migration = {
  version: 5,
  name: 'audit-log',
  up(db) {
    db.exec(`
      CREATE TABLE audit_log (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        tbl TEXT NOT NULL,
        row_id TEXT NOT NULL,
        op TEXT NOT NULL,
        payload TEXT NOT NULL,
        prev_hash TEXT,
        hash TEXT
      );
      CREATE INDEX audit_log_unsealed ON audit_log(seq) WHERE hash IS NULL;
      CREATE INDEX audit_log_row ON audit_log(tbl, row_id, seq);

      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
      BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

      CREATE TRIGGER audit_log_seal_only BEFORE UPDATE ON audit_log
      WHEN OLD.hash IS NOT NULL OR NEW.hash IS NULL
        OR NEW.seq IS NOT OLD.seq OR NEW.at IS NOT OLD.at OR NEW.tbl IS NOT OLD.tbl
        OR NEW.row_id IS NOT OLD.row_id OR NEW.op IS NOT OLD.op OR NEW.payload IS NOT OLD.payload
      BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

      CREATE TRIGGER order_events_no_update BEFORE UPDATE ON order_events
      BEGIN SELECT RAISE(ABORT, 'order_events is append-only'); END;
      CREATE TRIGGER order_events_no_delete BEFORE DELETE ON order_events
      BEGIN SELECT RAISE(ABORT, 'order_events is append-only'); END;
    `);
    for (const a of AUDITED) for (const op of a.ops) db.exec(trigger(a, op));
  },
};
