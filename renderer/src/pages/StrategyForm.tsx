// Create a strategy: a name, the accounts it trades, an optional passphrase (stored only as a hash). A save that
// cannot go through says why beside each field concerned (found here or by the agent), never by a button that
// simply does nothing.
import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useApi } from '../api/context.js';
import { useAccounts } from '../api/hooks.js';
import { keys } from '../api/keys.js';
import { ApiHttpError } from '../api/client.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { navigate, Link } from '../lib/router.js';
import { formRows, useFieldErrorLinks, useSaveAttempt } from '../components/FormRow.js';
import { errorsByField, newStrategyBody, type FormField, type NewStrategyValues } from '../lib/strategy-form.js';

export function StrategyForm() {
  const api = useApi();
  const qc = useQueryClient();
  const accounts = useAccounts();
  const [v, setV] = useState<NewStrategyValues>({ name: '', accountIds: [], passphrase: '' });
  const create = useMutation({
    mutationFn: (body: ReturnType<typeof newStrategyBody>['body']) => api.createStrategy(body),
    onSuccess: (s) => {
      void qc.invalidateQueries({ queryKey: keys.strategies });
      navigate(`/strategies/${s.id}`);
    },
  });
  const checked = newStrategyBody(v);
  const save = useSaveAttempt(checked.errors);
  const serverErrors = create.error instanceof ApiHttpError ? (create.error.errors ?? []) : [];
  const byField = errorsByField(save.shown.length ? save.shown : serverErrors);
  const errors = (field: FormField) => byField.get(field);
  const row = formRows(errors);
  const { errId, err } = useFieldErrorLinks(errors);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.reset();
    if (save.attempt()) create.mutate(checked.body);
  };
  const toggle = (id: string) => setV((old) => ({ ...old, accountIds: old.accountIds.includes(id) ? old.accountIds.filter((x) => x !== id) : [...old.accountIds, id] }));
  return (
    <form className="card form" onSubmit={submit} aria-labelledby="new-strategy" noValidate>
      <h2 id="new-strategy">New strategy</h2>
      {row('Name', 'name', <input value={v.name} onChange={(e) => setV({ ...v, name: e.target.value })} required maxLength={100} data-testid="strategy-name" />)}
      <fieldset aria-describedby={errId('accountIds')}>
        <legend>Accounts it trades</legend>
        {accounts.data?.length === 0 && (
          <p className="muted">
            No account yet: <Link to="/accounts">add one</Link> first.
          </p>
        )}
        {accounts.data?.map((a) => (
          <label key={a.id} className="check">
            <input type="checkbox" checked={v.accountIds.includes(a.id)} onChange={() => toggle(a.id)} data-testid="strategy-account" /> {a.name} <span className="muted small">({a.broker}, {a.environment})</span>
          </label>
        ))}
        {err('accountIds')}
      </fieldset>
      {row(
        'Passphrase (optional, at least 8 characters)',
        'passphrase',
        <input type="password" value={v.passphrase} onChange={(e) => setV({ ...v, passphrase: e.target.value })} autoComplete="new-password" data-testid="strategy-passphrase" />,
        'Alerts without it are refused. It is stored only as a hash: keep a copy; the alert builder shows where it goes.',
      )}
      <ErrorBox error={create.error} title="The strategy was not created" />
      {save.shown.length > 0 && <p className="warn-line">Nothing was created: fix the fields marked above.</p>}
      <button type="submit" className="btn primary" disabled={create.isPending} data-testid="strategy-create">
        {create.isPending ? 'Creating…' : 'Create strategy'}
      </button>
    </form>
  );
}
