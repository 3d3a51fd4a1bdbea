// Add an account. Credentials are sent once, go to the OS keychain, and are shown afterwards only as set / not set.
import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useApi } from '../api/context.js';
import { keys } from '../api/keys.js';
import { BROKERS, brokerSpec } from '../lib/brokers.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { useBrokers } from '../api/hooks.js';

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
    mutationFn: () => {
      const credentials: Record<string, string> = {};
      for (const f of spec.credentials) if (values[f.name]) credentials[f.name] = values[f.name]!;
      const config: Record<string, string> = {};
      for (const f of spec.config) if (values[f.name]) config[f.name] = values[f.name]!;
      return api.createAccount({
        name: name.trim(),
        broker,
        environment,
        ...(baseUrl.trim() ? { baseUrl: baseUrl.trim() } : {}),
        ...(spec.credentials.length ? { credentials } : {}),
        ...(spec.config.length ? { config } : {}),
      } as Parameters<typeof api.createAccount>[0]);
    },
    onSuccess: () => {
      // The secrets leave the page's memory as soon as the agent has them.
      setValues({});
      setName('');
      void qc.invalidateQueries({ queryKey: keys.accounts });
    },
  });
  const pickBroker = (b: string) => {
    setBroker(b);
    setValues({});
    setEnvironment(brokerSpec(b)?.environments[0]?.id ?? 'paper');
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  const missing = [...spec.credentials, ...spec.config].some((f) => !f.optional && !values[f.name]);
  return (
    <form className="card form" onSubmit={submit} aria-labelledby="new-account" autoComplete="off">
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
      <label>
        Name
        <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} data-testid="account-name" />
      </label>
      {[...spec.config, ...spec.credentials].map((f) => (
        <label key={f.name}>
          {f.label}
          {f.optional ? ' (optional)' : ''}
          <input
            type={f.secret ? 'password' : 'text'}
            value={values[f.name] ?? ''}
            onChange={(e) => setValues({ ...values, [f.name]: e.target.value })}
            autoComplete="off"
            spellCheck={false}
            list={broker === 'ccxt' && f.name === 'exchange' ? 'ccxt-exchanges' : undefined}
            data-testid={`account-field-${f.name}`}
          />
          {f.hint && <span className="muted small">{f.hint}</span>}
        </label>
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
      {spec.credentials.length > 0 && <p className="muted small">Credentials go to this computer's keychain. They are never shown again, only whether each is set.</p>}
      <ErrorBox error={create.error} title="The account was not added" />
      {create.isSuccess && <p role="status" className="ok-line">Account added.</p>}
      <button type="submit" className="btn primary" disabled={create.isPending || !name.trim() || missing} data-testid="account-create">
        {create.isPending ? 'Adding…' : 'Add account'}
      </button>
    </form>
  );
}
