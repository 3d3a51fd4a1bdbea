// Add an account. Credentials are sent once, go to the OS keychain, and are shown afterwards only as set / not set.
// Keys may be left empty: the account is then created without them (no keychain needed) and the agent answers the
// VIEWZENIX_SECRET_* variables to set, which is the only way on a computer without a keychain. A field that keeps
// the account from being added (the name, a required setting, half a key pair) says so beside it at the attempt.
import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useApi } from '../api/context.js';
import { keys } from '../api/keys.js';
import { BROKERS, brokerSpec } from '../lib/brokers.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { useBrokers } from '../api/hooks.js';
import { ApiHttpError } from '../api/client.js';
import { accountFieldPath, addAccountErrors, createAccountBody, keysTyped, type AccountFieldError } from '../lib/account-form.js';
import { FormRow, useSaveAttempt } from '../components/FormRow.js';
import { CredentialVariables } from './CredentialVariables.js';

export function AccountForm() {
  const api = useApi();
  const qc = useQueryClient();
  const [broker, setBroker] = useState('paper');
  const spec = brokerSpec(broker) ?? BROKERS[0]!;
  const [environment, setEnvironment] = useState(spec.environments[0]!.id);
  const [name, setName] = useState('');
  const [values, setValues] = useState<Record<string, string>>({});
  const [baseUrl, setBaseUrl] = useState('');
  const catalogue = useBrokers();
  const exchanges = catalogue.data?.ccxtExchanges ?? [];
  const create = useMutation({
    mutationFn: (opts: { withKeys: boolean }) => api.createAccount(createAccountBody(spec, { name, broker, environment, baseUrl, values }, opts)),
    onSuccess: () => {
      // The secrets leave the page's memory as soon as the agent has them (or the account was made without them).
      setValues({});
      setName('');
      void qc.invalidateQueries({ queryKey: keys.accounts });
    },
  });
  const vaultRefused = create.error instanceof ApiHttpError && create.error.code === 'VAULT_UNAVAILABLE';
  const pickBroker = (b: string) => {
    setBroker(b);
    setValues({});
    setEnvironment(brokerSpec(b)?.environments[0]?.id ?? 'paper');
  };
  const save = useSaveAttempt(addAccountErrors(spec, { name, values }));
  const serverErrors: readonly AccountFieldError[] = create.error instanceof ApiHttpError ? (create.error.errors ?? []) : [];
  const errors = (path: string) => (save.shown.length ? save.shown : serverErrors).filter((x) => x.path === path).map((x) => x.message);
  const add = (withKeys: boolean) => {
    create.reset();
    // Without keys, the keys' own problems do not matter: they are not sent.
    if (save.attempt(withKeys ? undefined : (x) => !x.path.startsWith('/credentials/'))) create.mutate({ withKeys });
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    add(true);
  };
  const typed = keysTyped(spec, values);
  return (
    <form className="card form" onSubmit={submit} aria-labelledby="new-account" autoComplete="off" noValidate>
      <h2 id="new-account">Add an account</h2>
      <label>
        Broker
        <select value={broker} onChange={(e) => pickBroker(e.target.value)} data-testid="account-broker">
          {BROKERS.map((b) => (
            <option key={b.id} value={b.id}>
              {b.label}
            </option>
          ))}
        </select>
      </label>
      <p className="muted small">{spec.note}</p>
      <label>
        Environment
        <select value={environment} onChange={(e) => setEnvironment(e.target.value)}>
          {spec.environments.map((x) => (
            <option key={x.id} value={x.id}>
              {x.label}
            </option>
          ))}
        </select>
      </label>
      {environment === 'live' && <p className="warn-line">Live: orders from alerts will use real money.</p>}
      <FormRow title="Name" errors={errors('/name')}>
        <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} data-testid="account-name" />
      </FormRow>
      {[...spec.config, ...spec.credentials].map((f) => (
        <FormRow key={f.name} title={`${f.label}${f.optional ? ' (optional)' : ''}`} hint={f.hint} errors={errors(accountFieldPath(spec, f))}>
          <input
            type={f.secret ? 'password' : 'text'}
            value={values[f.name] ?? ''}
            onChange={(e) => setValues({ ...values, [f.name]: e.target.value })}
            autoComplete="off"
            spellCheck={false}
            list={broker === 'ccxt' && f.name === 'exchange' ? 'ccxt-exchanges' : undefined}
            data-testid={`account-field-${f.name}`}
          />
        </FormRow>
      ))}
      {broker === 'ccxt' && (
        <datalist id="ccxt-exchanges" data-testid="ccxt-exchanges">
          {exchanges.map((x) => (
            <option key={x} value={x} />
          ))}
        </datalist>
      )}
      {broker !== 'paper' && (
        <label>
          API base URL (optional; only for a proxy or a test server)
          <input value={baseUrl} onChange={(e) => setBaseUrl(e.target.value)} placeholder="https://…" />
        </label>
      )}
      {spec.credentials.length > 0 && (
        <p className="muted small">
          Keys go to this computer&apos;s keychain. They are never shown again, only whether each is set. Leave them empty to add the account without keys: the agent then names the
          environment variables to set them in (the way to go on a computer without a keychain), or use &quot;Replace keys…&quot; on the account later.
        </p>
      )}
      {vaultRefused ? (
        <div data-testid="vault-refused">
          <ErrorBox error={create.error} title="This computer cannot store the keys, so the account was not added" />
          <p>
            There is no keychain the agent can write to. Add the account without keys instead: nothing secret is stored, and the agent tells you the exact environment variables to put
            the keys in before its next start.
          </p>
          <button type="button" className="btn" onClick={() => add(false)} disabled={create.isPending} data-testid="account-create-without-keys">
            Add the account without keys
          </button>
        </div>
      ) : (
        <ErrorBox error={create.error} title="The account was not added" />
      )}
      {create.isSuccess && (
        <div role="status" className="ok-line" data-testid="account-added">
          Account &quot;{create.data.name}&quot; added.
          {create.data.credentialVariables && <CredentialVariables variables={create.data.credentialVariables} />}
        </div>
      )}
      {save.shown.length > 0 && <p className="warn-line">Nothing was added: fix the fields marked above.</p>}
      <button type="submit" className="btn primary" disabled={create.isPending} data-testid="account-create">
        {create.isPending ? 'Adding…' : spec.credentials.length > 0 && !typed ? 'Add account without keys' : 'Add account'}
      </button>
    </form>
  );
}
