// Broker accounts: what is set (never the values), connection test, replace keys, delete, and the form to add one.
import { useState } from 'react';
import { useMutation } from '@tanstack/react-query';
import { useApi } from '../api/context.js';
import { isNotAvailable, isPositionsUnreadable } from '../api/client.js';
import { useAccounts, useDeleteAccount, useVault } from '../api/hooks.js';
import { ConfirmDialog } from '../components/ConfirmDialog.js';
import type { AccountView } from '../../../shared/api-types.js';
import type { AccountWithHealth } from '../api/types.js';
import { StatusPill } from '../components/StatusPill.js';
import { EmptyState } from '../components/EmptyState.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { NotAvailable } from '../components/NotAvailable.js';
import { CodeExplain } from '../components/CodeExplain.js';
import { AccountForm } from './AccountForm.js';
import { brokerSpec } from '../lib/brokers.js';
import { CredentialVariables } from './CredentialVariables.js';
import { ReplaceKeys } from './ReplaceKeys.js';

export function Accounts() {
  const accounts = useAccounts();
  const vault = useVault();
  return (
    <div className="page">
      <h1>Accounts</h1>
      <section aria-label="Keychain" className="row">
        <span className="label">Keychain</span>
        {vault.notAvailable ? (
          <NotAvailable what="Keychain status" />
        ) : vault.data ? (
          <span>
            <StatusPill value={vault.data.available ? 'connected' : 'error'} /> {vault.data.message}
          </span>
        ) : (
          <span className="muted">…</span>
        )}
      </section>
      <ErrorBox error={accounts.error} title="Accounts could not be loaded" />
      {accounts.data?.length === 0 && <EmptyState title="No account yet.">Add the built-in paper account to try everything without money, or connect a broker below.</EmptyState>}
      <div className="cards">
        {accounts.data?.map((a) => <AccountCard key={a.id} account={a} />)}
      </div>
      <AccountForm />
    </div>
  );
}

function AccountCard({ account: a }: { account: AccountView }) {
  const api = useApi();
  const test = useMutation({ mutationFn: () => api.testAccount(a.id) });
  const health = (a as AccountWithHealth).connection;
  const fields = Object.entries(a.credentials);
  return (
    <article className="card" data-testid="account" aria-label={a.name}>
      <div className="row between">
        <h3>{a.name}</h3>
        <span className="muted small">
          {brokerSpec(a.broker)?.label ?? a.broker} · {a.environment}
        </span>
      </div>
      {health && (
        <p>
          Connection <StatusPill value={health.state} /> {health.message}
        </p>
      )}
      {a.connectionError && (
        <p data-testid="connection-error">
          Not connected: <CodeExplain code={a.connectionError.code} detail={a.connectionError.message} compact />
        </p>
      )}
      {a.credentialVariables && <CredentialVariables variables={a.credentialVariables} />}
      {fields.length > 0 ? (
        <ul className="creds">
          {fields.map(([k, v]) => (
            <li key={k}>
              {k}: <StatusPill value={v} />
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted small">{a.broker === 'paper' ? 'No credentials needed.' : 'No credential reported.'}</p>
      )}
        <div className="row">
          <button type="button" className="btn small" onClick={() => test.mutate()} disabled={test.isPending}>
            {test.isPending ? 'Testing…' : 'Test connection'}
          </button>
          {test.data && (
            <span role="status">
              {test.data.ok ? <StatusPill value="connected" /> : <CodeExplain code={test.data.code} detail={test.data.message} compact />}
              {test.data.latencyMs !== undefined && <span className="muted small"> {test.data.latencyMs} ms</span>}
            </span>
          )}
          {isNotAvailable(test.error) ? <NotAvailable what="Connection test" /> : <ErrorBox error={test.error} title="The test did not run" />}
        </div>
        {brokerSpec(a.broker)?.credentials.length ? <ReplaceKeys account={a} /> : null}
        <DeleteAccount account={a} />
    </article>
  );
}

/**
 * Asks first; a refusal (a strategy still trades it, open orders or positions, approvals waiting) stays on screen in
 * the dialog. Only when the positions could not be read does it offer to delete without checking them (?force=true).
 */
function DeleteAccount({ account: a }: { account: AccountView }) {
  const [asking, setAsking] = useState(false);
  const del = useDeleteAccount();
  const close = () => {
    setAsking(false);
    del.reset();
  };
  const unreadable = isPositionsUnreadable(del.error);
  return (
    <div className="row end">
      <button type="button" className="btn small" onClick={() => setAsking(true)} data-testid="account-delete">
        Delete…
      </button>
      <ConfirmDialog
        open={asking}
        title={`Delete account "${a.name}"?`}
        confirmLabel={unreadable ? 'Delete without checking' : 'Delete account'}
        danger
        busy={del.isPending}
        onConfirm={() => del.mutate({ id: a.id, force: unreadable }, { onSuccess: close })}
        onCancel={close}
      >
        <p>The agent disconnects from the broker and removes this account&apos;s keys from the keychain. Its orders and fills stay in the history.</p>
        <p>It is refused while a strategy trades it, or while it has open orders, orders waiting for approval or open positions.</p>
        {unreadable && <p>The positions at the broker could not be checked. Deleting anyway leaves whatever is open there open, and the agent no longer watches it.</p>}
        <ErrorBox error={del.error} title="The account was not deleted" />
      </ConfirmDialog>
    </div>
  );
}
