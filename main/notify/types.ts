// Notification vocabulary: the kinds of events a trader can subscribe a channel to, and the channel-neutral
// message that is stored in the outbox and rendered per channel at send time.

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

export type Severity = 'info' | 'warning' | 'critical';

/** What is stored and sent. Built only from whitelisted event fields, then scrubbed (main/notify/redact.ts). */
export interface NotifyMessage {
  kind: NotifyKind;
  severity: Severity;
  title: string;
  lines: string[];
  fields: { name: string; value: string }[];
  at: string;
}

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
