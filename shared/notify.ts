// The notification settings and answers as the control API speaks them (docs/notifications.md): the agent
// (main/notify/) and the window (renderer/) read the same event kinds, channel names and default paces.

export const NOTIFY_KINDS = [
  'fill',
  'denial',
  'rejection',
  'halt',
  'daily-loss',
  'drift',
  'unknown-order',
  'tunnel-down',
  'tunnel-up',
  'agent-restart',
  'approval-waiting',
  'broker-down',
] as const;
export type NotifyKind = (typeof NOTIFY_KINDS)[number];

export const CHANNEL_NAMES = ['discord', 'telegram', 'slack', 'email', 'desktop'] as const;
export type ChannelName = (typeof CHANNEL_NAMES)[number];

/** Messages per minute by default: under each service's documented pace (Slack ~1/s, Telegram ~20/min per group, Discord ~30/min per webhook). */
export const DEFAULT_PER_MINUTE: Record<ChannelName, number> = { discord: 25, telegram: 18, slack: 50, email: 10, desktop: 120 };

/** The keys of the last `max` facts announced where there is no outbox to tell a repeated one by (the agent's desktop
 *  hook, the desktop app's notifications): the same fill reported by the stream and then by reconciliation, or
 *  published again by the order's cancel, is shown once. In memory, the oldest forgotten first. */
export class SeenKeys {
  private readonly keys = new Set<string>();

  constructor(private readonly max = 1000) {}

  /** Whether this key was seen (and not forgotten since). */
  has(key: string): boolean {
    return this.keys.has(key);
  }

  /** false: this key was seen already. */
  add(key: string): boolean {
    if (this.keys.has(key)) return false;
    this.keys.add(key);
    if (this.keys.size > this.max) this.keys.delete(this.keys.values().next().value!);
    return true;
  }
}

/** The keychain entry holding a channel's credential (the desktop channel has none). */
export function notifySecretName(channel: Exclude<ChannelName, 'desktop'>): `notify:${typeof channel}` {
  return `notify:${channel}`;
}

/** One channel's settings: the body of PUT /api/notifications/channels/<channel>, and its part of the answer. */
export interface ChannelSettings {
  enabled: boolean;
  events: NotifyKind[];
  /** Replaces the service's origin (tests, a self-hosted relay); the path comes from the webhook URL. */
  baseUrl?: string;
  /** Telegram: the chat to post to (not a secret; the bot token is, and lives in the vault). */
  chatId?: string;
  /** Email: the SMTP server and addresses; the password lives in the vault. */
  smtp?: { host: string; port: number; secure: boolean; user?: string; from: string; to: string[] };
  /** Messages per minute this agent sends to the channel at most. */
  perMinute?: number;
}

export type NotifyConfig = Record<ChannelName, ChannelSettings>;

/** The desktop channel as the agent has it before the trader changes it: on, for every kind. */
export function defaultDesktopChannel(): ChannelSettings {
  return { enabled: true, events: [...NOTIFY_KINDS] };
}

export interface ChannelStatus {
  channel: ChannelName;
  enabled: boolean;
  available: boolean;
  /** Why a channel cannot send (no credential in the vault, no SMTP server configured, no desktop shell attached). */
  detail?: string;
  pausedUntil?: string;
  outbox: Record<string, number>;
}

/** GET /api/notifications. */
export interface NotificationsView {
  config: NotifyConfig;
  channels: ChannelStatus[];
}

/** What a send (and POST /api/notifications/channels/<channel>/test) answers. */
export type SendOutcome =
  | {
      ok: true;
      /** The service moved the destination and the message was sent to the new one (a Telegram group upgraded to a
       *  supergroup gets a new chat id): the channel's settings to store from now on, and why, for the trader. */
      moved?: { settings: Partial<ChannelSettings>; why: string };
    }
  | {
      ok: false;
      /** false: sending again cannot help (bad webhook, bot removed from the chat): dead-letter now. */
      retryable: boolean;
      /** The service said when to come back (429 retry_after / Retry-After). */
      retryAfterMs?: number;
      /** Plain words for the outbox and the log; never contains the channel's credential. */
      error: string;
    };

/** DELETE /api/notifications/channels/<channel>: the channel's settings are forgotten and its credentials deleted. */
export interface ChannelRemoval {
  channel: ChannelName;
  removed: true;
  /** The whole configuration now: the channel as it was before it was set up (off). */
  config: NotifyConfig;
  /** Messages that were still waiting for the channel, given up (they are in the undelivered record). */
  givenUp: number;
  credentials: {
    /** Keychain entries deleted (notify:<channel>, notify:<channel>:<field>); empty when there was none. */
    deleted: string[];
    /** VIEWZENIX_SECRET_* variables the agent still reads a credential of the channel from: read-only, unset them. */
    environment: string[];
  };
}

/** A message the agent gave up sending, after its retries or at once when retrying could not help. Never holds a
 *  credential: the title and the reason are scrubbed like every message (main/notify/redact.ts). */
export interface UndeliveredMessage {
  /** The outbox id (POST /api/notifications/outbox/<id>/retry queues it again). */
  id: number;
  channel: string;
  kind: string;
  severity?: 'info' | 'warning' | 'critical';
  title: string;
  /** Why it was given up, in the service's or the agent's words. */
  error: string;
  attempts: number;
  /** When the message was queued (the event's time). */
  createdAt: string;
  givenUpAt: string;
}

/** GET /api/notifications/undelivered. */
export interface UndeliveredView {
  items: UndeliveredMessage[];
  /** How many there are (items holds the last given up, up to `limit`). */
  total: number;
  truncated: boolean;
  /** The record keeps at most `count` messages, for `days` days. */
  kept: { count: number; days: number };
}
