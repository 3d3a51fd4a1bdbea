// What the notifications section says about a channel, in the trader's words: whether its credential is stored,
// which events it gets, what waits or was given up in its outbox.
import { NOTIFY_KINDS, type ChannelName } from '../../../shared/notify.js';
import { hasSecret, SECRET_SPECS, type SecretState } from './notify-form.js';

export function secretWords(channel: ChannelName, state: SecretState): string {
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

export function eventsSummary(events: readonly string[]): string {
  if (events.length === 0) return 'None: nothing is sent to this channel.';
  if (NOTIFY_KINDS.every((k) => events.includes(k))) return `All ${NOTIFY_KINDS.length} kinds of event.`;
  return events.join(', ');
}

export function outboxSummary(outbox: Record<string, number>): string | undefined {
  const words: Record<string, string> = { pending: 'waiting', sending: 'sending', dead: 'given up' };
  const parts = Object.entries(outbox)
    .filter(([k, v]) => k !== 'sent' && v > 0)
    .map(([k, v]) => `${v} ${words[k] ?? k}`);
  return parts.length ? parts.join(' · ') : undefined;
}
