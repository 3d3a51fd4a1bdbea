// One order and its whole story, from the alert that caused it to the last fill.
import { useQuery } from '@tanstack/react-query';
import { useApi } from '../api/context.js';
import { keys } from '../api/keys.js';
import { useAccounts } from '../api/hooks.js';
import { formatTime } from '../lib/format.js';
import { orderTimeline } from '../lib/timeline.js';
import { StatusPill } from '../components/StatusPill.js';
import { CodeExplain } from '../components/CodeExplain.js';
import { JsonBlock } from '../components/JsonBlock.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { Link } from '../lib/router.js';

export function OrderDetail({ id }: { id: string }) {
  const api = useApi();
  const q = useQuery({ queryKey: keys.order(id), queryFn: () => api.order(id) });
  const signalId = q.data?.signalId;
  const sig = useQuery({ queryKey: keys.signal(signalId ?? ''), queryFn: () => api.signal(signalId!), enabled: !!signalId });
  const accounts = useAccounts();
  const o = q.data;
  const timeline = o ? orderTimeline(o, sig.data) : [];
  return (
    <div className="page">
      <p>
        <Link to="/orders">← Orders</Link>
      </p>
      <h1>
        Order {o ? `${o.side} ${o.quantity} ${o.symbol}` : ''} <code className="small">{id}</code>
      </h1>
      <ErrorBox error={q.error} title="This order could not be loaded" />
      {o && (
        <>
          <dl className="facts">
            <dt>Status</dt>
            <dd>
              <StatusPill value={o.status} testId="order-status" />
            </dd>
            <dt>Account</dt>
            <dd>{accounts.data?.find((a) => a.id === o.accountId)?.name ?? o.accountId}</dd>
            <dt>Type</dt>
            <dd>
              {o.type} · {o.timeInForce}
              {o.limitPrice && ` · limit ${o.limitPrice}`}
              {o.stopPrice && ` · stop ${o.stopPrice}`}
            </dd>
            <dt>Filled</dt>
            <dd>
              {o.filledQuantity} of {o.quantity}
              {o.averageFillPrice && ` @ ${o.averageFillPrice}`}
            </dd>
            <dt>Client order id</dt>
            <dd>
              <code>{o.clientOrderId}</code>
            </dd>
            <dt>Broker order id</dt>
            <dd>{o.brokerOrderId ? <code>{o.brokerOrderId}</code> : '—'}</dd>
            <dt>Signal</dt>
            <dd>{o.signalId ? <Link to={`/signals/${o.signalId}`}>{o.signalId}</Link> : 'none (placed by the agent, e.g. flatten)'}</dd>
          </dl>
          {o.reason && <CodeExplain code={/^[A-Z_]+$/.test(o.reason.split(':')[0] ?? '') ? o.reason.split(':')[0] : undefined} detail={o.reason} />}
          <section aria-labelledby="timeline">
            <h2 id="timeline">Timeline</h2>
            <ol className="timeline" data-testid="timeline">
              {timeline.map((e, i) => (
                <li key={i} className={`tl-${e.kind}`} data-testid="timeline-entry">
                  <div className="tl-head">
                    <span className="muted small">{formatTime(e.at)}</span> <strong>{e.title}</strong>
                  </div>
                  {(e.code || e.detail) && <CodeExplain code={e.code} detail={e.detail} compact />}
                  {e.data !== undefined && (
                    <details>
                      <summary>Details</summary>
                      <JsonBlock value={e.data} label={`${e.title} details`} />
                    </details>
                  )}
                </li>
              ))}
            </ol>
          </section>
        </>
      )}
    </div>
  );
}
