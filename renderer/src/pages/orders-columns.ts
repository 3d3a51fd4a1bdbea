// The orders table's columns, as data: the React table (OrdersTable.tsx) and the entry script's early rows
// (early-orders.ts) both draw from this list, so the rows painted before React boots are the rows React keeps.
import type { OrderView } from '../../../shared/api-types.js';
import { formatCount, formatTime } from '../lib/format-time.js';
import type { OrdersSort } from './orders-query.js';

export interface OrderColumn {
  label: string;
  /** The server sort this column's header switches to, when it has one. */
  sort?: OrdersSort;
  /** Extra classes of the header and the cells (`num` aligns right). */
  className?: string;
  /** `link`: the text links to the order's page; `pill`: the text is a state shown as a coloured word. */
  kind?: 'link' | 'pill';
  /** The cell's text (for `pill`, the raw state). */
  text: (o: OrderView) => string;
  /** Classes that depend on the row (the side's colour). */
  rowClass?: (o: OrderView) => string;
}

export const ORDER_COLUMNS: readonly OrderColumn[] = [
  { label: 'Created', sort: 'created_at', kind: 'link', text: (o) => formatTime(o.createdAt) },
  { label: 'Symbol', sort: 'symbol', text: (o) => o.symbol },
  { label: 'Side', text: (o) => o.side, rowClass: (o) => o.side },
  { label: 'Qty', className: 'num', text: (o) => o.quantity },
  { label: 'Type', text: (o) => o.type },
  { label: 'Status', sort: 'status', kind: 'pill', text: (o) => o.status },
  { label: 'Filled', className: 'num', text: (o) => o.filledQuantity },
  { label: 'Avg price', className: 'num', text: (o) => o.averageFillPrice ?? '' },
  { label: 'Updated', sort: 'updated_at', className: 'muted', text: (o) => formatTime(o.updatedAt) },
];

/** A cell's class attribute. */
export function cellClass(c: OrderColumn, o: OrderView): string {
  return ['vcell', c.className, c.rowClass?.(o)].filter(Boolean).join(' ');
}

/** Fixed row height in px: the virtualised table's arithmetic and the early rows use the same. */
export const ROW_HEIGHT = 36;

/** The orders count as shown above the table. */
export function ordersTotalText(total: number): string {
  return `${formatCount(total)} order${total === 1 ? '' : 's'}`;
}
