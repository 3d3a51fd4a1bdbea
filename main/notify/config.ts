// Which channel gets which events, persisted in settings (key notify.config). Never holds a credential:
// tokens and webhook URLs are vault entries notify:<channel>.
import type { SettingsRepo } from '../store/settings.js';
import { validator, type ValidationIssue } from '../server/validate.js';
import { CHANNEL_NAMES, NOTIFY_KINDS, type ChannelName, type ChannelSettings, type NotifyConfig } from './types.js';

export const SETTINGS_KEY = 'notify.config';

export const CHANNEL_SETTINGS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['enabled', 'events'],
  properties: {
    enabled: { type: 'boolean' },
    events: { type: 'array', uniqueItems: true, items: { enum: [...NOTIFY_KINDS] } },
    baseUrl: { type: 'string', format: 'uri', pattern: '^https?://' },
    chatId: { type: 'string', pattern: '^(-?[0-9]{1,20}|@[A-Za-z0-9_]{5,32})$' },
    perMinute: { type: 'integer', minimum: 1, maximum: 600 },
    smtp: {
      type: 'object',
      additionalProperties: false,
      required: ['host', 'port', 'secure', 'from', 'to'],
      properties: {
        host: { type: 'string', minLength: 1, maxLength: 253 },
        port: { type: 'integer', minimum: 1, maximum: 65535 },
        secure: { type: 'boolean' },
        user: { type: 'string', minLength: 1, maxLength: 320 },
        from: { type: 'string', format: 'email' },
        to: { type: 'array', minItems: 1, maxItems: 20, items: { type: 'string', format: 'email' } },
      },
    },
  },
} as const;

export const NOTIFY_CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: Object.fromEntries(CHANNEL_NAMES.map((c) => [c, CHANNEL_SETTINGS_SCHEMA])),
} as const;

/** Messages per minute by default: under each service's documented pace (Slack ~1/s, Telegram ~20/min per group, Discord ~30/min per webhook). */
export const DEFAULT_PER_MINUTE: Record<ChannelName, number> = { discord: 25, telegram: 18, slack: 50, email: 10, desktop: 120 };

export function defaultConfig(): NotifyConfig {
  const all = [...NOTIFY_KINDS];
  return {
    discord: { enabled: false, events: all },
    telegram: { enabled: false, events: all },
    slack: { enabled: false, events: all },
    email: { enabled: false, events: ['halt', 'daily-loss', 'drift', 'unknown-order', 'tunnel-down', 'agent-restart'] },
    desktop: { enabled: true, events: all },
  };
}

export class NotifyConfigStore {
  constructor(private readonly settings: SettingsRepo) {}

  get(): NotifyConfig {
    const raw = this.settings.get(SETTINGS_KEY);
    const base = defaultConfig();
    if (!raw) return base;
    try {
      const stored = JSON.parse(raw) as Partial<NotifyConfig>;
      if (validator(NOTIFY_CONFIG_SCHEMA)(stored).length > 0) return base;
      return { ...base, ...stored };
    } catch {
      return base;
    }
  }

  /** Validates and stores one channel's settings; returns every problem at once, or the new configuration. */
  setChannel(channel: ChannelName, value: unknown): { ok: true; config: NotifyConfig } | { ok: false; errors: ValidationIssue[] } {
    const errors = validator(CHANNEL_SETTINGS_SCHEMA)(value);
    if (errors.length > 0) return { ok: false, errors };
    const config = { ...this.get(), [channel]: value as ChannelSettings };
    this.settings.set(SETTINGS_KEY, JSON.stringify(config));
    return { ok: true, config };
  }
}
