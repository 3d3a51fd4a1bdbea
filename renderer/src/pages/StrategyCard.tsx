// A strategy with its webhook URL (copy) and a link to its alert message builder.
import type { StrategyView } from '../../../shared/api-types.js';
import { CopyButton } from '../components/CopyButton.js';
import { Link } from '../lib/router.js';

export function StrategyCard({ strategy: s, accountNames }: { strategy: StrategyView; accountNames?: (id: string) => string }) {
  return (
    <article className="card" data-testid="strategy" aria-label={s.name}>
      <div className="row between">
        <h3>
          <Link to={`/strategies/${s.id}`}>{s.name}</Link>
        </h3>
        <span className="muted small">{s.enabled ? 'enabled' : 'disabled'} · {s.hasPassphrase ? 'passphrase' : 'no passphrase'}</span>
      </div>
      <div className="row wrap">
        <code className="url" data-testid="webhook-url">
          {s.webhookUrl}
        </code>
        <CopyButton text={s.webhookUrl} label="Copy webhook URL" />
      </div>
      {accountNames && <p className="muted small">Accounts: {s.accountIds.map(accountNames).join(', ')}</p>}
    </article>
  );
}
