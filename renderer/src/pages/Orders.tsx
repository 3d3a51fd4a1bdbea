// All orders, however many: filters and sort go to the server; the table below pages by offset as it scrolls.
import { useEffect, useState } from 'react';
import { ORDER_STATUSES } from '../../../shared/order-status.js';
import type { OrdersQuery } from '../api/client.js';
import { OrdersTable } from './OrdersTable.js';
import { DEFAULT_DIRECTION, DEFAULT_SORT, ordersQuery, type OrdersSort as Sort } from './orders-query.js';

export function Orders() {
  const [status, setStatus] = useState('');
  const [symbol, setSymbol] = useState('');
  const [searchText, setSearchText] = useState('');
  const [search, setSearch] = useState('');
  const [sort, setSort] = useState<Sort>(DEFAULT_SORT);
  const [direction, setDirection] = useState<'asc' | 'desc'>(DEFAULT_DIRECTION);
  // Typing does not fire a request per key.
  useEffect(() => {
    const t = setTimeout(() => setSearch(searchText.trim()), 250);
    return () => clearTimeout(t);
  }, [searchText]);
  const onSort = (s: Sort) => {
    if (s === sort) setDirection(direction === 'asc' ? 'desc' : 'asc');
    else {
      setSort(s);
      setDirection(s === 'created_at' || s === 'updated_at' ? 'desc' : 'asc');
    }
  };
  const query: OrdersQuery = ordersQuery({ status, symbol, search, sort, direction });
  return (
    <div className="page page-fill">
      <h1>Orders</h1>
      <div className="filters" role="search">
        <label>
          Status{' '}
          <select value={status} onChange={(e) => setStatus(e.target.value)} data-testid="filter-status">
            <option value="">all</option>
            {ORDER_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s.replace(/_/g, ' ')}
              </option>
            ))}
          </select>
        </label>
        <label>
          Symbol <input value={symbol} onChange={(e) => setSymbol(e.target.value)} placeholder="AAPL" size={10} data-testid="filter-symbol" />
        </label>
        <label>
          Search <input type="search" value={searchText} onChange={(e) => setSearchText(e.target.value)} placeholder="id, client id, symbol" data-testid="filter-search" />
        </label>
      </div>
      <OrdersTable query={query} onSort={onSort} />
    </div>
  );
}
