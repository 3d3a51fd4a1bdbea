import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiClient, takeToken } from './api.js';
import type { OrderView, StrategyView } from '../../shared/api-types.js';

function App({ api }: { api: ApiClient }) {
  const [strategies, setStrategies] = useState<StrategyView[]>([]);
  const [orders, setOrders] = useState<OrderView[]>([]);
  const [error, setError] = useState<string>();
  useEffect(() => {
    let alive = true;
    const load = () =>
      Promise.all([api.strategies(), api.orders()]).then(
        ([s, o]) => {
          if (!alive) return;
          setStrategies(s.items);
          setOrders(o.items);
          setError(undefined);
        },
        (e: Error) => alive && setError(e.message),
      );
    void load();
    const t = setInterval(load, 1000);
    return () => {
      alive = false;
      clearInterval(t);
    };
  }, [api]);
  return (
    <main>
      <h1>Viewzenix</h1>
      {error && <p role="alert">{error}</p>}
      <section aria-label="Strategies">
        <h2>Strategies</h2>
        <ul>
          {strategies.map((s) => (
            <li key={s.id} data-testid="strategy">
              <strong>{s.name}</strong> <code>{s.webhookUrl}</code>
            </li>
          ))}
        </ul>
      </section>
      <section aria-label="Orders">
        <h2>Orders</h2>
        <table>
          <thead>
            <tr><th>Created</th><th>Symbol</th><th>Side</th><th>Qty</th><th>Status</th><th>Avg price</th></tr>
          </thead>
          <tbody>
            {orders.map((o) => (
              <tr key={o.id} data-testid="order">
                <td>{o.createdAt}</td><td>{o.symbol}</td><td>{o.side}</td><td>{o.quantity}</td><td>{o.status}</td><td>{o.averageFillPrice ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </main>
  );
}

function NoToken() {
  return (
    <main>
      <h1>Viewzenix</h1>
      <p role="alert">This window has no control token. Open the UI address the agent printed at start (it ends with #token=…), or run <code>viewzenix start</code> again to see it.</p>
    </main>
  );
}

const token = takeToken();
createRoot(document.getElementById('root')!).render(<StrictMode>{token ? <App api={new ApiClient(token)} /> : <NoToken />}</StrictMode>);
