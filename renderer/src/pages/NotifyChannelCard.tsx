// One notification channel that is set up, as a card: on / off, ready or why not, its events, whether its credential
// is stored, its pace and addresses, what waits in its outbox; Edit, Send test, Disable / Enable (everything kept) and
// Remove (asked first: the agent forgets the settings and deletes the credential).
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { DEFAULT_PER_MINUTE, type ChannelName, type ChannelRemoval, type ChannelSettings, type ChannelStatus, type NotifyConfig } from '../../../shared/notify.js';
import { useApi } from '../api/context.js';
import { keys } from '../api/keys.js';
import { isNotAvailable } from '../api/client.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { NotAvailable } from '../components/NotAvailable.js';
import { StatusPill } from '../components/StatusPill.js';
import { ConfirmDialog } from '../components/ConfirmDialog.js';
import { CHANNEL_FIELDS, CHANNEL_LABELS, hasSecret, removeChannel, SECRET_SPECS, testOutcomeWords, toggleChannel, type SecretState } from '../lib/notify-form.js';
import { eventsSummary, outboxSummary, secretWords } from '../lib/notify-words.js';

/** The card's Edit button: the focus goes back here once the editor closes. */
export const editButtonId = (c: ChannelName) => `notify-edit-${c}`;

type View = { config: NotifyConfig; channels: ChannelStatus[] };

export function ChannelCard(props: {
  channel: ChannelName;
  settings: ChannelSettings;
  status?: ChannelStatus;
  secret: SecretState;
  saved: boolean;
  onEdit: () => void;
  /** The removal dialog is open (the section keeps the card listed meanwhile, even once its settings are gone). */
  asking: boolean;
  onAsk: (open: boolean) => void;
  onToggled: (config: NotifyConfig) => void;
  onRemoved: (r: ChannelRemoval) => void;
}) {
  const { channel: c, settings: s, status } = props;
  const api = useApi();
  const qc = useQueryClient();
  const label = CHANNEL_LABELS[c];
  const titleId = `notify-${c}-title`;
  const fields = CHANNEL_FIELDS[c];
  const test = useMutation({ mutationFn: () => api.testNotifyChannel(c), onSettled: () => void qc.invalidateQueries({ queryKey: keys.notifications }) });
  const toggle = useMutation({
    mutationFn: () => toggleChannel(api, c, s),
    onSuccess: (config: NotifyConfig) => {
      qc.setQueryData(keys.notifications, (old: View | undefined) => (old ? { ...old, config } : old));
      props.onToggled(config);
    },
    onSettled: () => void qc.invalidateQueries({ queryKey: keys.notifications }),
  });
  const remove = useMutation({
    mutationFn: () => removeChannel(api, c),
    onSuccess: (r: ChannelRemoval) => {
      qc.setQueryData(keys.notifications, (old: View | undefined) => (old ? { ...old, config: r.config } : old));
      qc.setQueryData(keys.credentials, (old: string[] | undefined) => old?.filter((name) => !r.credentials.deleted.includes(name)));
      props.onRemoved(r);
    },
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: keys.notifications });
      void qc.invalidateQueries({ queryKey: keys.credentials });
    },
  });
  const words = test.data ? testOutcomeWords(c, test.data) : undefined;
  const outbox = status ? outboxSummary(status.outbox) : undefined;
  const closeDialog = () => {
    props.onAsk(false);
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
        {/* Not disabled while sending or saving (a disabled button drops the focus to the page): a second press waits
            for the first. The test's outcome is announced by the live region below, the focus staying here. */}
        <button
          type="button"
          className="btn small"
          onClick={() => !test.isPending && test.mutate()}
          aria-disabled={test.isPending || undefined}
          aria-label={`Send a test notification to ${label}`}
          data-testid={`notify-test-${c}`}
        >
          {test.isPending ? 'Sending…' : 'Send test'}
        </button>
        <button
          type="button"
          className="btn small"
          onClick={() => !toggle.isPending && toggle.mutate()}
          aria-disabled={toggle.isPending || undefined}
          aria-label={`${s.enabled ? 'Disable' : 'Enable'} ${label}`}
          data-testid={`notify-toggle-${c}`}
        >
          {s.enabled ? 'Disable' : 'Enable'}
        </button>
        <button type="button" className="btn small" onClick={() => (remove.reset(), props.onAsk(true))} aria-label={`Remove ${label}`} data-testid={`notify-remove-${c}`}>
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
      <ErrorBox error={toggle.error} title={`${label} was not ${s.enabled ? 'disabled' : 'enabled'}`} />
      <ConfirmDialog open={props.asking} title={`Remove ${label}?`} confirmLabel={`Remove ${label}`} danger busy={remove.isPending} onConfirm={() => remove.mutate()} onCancel={closeDialog}>
        <p>
          The agent stops sending to {label} and forgets its settings
          {hasSecret(c) ? `, and the ${SECRET_SPECS[c].noun} is deleted from the keychain` : ''}. Messages still waiting for it are given up: they are listed under Not
          delivered.
        </p>
        <p>You can add it again later. To stop it for a while and keep its settings, use Disable instead.</p>
        <ErrorBox error={remove.error} title={`${label} was not removed completely`} />
      </ConfirmDialog>
    </article>
  );
}
