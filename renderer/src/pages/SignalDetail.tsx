// One alert: what arrived (raw body), what it was read as (parsed signal), and what each account decided.
import { useQuery } from '@tanstack/react-query';
import { useApi } from '../api/context.js';
import { keys } from '../api/keys.js';
import { useAccounts, useStrategies } from '../api/hooks.js';
import { formatTime } from '../lib/format.js';
import { StatusPill } from '../components/StatusPill.js';
import { CodeExplain } from '../components/CodeExplain.js';
import { JsonBlock } from '../components/JsonBlock.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { OrdersMiniTable } from './OrdersMiniTable.js';
import { Link } from '../lib/router.js';
import { indentJsonText } from '../lib/raw-body.js';

export function SignalDetail({ id }: { id: string }) {
  const api = useApi();
  const q = useQuery({ queryKey: keys.signal(id), queryFn: () => api.signal(id) });
  const accounts = useAccounts();
  const strategies = useStrategies();
  const accountName = (a: string) => accounts.data?.find((x) => x.id === a)?.name ?? a;
  const s = q.data;
  return (
    <div className="page">
      <p>
        <Link to="/signals">← Signals</Link>
      </p>
      <h1>
        Signal {s?.symbol ?? ''} <code className="small">{id}</code>
      </h1>
      <ErrorBox error={q.error} title="This signal could not be loaded" />
      {s && (
        <>
          <dl className="facts">
            <dt>Status</dt>
            <dd>
              <StatusPill value={s.status} testId="signal-status" />
            </dd>
            <dt>Received</dt>
            <dd>{formatTime(s.receivedAt)}</dd>
            <dt>Processed</dt>
            <dd>{formatTime(s.processedAt) || '—'}</dd>
            <dt>Strategy</dt>
            <dd>
              <Link to={`/strategies/${s.strategyId}`}>{strategies.data?.find((x) => x.id === s.strategyId)?.name ?? s.strategyId}</Link>
            </dd>
            <dt>From</dt>
            <dd>
              {s.sourceIp ?? '—'} {s.contentType && <span className="muted">({s.contentType})</span>}
            </dd>
          </dl>
          {(s.code || s.message) && (
            <section aria-label="Reason" data-testid="signal-reason">
              <h2>Reason</h2>
              <CodeExplain code={s.code} detail={s.message} />
            </section>
          )}
          <section aria-labelledby="decisions">
            <h2 id="decisions">Decisions per account</h2>
            {s.decisions.length === 0 ? (
              <p className="muted">No decision yet{s.status === 'queued' || s.status === 'processing' ? ': the alert is being processed.' : '.'}</p>
            ) : (
              <ul className="decisions">
                {s.decisions.map((d, i) => (
                  <li key={i} data-testid="decision">
                    <strong>{accountName(d.accountId)}</strong> <StatusPill value={d.verdict === 'order' ? 'accepted' : d.verdict} /> <span className="muted small">{formatTime(d.at)}</span>
                    {d.code && <CodeExplain code={d.code} detail={d.detail} />}
                    {d.data !== undefined && (
                      <details>
                        <summary>Plan</summary>
                        <JsonBlock value={d.data} label="Decision data" />
                      </details>
                    )}
                  </li>
                ))}
              </ul>
            )}
          </section>
          <section aria-labelledby="sig-orders">
            <h2 id="sig-orders">Orders</h2>
            {s.orders.length === 0 ? <p className="muted">No order was placed for this alert.</p> : <OrdersMiniTable orders={s.orders} />}
          </section>
          <div className="two-col">
            <section aria-labelledby="raw">
              <h2 id="raw">Raw body</h2>
              <RawBody text={s.rawBody} />
            </section>
            <section aria-labelledby="parsed">
              <h2 id="parsed">Parsed signal</h2>
              {s.parsed ? <JsonBlock value={s.parsed} label="Parsed signal" /> : <p className="muted">The alert could not be read as a signal.</p>}
            </section>
          </div>
        </>
      )}
    </div>
  );
}

/** The body exactly as received (a string, never parsed and printed again), and beside it an indented view that
 *  only moves whitespace, labelled as such. */
function RawBody({ text }: { text: string }) {
  const pretty = indentJsonText(text);
  return (
    <>
      <pre className="json" aria-label="Raw alert body" tabIndex={0} data-testid="raw-body">
        {text}
      </pre>
      {pretty !== undefined && pretty !== text && (
        <details>
          <summary>Indented view (whitespace only; every key and value as received)</summary>
          <pre className="json" aria-label="Raw alert body, indented" tabIndex={0} data-testid="raw-body-indented">
            {pretty}
          </pre>
        </details>
      )}
    </>
  );
}
