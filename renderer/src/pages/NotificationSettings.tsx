// Notifications: the channels that are set up and which events each gets, add / edit / remove one, send a test.
// Settings go to PUT /api/notifications/channels/<channel> (lib/notify-form.ts builds the body from the saved
// settings, so what the form does not show is kept); a webhook URL, bot token or SMTP password goes to the keychain
// (PUT /api/credentials/notify:<channel>) only when typed, and is never shown again: only whether one is stored.
// Removing asks first, then one request: the agent forgets the settings and deletes the credential itself. Messages the
// agent gave up sending are listed under "Not delivered".
// The pieces: NotifyChannelCard.tsx (a channel set up), NotifyChannelEditor.tsx (its form), NotifyAddChannel.tsx,
// NotifyUndelivered.tsx (the given-up messages).
import { useEffect, useState } from 'react';
import { CHANNEL_NAMES, type ChannelName, type ChannelRemoval, type NotifyConfig } from '../../../shared/notify.js';
import { useCredentialNames, useNotifications } from '../api/hooks.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { NotAvailable } from '../components/NotAvailable.js';
import { EmptyState } from '../components/EmptyState.js';
import { CHANNEL_LABELS, isConfigured, secretState } from '../lib/notify-form.js';
import { removalWords } from '../lib/notify-words.js';
import { AddChannel, ADD_SELECT_ID } from './NotifyAddChannel.js';
import { ChannelCard, editButtonId } from './NotifyChannelCard.js';
import { ChannelEditor } from './NotifyChannelEditor.js';
import { Undelivered } from './NotifyUndelivered.js';

export function NotificationSettings() {
  const n = useNotifications();
  const creds = useCredentialNames();
  const [editing, setEditing] = useState<{ channel: ChannelName; adding: boolean } | null>(null);
  const [saved, setSaved] = useState<ChannelName | null>(null);
  // The channel whose removal dialog is open: listed until the dialog closes, so an error in it stays readable.
  const [asking, setAsking] = useState<ChannelName | null>(null);
  const [removed, setRemoved] = useState<{ channel: ChannelName; r: ChannelRemoval } | null>(null);
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
  const listed = (c: ChannelName, config: NotifyConfig | undefined = view?.config) => (config ? isConfigured(config[c], secretOf(c)) : false);
  const configured = view ? CHANNEL_NAMES.filter((c) => listed(c) || editing?.channel === c || asking === c) : [];
  const addable = view ? CHANNEL_NAMES.filter((c) => !configured.includes(c)) : [];
  const close = (c: ChannelName, ok: boolean) => {
    setEditing(null);
    if (ok) setSaved(c);
    // The button that opened the editor; after a cancelled add the channel is gone from the list, so the add control.
    setFocusId(view && (ok || listed(c)) ? editButtonId(c) : ADD_SELECT_ID);
  };
  const cardGone = () => setFocusId('notifications'); // its buttons are gone with it: the section's heading
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
      {removed && (
        <p role="status" className="ok-line" data-testid="notify-removed">
          {removalWords(CHANNEL_LABELS[removed.channel], removed.r)}
        </p>
      )}
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
                onEdit={() => (setSaved(null), setRemoved(null), setEditing({ channel: c, adding: false }))}
                asking={asking === c}
                onAsk={(open) => {
                  setAsking(open ? c : null);
                  if (!open && !listed(c)) cardGone(); // a removal that failed half-way: the settings are gone
                }}
                onToggled={(config) => {
                  setSaved(null);
                  if (!listed(c, config)) cardGone(); // off with nothing stored: offered under Add again
                }}
                onRemoved={(r) => {
                  setSaved(null);
                  setAsking(null);
                  setRemoved({ channel: c, r });
                  cardGone();
                }}
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
            setRemoved(null);
            setEditing({ channel: c, adding: true });
          }}
        />
      )}
      <Undelivered />
    </section>
  );
}
