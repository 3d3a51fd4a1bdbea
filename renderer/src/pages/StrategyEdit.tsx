// Edit a strategy: name, accounts, enabled, passphrase (set / remove, never shown), the trading settings a trader
// changes most, approval mode and the strategy's risk limits. The save merges into the current config, so settings
// the form does not show are kept (lib/strategy-form.ts). Each problem, found here or by the agent, sits beside its
// field.
import { Fragment, useId, useState, type FormEvent } from 'react';
import type { StrategyView } from '../../../shared/api-types.js';
import { APPROVAL_MODES, OPPOSITE_SIGNAL_BEHAVIOURS, STRATEGY_SIDES } from '../../../shared/strategy-config.js';
import { ORDER_TYPES, QUANTITY_TYPES, TIME_IN_FORCE } from '../../../shared/signal.js';
import { useAccounts, useStrategy, useUpdateStrategy } from '../api/hooks.js';
import { ApiHttpError } from '../api/client.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { Link } from '../lib/router.js';
import { errorsByField, formToUpdate, RISK_FIELDS, strategyToForm, type FieldError, type FormField, type StrategyFormValues } from '../lib/strategy-form.js';
import { APPROVAL_LABELS, label, OPPOSITE_LABELS, ORDER_TYPE_LABELS, SIDES_LABELS, SIZING_LABELS, TIF_LABELS } from './strategy-labels.js';
import { RotateWebhook } from './RotateWebhook.js';
import { describedBy, formRows, useFieldErrorLinks } from '../components/FormRow.js';

export function StrategyEdit({ id }: { id: string }) {
  const q = useStrategy(id);
  return (
    <div className="page">
      <p>
        <Link to={`/strategies/${id}`}>← {q.data?.name ?? 'Strategy'}</Link>
      </p>
      <h1>Edit {q.data ? `"${q.data.name}"` : 'strategy'}</h1>
      <ErrorBox error={q.error} title="This strategy could not be loaded" />
      {q.data && (
        <>
          <StrategyEditForm key={q.data.id} strategy={q.data} />
          <RotateWebhook strategy={q.data} />
        </>
      )}
    </div>
  );
}

function StrategyEditForm({ strategy: s }: { strategy: StrategyView }) {
  const accounts = useAccounts();
  const save = useUpdateStrategy(s.id);
  const [f, setF] = useState<StrategyFormValues>(() => strategyToForm(s));
  const [clientErrors, setClientErrors] = useState<FieldError[]>([]);
  const [nothing, setNothing] = useState(false);
  const serverErrors = save.error instanceof ApiHttpError ? (save.error.errors ?? []) : [];
  const byField = errorsByField(clientErrors.length ? clientErrors : serverErrors);
  // Fields drawn by row() point at their hint and errors themselves (FormRow); the others (checkboxes, radio groups)
  // point at their errors with these.
  const id = useId();
  const { errId, err, invalid } = useFieldErrorLinks((field: FormField) => byField.get(field));
  const set = <K extends keyof StrategyFormValues>(k: K, v: StrategyFormValues[K]) => {
    setNothing(false);
    setF((old) => ({ ...old, [k]: v }));
  };
  const setRisk = (k: keyof StrategyFormValues['risk'], v: string) => set('risk', { ...f.risk, [k]: v });
  const toggleAccount = (accountId: string) => set('accountIds', f.accountIds.includes(accountId) ? f.accountIds.filter((x) => x !== accountId) : [...f.accountIds, accountId]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.reset();
    const { body, errors } = formToUpdate(s, f);
    setClientErrors(errors);
    if (errors.length) return;
    if (Object.keys(body).length === 0) {
      setNothing(true);
      return;
    }
    save.mutate(body, {
      onSuccess: () => setF((old) => ({ ...old, passphraseAction: 'keep', passphrase: '' })),
    });
  };
  const select = (field: FormField & keyof StrategyFormValues, options: readonly string[], labels: Record<string, string>, testId: string) => (
    <select value={f[field] as string} onChange={(e) => set(field, e.target.value as never)} data-testid={testId}>
      {options.map((o) => (
        <option key={o} value={o}>
          {label(labels, o)}
        </option>
      ))}
    </select>
  );
  const row = formRows((field: FormField) => byField.get(field));
  return (
    <form className="card form" onSubmit={submit} aria-labelledby="edit-strategy" autoComplete="off" noValidate>
      <h2 id="edit-strategy">Settings</h2>
      {row('Name', 'name', <input value={f.name} onChange={(e) => set('name', e.target.value)} maxLength={100} data-testid="edit-name" />)}
      <label className="check">
        <input type="checkbox" checked={f.enabled} onChange={(e) => set('enabled', e.target.checked)} {...invalid('enabled')} data-testid="edit-enabled" /> Enabled (a disabled strategy refuses its alerts)
      </label>
      {err('enabled')}
      <fieldset aria-describedby={errId('accountIds')}>
        <legend>Accounts it trades</legend>
        {accounts.data?.map((a) => (
          <label key={a.id} className="check">
            <input type="checkbox" checked={f.accountIds.includes(a.id)} onChange={() => toggleAccount(a.id)} data-testid="edit-account" /> {a.name}{' '}
            <span className="muted small">
              ({a.broker}, {a.environment})
            </span>
          </label>
        ))}
        {/* Linked accounts the list does not hold (still loading, or gone) stay visible and can be unticked. */}
        {f.accountIds
          .filter((x) => accounts.data && !accounts.data.some((a) => a.id === x))
          .map((x) => (
            <label key={x} className="check">
              <input type="checkbox" checked onChange={() => toggleAccount(x)} /> <code>{x}</code>
            </label>
          ))}
        {err('accountIds')}
      </fieldset>
      <fieldset aria-describedby={describedBy(errId('passphrase'), `${id}-passphrase-hint`)}>
        <legend>Passphrase</legend>
        <p className="muted small" id={`${id}-passphrase-hint`}>{s.hasPassphrase ? 'This strategy has a passphrase: alerts without it are refused.' : 'No passphrase: anyone who knows the webhook URL can send alerts.'} It is stored only as a hash and never shown.</p>
        <label className="check">
          <input type="radio" name="passphrase" checked={f.passphraseAction === 'keep'} onChange={() => set('passphraseAction', 'keep')} /> {s.hasPassphrase ? 'Keep the current one' : 'No passphrase'}
        </label>
        <label className="check">
          <input type="radio" name="passphrase" checked={f.passphraseAction === 'set'} onChange={() => set('passphraseAction', 'set')} data-testid="edit-passphrase-set" /> Set a new one
        </label>
        {f.passphraseAction === 'set' && (
          <label>
            New passphrase (at least 8 characters; update your TradingView alerts with it)
            <input type="password" value={f.passphrase} onChange={(e) => set('passphrase', e.target.value)} autoComplete="new-password" {...invalid('passphrase')} data-testid="edit-passphrase" />
          </label>
        )}
        {s.hasPassphrase && (
          <label className="check">
            <input type="radio" name="passphrase" checked={f.passphraseAction === 'remove'} onChange={() => set('passphraseAction', 'remove')} data-testid="edit-passphrase-remove" /> Remove it
          </label>
        )}
        {err('passphrase')}
      </fieldset>
      <fieldset>
        <legend>Trading</legend>
        {row('Sides', 'sides', select('sides', STRATEGY_SIDES, SIDES_LABELS, 'edit-sides'), 'A side not traded is never opened; a position on it is still closed.')}
        {row('A buy while short (a sell while long)', 'oppositeSignal', select('oppositeSignal', OPPOSITE_SIGNAL_BEHAVIOURS, OPPOSITE_LABELS, 'edit-opposite'))}
        <label className="check">
          <input type="checkbox" checked={f.allowAdd} onChange={(e) => set('allowAdd', e.target.checked)} data-testid="edit-allow-add" /> A buy while long (sell while short) adds to the position (otherwise refused: ADD_NOT_ALLOWED)
        </label>
        <label className="check">
          <input type="checkbox" checked={f.useSignalQuantity} onChange={(e) => set('useSignalQuantity', e.target.checked)} data-testid="edit-use-signal-quantity" /> Use the alert&apos;s quantity (otherwise the size below; exits close the whole position)
        </label>
        {row('Size method', 'sizingMethod', select('sizingMethod', QUANTITY_TYPES, SIZING_LABELS, 'edit-sizing-method'))}
        {row('Size amount', 'sizingAmount', <input value={f.sizingAmount} onChange={(e) => set('sizingAmount', e.target.value)} inputMode="decimal" data-testid="edit-sizing-amount" />, 'Used when the alert gives no quantity, or always when the alert quantity is not used.')}
        <label className="check">
          <input type="checkbox" checked={f.useSignalOrderType} onChange={(e) => set('useSignalOrderType', e.target.checked)} /> Use the alert&apos;s order type
        </label>
        {row('Entry order type', 'orderType', select('orderType', ORDER_TYPES, ORDER_TYPE_LABELS, 'edit-order-type'))}
        {row('Exit order type', 'exitOrderType', select('exitOrderType', ORDER_TYPES, ORDER_TYPE_LABELS, 'edit-exit-order-type'))}
        <label className="check">
          <input type="checkbox" checked={f.useSignalTimeInForce} onChange={(e) => set('useSignalTimeInForce', e.target.checked)} /> Use the alert&apos;s time in force
        </label>
        {row('Time in force', 'timeInForce', select('timeInForce', TIME_IN_FORCE, TIF_LABELS, 'edit-tif'))}
        {row('Maximum alert age (seconds)', 'maxAlertAgeSeconds', <input value={f.maxAlertAgeSeconds} onChange={(e) => set('maxAlertAgeSeconds', e.target.value)} inputMode="numeric" placeholder="60" data-testid="edit-max-alert-age" />, 'An older alert may only reduce or close. Empty: 60.')}
      </fieldset>
      <fieldset aria-describedby={errId('approvalMode')}>
        <legend>Approval</legend>
        {APPROVAL_MODES.map((m) => (
          <label key={m} className="check">
            <input type="radio" name="approval" checked={f.approvalMode === m} onChange={() => set('approvalMode', m)} data-testid={`edit-approval-${m}`} /> {label(APPROVAL_LABELS, m)}
          </label>
        ))}
        {err('approvalMode')}
        {row('An order waiting for approval expires after (seconds)', 'approvalTimeoutSeconds', <input value={f.approvalTimeoutSeconds} onChange={(e) => set('approvalTimeoutSeconds', e.target.value)} inputMode="numeric" placeholder="300" data-testid="edit-approval-timeout" />, 'Empty: 300.')}
      </fieldset>
      <fieldset>
        <legend>Risk limits of this strategy</legend>
        <p className="muted small">Each replaces the account&apos;s own rule for this strategy&apos;s orders. Leave a field empty to use the account&apos;s rule.</p>
        {RISK_FIELDS.map((rf) => (
          <Fragment key={rf.key}>
            {row(
              rf.label,
              `risk.${rf.key}`,
              <input value={f.risk[rf.key]} onChange={(e) => setRisk(rf.key, e.target.value)} inputMode={rf.kind === 'integer' ? 'numeric' : 'decimal'} placeholder="the account's rule" data-testid={`edit-risk-${rf.key}`} />,
              'hint' in rf ? rf.hint : undefined,
            )}
          </Fragment>
        ))}
        {row(
          'When the daily loss or drawdown limit is hit',
          'lossLimitAction',
          <select value={f.lossLimitAction} onChange={(e) => set('lossLimitAction', e.target.value as StrategyFormValues['lossLimitAction'])} data-testid="edit-loss-limit-action">
            <option value="">The account&apos;s rule</option>
            <option value="halt">Halt: refuse every order</option>
            <option value="reduce">Reduce: only exits pass</option>
          </select>,
        )}
      </fieldset>
      <p className="muted small">Settings the form does not show (trading windows, default brackets, per-account overrides, intake limits, other risk rules) are kept as they are.</p>
      <ErrorBox error={save.error} title="The strategy was not saved" />
      {clientErrors.length > 0 && <p className="warn-line">Nothing was saved: fix the fields marked above.</p>}
      {nothing && <p role="status">Nothing changed.</p>}
      {save.isSuccess && (
        <p role="status" className="ok-line" data-testid="strategy-saved">
          Saved. <Link to={`/strategies/${s.id}`}>Back to the strategy</Link>
        </p>
      )}
      <button type="submit" className="btn primary" disabled={save.isPending} data-testid="strategy-save">
        {save.isPending ? 'Saving…' : 'Save'}
      </button>
    </form>
  );
}
