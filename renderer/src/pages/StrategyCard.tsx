// A strategy with its webhook URL (copy), a link to its alert message builder and its editor, and (on the strategies
// page) delete.
import { useState } from 'react';
import type { StrategyView } from '../../../shared/api-types.js';
import { CopyButton } from '../components/CopyButton.js';
import { ConfirmDialog } from '../components/ConfirmDialog.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { useDeleteStrategy } from '../api/hooks.js';
import { Link } from '../lib/router.js';
import { effectiveStrategySettings } from '../lib/strategy-form.js';

export function StrategyCard({ strategy: s, accountNames, deletable = false }: { strategy: StrategyView; accountNames?: (id: string) => string; deletable?: boolean }) {
  return (
    <article className="card" data-testid="strategy" aria-label={s.name}>
      <div className="row between">
        <h3>
          <Link to={`/strategies/${s.id}`}>{s.name}</Link>
        </h3>
        <span className="muted small">{s.enabled ? 'enabled' : 'disabled'} · {s.hasPassphrase ? 'passphrase' : 'no passphrase'} · {effectiveStrategySettings(s.config).approval.mode === 'manual' ? 'manual approval' : 'automatic'}</span>
      </div>
      <div className="row wrap">
        <code className="url" data-testid="webhook-url">
          {s.webhookUrl}
        </code>
        <CopyButton text={s.webhookUrl} label="Copy webhook URL" />
      </div>
      {accountNames && <p className="muted small">Accounts: {s.accountIds.map(accountNames).join(', ')}</p>}
      {deletable && (
        <div className="row">
          <Link to={`/strategies/${s.id}/edit`} className="btn small" data-testid="strategy-edit">
            Edit…
          </Link>
        </div>
      )}
      {deletable && <DeleteStrategy strategy={s} />}
    </article>
  );
}

/** Asks first; a refusal (alerts still being processed, orders waiting for approval) stays on screen in the dialog. */
function DeleteStrategy({ strategy: s }: { strategy: StrategyView }) {
  const [asking, setAsking] = useState(false);
  const del = useDeleteStrategy();
  const close = () => {
    setAsking(false);
    del.reset();
  };
  return (
    <div className="row end">
      <button type="button" className="btn small" onClick={() => setAsking(true)} data-testid="strategy-delete">
        Delete…
      </button>
      <ConfirmDialog open={asking} title={`Delete strategy "${s.name}"?`} confirmLabel="Delete strategy" danger busy={del.isPending} onConfirm={() => del.mutate(s.id, { onSuccess: close })} onCancel={close}>
        <p>Its webhook URL stops working at once: TradingView alerts still sent to it are refused.</p>
        <p>Nothing changes at the broker: working orders and positions stay open. Flatten first if they should not. Its alerts and orders stay in the history.</p>
        <ErrorBox error={del.error} title="The strategy was not deleted" />
      </ConfirmDialog>
    </div>
  );
}
