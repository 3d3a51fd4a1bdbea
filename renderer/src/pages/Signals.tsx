// Every alert received, newest first, filterable by status and strategy. The agent answers a window of the newest
// signals; when more match (`truncated`) the page says so and offers a larger window, never a silent cut.
import { useState } from 'react';
import { useAccounts, useSignalList, useStrategies } from '../api/hooks.js';
import { truncationNotice } from '../lib/list-window.js';
import { SignalsTable } from './SignalsTable.js';
import { EmptyState } from '../components/EmptyState.js';
import { ErrorBox } from '../components/ErrorBox.js';

const STATUSES = ['', 'queued', 'processing', 'done', 'denied', 'rejected', 'failed'];

export function Signals() {
  const [status, setStatus] = useState('');
  const [strategyId, setStrategyId] = useState('');
  const [limit, setLimit] = useState(FIRST_LIMIT);
  const strategies = useStrategies();
  useAccounts();
  const list = useSignalList({ limit, status: status || undefined, strategyId: strategyId || undefined });
  const items = list.data?.items;
  const notice = items && !list.isPlaceholderData ? truncationNotice(items.length, limit, list.data?.truncated, Boolean(status || strategyId)) : undefined;
  const name = (id: string) => strategies.data?.find((s) => s.id === id)?.name ?? id;
  return (
    <div className="page">
      <h1>Signals</h1>
      <div className="filters">
        <label>
          Status{' '}
          <select value={status} onChange={(e) => {
              setStatus(e.target.value);
              setLimit(FIRST_LIMIT);
            }}>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s || 'all'}
              </option>
            ))}
          </select>
        </label>
        <label>
          Strategy{' '}
          <select value={strategyId} onChange={(e) => {
              setStrategyId(e.target.value);
              setLimit(FIRST_LIMIT);
            }}>
            <option value="">all</option>
            {strategies.data?.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorBox error={list.error} title="Signals could not be loaded" />
      {items && (
        <p className="muted small" role="status" data-testid="signals-count">
          {list.isPlaceholderData ? 'Loading…' : `${items.length.toLocaleString('en-US')} ${items.length === 1 ? 'signal' : 'signals'}${list.data?.truncated ? ' shown (more match)' : ''}`}
        </p>
      )}
      {notice && <TruncatedNotice text={notice.text} more={notice.more} onMore={setLimit} />}
      {items?.length === 0 ? (
        <EmptyState title={status || strategyId ? 'No signal matches these filters.' : 'No alert received yet.'}>
          Point a TradingView alert at a strategy's webhook URL, or test with <code>viewzenix signal send alert.json</code>.
        </EmptyState>
      ) : (
        <SignalsTable signals={items ?? []} strategyName={name} />
      )}
      {notice && items && items.length > 20 && <TruncatedNotice text={notice.text} more={notice.more} onMore={setLimit} testId="signals-truncated-end" />}
    </div>
  );
}

const FIRST_LIMIT = 500;

function TruncatedNotice({ text, more, onMore, testId = 'signals-truncated' }: { text: string; more?: number; onMore: (limit: number) => void; testId?: string }) {
  return (
    <p className="warn-line" data-testid={testId}>
      {text}{' '}
      {more !== undefined && (
        <button type="button" className="btn small" onClick={() => onMore(more)}>
          Load up to {more.toLocaleString('en-US')}
        </button>
      )}
    </p>
  );
}
