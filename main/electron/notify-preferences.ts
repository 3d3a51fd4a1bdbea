// What the desktop app may show: the trader's settings for the desktop notification channel (on/off and its kinds,
// docs/notifications.md) and the names the trader gave the broker accounts, both as the agent's control API has them
// (GET /api/notifications, GET /api/accounts, and the `notification-settings` and `accounts` events).
import { defaultDesktopChannel, NOTIFY_KINDS, type NotifyKind } from '../../shared/notify.js';
import { displayText } from './event-text.js';

export interface DesktopChannel {
  readonly enabled: boolean;
  readonly events: readonly NotifyKind[];
}

/**
 * The desktop channel when the agent's settings were never read (first start, agent unreachable): the agent's own
 * default, on for every kind. Showing a halt or an unknown order the trader did not want costs a glance; hiding one
 * they needed can cost money. Once read, the trader's last known choice is kept (desktop-settings.json) and used instead.
 */
export const FALLBACK_DESKTOP_CHANNEL: DesktopChannel = defaultDesktopChannel();

const record = (v: unknown): Record<string, unknown> | null => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null);

/** The desktop channel's settings from the agent (`config.desktop`), or null when they are not that shape. Kinds this
 *  version does not know are left out (they cannot match a notification it shows). */
export function parseDesktopChannel(value: unknown): DesktopChannel | null {
  const v = record(value);
  if (v === null || typeof v.enabled !== 'boolean' || !Array.isArray(v.events)) return null;
  const events = NOTIFY_KINDS.filter((k) => (v.events as unknown[]).includes(k));
  return { enabled: v.enabled, events };
}

/** The desktop channel out of a whole notification configuration (GET /api/notifications `config`, the event's `config`). */
export function desktopChannelOf(config: unknown): DesktopChannel | null {
  return parseDesktopChannel(record(config)?.desktop);
}

/** Whether the channel takes a notification that belongs to any of `kinds` (a loss limit is `daily-loss`, and `halt`
 *  for a channel that only wants halts, as the agent's channels have it). */
export function desktopShows(channel: DesktopChannel, kinds: readonly NotifyKind[]): boolean {
  return channel.enabled && kinds.some((k) => channel.events.includes(k));
}

export function sameDesktopChannel(a: DesktopChannel | null, b: DesktopChannel | null): boolean {
  if (a === null || b === null) return a === b;
  return a.enabled === b.enabled && a.events.length === b.events.length && a.events.every((k, i) => b.events[i] === k);
}

/** Account names by id (main/account-label.ts AccountNames), from GET /api/accounts `items` or the `accounts` event,
 *  made displayable as every event field is; null when the list is not that shape. */
export function parseAccountNames(value: unknown): Map<string, { name: string }> | null {
  if (!Array.isArray(value)) return null;
  const names = new Map<string, { name: string }>();
  for (const item of value) {
    const a = record(item);
    const name = a === null ? null : displayText(a.name);
    if (a !== null && typeof a.id === 'string' && name !== null) names.set(a.id, { name });
  }
  return names;
}
