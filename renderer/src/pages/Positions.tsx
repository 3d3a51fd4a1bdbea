// Open positions per account with unrealised P&L; flatten one account from here.
import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useApi } from '../api/context.js';
import { useAccounts, usePositionsView } from '../api/hooks.js';
import { formatSigned, signOf, sumDecimals } from '../lib/format.js';
import { EmptyState } from '../components/EmptyState.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { ConfirmDialog } from '../components/ConfirmDialog.js';
import type { PositionView } from '../../../shared/api-types.js';
import type { FlattenResultView } from '../api/types.js';
import { flattenErrorText } from '../lib/flatten.js';

export function Positions() {
  const api = useApi();
  const qc = useQueryClient();
  const positions = usePositionsView();
  const accounts = useAccounts();
  const [flattenId, setFlattenId] = useState<string>();
  // The accounts a flatten could not close (a broker that failed, an account not connected): never "done" silently.
  const [flattenErrors, setFlattenErrors] = useState<FlattenResultView['errors']>([]);
  const flatten = useMutation({
    mutationFn: (accountId: string) => api.flatten({ accountId }),
    onMutate: () => setFlattenErrors([]),
    onSuccess: (r) => {
      setFlattenId(undefined);
      setFlattenErrors(r.errors);
      void qc.invalidateQueries();
    },
  });
  const byAccount = new Map<string, PositionView[]>();
  for (const p of positions.data?.items ?? []) byAccount.set(p.accountId, [...(byAccount.get(p.accountId) ?? []), p]);
  const known = (id: string) => accounts.data?.find((a) => a.id === id)?.name;
  const name = (id: string) => known(id) ?? id;
  return (
    <div className="page">
      <h1>Positions</h1>
      <ErrorBox error={positions.error ?? flatten.error} title="Positions" />
      {flattenErrors.map((e) => (
        <div key={e.accountId} className="error-box" role="alert" data-testid="flatten-error">
          <strong>{name(e.accountId)}: the flatten did not finish</strong>
          <p>{flattenErrorText(e, known)}</p>
        </div>
      ))}
      {(positions.data?.errors ?? []).map((e) => (
        // An account whose broker could not be read: its positions are unknown, not absent.
        <div key={e.accountId} className="error-box" role="alert" data-testid="positions-error">
          <strong>{name(e.accountId)}: positions could not be read</strong>
          <p>
            <code>{e.code}</code> {e.message}
          </p>
        </div>
      ))}
      {positions.data && byAccount.size === 0 && (positions.data.errors ?? []).length === 0 && <EmptyState title="No open position.">Positions appear here when an order fills.</EmptyState>}
      {[...byAccount.entries()].map(([accountId, list]) => {
        const total = sumDecimals(list.map((p) => p.unrealizedPnl));
        return (
          <section key={accountId} aria-label={`Positions of ${name(accountId)}`} className="card">
            <div className="row between">
              <h2>{name(accountId)}</h2>
              <div className="row">
                {total !== undefined && (
                  <span>
                    Unrealised <strong className={`pnl ${signOf(total)}`}>{formatSigned(total)}</strong>
                  </span>
                )}
                <button type="button" className="btn warn small" onClick={() => setFlattenId(accountId)}>
                  Flatten account…
                </button>
              </div>
            </div>
            <div className="table-wrap">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">Symbol</th>
                    <th scope="col" className="num">Quantity</th>
                    <th scope="col" className="num">Avg price</th>
                    <th scope="col" className="num">Market price</th>
                    <th scope="col" className="num">Unrealised P&L</th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((p) => (
                    <tr key={p.symbol} data-testid="position">
                      <td>{p.symbol}</td>
                      <td className="num">{p.quantity}</td>
                      <td className="num">{p.averagePrice}</td>
                      <td className="num">{p.marketPrice ?? '—'}</td>
                      <td className={`num pnl ${signOf(p.unrealizedPnl)}`}>{p.unrealizedPnl !== undefined ? formatSigned(p.unrealizedPnl) : '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        );
      })}
      <ConfirmDialog open={!!flattenId} title={`Flatten ${flattenId ? name(flattenId) : ''}?`} confirmLabel="Flatten account" danger busy={flatten.isPending} onConfirm={() => flattenId && flatten.mutate(flattenId)} onCancel={() => setFlattenId(undefined)}>
        <p>Cancels this account's open orders and closes each of its positions with a market order.</p>
      </ConfirmDialog>
    </div>
  );
}
