// The form that adds or edits one notification channel. lib/notify-form.ts builds what saving sends from the saved
// settings (what the form does not show is kept); a typed credential goes to the keychain first and leaves the page
// after every answer.
import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { DEFAULT_PER_MINUTE, NOTIFY_KINDS, type ChannelName, type ChannelSettings, type ChannelStatus, type NotifyConfig } from '../../../shared/notify.js';
import { useApi } from '../api/context.js';
import { keys } from '../api/keys.js';
import { ApiHttpError } from '../api/client.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { describedBy, formRows } from '../components/FormRow.js';
import { FieldErrors } from '../components/FieldErrors.js';
import {
  CHANNEL_FIELDS,
  CHANNEL_LABELS,
  channelForm,
  errorsByField,
  hasSecret,
  KIND_LABELS,
  saveChannel,
  savePlan,
  SECRET_SPECS,
  secretStored,
  secretVariable,
  type ChannelForm,
  type FieldError,
  type FormField,
  type SecretState,
} from '../lib/notify-form.js';
import { secretWords } from '../lib/notify-words.js';

export function ChannelEditor(props: { channel: ChannelName; settings: ChannelSettings; adding: boolean; secret: SecretState; onClose: (saved: boolean) => void }) {
  const { channel: c, settings } = props;
  const api = useApi();
  const qc = useQueryClient();
  const label = CHANNEL_LABELS[c];
  const fields = CHANNEL_FIELDS[c];
  const id = useId();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const [f, setF] = useState<ChannelForm>(() => channelForm(settings, { adding: props.adding }));
  const [clientErrors, setClientErrors] = useState<FieldError[]>([]);
  // The heading takes the focus when the editor opens, so a screen reader says which channel is being edited.
  useEffect(() => headingRef.current?.focus(), []);
  const save = useMutation({
    mutationFn: (plan: ReturnType<typeof savePlan>) => saveChannel(api, c, plan),
    onSuccess: (config) => {
      qc.setQueryData(keys.notifications, (old: { config: NotifyConfig; channels: ChannelStatus[] } | undefined) => (old ? { ...old, config } : old));
      props.onClose(true);
    },
    // The typed credential leaves the page's memory whatever the answer: a refused one is typed again, never kept.
    onSettled: () => {
      setF((old) => ({ ...old, secret: '' }));
      void qc.invalidateQueries({ queryKey: keys.notifications });
      void qc.invalidateQueries({ queryKey: keys.credentials });
    },
  });
  const serverErrors = save.error instanceof ApiHttpError && save.error.code === 'VALIDATION_FAILED' ? (save.error.errors ?? []) : [];
  const byField = errorsByField(clientErrors.length ? clientErrors : serverErrors);
  const errId = (field: FormField) => `${id}-${field}-error`;
  const err = (field: FormField) => <FieldErrors id={errId(field)} messages={byField.get(field)} />;
  const set = (patch: Partial<ChannelForm>) => setF((old) => ({ ...old, ...patch }));
  const toggle = (kind: string) => set({ events: f.events.includes(kind) ? f.events.filter((k) => k !== kind) : [...f.events, kind] });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.reset();
    const plan = savePlan(c, f, settings);
    setClientErrors(plan.errors);
    if (plan.errors.length) return;
    save.mutate(plan);
  };
  const cancel = () => {
    setF((old) => ({ ...old, secret: '' }));
    props.onClose(false);
  };
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Escape' && !save.isPending) {
      e.preventDefault();
      cancel();
    }
  };
  const row = formRows((field: FormField) => byField.get(field));
  const vaultRefused = save.error instanceof ApiHttpError && save.error.code === 'VAULT_UNAVAILABLE';
  const secretSpec = hasSecret(c) ? SECRET_SPECS[c] : undefined;
  return (
    <form className="card form" onSubmit={submit} onKeyDown={onKeyDown} aria-labelledby={`${id}-title`} autoComplete="off" noValidate data-testid="notify-form">
      <h3 id={`${id}-title`} ref={headingRef} tabIndex={-1}>
        {props.adding ? `Add ${label}` : `Edit ${label}`}
      </h3>
      <label className="check">
        <input type="checkbox" checked={f.enabled} onChange={(e) => set({ enabled: e.target.checked })} data-testid="notify-field-enabled" /> Send notifications to {label}
      </label>
      {err('enabled')}
      {secretSpec && hasSecret(c) && (
        <label>
          {secretSpec.label} (stored in the keychain; {secretStored(props.secret) ? 'leave empty to keep the stored one' : 'never shown again'})
          <span className="muted small" id={`${id}-secret-state`} data-testid="notify-field-secret-state">
            {secretWords(c, props.secret)}
          </span>
          <input
            type="password"
            value={f.secret}
            onChange={(e) => set({ secret: e.target.value })}
            placeholder={secretSpec.placeholder}
            autoComplete="new-password"
            spellCheck={false}
            aria-describedby={describedBy(`${id}-secret-state`, byField.get('secret')?.length ? errId('secret') : undefined, `${id}-secret-hint`)}
            aria-invalid={byField.get('secret')?.length ? true : undefined}
            data-testid="notify-field-secret"
          />
          <span className="muted small" id={`${id}-secret-hint`}>
            {secretSpec.hint}
          </span>
          {err('secret')}
        </label>
      )}
      {fields.chatId &&
        row(
          'Chat id',
          'chatId',
          <input value={f.chatId} onChange={(e) => set({ chatId: e.target.value })} placeholder="-1001234567890 or @channelname" spellCheck={false} data-testid="notify-field-chatId" />,
          'The chat or channel id (-100…) or @channelname.',
        )}
      {fields.smtp && (
        <fieldset>
          <legend>SMTP server</legend>
          {row('Host', 'smtpHost', <input value={f.smtpHost} onChange={(e) => set({ smtpHost: e.target.value })} placeholder="smtp.example.com" spellCheck={false} data-testid="notify-field-smtpHost" />)}
          {row('Port', 'smtpPort', <input value={f.smtpPort} onChange={(e) => set({ smtpPort: e.target.value })} inputMode="numeric" placeholder="587" data-testid="notify-field-smtpPort" />, 'Usually 587 (STARTTLS) or 465 (TLS).')}
          <label className="check">
            <input type="checkbox" checked={f.smtpSecure} onChange={(e) => set({ smtpSecure: e.target.checked })} data-testid="notify-field-smtpSecure" /> TLS from the first byte (port 465); off: STARTTLS, which the server must
            offer
          </label>
          {err('smtpSecure')}
          {row('Login (optional)', 'smtpUser', <input value={f.smtpUser} onChange={(e) => set({ smtpUser: e.target.value })} spellCheck={false} data-testid="notify-field-smtpUser" />, 'Empty: the From address is the login.')}
          {row('From', 'smtpFrom', <input type="email" value={f.smtpFrom} onChange={(e) => set({ smtpFrom: e.target.value })} placeholder="alerts@example.com" data-testid="notify-field-smtpFrom" />)}
          {row('To', 'smtpTo', <input value={f.smtpTo} onChange={(e) => set({ smtpTo: e.target.value })} placeholder="me@example.com" spellCheck={false} data-testid="notify-field-smtpTo" />, 'One or more addresses, separated by commas (at most 20).')}
        </fieldset>
      )}
      <fieldset aria-describedby={byField.get('events')?.length ? errId('events') : undefined}>
        <legend>Events sent to {label}</legend>
        <div className="row wrap">
          <button type="button" className="btn small" onClick={() => set({ events: [...NOTIFY_KINDS] })} data-testid="notify-events-all">
            Tick all
          </button>
          <button type="button" className="btn small" onClick={() => set({ events: [] })} data-testid="notify-events-none">
            Untick all
          </button>
        </div>
        {NOTIFY_KINDS.map((k) => (
          <label key={k} className="check">
            <input type="checkbox" checked={f.events.includes(k)} onChange={() => toggle(k)} data-testid={`notify-event-${k}`} /> {KIND_LABELS[k]} <code className="small">{k}</code>
          </label>
        ))}
        {f.events.length === 0 && <p className="muted small">No event ticked: nothing will be sent to {label}.</p>}
        {err('events')}
      </fieldset>
      {fields.perMinute &&
        row(
          'Messages a minute, at most',
          'perMinute',
          <input value={f.perMinute} onChange={(e) => set({ perMinute: e.target.value })} inputMode="numeric" placeholder={String(DEFAULT_PER_MINUTE[c])} data-testid="notify-field-perMinute" />,
          `From 1 to 600. Empty: ${DEFAULT_PER_MINUTE[c]} (under ${label}'s own limit). Messages over the pace wait their turn; none is dropped.`,
        )}
      {fields.baseUrl && (
        <details open={f.baseUrl !== '' || byField.has('baseUrl')}>
          <summary>Service address (a relay or a test server)</summary>
          {row(
            'Service address (optional)',
            'baseUrl',
            <input value={f.baseUrl} onChange={(e) => set({ baseUrl: e.target.value })} placeholder="https://relay.example.com" spellCheck={false} data-testid="notify-field-baseUrl" />,
            `Replaces ${label}'s address; the path still comes from the ${secretSpec?.noun ?? 'credential'}. No user name or password here: this setting is shown and exported in the clear.`,
          )}
        </details>
      )}
      {vaultRefused ? (
        <div data-testid="notify-vault-refused">
          <ErrorBox error={save.error} title={`This computer cannot store the ${secretSpec?.noun ?? 'credential'}, so nothing was saved`} />
          {hasSecret(c) && (
            <p className="muted small">
              Without a keychain, set it in the environment variable <code>{secretVariable(c)}</code> before the agent starts (docs/credentials.md), then save the other settings
              here with the field above left empty.
            </p>
          )}
        </div>
      ) : (
        <ErrorBox error={save.error} title={`${label} was not saved`} />
      )}
      {clientErrors.length > 0 && (
        <p className="warn-line" role="alert">
          Nothing was saved: fix the fields marked above.
        </p>
      )}
      <div className="row">
        <button type="submit" className="btn primary" disabled={save.isPending} data-testid="notify-save">
          {save.isPending ? 'Saving…' : props.adding ? `Add ${label}` : 'Save'}
        </button>
        <button type="button" className="btn" onClick={cancel} disabled={save.isPending} data-testid="notify-cancel">
          Cancel
        </button>
      </div>
    </form>
  );
}
