// Notification vocabulary: the kinds of events a trader can subscribe a channel to, and the channel-neutral
// message that is stored in the outbox and rendered per channel at send time.

export { CHANNEL_NAMES, NOTIFY_KINDS, type ChannelName, type NotifyKind } from '../../shared/notify.js';
export type { ChannelSettings, ChannelStatus, NotifyConfig, SendOutcome } from '../../shared/notify.js';
import type { NotifyKind } from '../../shared/notify.js';

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

