// Today at a glance: what needs attention first, then today's signals and orders, then the strategies.
import { useQuery } from '@tanstack/react-query';
import { useApi } from '../api/context.js';
import { keys } from '../api/keys.js';
import { useSignals, useStrategies } from '../api/hooks.js';
import { isToday } from '../lib/format.js';
import { AttentionList } from './AttentionList.js';
import { SignalsTable } from './SignalsTable.js';
import { OrdersMiniTable } from './OrdersMiniTable.js';
import { StrategyCard } from './StrategyCard.js';
import { EmptyState } from '../components/EmptyState.js';
import { Sparkline } from '../components/Sparkline.js';
import { Link } from '../lib/router.js';

export function Dashboard() {
  const api = useApi();
  const signals = useSignals({ limit: 200 });
  const q = { limit: 200, sort: 'created_at', direction: 'desc' } as const;
  const orders = useQuery({ queryKey: keys.ordersList(q), queryFn: () => api.orders(q) });
  const strategies = useStrategies();
  const todaySignals = (signals.data ?? []).filter((s) => isToday(s.receivedAt));
  const todayOrders = (orders.data?.items ?? []).filter((o) => isToday(o.createdAt));
  const perHour = hourly(todaySignals.map((s) => s.receivedAt));
  return (
    <div className="page">
      <h1>Dashboard</h1>
      <AttentionList />
      <section aria-labelledby="today-signals">
        <div className="row between">
          <h2 id="today-signals">Today's signals ({todaySignals.length})</h2>
          <Sparkline values={perHour} label="Signals per hour today" />
        </div>
        {todaySignals.length === 0 ? (
          <EmptyState title="No alert today yet.">
            Create a strategy, paste its alert message into TradingView, or send a test alert: <code>viewzenix signal send alert.json</code>.
          </EmptyState>
        ) : (
          <SignalsTable signals={todaySignals.slice(0, 20)} />
        )}
      </section>
      <section aria-labelledby="today-orders">
        <div className="row between">
          <h2 id="today-orders">Today's orders ({todayOrders.length})</h2>
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
