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
  | { ok: true }
  | {
      ok: false;
      /** false: sending again cannot help (bad webhook, bot removed from the chat): dead-letter now. */
      retryable: boolean;
      /** The service said when to come back (429 retry_after / Retry-After). */
      retryAfterMs?: number;
      /** Plain words for the outbox and the log; never contains the channel's credential. */
      error: string;
    };
