// A virtualised order table backed by server paging: only the pages under the viewport are fetched, so 100,000
// stored orders cost the same as 100. Rows are fixed height, so the scrollbar is exact from the total.
import { useEffect, useRef } from 'react';
import { keepPreviousData, useQueries, useQuery } from '@tanstack/react-query';
import { useApi } from '../api/context.js';
import { keys } from '../api/keys.js';
import type { OrdersQuery } from '../api/client.js';
import type { OrderView } from '../../../shared/api-types.js';
import { StatusPill } from '../components/StatusPill.js';
import { EmptyState } from '../components/EmptyState.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { navigate, Link } from '../lib/router.js';
import { useFixedRows } from '../lib/fixed-rows.js';
import { PAGE_SIZE } from './orders-query.js';
import { cellClass, ORDER_COLUMNS, ordersTotalText, ROW_HEIGHT } from './orders-columns.js';

export { PAGE_SIZE };
const OVERSCAN = 12;

type Sort = NonNullable<OrdersQuery['sort']>;

/** Pages that hold rows [start, end]. */
export function pagesFor(start: number, end: number, pageSize = PAGE_SIZE): number[] {
  if (end < start) return [];
  const out: number[] = [];
  for (let p = Math.floor(start / pageSize); p <= Math.floor(end / pageSize); p++) out.push(p);
  return out;
}

export function OrdersTable({ query, onSort }: { query: OrdersQuery; onSort: (s: Sort) => void }) {
  const api = useApi();
  const scrollRef = useRef<HTMLDivElement>(null);
  const fetchPage = (page: number) => api.orders({ ...query, limit: PAGE_SIZE, offset: page * PAGE_SIZE });
  const first = useQuery({ queryKey: keys.ordersPage(query, 0), queryFn: () => fetchPage(0), placeholderData: keepPreviousData });
  const total = first.data?.total ?? 0;
  const hasRows = (first.data?.items.length ?? 0) > 0;
  // A user-timing mark for the benchmark (bench/ui-orders.ts): when the first rows are on screen.
  useEffect(() => {
    if (hasRows && performance.getEntriesByName('vz-orders-first-rows').length === 0) performance.mark('vz-orders-first-rows');
  }, [hasRows]);
  const win = useFixedRows(scrollRef, total, ROW_HEIGHT, OVERSCAN);
  const pages = pagesFor(win.start, win.end).filter((p) => p !== 0);
  const pageResults = useQueries({ queries: pages.map((p) => ({ queryKey: keys.ordersPage(query, p), queryFn: () => fetchPage(p), staleTime: 2000 })) });
  const byPage = new Map<number, OrderView[]>([[0, first.data?.items ?? []]]);
  pages.forEach((p, i) => {
    const items = pageResults[i]?.data?.items;
    if (items) byPage.set(p, items);
  });
  const row = (i: number): OrderView | undefined => byPage.get(Math.floor(i / PAGE_SIZE))?.[i % PAGE_SIZE];

  const sortState = (s?: Sort): 'ascending' | 'descending' | 'none' | undefined => (s ? (query.sort === s ? (query.direction === 'asc' ? 'ascending' : 'descending') : 'none') : undefined);
  return (
    <>
      <ErrorBox error={first.error} title="Orders could not be loaded" />
      <p className="muted small" role="status" data-testid="orders-total">
        {first.data ? ordersTotalText(total) : 'Loading…'}
      </p>
      {first.data && total === 0 ? (
        <EmptyState title={query.status || query.symbol || query.search ? 'No order matches these filters.' : 'No order yet.'}>Orders appear here live when an alert is traded. Send a test alert from a strategy page.</EmptyState>
      ) : (
        <div className="vtable" role="table" aria-label="Orders" aria-rowcount={total + 1}>
          <div className="vrow vhead" role="row" aria-rowindex={1}>
            {ORDER_COLUMNS.map((c) => (
              <div key={c.label} role="columnheader" aria-sort={sortState(c.sort)} className={`vcell ${c.className ?? ''}`}>
                {c.sort ? (
                  <button type="button" className="sort" onClick={() => onSort(c.sort!)}>
                    {c.label} {query.sort === c.sort ? (query.direction === 'asc' ? '▲' : '▼') : ''}
                  </button>
                ) : (
                  c.label
                )}
              </div>
            ))}
          </div>
          <div ref={scrollRef} className="vbody" data-testid="orders-scroll">
            <div style={{ height: win.totalHeight, position: 'relative' }}>
              {indexes(win.start, win.end).map((index) => {
                const o = row(index);
                return (
                  <div
                    key={index}
                    role="row"
                    aria-rowindex={index + 2}
                    className="vrow"
                    data-testid={o ? 'order' : 'order-loading'}
                    style={{ position: 'absolute', top: 0, left: 0, right: 0, height: ROW_HEIGHT, transform: `translateY(${index * ROW_HEIGHT}px)` }}
                    onClick={o ? () => navigate(`/orders/${o.id}`) : undefined}
                  >
                    {o ? <OrderCells o={o} /> : <div role="cell" className="vcell muted">Loading…</div>}
                  </div>
                );
              })}
            </div>
          </div>
        </div>
      )}
    </>
  );
}

function indexes(start: number, end: number): number[] {
  const out: number[] = [];
  for (let i = start; i <= end; i++) out.push(i);
  return out;
}

function OrderCells({ o }: { o: OrderView }) {
  return (
    <>
      {ORDER_COLUMNS.map((c) => (
        <div key={c.label} role="cell" className={cellClass(c, o)}>
          {c.kind === 'link' ? <Link to={`/orders/${o.id}`}>{c.text(o)}</Link> : c.kind === 'pill' ? <StatusPill value={c.text(o)} /> : c.text(o)}
        </div>
      ))}
    </>
  );
}
