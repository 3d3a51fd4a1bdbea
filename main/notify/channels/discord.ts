// Discord incoming webhook: POST <webhook URL> {content, embeds}. 204 (or 200 with ?wait=true) on success;
// 429 with a JSON body {message, retry_after (seconds), global} and a Retry-After header when rate limited.
import type { Channel, SendContext } from './channel.js';
import type { NotifyMessage, SendOutcome } from '../types.js';
import { NetworkError, postJson, retryAfterHeader, retryableStatus, truncate, withBase, type FetchLike } from './http.js';

const COLORS = { info: 0x2e7d32, warning: 0xf9a825, critical: 0xc62828 } as const;

/** Discord's embed limits (Message Resource, "Embed Limits"): each part has its own cap, and all the text of the
 *  embeds of one message together (title, description, field names and values, footer, author) at most 6000. */
export const EMBED_LIMITS = { title: 256, description: 4096, fields: 25, fieldName: 256, fieldValue: 1024, total: 6000 } as const;

export function discordPayload(m: NotifyMessage): Record<string, unknown> {
  const L = EMBED_LIMITS;
  const title = truncate(m.title, L.title);
  let room = L.total - title.length;
  // At most 256 + 4096 of the 6000: the fields keep at least 1648.
  const description = truncate(m.lines.join('\n'), L.description);
  room -= description.length;
  // Fields in order while the 6000 characters last; a value Discord would refuse as empty gets a dash.
  const fields: { name: string; value: string; inline: boolean }[] = [];
  for (const f of m.fields.slice(0, L.fields)) {
    const name = truncate(f.name || '-', L.fieldName);
    const valueRoom = Math.min(L.fieldValue, room - name.length);
    if (valueRoom < 2) break;
    const value = truncate(f.value || '-', valueRoom);
    fields.push({ name, value, inline: true });
    room -= name.length + value.length;
  }
  return {
    content: truncate(m.title, 2000),
    embeds: [{ title, description: description || undefined, color: COLORS[m.severity], fields, timestamp: m.at }],
    // A symbol or reason can never ping @everyone.
    allowed_mentions: { parse: [] },
  };
}

export class DiscordChannel implements Channel {
  readonly name = 'discord';
  readonly secretName = 'notify:discord';
  constructor(private readonly o: { fetch?: FetchLike; timeoutMs?: number } = {}) {}

  unavailable(): string | undefined {
    return undefined;
  }

  async send(m: NotifyMessage, ctx: SendContext): Promise<SendOutcome> {
    let url: string;
    try {
      url = withBase(ctx.secret, ctx.settings.baseUrl);
    } catch {
      return { ok: false, retryable: false, error: 'The Discord webhook URL in the vault (notify:discord) is not a URL.' };
    }
    try {
      const r = await postJson(url, discordPayload(m), this.o);
      if (r.status >= 200 && r.status < 300) return { ok: true };
      let body: { message?: string; retry_after?: number; code?: number } = {};
      try {
        body = JSON.parse(r.text) as typeof body;
      } catch {
        /* not JSON (a proxy page) */
      }
      if (r.status === 429) {
        const ms = typeof body.retry_after === 'number' ? body.retry_after * 1000 : retryAfterHeader(r.headers);
        return { ok: false, retryable: true, retryAfterMs: ms, error: 'Discord rate limit (429)' };
      }
      const detail = body.message ? `: ${truncate(body.message, 200)}` : '';
      if (r.status === 404 || r.status === 401) return { ok: false, retryable: false, error: `Discord answered ${r.status}${detail}. The webhook was deleted or the URL is wrong; paste a new one.` };
      return { ok: false, retryable: retryableStatus(r.status), error: `Discord answered ${r.status}${detail}` };
    } catch (err) {
      if (err instanceof NetworkError) return { ok: false, retryable: true, error: `Discord not reachable (${err.message})` };
      throw err;
    }
  }
}
