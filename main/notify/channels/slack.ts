// Slack incoming webhook: POST <webhook URL> {text, blocks}. 200 "ok" on success; errors are plain-text codes
// (400 invalid_payload / no_text, 403 action_prohibited, 404 no_service / channel_not_found, 410
// channel_is_archived); 429 with Retry-After when rate limited (about one message per second).
import type { Channel, SendContext } from './channel.js';
import type { NotifyMessage, SendOutcome } from '../types.js';
import { NetworkError, postJson, retryAfterHeader, retryableStatus, truncate, withBase, type FetchLike } from './http.js';

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Escaped text cut to `max` characters (Slack counts what it is sent), never in the middle of `&amp;` `&lt;` `&gt;`. */
export function escCut(s: string, max: number): string {
  const e = esc(s);
  const t = truncate(e, max);
  return t === e ? e : `${t.slice(0, -1).replace(/&[a-z]{0,3}$/, '')}…`;
}

export function slackPayload(m: NotifyMessage): Record<string, unknown> {
  const blocks: Record<string, unknown>[] = [{ type: 'header', text: { type: 'plain_text', text: truncate(m.title, 150) } }];
  if (m.lines.length) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: escCut(m.lines.join('\n'), 3000) } });
  if (m.fields.length) blocks.push({ type: 'section', fields: m.fields.slice(0, 10).map((f) => ({ type: 'mrkdwn', text: `*${escCut(f.name, 200)}*\n${escCut(f.value, 1790)}` })) });
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `${m.kind} · ${m.at}` }] });
  return { text: escCut([m.title, ...m.lines].join('\n'), 3000), blocks };
}

export class SlackChannel implements Channel {
  readonly name = 'slack';
  readonly secretName = 'notify:slack';
  constructor(private readonly o: { fetch?: FetchLike; timeoutMs?: number } = {}) {}

  unavailable(): string | undefined {
    return undefined;
  }

  async send(m: NotifyMessage, ctx: SendContext): Promise<SendOutcome> {
    let url: string;
    try {
      url = withBase(ctx.secret, ctx.settings.baseUrl);
    } catch {
      return { ok: false, retryable: false, error: 'The Slack webhook URL in the vault (notify:slack) is not a URL.' };
    }
    try {
      const r = await postJson(url, slackPayload(m), this.o);
      if (r.status >= 200 && r.status < 300) return { ok: true };
      const code = truncate(r.text.trim(), 100);
      if (r.status === 429) return { ok: false, retryable: true, retryAfterMs: retryAfterHeader(r.headers), error: 'Slack rate limit (429)' };
      if ([403, 404, 410].includes(r.status)) return { ok: false, retryable: false, error: `Slack answered ${r.status} ${code}. The webhook was revoked or its channel is gone; create a new webhook.` };
      return { ok: false, retryable: retryableStatus(r.status), error: `Slack answered ${r.status} ${code}` };
    } catch (err) {
      if (err instanceof NetworkError) return { ok: false, retryable: true, error: `Slack not reachable (${err.message})` };
      throw err;
    }
  }
}
