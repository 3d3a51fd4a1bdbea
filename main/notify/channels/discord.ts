// Discord incoming webhook: POST <webhook URL> {content, embeds}. 204 (or 200 with ?wait=true) on success;
// 429 with a JSON body {message, retry_after (seconds), global} and a Retry-After header when rate limited.
import type { Channel, SendContext } from './channel.js';
import type { NotifyMessage, SendOutcome } from '../types.js';
import { NetworkError, postJson, retryAfterHeader, retryableStatus, truncate, withBase, type FetchLike } from './http.js';

const COLORS = { info: 0x2e7d32, warning: 0xf9a825, critical: 0xc62828 } as const;

export function discordPayload(m: NotifyMessage): Record<string, unknown> {
  return {
    content: truncate(m.title, 2000),
    embeds: [
      {
        title: truncate(m.title, 256),
        description: truncate(m.lines.join('\n'), 4096) || undefined,
        color: COLORS[m.severity],
        fields: m.fields.slice(0, 25).map((f) => ({ name: truncate(f.name, 256), value: truncate(f.value, 1024), inline: true })),
        timestamp: m.at,
      },
    ],
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
