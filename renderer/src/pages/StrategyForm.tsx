// Create a strategy: a name, the accounts it trades, an optional passphrase (stored only as a hash).
import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useApi } from '../api/context.js';
import { useAccounts } from '../api/hooks.js';
import { keys } from '../api/keys.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { navigate, Link } from '../lib/router.js';
import { FormRow } from '../components/FormRow.js';

export function StrategyForm() {
  const api = useApi();
  const qc = useQueryClient();
  const accounts = useAccounts();
  const [name, setName] = useState('');
  const [picked, setPicked] = useState<string[]>([]);
  const [passphrase, setPassphrase] = useState('');
  const create = useMutation({
    mutationFn: () => api.createStrategy({ name: name.trim(), accountIds: picked, ...(passphrase ? { passphrase } : {}) }),
    onSuccess: (s) => {
      void qc.invalidateQueries({ queryKey: keys.strategies });
      navigate(`/strategies/${s.id}`);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  const toggle = (id: string) => setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : [...p, id]));
  const passphraseShort = passphrase.length > 0 && passphrase.length < 8;
  return (
    <form className="card form" onSubmit={submit} aria-labelledby="new-strategy">
      <h2 id="new-strategy">New strategy</h2>
      <FormRow title="Name">
        <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} data-testid="strategy-name" />
      </FormRow>
      <fieldset>
        <legend>Accounts it trades</legend>
        {accounts.data?.length === 0 && (
          <p className="muted">
            No account yet: <Link to="/accounts">add one</Link> first.
          </p>
        )}
        {accounts.data?.map((a) => (
          <label key={a.id} className="check">
            <input type="checkbox" checked={picked.includes(a.id)} onChange={() => toggle(a.id)} data-testid="strategy-account" /> {a.name} <span className="muted small">({a.broker}, {a.environment})</span>
          </label>
        ))}
      </fieldset>
      <FormRow title="Passphrase (optional, at least 8 characters)" hint="Alerts without it are refused. It is stored only as a hash: keep a copy; the alert builder shows where it goes.">
        <input type="password" value={passphrase} onChange={(e) => setPassphrase(e.target.value)} autoComplete="new-password" aria-invalid={passphraseShort} data-testid="strategy-passphrase" />
      </FormRow>
      <ErrorBox error={create.error} title="The strategy was not created" />
      <button type="submit" className="btn primary" disabled={create.isPending || !name.trim() || picked.length === 0 || passphraseShort} data-testid="strategy-create">
        {create.isPending ? 'Creating…' : 'Create strategy'}
      </button>
    </form>
  );
}
