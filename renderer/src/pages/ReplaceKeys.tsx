// "Replace keys…" on a real broker account: one password input per key of that broker. The agent tests the new keys
// at the broker before they replace the old ones; a refusal (502 BROKER_AUTH_FAILED …) keeps the old keys, and says so.
import { useState, type FormEvent } from 'react';
import type { AccountView } from '../../../shared/api-types.js';
import { useReplaceKeys } from '../api/hooks.js';
import { ApiHttpError, isNotAvailable } from '../api/client.js';
import { NotAvailable } from '../components/NotAvailable.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { brokerSpec } from '../lib/brokers.js';
import { accountFieldPath, replaceKeysBody } from '../lib/account-form.js';
import { FormRow, useSaveAttempt } from '../components/FormRow.js';

export function ReplaceKeys({ account: a }: { account: AccountView }) {
  const spec = brokerSpec(a.broker);
  const [open, setOpen] = useState(false);
  const [values, setValues] = useState<Record<string, string>>({});
  const replace = useReplaceKeys(a.id);
  const { credentials, errors } = spec ? replaceKeysBody(spec, values) : { credentials: {}, errors: [] };
  const save = useSaveAttempt(errors);
  if (!spec || spec.credentials.length === 0) return null;
  const close = () => {
    setOpen(false);
    setValues({});
    replace.reset();
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    replace.reset();
    if (!save.attempt()) return; // a required key left empty: said beside it, nothing sent
    // The typed keys leave the page's memory whatever the answer: a refused key is typed again, never kept.
    replace.mutate(credentials, { onSettled: () => setValues({}), onSuccess: () => setOpen(false) });
  };
  const refusedAtBroker = replace.error instanceof ApiHttpError && replace.error.status === 502;
  if (!open)
    return (
      <div className="row">
        <button type="button" className="btn small" onClick={() => (replace.reset(), setOpen(true))} data-testid="account-replace-keys">
          Replace keys…
        </button>
        {replace.isSuccess && (
          <span role="status" className="ok-line">
            Keys replaced.
          </span>
        )}
      </div>
    );
  return (
    <form className="form" onSubmit={submit} aria-label={`Replace the keys of ${a.name}`} autoComplete="off" noValidate data-testid="replace-keys-form">
      <p className="muted small">The agent tests the new keys at {spec.label} first; they replace the old ones only when the broker accepts them. Keys are never shown, only whether each is set.</p>
      {spec.credentials.map((f) => (
        <FormRow key={f.name} title={`${f.label}${f.optional ? ' (optional)' : ''}`} hint={f.hint} errors={save.shown.filter((x) => x.path === accountFieldPath(spec, f)).map((x) => x.message)}>
          <input type="password" value={values[f.name] ?? ''} onChange={(e) => setValues({ ...values, [f.name]: e.target.value })} autoComplete="new-password" spellCheck={false} data-testid={`replace-field-${f.name}`} />
        </FormRow>
      ))}
      {isNotAvailable(replace.error) ? <NotAvailable what="Replacing keys" /> : <ErrorBox error={replace.error} title="The keys were not replaced" />}
      {refusedAtBroker && <p className="muted small">The old keys stay in use.</p>}
      <div className="row">
        <button type="submit" className="btn primary small" disabled={replace.isPending} data-testid="replace-keys-save">
          {replace.isPending ? 'Testing the keys…' : 'Test and replace keys'}
        </button>
        <button type="button" className="btn small" onClick={close}>
          Cancel
        </button>
      </div>
    </form>
  );
}
