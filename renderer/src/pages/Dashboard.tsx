// Today at a glance: what needs attention first, then today's signals and orders, then the strategies. The counts
// come from the newest 200 of each: when even the 200th is from today, the heading says "200+", never a wrong total.
import { useQuery } from '@tanstack/react-query';
import { useApi } from '../api/context.js';
import { keys } from '../api/keys.js';
import { useSignalList, useStrategies } from '../api/hooks.js';
import { isToday } from '../lib/format.js';
import { todayCount } from '../lib/list-window.js';
import { AttentionList } from './AttentionList.js';
import { SignalsTable } from './SignalsTable.js';
import { OrdersMiniTable } from './OrdersMiniTable.js';
import { StrategyCard } from './StrategyCard.js';
import { EmptyState } from '../components/EmptyState.js';
import { Sparkline } from '../components/Sparkline.js';
import { Link } from '../lib/router.js';

/** The newest rows the counts are taken from. */
const WINDOW = 200;

export function Dashboard() {
  const api = useApi();
  const signals = useSignalList({ limit: WINDOW });
  const q = { limit: WINDOW, sort: 'created_at', direction: 'desc' } as const;
  const orders = useQuery({ queryKey: keys.ordersList(q), queryFn: () => api.orders(q) });
  const strategies = useStrategies();
  const signalItems = signals.data?.items ?? [];
  const orderItems = orders.data?.items ?? [];
  const todaySignals = signalItems.filter((s) => isToday(s.receivedAt));
  const todayOrders = orderItems.filter((o) => isToday(o.createdAt));
  const signalCount = todayCount(signalItems.map((s) => s.receivedAt), signals.data?.truncated);
  const orderCount = todayCount(orderItems.map((o) => o.createdAt), orders.data ? orders.data.truncated ?? orders.data.total > orderItems.length : undefined);
  const perHour = hourly(todaySignals.map((s) => s.receivedAt));
  return (
    <div className="page">
      <h1>Dashboard</h1>
      <AttentionList />
      <section aria-labelledby="today-signals">
        <div className="row between">
          <h2 id="today-signals">
            Today's signals (<span data-testid="today-signals-count">{signalCount.label}</span>)
          </h2>
          <Sparkline values={perHour} label={signalCount.complete ? 'Signals per hour today' : `Signals per hour today, from the newest ${WINDOW} only`} />
        </div>
        {todaySignals.length === 0 ? (
          <EmptyState title="No alert today yet.">
            Create a strategy, paste its alert message into TradingView, or send a test alert: <code>viewzenix signal send alert.json</code>.
          </EmptyState>
        ) : (
          <>
            {!signalCount.complete && <p className="muted small">More than {WINDOW} alerts today: the count and the chart cover the newest {WINDOW}. <Link to="/signals">All signals</Link></p>}
            <SignalsTable signals={todaySignals.slice(0, 20)} />
          </>
        )}
      </section>
      <section aria-labelledby="today-orders">
        <div className="row between">
          <h2 id="today-orders">
            Today's orders (<span data-testid="today-orders-count">{orderCount.label}</span>)
          </h2>
          <Link to="/orders">All orders</Link>
        </div>
        {todayOrders.length === 0 ? <EmptyState title="No order today.">Orders appear here live as alerts are traded.</EmptyState> : <OrdersMiniTable orders={todayOrders.slice(0, 20)} />}
      </section>
      <section aria-labelledby="dash-strategies">
        <h2 id="dash-strategies">Strategies</h2>
        {strategies.data?.length === 0 && <EmptyState title="No strategy yet.">Create one on the <Link to="/strategies">Strategies</Link> page to get a webhook URL.</EmptyState>}
        <div className="cards">
          {strategies.data?.map((s) => <StrategyCard key={s.id} strategy={s} />)}
        </div>
      </section>
    </div>
  );
}

function hourly(times: string[]): number[] {
  const buckets = new Array<number>(new Date().getHours() + 1).fill(0);
  for (const t of times) {
    const h = new Date(t).getHours();
    if (h < buckets.length) buckets[h] = (buckets[h] ?? 0) + 1;
  }
  return buckets;
}
