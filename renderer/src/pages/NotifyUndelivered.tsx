// "Not delivered": the messages the agent gave up sending (after its retries, or at once when retrying could not
// help, or because their channel was removed), the last first, with when, where, what and why; cleared by the trader
// once read (GET / DELETE /api/notifications/undelivered), or one sent again (POST
// /api/notifications/outbox/<id>/retry: queued with a fresh count of attempts). The agent keeps a bounded record; the
// window shows the last UNDELIVERED_SHOWN of it.
import { useEffect, useRef, useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { UndeliveredMessage, UndeliveredView } from '../../../shared/notify.js';
import { useApi } from '../api/context.js';
import { keys } from '../api/keys.js';
import { useUndelivered } from '../api/hooks.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { NotAvailable } from '../components/NotAvailable.js';
import { formatTime } from '../lib/format.js';
import { CHANNEL_LABELS } from '../lib/notify-form.js';
import type { ChannelName } from '../../../shared/notify.js';

const channelLabel = (c: string): string => CHANNEL_LABELS[c as ChannelName] ?? c;

export function Undelivered() {
  const u = useUndelivered();
  const api = useApi();
  const qc = useQueryClient();
  const view = u.data;
  // What "Send again" did last; its row leaves the list, so the focus moves to this message (not to the page).
  const [requeued, setRequeued] = useState<UndeliveredMessage>();
  const requeuedRef = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (requeued) requeuedRef.current?.focus();
  }, [requeued]);
  const clear = useMutation({
    // Up to the last one shown: one given up while the trader was reading stays listed.
    mutationFn: (through: string) => api.clearUndelivered({ through }),
    onMutate: () => setRequeued(undefined),
    onSuccess: () => qc.setQueryData(keys.undelivered, (old: UndeliveredView | undefined) => (old ? { ...old, items: [], total: 0, truncated: false } : old)),
    onSettled: () => void qc.invalidateQueries({ queryKey: keys.notifications }),
  });
  const retry = useMutation({
    mutationFn: (m: UndeliveredMessage) => api.retryUndelivered(m.id),
    onSuccess: (_r, m) => {
      qc.setQueryData(keys.undelivered, (old: UndeliveredView | undefined) => (old ? { ...old, items: old.items.filter((x) => x.id !== m.id), total: Math.max(0, old.total - 1) } : old));
      setRequeued(m);
    },
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: keys.undelivered });
      void qc.invalidateQueries({ queryKey: keys.notifications });
    },
  });
  const heading = <h3 id="notify-undelivered">Not delivered</h3>;
  if (u.notAvailable)
    return (
      <section className="notify-undelivered" aria-labelledby="notify-undelivered" data-testid="notify-undelivered">
        {heading}
        <NotAvailable what="The list of undelivered notifications" />
      </section>
    );
  return (
    <section className="notify-undelivered" aria-labelledby="notify-undelivered" data-testid="notify-undelivered">
      {heading}
      <ErrorBox error={u.error} title="The undelivered notifications could not be loaded" />
      {view && view.total === 0 && <p className="muted">No notification was given up: every one was delivered, or is still being tried.</p>}
      {view && view.total > 0 && (
        <>
          <p className="muted small">
            The agent gave these up after its retries, at once when sending again could not help, or because their channel was removed. It keeps at most {view.kept.count}, for{' '}
            {view.kept.days} days.{view.truncated ? ` The last ${view.items.length} of ${view.total} are shown.` : ''}
          </p>
          <div className="table-wrap">
            <table className="table" aria-labelledby="notify-undelivered">
              <thead>
                <tr>
                  <th scope="col">Given up</th>
                  <th scope="col">Channel</th>
                  <th scope="col">Message</th>
                  <th scope="col">Why</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {view.items.map((m) => (
                  <tr key={m.id} data-testid="notify-undelivered-item">
                    <td>
                      <span title={`Queued ${formatTime(m.createdAt)}`}>{formatTime(m.givenUpAt)}</span>
                    </td>
                    <td>{channelLabel(m.channel)}</td>
                    <td>
                      {m.title} <code className="small">{m.kind}</code>
                    </td>
                    <td>
                      {m.error}
                      {m.attempts > 1 ? <span className="muted small"> ({m.attempts} attempts)</span> : null}
                    </td>
                    <td>
                      {/* Not disabled while sending (that would drop the focus): a second press waits for the first. */}
                      <button
                        type="button"
                        className="btn small"
                        onClick={() => !retry.isPending && retry.mutate(m)}
                        aria-disabled={(retry.isPending && retry.variables?.id === m.id) || undefined}
                        aria-label={`Send again: ${m.title}, to ${channelLabel(m.channel)}`}
                        data-testid="notify-undelivered-retry"
                      >
                        {retry.isPending && retry.variables?.id === m.id ? 'Queuing…' : 'Send again'}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="row">
            <button type="button" className="btn small" onClick={() => clear.mutate(view.items[0]!.givenUpAt)} disabled={clear.isPending} data-testid="notify-undelivered-clear">
              {clear.isPending ? 'Clearing…' : 'Clear the list'}
            </button>
          </div>
        </>
      )}
      {requeued && (
        <p role="status" className="ok-line" tabIndex={-1} ref={requeuedRef} data-testid="notify-undelivered-requeued">
          Queued again: &ldquo;{requeued.title}&rdquo; is sent to {channelLabel(requeued.channel)} at its pace. If it fails again, it comes back to this list.
        </p>
      )}
      <ErrorBox error={retry.error} title="The message was not queued again" />
      <ErrorBox error={clear.error} title="The list was not cleared" />
    </section>
  );
}
