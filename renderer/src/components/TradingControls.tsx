// The kill switch and flatten-all: always in the header. Halting is one click (stopping must never be hard);
// resuming and flattening ask first, because they move money.
import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useApi } from '../api/context.js';
import { useTradingState } from '../api/hooks.js';
import { keys } from '../api/keys.js';
import type { TradingState } from '../../../shared/trading-state.js';
import { StatusPill } from './StatusPill.js';
import { ConfirmDialog } from './ConfirmDialog.js';
import { ErrorBox } from './ErrorBox.js';

export function TradingControls() {
  const api = useApi();
  const qc = useQueryClient();
  const ts = useTradingState();
  const [ask, setAsk] = useState<'resume' | 'flatten' | undefined>();
  const [haltToo, setHaltToo] = useState(true);
  const [result, setResult] = useState<string>();
  const setState = useMutation({
    mutationFn: (s: TradingState) => api.setTradingState(s, s === 'active' ? 'resumed by the trader' : `${s} by the trader`),
    onSuccess: (view) => {
      qc.setQueryData(keys.tradingState, view);
      setAsk(undefined);
    },
  });
  const flatten = useMutation({
    mutationFn: () => api.flatten({ halt: haltToo }),
    onSuccess: (r) => {
      setAsk(undefined);
      setResult(`Flatten sent: ${r.closing.length} closing order(s), ${r.canceled} open order(s) canceled${r.errors.length ? `; failed on ${r.errors.map((e) => `${e.accountId}: ${e.message}`).join('; ')}` : ''}.`);
      void qc.invalidateQueries();
    },
  });
  const state = ts.data?.state;
  return (
    <div className="trading-controls" aria-label="Trading state">
      <span className="label">Trading</span>
      {state ? <StatusPill value={state} testId="trading-state" /> : <span className="muted">…</span>}
      {state && state !== 'halted' ? (
        <button type="button" className="btn danger" onClick={() => setState.mutate('halted')} disabled={setState.isPending} data-testid="halt">
          Halt trading
        </button>
      ) : (
        <button type="button" className="btn" onClick={() => setAsk('resume')} disabled={!state} data-testid="resume">
          Resume…
        </button>
      )}
      <button type="button" className="btn warn" onClick={() => setAsk('flatten')} data-testid="flatten">
        Flatten all…
      </button>
      {result && (
        <span role="status" className="muted small" data-testid="flatten-result">
          {result}
        </span>
      )}
      <ErrorBox error={setState.error ?? flatten.error} title="The trading state did not change" />
      <ConfirmDialog open={ask === 'resume'} title="Resume trading?" confirmLabel="Resume trading" busy={setState.isPending} onConfirm={() => setState.mutate('active')} onCancel={() => setAsk(undefined)}>
        <p>New alerts will place orders again on every account that is not halted by itself.</p>
        {ts.data?.reason && <p className="muted">Halted because: {ts.data.reason}</p>}
      </ConfirmDialog>
      <ConfirmDialog open={ask === 'flatten'} title="Flatten every position?" confirmLabel="Flatten all" danger busy={flatten.isPending} onConfirm={() => flatten.mutate()} onCancel={() => setAsk(undefined)}>
        <p>Cancels every open order and sends market orders that close every position on every account.</p>
        <label className="check">
          <input type="checkbox" checked={haltToo} onChange={(e) => setHaltToo(e.target.checked)} /> Also halt trading, so no new alert opens a position again
        </label>
      </ConfirmDialog>
    </div>
  );
}
