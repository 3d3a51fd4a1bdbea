// Which channel gets which events, persisted in settings (key notify.config). Never holds a credential:
// tokens and webhook URLs are vault entries notify:<channel>.
import type { SettingsRepo } from '../store/settings.js';
import { validator, type ValidationIssue } from '../server/validate.js';
import { CHANNEL_NAMES, NOTIFY_KINDS, type ChannelName, type ChannelSettings, type NotifyConfig } from './types.js';
import { credentialKeyIssues, isCredentialKey, urlUserinfoIssue } from '../export/credential-keys.js';
import { defaultDesktopChannel } from '../../shared/notify.js';

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

export { DEFAULT_PER_MINUTE } from '../../shared/notify.js';

export function defaultConfig(): NotifyConfig {
  const all = [...NOTIFY_KINDS];
  return {
    discord: { enabled: false, events: all },
    telegram: { enabled: false, events: all },
    slack: { enabled: false, events: all },
    email: { enabled: false, events: ['halt', 'daily-loss', 'drift', 'unknown-order', 'tunnel-down', 'agent-restart', 'broker-down'] },
    desktop: defaultDesktopChannel(),
  };
}

/** Where a channel's credential belongs instead of its settings. */
const vaultHint = (channel: string): string => `credentials are kept in the vault: PUT /api/credentials/notify:${channel} (the bot token, webhook URL or SMTP password)`;

/**
 * Every problem with one channel's settings: the schema (unknown fields refused), no credential-named key, and no
 * user:password@ in baseUrl. A relay that needs a login takes it in the vault entry's URL, never in settings,
 * which are answered, exported and audited in the clear. Paths start at `at`.
 */
export function channelSettingsIssues(channel: string, value: unknown, at = ''): ValidationIssue[] {
  // Credential names first: refused with the way to store them, and their values never echoed.
  const credentials = credentialKeyIssues(value, at, vaultHint(channel));
  // The schema's "unknown field" for a credential name is the same problem, already said better above.
  const schema = validator(CHANNEL_SETTINGS_SCHEMA)(value)
    .filter((e) => !isCredentialKey(/^unknown field "(.*)"$/.exec(e.message)?.[1] ?? ''))
    .map((e) => ({ path: e.path === '/' ? at || '/' : at + e.path, message: e.message }));
  const issues = [...credentials, ...schema];
  const baseUrl = value !== null && typeof value === 'object' ? (value as { baseUrl?: unknown }).baseUrl : undefined;
  const userinfo = urlUserinfoIssue(baseUrl, `${at}/baseUrl`, vaultHint(channel));
  if (userinfo) issues.push(userinfo);
  return issues;
}

/** Every problem with the whole notification configuration (the notify.config setting, e.g. from an import). */
export function notifyConfigIssues(value: object, at = ''): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const [channel, settings] of Object.entries(value)) {
    if (!(CHANNEL_NAMES as readonly string[]).includes(channel)) issues.push({ path: `${at}/${channel}`, message: `is not a notification channel; use ${CHANNEL_NAMES.join(', ')}` });
    else issues.push(...channelSettingsIssues(channel, settings, `${at}/${channel}`));
  }
  return issues;
}

/** The stored notify.config as exported: a user:password@ kept by an earlier version is never written to a file. */
export function exportableNotifyConfig(raw: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return raw;
  }
  if (parsed === null || typeof parsed !== 'object') return raw;
  const out = Object.fromEntries(
    Object.entries(parsed as Record<string, unknown>).map(([channel, settings]) => {
      const baseUrl = settings !== null && typeof settings === 'object' ? (settings as { baseUrl?: unknown }).baseUrl : undefined;
      if (typeof baseUrl !== 'string' || !urlUserinfoIssue(baseUrl, '', '')) return [channel, settings];
      const u = new URL(baseUrl);
      u.username = '';
      u.password = '';
      return [channel, { ...(settings as object), baseUrl: u.toString() }];
    }),
  );
  return JSON.stringify(out);
}

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object') {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

function parseConfig(raw: string | undefined): NotifyConfig {
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

export class NotifyConfigStore {
  constructor(private readonly settings: SettingsRepo) {}

  /** The stored text last parsed and what it gave: the configuration is read for every event, and parsed and
   *  validated only when its text changed. */
  private parsed: { raw: string | undefined; config: NotifyConfig } | undefined;

  /** The configuration now; shared between callers and frozen (setChannel changes it). */
  get(): NotifyConfig {
    const raw = this.settings.get(SETTINGS_KEY);
    if (!this.parsed || this.parsed.raw !== raw) this.parsed = { raw, config: deepFreeze(parseConfig(raw)) };
    return this.parsed.config;
  }

  /** Validates and stores one channel's settings; returns every problem at once, or the new configuration. */
  setChannel(channel: ChannelName, value: unknown): { ok: true; config: NotifyConfig } | { ok: false; errors: ValidationIssue[] } {
    const errors = channelSettingsIssues(channel, value);
    if (errors.length > 0) return { ok: false, errors };
    const config = { ...this.get(), [channel]: value as ChannelSettings };
    this.settings.set(SETTINGS_KEY, JSON.stringify(config));
    return { ok: true, config };
  }

  /** Forgets one channel's settings: its addresses, chat id, SMTP server, pace and events are gone and it is off, as
   *  before it was first set up. The desktop channel, on by default, is stored off with the default events. */
  removeChannel(channel: ChannelName): NotifyConfig {
    const stored: Partial<NotifyConfig> = { ...this.get() };
    delete stored[channel];
    const fresh = defaultConfig()[channel];
    if (fresh.enabled) stored[channel] = { ...fresh, enabled: false };
    this.settings.set(SETTINGS_KEY, JSON.stringify(stored));
    return this.get();
  }
}
