// Broker connection per account (status.brokers, account.connection, or the account's connected/connectionError).
import { useAccounts, useStatus } from '../api/hooks.js';
import { brokerHealth } from '../lib/broker-health.js';
import { StatusPill } from './StatusPill.js';
import { HeaderBadge } from './HeaderBadge.js';

export function BrokerHealthBadge() {
  const accounts = useAccounts();
  const status = useStatus();
  const rows = brokerHealth(accounts.data, status.data?.brokers);
  const bad = rows.filter((r) => r.health && r.health.state !== 'connected');
  const known = rows.filter((r) => r.health);
  return (
    <HeaderBadge label="Brokers" ariaLabel="Broker connections">
      {rows.length === 0 ? (
        <span className="muted small">no account</span>
      ) : known.length === 0 ? (
        <span className="muted small" title="This agent version does not report broker connection health.">
          {rows.length} account{rows.length > 1 ? 's' : ''}, health not reported
        </span>
      ) : bad.length === 0 ? (
        <StatusPill value="connected" />
      ) : (
        <span title={bad.map((b) => `${b.name}: ${b.health?.message ?? b.health?.state}`).join('\n')}>
          <StatusPill value={bad[0]!.health!.state} /> <span className="small">{bad.map((b) => b.name).join(', ')}</span>
        </span>
      )}
    </HeaderBadge>
  );
}
