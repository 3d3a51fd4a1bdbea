// Every alert received, newest first, filterable by status and strategy.
import { useState } from 'react';
import { useAccounts, useSignals, useStrategies } from '../api/hooks.js';
import { SignalsTable } from './SignalsTable.js';
import { EmptyState } from '../components/EmptyState.js';
import { ErrorBox } from '../components/ErrorBox.js';

const STATUSES = ['', 'queued', 'processing', 'done', 'denied', 'rejected', 'failed'];

export function Signals() {
  const [status, setStatus] = useState('');
  const [strategyId, setStrategyId] = useState('');
  const strategies = useStrategies();
  useAccounts();
  const signals = useSignals({ limit: 500, status: status || undefined, strategyId: strategyId || undefined });
  const name = (id: string) => strategies.data?.find((s) => s.id === id)?.name ?? id;
  return (
    <div className="page">
      <h1>Signals</h1>
      <div className="filters">
        <label>
          Status{' '}
          <select value={status} onChange={(e) => setStatus(e.target.value)}>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s || 'all'}
              </option>
            ))}
          </select>
        </label>
        <label>
          Strategy{' '}
          <select value={strategyId} onChange={(e) => setStrategyId(e.target.value)}>
            <option value="">all</option>
            {strategies.data?.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorBox error={signals.error} title="Signals could not be loaded" />
      {signals.data?.length === 0 ? (
        <EmptyState title={status || strategyId ? 'No signal matches these filters.' : 'No alert received yet.'}>
          Point a TradingView alert at a strategy's webhook URL, or test with <code>viewzenix signal send alert.json</code>.
        </EmptyState>
      ) : (
        <SignalsTable signals={signals.data ?? []} strategyName={name} />
      )}
    </div>
  );
}
