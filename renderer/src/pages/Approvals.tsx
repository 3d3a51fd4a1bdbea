// Orders held for manual approval: what, at which price, where, from which strategy, and how long is left. Approve
// sends a real order (the agent checks the risk rules again first), so it asks first, like Reject, which drops it
// with an optional reason.
import { useState } from 'react';
import { useMutation, useQueries, useQueryClient } from '@tanstack/react-query';
import { useApi } from '../api/context.js';
import { usePendingApprovals } from '../api/hooks.js';
import { keys } from '../api/keys.js';
import { useNow } from '../lib/use-now.js';
import { countdown, isUrgent } from '../lib/countdown.js';
import { formatTime } from '../lib/format.js';
import { alertPriceOf, approvalPrice } from '../lib/approval-price.js';
import { Link } from '../lib/router.js';
import { EmptyState } from '../components/EmptyState.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { NotAvailable } from '../components/NotAvailable.js';
import { ConfirmDialog } from '../components/ConfirmDialog.js';
import type { ApprovalView, OrderView } from '../../../shared/api-types.js';

export function Approvals() {
  const api = useApi();
  const qc = useQueryClient();
  const pending = usePendingApprovals();
  const items = pending.data?.items ?? [];
  const now = useNow(items.length > 0);
  const [rejecting, setRejecting] = useState<ApprovalView>();
  const [approving, setApproving] = useState<ApprovalView>();
  // The alert price of market orders comes from their signal (the approval holds only limit and stop prices).
  const signalIds = [...new Set(items.filter((a) => !a.limitPrice && !a.stopPrice).map((a) => a.signalId))];
  const signals = useQueries({ queries: signalIds.map((id) => ({ queryKey: keys.signal(id), queryFn: () => api.signal(id), staleTime: Infinity })) });
  const alertPrice = (signalId: string) => alertPriceOf(signals[signalIds.indexOf(signalId)]?.data?.parsed);
  const [reason, setReason] = useState('');
  const [sent, setSent] = useState<{ approval: ApprovalView; order: OrderView }>();
  const refresh = () => void qc.invalidateQueries({ queryKey: keys.approvals });
  const approve = useMutation({
    mutationFn: (id: string) => api.approve(id),
    onSuccess: (r) => {
      setSent(r);
      setApproving(undefined);
      void qc.invalidateQueries({ queryKey: keys.ordersAll });
    },
    onSettled: refresh,
  });
  const reject = useMutation({
    mutationFn: (a: { id: string; reason?: string }) => api.reject(a.id, a.reason),
    onSuccess: () => {
      setRejecting(undefined);
      setReason('');
    },
    onSettled: refresh,
  });
  if (pending.notAvailable) return <NotAvailable what="Manual approval" />;
  return (
    <div className="page">
      <h1>Approvals</h1>
      <p className="muted">
        Strategies set to manual approval hold their orders here. Approving checks the risk rules again and sends the order once; an order not approved in time
        expires and is never sent.
      </p>
      <ErrorBox error={pending.error ?? approve.error ?? reject.error} title="Approvals" />
      {sent && (
        <p role="status" className="ok-line" data-testid="approval-sent">
          Sent: {sent.order.side} {sent.order.quantity} {sent.order.symbol} — <Link to={`/orders/${sent.order.id}`}>order {sent.order.status}</Link>
        </p>
      )}
      {pending.data && items.length === 0 && <EmptyState title="No order waits for approval.">Orders of strategies with manual approval appear here as their alerts arrive.</EmptyState>}
      {items.length > 0 && (
        <div className="table-wrap">
          <table className="table" aria-label="Orders waiting for approval">
            <thead>
              <tr>
                <th scope="col">Symbol</th>
                <th scope="col">Side</th>
                <th scope="col" className="num">Quantity</th>
                <th scope="col">Type</th>
                <th scope="col" className="num">Price</th>
                <th scope="col">Account</th>
                <th scope="col">Strategy</th>
                <th scope="col">Received</th>
                <th scope="col">Expires in</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((a) => {
                const left = countdown(a.expiresAt, now);
                const busy = (approve.isPending && approve.variables === a.id) || (reject.isPending && reject.variables?.id === a.id);
                return (
                  <tr key={a.id} data-testid="approval-row" data-approval-id={a.id}>
                    <td>
                      <strong>{a.symbol}</strong>
                      {a.leg !== 'entry' && <span className="muted small"> ({a.leg})</span>}
                    </td>
                    <td>{a.side}</td>
                    <td className="num">{a.quantity}</td>
                    <td>{a.type}</td>
                    <td className="num" data-testid="approval-price">{approvalPrice(a, alertPrice(a.signalId))}</td>
                    <td>{a.accountName ?? a.accountId}</td>
                    <td>{a.strategyName ?? a.strategyId}</td>
                    <td>
                      <Link to={`/signals/${a.signalId}`}>{formatTime(a.createdAt)}</Link>
                    </td>
                    <td>
                      <time dateTime={a.expiresAt} title={a.expiresAt} className={isUrgent(a.expiresAt, now) ? 'pill bad' : 'pill warn'} data-testid="approval-countdown">
                        {left}
                      </time>
                    </td>
                    <td>
                      <div className="row">
                        <button type="button" className="btn primary small" disabled={busy || left === 'expired'} onClick={() => setApproving(a)} aria-label={`Approve ${a.side} ${a.quantity} ${a.symbol}`}>
                          Approve…
                        </button>
                        <button type="button" className="btn small" disabled={busy} onClick={() => setRejecting(a)} aria-label={`Reject ${a.side} ${a.quantity} ${a.symbol}`}>
                          Reject…
                        </button>
                      </div>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <ConfirmDialog
        open={approving !== undefined}
        title="Send this order?"
        confirmLabel="Approve and send"
        busy={approve.isPending}
        onCancel={() => {
          setApproving(undefined);
          approve.reset();
        }}
        onConfirm={() => approving && !approve.isPending && approve.mutate(approving.id)}
      >
        {approving && (
          <>
            <p data-testid="approve-confirm-text">
              {approving.side} {approving.quantity} {approving.symbol}, {approvalPrice(approving, alertPrice(approving.signalId))}, on {approving.accountName ?? approving.accountId} will be sent to the broker now. The risk rules are checked
              again first.
            </p>
            {approve.error ? <ErrorBox error={approve.error} title="The order was not sent" /> : null}
          </>
        )}
      </ConfirmDialog>
      <ConfirmDialog
        open={rejecting !== undefined}
        title="Reject this order?"
        confirmLabel="Reject"
        danger
        busy={reject.isPending}
        onCancel={() => setRejecting(undefined)}
        onConfirm={() => rejecting && reject.mutate({ id: rejecting.id, reason: reason.trim() || undefined })}
      >
        {rejecting && (
          <>
            <p>
              {rejecting.side} {rejecting.quantity} {rejecting.symbol} on {rejecting.accountName ?? rejecting.accountId} will not be sent.
            </p>
            <label>
              Reason (optional)
              <input type="text" value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} />
            </label>
          </>
        )}
      </ConfirmDialog>
    </div>
  );
}
