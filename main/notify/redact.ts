// Messages leave the machine, so they are scrubbed twice: every value the vault has handed out (announced
// through the redaction hooks) and anything secret-shaped (key=value, "key": "value", Bearer …, URLs with
// credentials or webhook tokens) is replaced before a message is stored in the outbox.
import { registerRedactionHook, SecretRedactor } from '../secrets/redaction.js';
import { scrubText } from '../log.js';
import type { NotifyMessage } from './types.js';

const vaultValues = new SecretRedactor('[redacted]');
registerRedactionHook(vaultValues.add);

const SECRET_WORDS = 'passphrase|password|passwd|secret|api[_-]?key|api[_-]?secret|apikey|token|authtoken|access[_-]?token|private[_-]?key|key[_-]?id|authorization|credentials?';
const KEY_VALUE = new RegExp(`(["']?\\b(?:${SECRET_WORDS})\\b["']?\\s*[:=]\\s*)("(?:[^"\\\\]|\\\\.)*"|'[^']*'|[^\\s,;&}]+)`, 'gi');
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{6,}/gi;
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^/\s:@]+:[^/\s@]+@/gi;
// Discord / Slack webhook URLs and Telegram bot URLs are credentials in themselves.
const WEBHOOK_URL = /https?:\/\/[^\s]*(?:\/api\/webhooks\/|hooks\.slack\.com\/|\/services\/T|\/bot\d+:)[^\s]*/gi;
const SLACK_PATH = /\/services\/T[A-Z0-9]+\/B[A-Z0-9]+\/[A-Za-z0-9]+/g;
const BOT_TOKEN = /\b\d{6,12}:[A-Za-z0-9_-]{30,}\b/g;

/** The parts of a credential worth hiding on their own: the whole value and, for a webhook URL, its long path segments. */
export function secretParts(secret: string | undefined): string[] {
  if (!secret) return [];
  const parts = [secret];
  try {
    const u = new URL(secret);
    parts.push(u.pathname, ...u.pathname.split('/').filter((p) => p.length >= 12));
  } catch {
    /* not a URL: a bot token or password */
  }
  return parts.sort((a, b) => b.length - a.length);
}

export function redactText(text: string, ...extra: (string | undefined)[]): string {
  let out = vaultValues.redact(text);
  for (const v of extra) if (v && v.length >= 4) out = out.split(v).join('[redacted]');
  out = out.replace(WEBHOOK_URL, '[redacted webhook URL]').replace(SLACK_PATH, '[redacted]').replace(BOT_TOKEN, '[redacted]');
  out = out.replace(KEY_VALUE, '$1[redacted]').replace(BEARER, '$1 [redacted]').replace(URL_USERINFO, '$1[redacted]@');
  return scrubText(out);
}

export function redactMessage(m: NotifyMessage, ...extra: (string | undefined)[]): NotifyMessage {
  return {
    ...m,
    title: redactText(m.title, ...extra),
    lines: m.lines.map((l) => redactText(l, ...extra)),
    fields: m.fields.map((f) => ({ name: redactText(f.name, ...extra), value: redactText(f.value, ...extra) })),
  };
}
