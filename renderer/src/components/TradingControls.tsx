// The kill switch and flatten-all: always in the header. Halting and reduce-only are one click (stopping must never
// be hard); resuming (globally or one account) and flattening ask first, because they move money. Accounts held by a
// state of their own (circuit breaker, loss limit, the trader) are shown here with their own Resume.
import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useApi } from '../api/context.js';
import { useAccounts, useTradingState } from '../api/hooks.js';
import { keys } from '../api/keys.js';
import type { TradingState } from '../../../shared/trading-state.js';
import { accountResumeNote, globalActions, heldAccounts, heldDescription, type HeldAccount } from '../lib/trading-controls.js';
import { flattenSummary } from '../lib/flatten.js';
import { StatusPill } from './StatusPill.js';
import { ConfirmDialog } from './ConfirmDialog.js';
import { ErrorBox } from './ErrorBox.js';

type Ask = { kind: 'resume' } | { kind: 'flatten' } | { kind: 'resume-account'; account: HeldAccount };

export function TradingControls() {
  const api = useApi();
  const qc = useQueryClient();
  const ts = useTradingState();
  const accounts = useAccounts();
  const [ask, setAsk] = useState<Ask | undefined>();
  const [haltToo, setHaltToo] = useState(true);
  const [result, setResult] = useState<string>();
  const setState = useMutation({
    mutationFn: (v: { state: TradingState; accountId?: string }) => api.setTradingState(v.state, v.state === 'active' ? 'resumed by the trader' : `${v.state} by the trader`, v.accountId),
    onSuccess: (view) => {
      qc.setQueryData(keys.tradingState, view);
      setAsk(undefined);
    },
  });
  const flatten = useMutation({
    mutationFn: () => api.flatten({ halt: haltToo }),
    onSuccess: (r) => {
      setAsk(undefined);
      setResult(flattenSummary(r, (id) => accounts.data?.find((a) => a.id === id)?.name));
      void qc.invalidateQueries();
    },
  });
  const state = ts.data?.state;
  const can = globalActions(state);
  const held = heldAccounts(ts.data, accounts.data);
  const asked = ask?.kind === 'resume-account' ? ask.account : undefined;
  const note = accountResumeNote(state);
  return (
    <div className="trading-controls" aria-label="Trading state">
      <span className="badge">
        <span className="label">Trading</span>
        {state ? <StatusPill value={state} testId="trading-state" /> : <span className="muted">…</span>}
      </span>
      {can.halt && (
        <button type="button" className="btn danger" onClick={() => setState.mutate({ state: 'halted' })} disabled={setState.isPending} data-testid="halt">
          Halt trading
        </button>
      )}
      {can.reduceOnly && (
        <button type="button" className="btn" onClick={() => setState.mutate({ state: 'reducing' })} disabled={setState.isPending} data-testid="reduce-only" title="Only orders that make a position smaller go through">
          Reduce only
        </button>
      )}
      {(can.resume || !state) && (
        <button type="button" className="btn" onClick={() => setAsk({ kind: 'resume' })} disabled={!state} data-testid="resume">
          Resume…
        </button>
      )}
      <button type="button" className="btn warn" onClick={() => setAsk({ kind: 'flatten' })} data-testid="flatten">
        Flatten all…
      </button>
      {held.map((a) => (
        // Compact: a long name is cut with an ellipsis; the whole name, the state and the reason are its tooltip and
        // what a screen reader hears.
        <span key={a.id} role="group" className="badge held" data-testid="account-held" title={heldDescription(a)} aria-label={heldDescription(a)}>
          <span className="held-name" data-testid="account-held-name">
            {a.name}
          </span>
          <span className="badge-values">
            <StatusPill value={a.state} />
            <button type="button" className="btn small" onClick={() => setAsk({ kind: 'resume-account', account: a })} disabled={setState.isPending} aria-label={`Resume ${a.name}…`} data-testid="resume-account">
              Resume…
            </button>
          </span>
        </span>
      ))}
      {result && (
        <span role="status" className="muted small" data-testid="flatten-result">
          {result}
        </span>
      )}
      <ErrorBox error={setState.error ?? flatten.error} title="The trading state did not change" />
      <ConfirmDialog open={ask?.kind === 'resume'} title="Resume trading?" confirmLabel="Resume trading" busy={setState.isPending} onConfirm={() => setState.mutate({ state: 'active' })} onCancel={() => setAsk(undefined)}>
        <p>New alerts will place orders again on every account that has no halt or reduce-only of its own.</p>
        {ts.data?.reason && (
          <p className="muted">
            {state === 'reducing' ? 'Reduce-only' : 'Halted'} because: {ts.data.reason}
          </p>
        )}
        {held.length > 0 && <p className="muted">Still held by their own state: {held.map((a) => `${a.name} (${a.state})`).join(', ')}. Resume each of them beside the header's trading state.</p>}
      </ConfirmDialog>
      <ConfirmDialog
        open={asked !== undefined}
        title={asked ? `Resume ${asked.name}?` : 'Resume the account?'}
        confirmLabel="Resume this account"
        busy={setState.isPending}
        onConfirm={() => asked && setState.mutate({ state: 'active', accountId: asked.id })}
        onCancel={() => setAsk(undefined)}
      >
        <p>New alerts will place orders on {asked?.name ?? 'this account'} again.</p>
        {asked && (
          <p className="muted">
            It is {asked.state === 'reducing' ? 'reduce-only' : 'halted'}
            {asked.reason ? ` because: ${asked.reason}` : ''}. Check that the cause is fixed first.
          </p>
        )}
        {note && <p className="muted">{note}</p>}
      </ConfirmDialog>
      <ConfirmDialog open={ask?.kind === 'flatten'} title="Flatten every position?" confirmLabel="Flatten all" danger busy={flatten.isPending} onConfirm={() => flatten.mutate()} onCancel={() => setAsk(undefined)}>
        <p>Cancels every open order and sends market orders that close every position on every account.</p>
        <label className="check">
          <input type="checkbox" checked={haltToo} onChange={(e) => setHaltToo(e.target.checked)} /> Also halt trading, so no new alert opens a position again
        </label>
      </ConfirmDialog>
    </div>
  );
}
