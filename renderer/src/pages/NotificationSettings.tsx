// Notifications: the channels that are set up and which events each gets, add / edit / remove one, send a test.
// Settings go to PUT /api/notifications/channels/<channel> (lib/notify-form.ts builds the body from the saved
// settings, so what the form does not show is kept); a webhook URL, bot token or SMTP password goes to the keychain
// (PUT /api/credentials/notify:<channel>) only when typed, and is never shown again: only whether one is stored.
import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { CHANNEL_NAMES, DEFAULT_PER_MINUTE, NOTIFY_KINDS, notifySecretName, type ChannelName, type ChannelSettings, type ChannelStatus, type NotifyConfig } from '../../../shared/notify.js';
import { useApi } from '../api/context.js';
import { keys } from '../api/keys.js';
import { useCredentialNames, useNotifications } from '../api/hooks.js';
import { ApiHttpError, isNotAvailable } from '../api/client.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { NotAvailable } from '../components/NotAvailable.js';
import { EmptyState } from '../components/EmptyState.js';
import { StatusPill } from '../components/StatusPill.js';
import { ConfirmDialog } from '../components/ConfirmDialog.js';
import { formRows } from '../components/FormRow.js';
import { FieldErrors } from '../components/FieldErrors.js';
import {
  CHANNEL_FIELDS,
  CHANNEL_LABELS,
  channelForm,
  errorsByField,
  hasSecret,
  isConfigured,
  KIND_LABELS,
  removeChannel,
  saveChannel,
  savePlan,
  SECRET_SPECS,
  secretState,
  secretStored,
  secretVariable,
  testOutcomeWords,
  type ChannelForm,
  type FieldError,
  type FormField,
  type SecretState,
} from '../lib/notify-form.js';

/** Where the focus goes once the editor closes or a channel is removed: an element id. */
const editButtonId = (c: ChannelName) => `notify-edit-${c}`;
const ADD_SELECT_ID = 'notify-add-channel';

export function NotificationSettings() {
  const n = useNotifications();
  const creds = useCredentialNames();
  const [editing, setEditing] = useState<{ channel: ChannelName; adding: boolean } | null>(null);
  const [saved, setSaved] = useState<ChannelName | null>(null);
  const [focusId, setFocusId] = useState<string | null>(null);
  useEffect(() => {
    if (!focusId) return;
    document.getElementById(focusId)?.focus();
    setFocusId(null);
  }, [focusId]);
  const heading = (
    <h2 id="notifications" tabIndex={-1}>
      Notifications
    </h2>
  );
  if (n.notAvailable)
    return (
      <section className="card" aria-labelledby="notifications">
        {heading}
        <NotAvailable what="Notification settings" />
      </section>
    );
  const view = n.data;
  const names = creds.data;
  const statusOf = (c: ChannelName) => view?.channels.find((s) => s.channel === c);
  const secretOf = (c: ChannelName) => secretState(c, names, statusOf(c));
  const configured = view ? CHANNEL_NAMES.filter((c) => isConfigured(view.config[c], secretOf(c)) || editing?.channel === c) : [];
  const addable = view ? CHANNEL_NAMES.filter((c) => !configured.includes(c)) : [];
  const close = (c: ChannelName, ok: boolean) => {
    setEditing(null);
    if (ok) setSaved(c);
    // The button that opened the editor; after a cancelled add the channel is gone from the list, so the add control.
    setFocusId(view && (ok || isConfigured(view.config[c], secretOf(c))) ? editButtonId(c) : ADD_SELECT_ID);
  };
  return (
    <section className="card" aria-labelledby="notifications" data-testid="notifications">
      {heading}
      <p className="muted small">
        The agent tells you when something needs your attention. Each channel gets the events ticked for it. Webhook URLs, bot tokens and passwords go to this computer&apos;s keychain
        and are never shown again, only whether one is stored. <strong>Send test</strong> uses the saved settings and sends at once, past the queue and the pace.
      </p>
      <ErrorBox error={n.error} title="The notification settings could not be loaded" />
      {n.isLoading && <p className="muted">Loading…</p>}
      {view && configured.length === 0 && <EmptyState title="No notification channel is set up.">Add one below: Discord, Telegram, Slack, email or desktop notifications.</EmptyState>}
      {view && (
        <div>
          {configured.map((c) =>
            editing?.channel === c ? (
              <ChannelEditor key={c} channel={c} settings={view.config[c]} adding={editing.adding} secret={secretOf(c)} onClose={(ok) => close(c, ok)} />
            ) : (
              <ChannelCard
                key={c}
                channel={c}
                settings={view.config[c]}
                status={statusOf(c)}
                secret={secretOf(c)}
                saved={saved === c}
                onEdit={() => (setSaved(null), setEditing({ channel: c, adding: false }))}
                onRemoved={() => (setSaved(null), setFocusId('notifications'))}
              />
            ),
          )}
        </div>
      )}
      {view && addable.length > 0 && (
        <AddChannel
          choices={addable}
          disabled={editing !== null}
          onAdd={(c) => {
            setSaved(null);
            setEditing({ channel: c, adding: true });
          }}
        />
      )}
    </section>
  );
}

function AddChannel({ choices, disabled, onAdd }: { choices: ChannelName[]; disabled: boolean; onAdd: (c: ChannelName) => void }) {
  const [choice, setChoice] = useState<ChannelName>(choices[0]!);
  const current = choices.includes(choice) ? choice : choices[0]!;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onAdd(current);
  };
  return (
    <form className="row wrap notify-add" onSubmit={submit} aria-label="Add a notification channel">
      <label htmlFor={ADD_SELECT_ID}>Add a channel</label>
      <select id={ADD_SELECT_ID} value={current} onChange={(e) => setChoice(e.target.value as ChannelName)} data-testid="notify-add-choice">
        {choices.map((c) => (
          <option key={c} value={c}>
            {CHANNEL_LABELS[c]}
          </option>
        ))}
      </select>
      <button type="submit" className="btn" disabled={disabled} data-testid="notify-add">
        Add…
      </button>
    </form>
  );
}

function secretWords(channel: ChannelName, state: SecretState): string {
  if (!hasSecret(channel)) return '';
  const noun = SECRET_SPECS[channel].noun;
  switch (state) {
    case 'keychain':
      return `A ${noun} is stored in the keychain.`;
    case 'elsewhere':
      return `A ${noun} is set outside the keychain (an environment variable).`;
    case 'stored':
      return `A ${noun} is stored.`;
    case 'none':
      return `No ${noun} is stored: the channel cannot send without one.`;
    default:
      return `(cannot tell whether a ${noun} is stored)`;
  }
}

function eventsSummary(events: readonly string[]): string {
  if (events.length === 0) return 'None: nothing is sent to this channel.';
  if (NOTIFY_KINDS.every((k) => events.includes(k))) return `All ${NOTIFY_KINDS.length} kinds of event.`;
  return events.join(', ');
}

function outboxSummary(outbox: Record<string, number>): string | undefined {
  const words: Record<string, string> = { pending: 'waiting', sending: 'sending', dead: 'given up' };
  const parts = Object.entries(outbox)
    .filter(([k, v]) => k !== 'sent' && v > 0)
    .map(([k, v]) => `${v} ${words[k] ?? k}`);
  return parts.length ? parts.join(' · ') : undefined;
}

function ChannelCard(props: { channel: ChannelName; settings: ChannelSettings; status?: ChannelStatus; secret: SecretState; saved: boolean; onEdit: () => void; onRemoved: () => void }) {
  const { channel: c, settings: s, status } = props;
  const api = useApi();
  const qc = useQueryClient();
  const label = CHANNEL_LABELS[c];
  const titleId = `notify-${c}-title`;
  const fields = CHANNEL_FIELDS[c];
  const test = useMutation({ mutationFn: () => api.testNotifyChannel(c), onSettled: () => void qc.invalidateQueries({ queryKey: keys.notifications }) });
  const [asking, setAsking] = useState(false);
  const remove = useMutation({
    mutationFn: () => removeChannel(api, c, s, (err) => err instanceof ApiHttpError && err.status === 404),
    onSuccess: (config: NotifyConfig) => {
      qc.setQueryData(keys.notifications, (old: { config: NotifyConfig; channels: ChannelStatus[] } | undefined) => (old ? { ...old, config } : old));
      if (hasSecret(c)) qc.setQueryData(keys.credentials, (old: string[] | undefined) => old?.filter((name) => name !== notifySecretName(c)));
      setAsking(false);
      props.onRemoved();
    },
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: keys.notifications });
      void qc.invalidateQueries({ queryKey: keys.credentials });
    },
  });
  const words = test.data ? testOutcomeWords(c, test.data) : undefined;
  const outbox = status ? outboxSummary(status.outbox) : undefined;
  const closeDialog = () => {
    setAsking(false);
    remove.reset();
  };
  return (
    <article className="card" aria-labelledby={titleId} data-testid={`notify-channel-${c}`}>
      <div className="row between">
        <h3 id={titleId}>{label}</h3>
        <span>
          <StatusPill value={s.enabled ? 'on' : 'off'} testId={`notify-enabled-${c}`} />{' '}
          {status && <StatusPill value={status.available ? 'ready' : 'not ready'} testId={`notify-ready-${c}`} />}
        </span>
      </div>
      <dl className="facts">
        {status?.detail && (
          <>
            <dt>Cannot send</dt>
            <dd data-testid={`notify-detail-${c}`}>{status.detail}</dd>
          </>
        )}
        <dt>Events</dt>
        <dd data-testid={`notify-events-${c}`}>{eventsSummary(s.events)}</dd>
        {hasSecret(c) && (
          <>
            <dt>{SECRET_SPECS[c].label}</dt>
            <dd data-testid={`notify-secret-state-${c}`}>{secretWords(c, props.secret)}</dd>
          </>
        )}
        {fields.chatId && s.chatId && (
          <>
            <dt>Chat</dt>
            <dd>
              <code>{s.chatId}</code>
            </dd>
          </>
        )}
        {fields.smtp && s.smtp && (
          <>
            <dt>SMTP</dt>
            <dd>
              <code>
                {s.smtp.host}:{s.smtp.port}
              </code>{' '}
              ({s.smtp.secure ? 'TLS' : 'STARTTLS'}), from {s.smtp.from} to {s.smtp.to.join(', ')}
            </dd>
          </>
        )}
        {fields.perMinute && (
          <>
            <dt>Pace</dt>
            <dd data-testid={`notify-pace-${c}`}>{s.perMinute !== undefined ? `at most ${s.perMinute} a minute` : `at most ${DEFAULT_PER_MINUTE[c]} a minute (the default)`}</dd>
          </>
        )}
        {fields.baseUrl && s.baseUrl && (
          <>
            <dt>Service address</dt>
            <dd>
              <code className="url">{s.baseUrl}</code>
            </dd>
          </>
        )}
        {outbox && (
          <>
            <dt>Outbox</dt>
            <dd>{outbox}</dd>
          </>
        )}
        {status?.pausedUntil && (
          <>
            <dt>Paused until</dt>
            <dd>{status.pausedUntil} (the service asked to wait)</dd>
          </>
        )}
      </dl>
      {props.saved && (
        <p role="status" className="ok-line" data-testid={`notify-saved-${c}`}>
          Saved.
        </p>
      )}
      <div className="row wrap">
        <button type="button" id={editButtonId(c)} className="btn small" onClick={props.onEdit} aria-label={`Edit ${label}`} data-testid={`notify-edit-${c}`}>
          Edit…
        </button>
        <button type="button" className="btn small" onClick={() => test.mutate()} disabled={test.isPending} aria-label={`Send a test notification to ${label}`} data-testid={`notify-test-${c}`}>
          {test.isPending ? 'Sending…' : 'Send test'}
        </button>
        <button type="button" className="btn small" onClick={() => (remove.reset(), setAsking(true))} aria-label={`Remove ${label}`} data-testid={`notify-remove-${c}`}>
          Remove…
        </button>
      </div>
      <div aria-live="polite" data-testid={`notify-test-result-${c}`}>
        {words &&
          (words.ok ? (
            <p className="ok-line">{words.message}</p>
          ) : (
            <div className="error-box">
              <strong>Not sent</strong>
              <p>{words.message}</p>
              {words.hint && <p className="muted small">{words.hint}</p>}
            </div>
          ))}
      </div>
      {isNotAvailable(test.error) ? <NotAvailable what="Test notifications" /> : <ErrorBox error={test.error} title="The test did not run" />}
      <ConfirmDialog open={asking} title={`Remove ${label}?`} confirmLabel={`Remove ${label}`} danger busy={remove.isPending} onConfirm={() => remove.mutate()} onCancel={closeDialog}>
        <p>
          The agent stops sending to {label} and forgets its settings
          {hasSecret(c) ? `, and the ${SECRET_SPECS[c].noun} is deleted from the keychain` : ''}. Messages still waiting for it are given up.
        </p>
        <p>You can add it again later.</p>
        <ErrorBox error={remove.error} title={`${label} was not removed completely`} />
      </ConfirmDialog>
    </article>
  );
}

function ChannelEditor(props: { channel: ChannelName; settings: ChannelSettings; adding: boolean; secret: SecretState; onClose: (saved: boolean) => void }) {
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
  const invalid = (field: FormField) => (byField.get(field)?.length ? { 'aria-invalid': true as const, 'aria-describedby': errId(field) } : {});
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
  const row = formRows(err);
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
            aria-describedby={`${id}-secret-state${byField.get('secret')?.length ? ` ${errId('secret')}` : ''}`}
            aria-invalid={byField.get('secret')?.length ? true : undefined}
            data-testid="notify-field-secret"
          />
          <span className="muted small">{secretSpec.hint}</span>
          {err('secret')}
        </label>
      )}
      {fields.chatId &&
        row(
          'Chat id',
          'chatId',
          <input value={f.chatId} onChange={(e) => set({ chatId: e.target.value })} placeholder="-1001234567890 or @channelname" spellCheck={false} {...invalid('chatId')} data-testid="notify-field-chatId" />,
          'The chat or channel id (-100…) or @channelname.',
        )}
      {fields.smtp && (
        <fieldset>
          <legend>SMTP server</legend>
          {row('Host', 'smtpHost', <input value={f.smtpHost} onChange={(e) => set({ smtpHost: e.target.value })} placeholder="smtp.example.com" spellCheck={false} {...invalid('smtpHost')} data-testid="notify-field-smtpHost" />)}
          {row('Port', 'smtpPort', <input value={f.smtpPort} onChange={(e) => set({ smtpPort: e.target.value })} inputMode="numeric" placeholder="587" {...invalid('smtpPort')} data-testid="notify-field-smtpPort" />, 'Usually 587 (STARTTLS) or 465 (TLS).')}
          <label className="check">
            <input type="checkbox" checked={f.smtpSecure} onChange={(e) => set({ smtpSecure: e.target.checked })} data-testid="notify-field-smtpSecure" /> TLS from the first byte (port 465); off: STARTTLS, which the server must
            offer
          </label>
          {err('smtpSecure')}
          {row('Login (optional)', 'smtpUser', <input value={f.smtpUser} onChange={(e) => set({ smtpUser: e.target.value })} spellCheck={false} {...invalid('smtpUser')} data-testid="notify-field-smtpUser" />, 'Empty: the From address is the login.')}
          {row('From', 'smtpFrom', <input type="email" value={f.smtpFrom} onChange={(e) => set({ smtpFrom: e.target.value })} placeholder="alerts@example.com" {...invalid('smtpFrom')} data-testid="notify-field-smtpFrom" />)}
          {row('To', 'smtpTo', <input value={f.smtpTo} onChange={(e) => set({ smtpTo: e.target.value })} placeholder="me@example.com" spellCheck={false} {...invalid('smtpTo')} data-testid="notify-field-smtpTo" />, 'One or more addresses, separated by commas (at most 20).')}
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
          <input value={f.perMinute} onChange={(e) => set({ perMinute: e.target.value })} inputMode="numeric" placeholder={String(DEFAULT_PER_MINUTE[c])} {...invalid('perMinute')} data-testid="notify-field-perMinute" />,
          `From 1 to 600. Empty: ${DEFAULT_PER_MINUTE[c]} (under ${label}'s own limit). Messages over the pace wait their turn; none is dropped.`,
        )}
      {fields.baseUrl && (
        <details open={f.baseUrl !== '' || byField.has('baseUrl')}>
          <summary>Service address (a relay or a test server)</summary>
          {row(
            'Service address (optional)',
            'baseUrl',
            <input value={f.baseUrl} onChange={(e) => set({ baseUrl: e.target.value })} placeholder="https://relay.example.com" spellCheck={false} {...invalid('baseUrl')} data-testid="notify-field-baseUrl" />,
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
