// What the notifications section says about a channel, in the trader's words: whether its credential is stored,
// which events it gets, what waits or was given up in its outbox.
import { NOTIFY_KINDS, type ChannelName, type ChannelRemoval } from '../../../shared/notify.js';
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

/** What a removal did, for the line the section shows once the channel's card is gone. */
export function removalWords(label: string, r: ChannelRemoval): string {
  const parts = [`${label} was removed: its settings are forgotten`];
  if (r.credentials.deleted.length > 0) parts.push(`its ${r.credentials.deleted.length === 1 ? 'credential was' : `${r.credentials.deleted.length} credentials were`} deleted from the keychain`);
  let out = parts.join(' and ') + '.';
  if (r.givenUp > 0) out += ` ${r.givenUp === 1 ? 'One message that was' : `${r.givenUp} messages that were`} still waiting for it ${r.givenUp === 1 ? 'is' : 'are'} listed under Not delivered.`;
  if (r.credentials.environment.length > 0) out += ` The agent still reads a credential for it from ${r.credentials.environment.join(', ')}: unset ${r.credentials.environment.length === 1 ? 'it' : 'them'} before the next start.`;
  return out;
}
