// Everything that needs the trader, worst first: halted trading, orders with unknown outcome, orders waiting for
// approval, a tunnel that is not up, today's rejections and failures (all of them), today's denials (the newest,
// with a count of the rest), and the agent's own warnings. Each status is queried on its own, so a busy day of
// routine denials cannot push a refused TradingView alert out of the list.
import { useQuery } from '@tanstack/react-query';
import { useApi, useLive } from '../api/context.js';
import { keys } from '../api/keys.js';
import { useAccounts, usePendingApprovals, useSignalList, useTradingState, useTunnel } from '../api/hooks.js';
import { attentionSignals } from '../lib/list-window.js';
import type { SignalView } from '../../../shared/api-types.js';
import { formatClock } from '../lib/format.js';
import { CodeExplain } from '../components/CodeExplain.js';
import { Link } from '../lib/router.js';

/** Today's denials listed one by one; the rest are counted. Rejections and failures are all listed. */
const MAX_DENIALS = 10;

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
  const rejected = useSignalList({ status: 'rejected', limit: 100 });
  const failed = useSignalList({ status: 'failed', limit: 100 });
  const denied = useSignalList({ status: 'denied', limit: 100 });
  const todays = attentionSignals({ rejected: rejected.data, failed: failed.data, denied: denied.data }, MAX_DENIALS);
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
  const signalItem = (s: SignalView): Item => ({
    key: s.id,
    tone: s.status === 'denied' ? 'warn' : 'bad',
    body: (
      <span data-testid={s.status === 'denied' ? 'attention-denial' : 'attention-rejection'}>
        {formatClock(s.receivedAt)} <Link to={`/signals/${s.id}`}>{s.symbol ?? 'alert'}</Link> {s.status}: <CodeExplain code={s.code} detail={s.message} compact />
      </span>
    ),
  });
  for (const s of todays.urgent) items.push(signalItem(s));
  if (todays.urgentMore) items.push({ key: 'urgent-more', tone: 'bad', body: <>More alerts were rejected or failed today than listed here: see <Link to="/signals">Signals</Link> (filter by status).</> });
  for (const s of todays.denied) items.push(signalItem(s));
  if (todays.deniedHidden > 0 || todays.deniedMore) {
    const n = `${todays.deniedHidden}${todays.deniedMore ? '+' : ''}`;
    items.push({
      key: 'denied-more',
      tone: 'warn',
      body: (
        <span data-testid="attention-denied-more">
          {n} more {todays.deniedHidden === 1 && !todays.deniedMore ? 'alert was' : 'alerts were'} denied today: see <Link to="/signals">Signals</Link> (status denied).
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
