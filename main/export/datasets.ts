// What each journal export contains, column by column: UTC date and time, symbol, side, quantity, price, fees,
// ids (order, client order, broker, trade, signal), status, strategy and account. Decimal strings stay strings.
import { Decimal } from 'decimal.js';
import type { Db } from '../store/db.js';
import { accountNames, fillRows, orderRows, signalRows, type ExportRange, type RawRow } from '../store/export-rows.js';
import type { PositionView } from '../../shared/api-types.js';
import { redactText } from '../notify/redact.js';

export const DATASETS = ['orders', 'fills', 'signals', 'positions'] as const;
export type Dataset = (typeof DATASETS)[number];

export type Row = Record<string, string>;

export const COLUMNS: Record<Dataset, readonly string[]> = {
  orders: ['date_utc', 'time_utc', 'datetime_utc', 'account_id', 'account_name', 'broker', 'strategy_id', 'strategy_name', 'symbol', 'side', 'order_type', 'quantity', 'limit_price', 'stop_price', 'time_in_force', 'status', 'filled_quantity', 'average_fill_price', 'fees', 'order_id', 'client_order_id', 'broker_order_id', 'signal_id', 'reason', 'updated_utc'],
  fills: ['date_utc', 'time_utc', 'datetime_utc', 'account_id', 'account_name', 'broker', 'strategy_id', 'strategy_name', 'symbol', 'side', 'quantity', 'price', 'fees', 'gross_value', 'trade_id', 'order_id', 'client_order_id', 'broker_order_id'],
  signals: ['date_utc', 'time_utc', 'datetime_utc', 'signal_id', 'strategy_id', 'strategy_name', 'status', 'code', 'message', 'symbol', 'action', 'quantity', 'price', 'content_type', 'source_ip', 'processed_utc', 'raw_body'],
  positions: ['account_id', 'account_name', 'broker', 'symbol', 'quantity', 'average_price', 'market_price', 'unrealized_pnl', 'as_of_utc'],
};

const str = (v: string | number | null | undefined): string => (v === null || v === undefined ? '' : String(v));

function withTime(raw: RawRow): Row {
  const at = str(raw.datetime_utc);
  const row: Row = { date_utc: at.slice(0, 10), time_utc: at.slice(11, 23).replace(/Z$/, '') };
  for (const [k, v] of Object.entries(raw)) row[k] = str(v);
  return row;
}

function sum(values: string[]): string {
  try {
    return values.reduce((a, v) => a.plus(v), new Decimal(0)).toString();
  } catch {
    return '';
  }
}

function* mapRows<T>(source: Iterable<T>, fn: (r: T) => Row): Generator<Row> {
  for (const r of source) yield fn(r);
}

export function exportRows(db: Db, dataset: Exclude<Dataset, 'positions'>, range: ExportRange): Generator<Row> {
  switch (dataset) {
    case 'orders':
      return mapRows(orderRows(db, range), (raw) => {
        const { fees_list: feesList, ...rest } = raw;
        const fees = feesList ? (JSON.parse(String(feesList)) as string[]) : [];
        const row = withTime(rest);
        row.fees = fees.length ? sum(fees) : '';
        row.reason = redactText(row.reason ?? '');
        return row;
      });
    case 'fills':
      return mapRows(fillRows(db, range), (raw) => {
        const row = withTime(raw);
        try {
          row.gross_value = new Decimal(row.quantity!).times(row.price!).toString();
        } catch {
          row.gross_value = '';
        }
        return row;
      });
    case 'signals':
      return mapRows(signalRows(db, range), (raw) => {
        const row = withTime(raw);
        // The webhook stores bodies with the passphrase already replaced; scrubbing again costs little.
        row.raw_body = redactText(row.raw_body ?? '');
        row.message = redactText(row.message ?? '');
        return row;
      });
  }
}

export function positionRows(db: Db, positions: readonly PositionView[], asOf: string): Row[] {
  const names = accountNames(db);
  return positions.map((p) => ({
    account_id: p.accountId,
    account_name: names.get(p.accountId)?.name ?? '',
    broker: names.get(p.accountId)?.broker ?? '',
    symbol: p.symbol,
    quantity: p.quantity,
    average_price: p.averagePrice,
    market_price: p.marketPrice ?? '',
    unrealized_pnl: p.unrealizedPnl ?? '',
    as_of_utc: asOf,
  }));
}
