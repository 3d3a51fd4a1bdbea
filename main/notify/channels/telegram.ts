// Telegram Bot API: POST <base>/bot<token>/sendMessage {chat_id, text, parse_mode}. Answers
// {ok: true, result} or {ok: false, error_code, description, parameters?: {retry_after, migrate_to_chat_id}}.
import type { Channel, SendContext } from './channel.js';
import type { NotifyMessage, SendOutcome } from '../types.js';
import { NetworkError, postJson, retryableStatus, truncate, type FetchLike } from './http.js';

const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** sendMessage takes 1-4096 characters of text after entities parsing: what the reader sees, tags not counted. */
export const TELEGRAM_TEXT_MAX = 4096;

/**
 * The message as HTML. The visible text is cut to the limit before it is escaped, so a cut can never fall inside
 * a tag or an entity (`&am…`, an unclosed `<code>`): Telegram refuses that with 400 "can't parse entities".
 */
export function telegramText(m: NotifyMessage): string {
  let room = TELEGRAM_TEXT_MAX;
  const out: string[] = [];
  // Each piece is [visible text, opening tag, closing tag]; a line is pieces side by side.
  const lines: [string, string, string][][] = [
    [[m.title, '<b>', '</b>']],
    ...m.lines.map((l): [string, string, string][] => [[l, '', '']]),
    ...m.fields.map((f): [string, string, string][] => [[`${f.name}: `, '', ''], [f.value, '<code>', '</code>']]),
  ];
  for (const line of lines) {
    if (out.length) room -= 1; // the newline
    if (room < 2) break;
    let html = '';
    for (const [text, open, close] of line) {
      if (room < 2) break;
      const cut = truncate(text, room);
      room -= cut.length;
      if (cut) html += `${open}${escapeHtml(cut)}${close}`;
    }
    out.push(html);
  }
  return out.join('\n');
}

export const TELEGRAM_API = 'https://api.telegram.org';

export class TelegramChannel implements Channel {
  readonly name = 'telegram';
  readonly secretName = 'notify:telegram';
  constructor(private readonly o: { fetch?: FetchLike; timeoutMs?: number } = {}) {}

  unavailable(settings: { chatId?: string }): string | undefined {
    return settings.chatId ? undefined : 'No chat id is configured for Telegram.';
  }

  async send(m: NotifyMessage, ctx: SendContext): Promise<SendOutcome> {
    const sent = await this.sendTo(ctx.settings.chatId, m, ctx);
    if (!('migratedTo' in sent)) return sent;
    // A group upgraded to a supergroup has a new id for good (Bot API, ResponseParameters.migrate_to_chat_id): the
    // message goes there at once, and the channel keeps the new id, as Telegram's own clients follow the move.
    const to = String(sent.migratedTo);
    const again = await this.sendTo(to, m, ctx);
    if ('migratedTo' in again) return { ok: false, retryable: false, error: `The Telegram group became a supergroup; set the chat id to ${to}.` };
    if (!again.ok) return { ...again, error: `The Telegram group became a supergroup (chat id ${to}), and sending there failed: ${again.error}` };
    return { ok: true, moved: { settings: { chatId: to }, why: `The Telegram group became a supergroup: its chat id changed from ${ctx.settings.chatId ?? ''} to ${to}. Messages go to the new id from now on.` } };
  }

  private async sendTo(chatId: string | undefined, m: NotifyMessage, ctx: SendContext): Promise<SendOutcome | { migratedTo: number }> {
    const base = (ctx.settings.baseUrl ?? TELEGRAM_API).replace(/\/$/, '');
    try {
      const r = await postJson(`${base}/bot${ctx.secret}/sendMessage`, { chat_id: chatId, text: telegramText(m), parse_mode: 'HTML', disable_web_page_preview: true }, this.o);
      let body: { ok?: boolean; error_code?: number; description?: string; parameters?: { retry_after?: number; migrate_to_chat_id?: number } } = {};
      try {
        body = JSON.parse(r.text) as typeof body;
      } catch {
        /* not JSON */
      }
      if (r.status === 200 && body.ok === true) return { ok: true };
      const code = body.error_code ?? r.status;
      const detail = body.description ? `: ${truncate(body.description, 200)}` : '';
      if (code === 429 || body.parameters?.retry_after !== undefined) {
        return { ok: false, retryable: true, retryAfterMs: (body.parameters?.retry_after ?? 1) * 1000, error: `Telegram flood control (429)${detail}` };
      }
      const migratedTo = body.parameters?.migrate_to_chat_id;
      if (typeof migratedTo === 'number' && Number.isSafeInteger(migratedTo)) return { migratedTo };
      if (code === 401 || code === 404) return { ok: false, retryable: false, error: `Telegram answered ${code}${detail}. The bot token in the vault (notify:telegram) is wrong or revoked.` };
      if (code === 400 || code === 403) return { ok: false, retryable: false, error: `Telegram answered ${code}${detail}. Check the chat id and that the bot is a member of the chat.` };
      return { ok: false, retryable: retryableStatus(r.status), error: `Telegram answered ${code}${detail}` };
    } catch (err) {
      if (err instanceof NetworkError) return { ok: false, retryable: true, error: `Telegram not reachable (${err.message})` };
      throw err;
    }
  }
}
