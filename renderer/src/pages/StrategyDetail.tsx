// One strategy: its webhook URL, the exact alert message to paste into TradingView, and a tester.
import { useQuery } from '@tanstack/react-query';
import { useApi } from '../api/context.js';
import { useAccounts, useSignals } from '../api/hooks.js';
import { CopyButton } from '../components/CopyButton.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { AlertBuilder } from './AlertBuilder.js';
import { SignalsTable } from './SignalsTable.js';
import { Link } from '../lib/router.js';
import { StrategySettings } from './StrategySettings.js';

export function StrategyDetail({ id }: { id: string }) {
  const api = useApi();
  const q = useQuery({ queryKey: ['strategies', id], queryFn: () => api.strategy(id) });
  const accounts = useAccounts();
  const signals = useSignals({ limit: 20, strategyId: id });
  const s = q.data;
  return (
    <div className="page">
      <p>
        <Link to="/strategies">← Strategies</Link>
      </p>
      <h1>{s?.name ?? 'Strategy'}</h1>
      <ErrorBox error={q.error} title="This strategy could not be loaded" />
      {s && (
        <>
          <section aria-labelledby="webhook" className="card">
            <h2 id="webhook">1. Webhook URL</h2>
            <p>In the TradingView alert, tick "Webhook URL" and paste:</p>
            <div className="row wrap">
              <code className="url big" data-testid="webhook-url">
                {s.webhookUrl}
              </code>
              <CopyButton text={s.webhookUrl} label="Copy webhook URL" />
            </div>
            {s.webhookUrl.startsWith('http://127.0.0.1') && <p className="warn-line">This is a local address: TradingView cannot reach it. Start a tunnel in <Link to="/settings">Settings</Link> to get a public URL.</p>}
            <p className="muted small">Trades on: {s.accountIds.map((a) => accounts.data?.find((x) => x.id === a)?.name ?? a).join(', ')}</p>
          </section>
          <StrategySettings strategy={s} />
          <AlertBuilder strategy={s} />
          <section aria-labelledby="recent">
            <h2 id="recent">Recent alerts</h2>
            {signals.data?.length ? <SignalsTable signals={signals.data} /> : <p className="muted">None yet.</p>}
          </section>
        </>
      )}
    </div>
  );
}
