// Everything that needs the trader, worst first: halted trading, orders with unknown outcome, orders waiting for
// approval, a tunnel that is
// not up, today's denials and rejections, and the agent's own warnings.
import { useQuery } from '@tanstack/react-query';
import { useApi, useLive } from '../api/context.js';
import { keys } from '../api/keys.js';
import { useAccounts, usePendingApprovals, useSignals, useTradingState, useTunnel } from '../api/hooks.js';
import { isToday, formatClock } from '../lib/format.js';
import { CodeExplain } from '../components/CodeExplain.js';
import { Link } from '../lib/router.js';

interface Item {
  key: string;
  tone: 'bad' | 'warn';
  body: React.ReactNode;
}

export function AttentionList() {
  const api = useApi();
  const live = useLive();
  const ts = useTradingState();
  const tunnel = useTunnel();
  const accounts = useAccounts();
  const signals = useSignals({ limit: 200 });
  const uq = { status: 'unknown', limit: 5 } as const;
  const unknown = useQuery({ queryKey: keys.ordersList(uq), queryFn: () => api.orders(uq) });
  const approvals = usePendingApprovals();
  const items: Item[] = [];
  if (ts.data?.state === 'halted') items.push({ key: 'halted', tone: 'bad', body: <>Trading is <strong>halted</strong>{ts.data.reason ? ` (${ts.data.reason})` : ''}. Alerts are recorded and denied with TRADING_HALTED.</> });
  if (ts.data?.state === 'reducing') items.push({ key: 'reducing', tone: 'warn', body: <>Trading is reducing-only{ts.data.reason ? ` (${ts.data.reason})` : ''}: only exits are placed.</> });
  for (const [id, a] of Object.entries(ts.data?.accounts ?? {})) {
    if (a.state === 'active') continue;
    const name = accounts.data?.find((x) => x.id === id)?.name ?? id;
    items.push({ key: `acc-${id}`, tone: a.state === 'halted' ? 'bad' : 'warn', body: <>Account {name} is {a.state}{a.reason ? ` (${a.reason})` : ''}.</> });
  }
  if ((unknown.data?.total ?? 0) > 0) {
    items.push({
      key: 'unknown',
      tone: 'bad',
      body: (
        <>
          {unknown.data!.total} order(s) with an <strong>unknown outcome</strong> are being reconciled; do not re-send alerts by hand.{' '}
          {unknown.data!.items.map((o) => (
            <Link key={o.id} to={`/orders/${o.id}`} className="small">
              {o.symbol} {o.side}{' '}
            </Link>
          ))}
        </>
      ),
    });
  }
  const waiting = approvals.data?.pending ?? 0;
  if (waiting > 0) {
    items.push({
      key: 'approvals',
      tone: 'warn',
      body: (
        <span data-testid="attention-approvals">
          {waiting} {waiting === 1 ? 'order' : 'orders'} <strong>{waiting === 1 ? 'waits' : 'wait'} for your approval</strong> (approvals waiting); unapproved orders expire and are not sent.{' '}
          <Link to="/approvals">Review approvals</Link>
        </span>
      ),
    });
  }
  const t = tunnel.data;
  if (t && t.state !== 'up' && t.state !== 'stopped') items.push({ key: 'tunnel', tone: t.state === 'down' ? 'bad' : 'warn', body: <>The tunnel is <strong>{t.state}</strong>: TradingView alerts may not arrive. {t.lastError?.message} <Link to="/settings">Tunnel settings</Link></> });
  if (t && t.state === 'stopped') items.push({ key: 'tunnel-off', tone: 'warn', body: <>No tunnel is running, so TradingView cannot reach this agent. <Link to="/settings">Set up a tunnel</Link></> });
  for (const s of (signals.data ?? []).filter((x) => isToday(x.receivedAt) && (x.status === 'denied' || x.status === 'rejected' || x.status === 'failed')).slice(0, 10)) {
    items.push({
      key: s.id,
      tone: s.status === 'failed' ? 'bad' : 'warn',
      body: (
        <span data-testid="attention-denial">
          {formatClock(s.receivedAt)} <Link to={`/signals/${s.id}`}>{s.symbol ?? 'alert'}</Link> {s.status}: <CodeExplain code={s.code} detail={s.message} compact />
        </span>
      ),
    });
  }
  for (const n of live.notices.filter((x) => x.level !== 'info')) {
    items.push({
      key: `n${n.id}`,
      tone: n.level === 'error' ? 'bad' : 'warn',
      body: (
        <>
          {formatClock(n.at)} {n.code && <code>{n.code}</code>} {n.message}{' '}
          <button type="button" className="btn small" onClick={() => live.dismiss(n.id)}>
            Dismiss
          </button>
        </>
      ),
    });
  }
  return (
    <section aria-labelledby="attention" className="attention">
      <h2 id="attention">Needs attention</h2>
      {items.length === 0 ? (
        <p className="ok-line">Nothing needs attention.</p>
      ) : (
        <ul className="attention-list">
          {items.map((i) => (
            <li key={i.key} className={i.tone}>
              {i.body}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
