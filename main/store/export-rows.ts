// Row sources for journal exports. Each is a lazy iterator over one SELECT (better-sqlite3 .iterate()), so an
// export of any size holds one row at a time. Run them on a connection of their own (openExportReader): while
// an iterator is open its connection can run nothing else, and the agent's writer must not wait for a download.
import { openDatabase, type Db } from './db.js';

export interface ExportRange {
  /** Inclusive, ISO-8601 UTC. */
  from?: string;
  /** Exclusive, ISO-8601 UTC. */
  to?: string;
  accountId?: string;
  strategyId?: string;
}

export type RawRow = Record<string, string | number | null>;

export function openExportReader(file: string): Db {
  return openDatabase({ file, readonly: true });
}

function where(timeColumn: string, r: ExportRange, alias: string): { sql: string; args: Record<string, string> } {
  const parts: string[] = [];
  const args: Record<string, string> = {};
  if (r.from) {
    parts.push(`${timeColumn} >= @from`);
    args.from = r.from;
  }
  if (r.to) {
    parts.push(`${timeColumn} < @to`);
    args.to = r.to;
  }
  if (r.accountId) {
    parts.push(`${alias}.account_id = @accountId`);
    args.accountId = r.accountId;
  }
  if (r.strategyId) {
    parts.push(`${alias}.strategy_id = @strategyId`);
    args.strategyId = r.strategyId;
  }
  return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', args };
}

export function orderRows(db: Db, r: ExportRange): IterableIterator<RawRow> {
  const w = where('o.created_at', r, 'o');
  return db
    .prepare(
      `SELECT o.created_at AS datetime_utc, o.updated_at AS updated_utc, o.account_id, a.name AS account_name, a.broker,
              o.strategy_id, s.name AS strategy_name, o.symbol, o.side, o.type AS order_type, o.quantity, o.limit_price,
              o.stop_price, o.time_in_force, o.status, o.filled_quantity, o.average_fill_price,
              (SELECT json_group_array(f.commission) FROM fills f WHERE f.order_id = o.id AND f.commission IS NOT NULL) AS fees_list,
              o.id AS order_id, o.client_order_id, o.broker_order_id, o.signal_id, o.reason
         FROM orders o LEFT JOIN accounts a ON a.id = o.account_id LEFT JOIN strategies s ON s.id = o.strategy_id
         ${w.sql} ORDER BY o.created_at, o.id`,
    )
    .iterate(w.args) as IterableIterator<RawRow>;
}

export function fillRows(db: Db, r: ExportRange): IterableIterator<RawRow> {
  const w = where('f.time', { ...r, strategyId: undefined }, 'f');
  const strategy = r.strategyId ? `${w.sql ? ' AND' : 'WHERE'} o.strategy_id = @strategyId` : '';
  return db
    .prepare(
      `SELECT f.time AS datetime_utc, f.account_id, a.name AS account_name, a.broker, o.strategy_id, s.name AS strategy_name,
              f.symbol, f.side, f.quantity, f.price, f.commission AS fees, f.trade_id, f.order_id, o.client_order_id, o.broker_order_id
         FROM fills f LEFT JOIN orders o ON o.id = f.order_id LEFT JOIN accounts a ON a.id = f.account_id LEFT JOIN strategies s ON s.id = o.strategy_id
         ${w.sql}${strategy} ORDER BY f.time, f.trade_id`,
    )
    .iterate({ ...w.args, ...(r.strategyId ? { strategyId: r.strategyId } : {}) }) as IterableIterator<RawRow>;
}

export function signalRows(db: Db, r: ExportRange): IterableIterator<RawRow> {
  const w = where('g.received_at', { ...r, accountId: undefined }, 'g');
  return db
    .prepare(
      `SELECT g.received_at AS datetime_utc, g.id AS signal_id, g.strategy_id, s.name AS strategy_name, g.status, g.code, g.message,
              g.symbol, json_extract(g.parsed, '$.action') AS action, json_extract(g.parsed, '$.quantity') AS quantity,
              json_extract(g.parsed, '$.price') AS price, g.content_type, g.source_ip, g.processed_at AS processed_utc, g.raw_body
         FROM signals g LEFT JOIN strategies s ON s.id = g.strategy_id
         ${w.sql} ORDER BY g.seq`,
    )
    .iterate(w.args) as IterableIterator<RawRow>;
}

/** Names for the positions export (positions come from the broker adapters, not from a table). */
export function accountNames(db: Db): Map<string, { name: string; broker: string }> {
  return new Map((db.prepare('SELECT id, name, broker FROM accounts').all() as { id: string; name: string; broker: string }[]).map((a) => [a.id, { name: a.name, broker: a.broker }]));
}
