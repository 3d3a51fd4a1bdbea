// The orders page's server query, in one place: the page builds it from its filters, and the entry script asks
// for the first page of the default view before the UI code has even loaded (api/preload.ts) — the two must
// name the same URL, or the early answer is simply not used.
import { ordersPath, type OrdersQuery } from '../api/client.js';

/** Rows per server page; the table fetches only the pages under the viewport. */
export const PAGE_SIZE = 100;

export type OrdersSort = NonNullable<OrdersQuery['sort']>;
export const DEFAULT_SORT: OrdersSort = 'created_at';
export const DEFAULT_DIRECTION: 'asc' | 'desc' = 'desc';

export interface OrdersFilters {
  status: string;
  symbol: string;
  search: string;
  sort: OrdersSort;
  direction: 'asc' | 'desc';
}

export function ordersQuery(f: OrdersFilters): OrdersQuery {
  return { status: f.status || undefined, symbol: f.symbol.trim().toUpperCase() || undefined, search: f.search || undefined, sort: f.sort, direction: f.direction };
}

/** The request behind page `page` of the table for `query`. */
export function ordersPagePath(query: OrdersQuery, page: number): string {
  return ordersPath({ ...query, limit: PAGE_SIZE, offset: page * PAGE_SIZE });
}

/** The orders page's query when it opens unfiltered. */
export function defaultOrdersQuery(): OrdersQuery {
  return ordersQuery({ status: '', symbol: '', search: '', sort: DEFAULT_SORT, direction: DEFAULT_DIRECTION });
}

/** What the orders page asks for first when it opens unfiltered. */
export function defaultFirstPagePath(): string {
  return ordersPagePath(defaultOrdersQuery(), 0);
}
