import type { ChannelSettings, NotifyMessage, SendOutcome } from '../types.js';

export interface SendContext {
  /** The vault entry's value: webhook URL (Discord, Slack), bot token (Telegram), SMTP password (email). */
  secret: string;
  settings: ChannelSettings;
}

export interface Channel {
  readonly name: string;
  /** Vault entry holding the credential (notify:<channel>). */
  readonly secretName: string;
  /** Why it cannot send regardless of configuration (e.g. a missing library), or undefined when it can. */
  unavailable(settings: ChannelSettings): string | undefined;
  send(message: NotifyMessage, ctx: SendContext): Promise<SendOutcome>;
}
