// The notification channel form as plain data, and what saving or removing a channel sends
// (docs/notifications.md). PUT /api/notifications/channels/<channel> replaces the channel's whole settings, so the
// form starts from the saved ones and keeps what it does not show. A credential (webhook URL, bot token, SMTP
// password) is never part of the settings: it goes to PUT /api/credentials/notify:<channel>, only when typed, and
// is never read back; the window only says whether one is stored.
import { NOTIFY_KINDS, notifySecretName, type ChannelName, type ChannelRemoval, type ChannelSettings, type ChannelStatus, type NotifyConfig, type NotifyKind, type SendOutcome } from '../../../shared/notify.js';

export type SecretChannel = Exclude<ChannelName, 'desktop'>;

export const CHANNEL_LABELS: Record<ChannelName, string> = { discord: 'Discord', telegram: 'Telegram', slack: 'Slack', email: 'Email', desktop: 'Desktop' };

/** The event kinds in the trader's words (docs/notifications.md, "Events"). */
export const KIND_LABELS: Record<NotifyKind, string> = {
  fill: 'An order is filled',
  denial: 'An alert is denied by a rule',
  rejection: 'An order or alert is rejected, or fails',
  halt: 'Trading is halted or reduce-only',
  'daily-loss': 'A daily loss or drawdown limit is hit',
  drift: "The broker's position differs from the agent's",
  'unknown-order': "An order's outcome is unknown (being reconciled)",
  'tunnel-down': 'The tunnel goes down, or its URL changes',
  'tunnel-up': 'The tunnel is back up',
  'agent-restart': 'The agent starts (critical after a crash)',
  'approval-waiting': 'An order waits for your approval',
  'broker-down': 'A broker account fails its test at start-up',
};

/** What each channel's credential is. It lives in the keychain entry notify:<channel>. */
export const SECRET_SPECS: Record<SecretChannel, { label: string; noun: string; placeholder: string; hint: string; url: boolean }> = {
  discord: { label: 'Webhook URL', noun: 'webhook URL', placeholder: 'https://discord.com/api/webhooks/…', hint: 'In Discord: channel settings → Integrations → Webhooks → Copy Webhook URL.', url: true },
  telegram: { label: 'Bot token', noun: 'bot token', placeholder: '123456:ABC…', hint: 'From @BotFather. The bot must be a member of the chat below.', url: false },
  slack: { label: 'Incoming webhook URL', noun: 'webhook URL', placeholder: 'https://hooks.slack.com/services/…', hint: 'From the Slack app\u2019s "Incoming Webhooks" page.', url: true },
  email: { label: 'SMTP password', noun: 'SMTP password', placeholder: '', hint: 'The password (or app password) of the SMTP login.', url: false },
};

/** The read-only environment variable the agent reads a channel's credential from when there is no keychain
 *  (docs/credentials.md: the entry name in capitals, ':' as '_'). */
export function secretVariable(channel: SecretChannel): string {
  return `VIEWZENIX_SECRET_NOTIFY_${channel.toUpperCase()}`;
}

/** Which inputs each channel has; a field a channel does not use is kept as saved, never shown. The desktop channel
 *  shows messages through the window's shell as they come: it has no credential, address or pace. */
export const CHANNEL_FIELDS: Record<ChannelName, { secret: boolean; baseUrl: boolean; chatId: boolean; smtp: boolean; perMinute: boolean }> = {
  discord: { secret: true, baseUrl: true, chatId: false, smtp: false, perMinute: true },
  telegram: { secret: true, baseUrl: true, chatId: true, smtp: false, perMinute: true },
  slack: { secret: true, baseUrl: true, chatId: false, smtp: false, perMinute: true },
  email: { secret: true, baseUrl: false, chatId: false, smtp: true, perMinute: true },
  desktop: { secret: false, baseUrl: false, chatId: false, smtp: false, perMinute: false },
};

export function hasSecret(channel: ChannelName): channel is SecretChannel {
  return CHANNEL_FIELDS[channel].secret;
}

export interface ChannelForm {
  enabled: boolean;
  events: string[];
  /** Typed this time only; empty keeps the stored one. Never filled from the agent. */
  secret: string;
  perMinute: string;
  baseUrl: string;
  chatId: string;
  smtpHost: string;
  smtpPort: string;
  smtpSecure: boolean;
  smtpUser: string;
  smtpFrom: string;
  smtpTo: string;
}

/** The form as the saved settings fill it. Adding a channel turns it on; the credential field always starts empty. */
export function channelForm(s: ChannelSettings, opts: { adding?: boolean } = {}): ChannelForm {
  return {
    enabled: opts.adding ? true : s.enabled,
    events: [...s.events],
    secret: '',
    perMinute: s.perMinute === undefined ? '' : String(s.perMinute),
    baseUrl: s.baseUrl ?? '',
    chatId: s.chatId ?? '',
    smtpHost: s.smtp?.host ?? '',
    smtpPort: s.smtp ? String(s.smtp.port) : '',
    smtpSecure: s.smtp?.secure ?? false,
    smtpUser: s.smtp?.user ?? '',
    smtpFrom: s.smtp?.from ?? '',
    smtpTo: s.smtp ? s.smtp.to.join(', ') : '',
  };
}

export interface FieldError {
  /** The API's JSON path (/perMinute, /smtp/host …), or /secret for the credential field. */
  path: string;
  message: string;
}

export interface CredentialWrite {
  name: string;
  value: string;
}

export interface SavePlan {
  /** The body of PUT /api/notifications/channels/<channel>: the channel's whole settings. */
  body: ChannelSettings;
  /** The credential to store first, when one was typed. */
  secret?: CredentialWrite;
  /** Problems found before sending anything: nothing is sent while there are any. */
  errors: FieldError[];
}

const INTEGER = /^(0|[1-9][0-9]*)$/;

function integer(raw: string, path: string, example: string, errors: FieldError[]): number | undefined {
  const v = raw.trim();
  if (!INTEGER.test(v) || !Number.isSafeInteger(Number(v))) {
    errors.push({ path, message: `must be a whole number like ${example}` });
    return undefined;
  }
  return Number(v);
}

/** Email addresses as typed: separated by commas, semicolons, spaces or new lines. */
export function addressList(raw: string): string[] {
  return raw
    .split(/[\s,;]+/)
    .map((x) => x.trim())
    .filter((x) => x !== '');
}

/** Whether a typed credential can be what the channel needs; the message never repeats the value. */
function secretIssue(channel: SecretChannel, value: string): string | undefined {
  const spec = SECRET_SPECS[channel];
  if (spec.url) {
    let ok: boolean;
    try {
      const u = new URL(value);
      ok = (u.protocol === 'https:' || u.protocol === 'http:') && u.pathname.length > 1;
    } catch {
      ok = false;
    }
    if (!ok) return `must be the whole ${spec.noun}, starting with https://`;
  }
  if (channel === 'telegram' && (/\s/.test(value) || !value.includes(':'))) return 'must be the token @BotFather gave, like 123456:ABC… (no spaces)';
  return undefined;
}

/**
 * What saving the form sends. The settings start from the saved ones (a field the form does not show for this
 * channel stays as it is) and are replaced by the inputs: an empty input leaves its field out (the default applies),
 * numbers are checked here and sent as numbers. The credential is never in the settings.
 */
export function savePlan(channel: ChannelName, f: ChannelForm, current: ChannelSettings): SavePlan {
  const errors: FieldError[] = [];
  const fields = CHANNEL_FIELDS[channel];
  const known = NOTIFY_KINDS.filter((k) => f.events.includes(k));
  // A kind this window does not know (a newer agent's) stays as it was chosen.
  const events = [...known, ...f.events.filter((k, i) => !(NOTIFY_KINDS as readonly string[]).includes(k) && f.events.indexOf(k) === i)] as NotifyKind[];
  const body: ChannelSettings = { ...current, enabled: f.enabled, events };
  const setText = (key: 'baseUrl' | 'chatId', raw: string) => {
    const v = raw.trim();
    if (v === '') delete body[key];
    else body[key] = v;
  };
  if (fields.perMinute) {
    if (f.perMinute.trim() === '') delete body.perMinute;
    else {
      const n = integer(f.perMinute, '/perMinute', '20', errors);
      if (n !== undefined) body.perMinute = n;
    }
  }
  if (fields.baseUrl) setText('baseUrl', f.baseUrl);
  if (fields.chatId) setText('chatId', f.chatId);
  if (fields.smtp) {
    const typed = [f.smtpHost, f.smtpPort, f.smtpUser, f.smtpFrom, f.smtpTo].some((x) => x.trim() !== '');
    if (!typed) delete body.smtp;
    else {
      // Empty parts are left out: the agent names each missing one (400 VALIDATION_FAILED), shown beside its input.
      const smtp: Record<string, unknown> = { secure: f.smtpSecure, to: addressList(f.smtpTo) };
      if (f.smtpHost.trim()) smtp.host = f.smtpHost.trim();
      if (f.smtpPort.trim()) {
        const port = integer(f.smtpPort, '/smtp/port', '587', errors);
        if (port !== undefined) smtp.port = port;
      }
      if (f.smtpUser.trim()) smtp.user = f.smtpUser.trim();
      if (f.smtpFrom.trim()) smtp.from = f.smtpFrom.trim();
      body.smtp = smtp as unknown as ChannelSettings['smtp'];
    }
  }
  let secret: CredentialWrite | undefined;
  const typedSecret = f.secret.trim();
  if (hasSecret(channel) && typedSecret !== '') {
    const why = secretIssue(channel, typedSecret);
    if (why) errors.push({ path: '/secret', message: why });
    else secret = { name: notifySecretName(channel), value: typedSecret };
  }
  return { body, secret, errors };
}

/** Disabling (or enabling again) a channel: everything else it has stays as saved, its credential too. */
export function toggleBody(current: ChannelSettings): ChannelSettings {
  return { ...current, enabled: !current.enabled };
}

/** Where a channel's credential is: in the keychain (listed by GET /api/credentials), somewhere else the agent reads
 *  (an environment variable: the channel is ready, yet the keychain has no entry), stored where the keychain cannot
 *  tell (it cannot be listed, yet the channel is ready), none, or unknown. */
export type SecretState = 'keychain' | 'elsewhere' | 'stored' | 'none' | 'unknown';

export function secretState(channel: ChannelName, names: readonly string[] | undefined, status: ChannelStatus | undefined): SecretState {
  if (!hasSecret(channel)) return 'none';
  if (names?.includes(notifySecretName(channel))) return 'keychain';
  // A ready channel has read its credential.
  if (status?.available) return names ? 'elsewhere' : 'stored';
  return names ? 'none' : 'unknown';
}

/** Whether the agent has a credential for the channel (an empty field then keeps it). */
export function secretStored(state: SecretState): boolean {
  return state === 'keychain' || state === 'elsewhere' || state === 'stored';
}

/** A channel is listed as set up when it is on, or anything of it is stored; the others are offered under "Add". */
export function isConfigured(s: ChannelSettings, secret: SecretState): boolean {
  return s.enabled || secret === 'keychain' || s.baseUrl !== undefined || s.chatId !== undefined || s.smtp !== undefined || s.perMinute !== undefined;
}

/** The form fields an error path belongs to. */
export type FormField = 'enabled' | 'events' | 'secret' | 'perMinute' | 'baseUrl' | 'chatId' | 'smtpHost' | 'smtpPort' | 'smtpSecure' | 'smtpUser' | 'smtpFrom' | 'smtpTo';

const FIELD_PATHS: Record<FormField, string> = {
  enabled: '/enabled',
  events: '/events',
  secret: '/secret',
  perMinute: '/perMinute',
  baseUrl: '/baseUrl',
  chatId: '/chatId',
  smtpHost: '/smtp/host',
  smtpPort: '/smtp/port',
  smtpSecure: '/smtp/secure',
  smtpUser: '/smtp/user',
  smtpFrom: '/smtp/from',
  smtpTo: '/smtp/to',
};

/**
 * Places each error beside its input: the input whose path is the error's path or its parent (/smtp/to/1 → the
 * recipients); "must have required property 'port'" on /smtp goes to that property's input. Errors no input owns
 * (an unknown field, a problem with the whole body) are returned under "".
 */
export function errorsByField(errors: readonly FieldError[]): Map<FormField | '', string[]> {
  const out = new Map<FormField | '', string[]>();
  for (const e of errors) {
    const missing = /^must have required property '([A-Za-z]+)'$/.exec(e.message)?.[1];
    const path = missing ? `${e.path === '/' ? '' : e.path}/${missing}` : e.path;
    let field: FormField | '' = '';
    for (const [f, p] of Object.entries(FIELD_PATHS) as [FormField, string][]) if (path === p || path.startsWith(`${p}/`)) field = f;
    if (field === '' && path === '/smtp') field = 'smtpHost';
    const list = out.get(field) ?? [];
    list.push(missing ? 'is required' : e.message);
    out.set(field, list);
  }
  return out;
}

/** The API calls saving, disabling and removing make (the ApiClient has them). */
export interface NotifyApi {
  setCredential(name: string, value: string): Promise<unknown>;
  saveNotifyChannel(channel: ChannelName, settings: ChannelSettings): Promise<NotifyConfig>;
  removeNotifyChannel(channel: ChannelName): Promise<ChannelRemoval>;
}

/** Stores the typed credential first (the channel, once saved, then reads it), then the settings. A refused
 *  credential (503 VAULT_UNAVAILABLE …) stops the save: the settings stay as they were. */
export async function saveChannel(api: NotifyApi, channel: ChannelName, plan: SavePlan): Promise<NotifyConfig> {
  if (plan.errors.length > 0) throw new Error('savePlan found problems: nothing is sent');
  if (plan.secret) await api.setCredential(plan.secret.name, plan.secret.value);
  return api.saveNotifyChannel(channel, plan.body);
}

/** Disables the channel, or enables it again: one PUT with its saved settings, nothing else changed. */
export function toggleChannel(api: NotifyApi, channel: ChannelName, current: ChannelSettings): Promise<NotifyConfig> {
  return api.saveNotifyChannel(channel, toggleBody(current));
}

/** Removes the channel in one request: the agent forgets its settings, gives up the messages waiting for it and
 *  deletes its keychain entries (DELETE /api/notifications/channels/<channel>). */
export function removeChannel(api: NotifyApi, channel: ChannelName): Promise<ChannelRemoval> {
  return api.removeNotifyChannel(channel);
}

/** A test answer in words: sent, or the service's refusal and whether trying again may help. */
export function testOutcomeWords(channel: ChannelName, r: SendOutcome): { ok: boolean; message: string; hint?: string } {
  const name = CHANNEL_LABELS[channel];
  if (r.ok) return { ok: true, message: channel === 'desktop' ? 'Sent: the test notification was shown on this computer.' : `Sent: ${name} accepted the test message.` };
  const wait = r.retryAfterMs !== undefined ? ` ${name} asked to wait ${Math.max(1, Math.ceil(r.retryAfterMs / 1000))} s.` : '';
  return { ok: false, message: r.error, hint: r.retryable ? `This looks temporary: try again in a moment.${wait}` : 'Sending again will not help until the settings or the credential are changed.' };
}
