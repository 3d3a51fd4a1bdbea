// Real HTTP servers on 127.0.0.1 that answer like Discord webhooks, the Telegram Bot API and Slack incoming
// webhooks, including their documented error and rate-limit answers. `plan` scripts the next answers.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Planned = 'ok' | '429' | '500';

export interface Received {
  path: string;
  at: number;
  raw: string;
  body: Record<string, unknown>;
}

export interface FakeService {
  base: string;
  received: Received[];
  /** Answers for the next requests, in order; afterwards every request succeeds (or fails as documented). */
  plan: Planned[];
  close(): Promise<void>;
}

type Handler = (req: Received, res: http.ServerResponse, planned: Planned | undefined) => void;

async function serve(handler: Handler): Promise<FakeService> {
  const fake: FakeService = { base: '', received: [], plan: [], close: async () => {} };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        body = {};
      }
      const r: Received = { path: req.url ?? '', at: Date.now(), raw, body };
      fake.received.push(r);
      if (req.method !== 'POST') {
        res.writeHead(405).end();
        return;
      }
      handler(r, res, fake.plan.shift());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return fake;
}

const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
};

interface DiscordEmbed {
  title?: string;
  description?: string;
  fields?: { name?: string; value?: string }[];
  footer?: { text?: string };
  author?: { name?: string };
}

/** Discord's embed limits (Message Resource, "Embed Limits"), as the real API refuses them with 400 Invalid Form Body. */
function discordEmbedError(embeds: DiscordEmbed[]): string | undefined {
  if (embeds.length > 10) return 'Must be 10 or fewer in length.';
  let total = 0;
  for (const e of embeds) {
    const fields = e.fields ?? [];
    if ((e.title ?? '').length > 256) return 'title: Must be 256 or fewer in length.';
    if ((e.description ?? '').length > 4096) return 'description: Must be 4096 or fewer in length.';
    if (fields.length > 25) return 'fields: Must be 25 or fewer in length.';
    for (const f of fields) {
      if (!f.name || f.name.length > 256) return 'fields.name: Must be between 1 and 256 in length.';
      if (!f.value || f.value.length > 1024) return 'fields.value: Must be between 1 and 1024 in length.';
      total += f.name.length + f.value.length;
    }
    total += (e.title ?? '').length + (e.description ?? '').length + (e.footer?.text ?? '').length + (e.author?.name ?? '').length;
  }
  return total > 6000 ? 'Embed size exceeds maximum size of 6000' : undefined;
}

/** POST /api/webhooks/{id}/{token}: 204 on success; 400 Invalid Form Body past the content and embed limits; 429 {message, retry_after, global} + Retry-After. */
export function fakeDiscord(o: { id: string; token: string; retryAfterSeconds?: number }): Promise<FakeService> {
  return serve((r, res, planned) => {
    const m = /^\/api\/webhooks\/([^/]+)\/([^/?]+)/.exec(r.path);
    if (!m || m[1] !== o.id) return json(res, 404, { message: 'Unknown Webhook', code: 10015 });
    if (m[2] !== o.token) return json(res, 401, { message: 'Invalid Webhook Token', code: 50027 });
    if (planned === '429') {
      const secs = o.retryAfterSeconds ?? 0.3;
      return json(res, 429, { message: 'You are being rate limited.', retry_after: secs, global: false }, { 'retry-after': String(Math.ceil(secs)), 'x-ratelimit-scope': 'shared' });
    }
    if (planned === '500') return json(res, 500, { message: '500: Internal Server Error', code: 0 });
    const content = r.body.content;
    const embeds = r.body.embeds;
    if ((typeof content !== 'string' || content === '') && !(Array.isArray(embeds) && embeds.length > 0)) return json(res, 400, { message: 'Cannot send an empty message', code: 50006 });
    if (typeof content === 'string' && content.length > 2000) return json(res, 400, { message: 'Invalid Form Body', code: 50035 });
    const embedError = Array.isArray(embeds) ? discordEmbedError(embeds as DiscordEmbed[]) : undefined;
    if (embedError) return json(res, 400, { message: 'Invalid Form Body', code: 50035, errors: { embeds: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: embedError }] } } });
    res.writeHead(204).end();
  });
}

const TG_TAGS = new Set(['b', 'strong', 'i', 'em', 'u', 'ins', 's', 'strike', 'del', 'span', 'tg-spoiler', 'a', 'code', 'pre', 'blockquote', 'tg-emoji']);

/** Telegram's HTML parse mode (Bot API, "HTML style"): only the supported tags, each closed, and every other <, >
 *  and & written as an entity (&lt; &gt; &amp; &quot; or numeric). Answers the visible text, or the parse error. */
function telegramHtml(html: string): { text: string } | { error: string } {
  const open: string[] = [];
  let text = '';
  for (let i = 0; i < html.length; ) {
    const c = html[i]!;
    if (c === '<') {
      const m = /^<(\/?)([a-z-]+)(\s[^<>]*)?>/i.exec(html.slice(i));
      if (!m) return { error: `Unsupported start tag at byte offset ${i}` };
      const name = m[2]!.toLowerCase();
      if (!TG_TAGS.has(name)) return { error: `Unsupported start tag "${name}" at byte offset ${i}` };
      if (m[1]) {
        if (open.pop() !== name) return { error: `Unexpected end tag at byte offset ${i}` };
      } else open.push(name);
      i += m[0].length;
    } else if (c === '&') {
      const m = /^&(lt|gt|amp|quot|#\d+|#x[0-9a-f]+);/i.exec(html.slice(i));
      if (!m) return { error: `Unsupported entity at byte offset ${i}` };
      text += ({ lt: '<', gt: '>', amp: '&', quot: '"' } as Record<string, string>)[m[1]!.toLowerCase()] ?? '?';
      i += m[0].length;
    } else if (c === '>') {
      return { error: `Unexpected > at byte offset ${i}` };
    } else {
      text += c;
      i += 1;
    }
  }
  if (open.length) return { error: `Can't find end tag corresponding to start tag "${open[open.length - 1]}"` };
  return { text };
}

/** POST /bot{token}/sendMessage: {ok:true,result}, 400 "can't parse entities" / "message is too long" (4096 after
 *  entities parsing), or {ok:false,error_code,description,parameters?}. */
export function fakeTelegram(o: { token: string; chatId: string; retryAfterSeconds?: number; migratedTo?: string; botBlocked?: boolean }): Promise<FakeService> {
  let messageId = 0;
  return serve((r, res, planned) => {
    const m = /^\/bot([^/]+)\/sendMessage$/i.exec(r.path);
    if (!m) return json(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    if (m[1] !== o.token) return json(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
    if (planned === '429') {
      const secs = o.retryAfterSeconds ?? 1;
      return json(res, 429, { ok: false, error_code: 429, description: `Too Many Requests: retry after ${secs}`, parameters: { retry_after: secs } });
    }
    if (planned === '500') return json(res, 500, { ok: false, error_code: 500, description: 'Internal Server Error' });
    // A group upgraded to a supergroup answers with the new id (ResponseParameters.migrate_to_chat_id).
    if (o.migratedTo !== undefined && String(r.body.chat_id) === o.chatId) return json(res, 400, { ok: false, error_code: 400, description: 'Bad Request: group chat was upgraded to a supergroup chat', parameters: { migrate_to_chat_id: Number(o.migratedTo) } });
    // The supergroup is the chat from then on.
    const chat = o.migratedTo ?? o.chatId;
    if (String(r.body.chat_id) !== chat) return json(res, 400, { ok: false, error_code: 400, description: 'Bad Request: chat not found' });
    if (o.botBlocked) return json(res, 403, { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' });
    if (typeof r.body.text !== 'string' || r.body.text.trim() === '') return json(res, 400, { ok: false, error_code: 400, description: 'Bad Request: message text is empty' });
    if (r.body.parse_mode !== undefined && !['HTML', 'MarkdownV2', 'Markdown'].includes(String(r.body.parse_mode))) return json(res, 400, { ok: false, error_code: 400, description: 'Bad Request: unsupported parse_mode' });
    if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(r.body.text)) return json(res, 400, { ok: false, error_code: 400, description: 'Bad Request: strings must be encoded in UTF-8' });
    let visible = r.body.text;
    if (r.body.parse_mode === 'HTML') {
      const parsed = telegramHtml(r.body.text);
      if ('error' in parsed) return json(res, 400, { ok: false, error_code: 400, description: `Bad Request: can't parse entities: ${parsed.error}` });
      visible = parsed.text;
    }
    if (visible.length > 4096) return json(res, 400, { ok: false, error_code: 400, description: 'Bad Request: message is too long' });
    json(res, 200, { ok: true, result: { message_id: ++messageId, date: Math.floor(Date.now() / 1000), chat: { id: Number(chat), type: o.migratedTo !== undefined ? 'supergroup' : 'private' }, text: r.body.text } });
  });
}

interface SlackText { type?: string; text?: string }
interface SlackBlock { type?: string; text?: SlackText; fields?: SlackText[]; elements?: SlackText[] }

/** Block Kit's limits (header text 150, section text 3000, at most 10 fields of 2000 each, 50 blocks), refused with
 *  400 invalid_blocks as Slack does. */
function slackBlocksValid(blocks: SlackBlock[]): boolean {
  const ok = (t: SlackText | undefined, max: number): boolean => typeof t?.text === 'string' && t.text.length >= 1 && t.text.length <= max;
  if (blocks.length > 50) return false;
  return blocks.every((b) => {
    if (b.type === 'header') return b.text?.type === 'plain_text' && ok(b.text, 150);
    if (b.type === 'section') return (b.text !== undefined || b.fields !== undefined) && (b.text === undefined || ok(b.text, 3000)) && (b.fields === undefined || (b.fields.length <= 10 && b.fields.every((f) => ok(f, 2000))));
    if (b.type === 'context') return Array.isArray(b.elements) && b.elements.length >= 1 && b.elements.length <= 10;
    return true;
  });
}

/** POST /services/T…/B…/secret: 200 "ok"; plain-text error codes (400 invalid_payload / no_text / invalid_blocks); 429 + Retry-After. */
export function fakeSlack(o: { path: string; retryAfterSeconds?: number }): Promise<FakeService> {
  return serve((r, res, planned) => {
    const text = (status: number, body: string, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'content-type': 'text/plain', ...headers }).end(body);
    };
    if (r.path !== o.path) return text(404, 'no_service');
    if (planned === '429') return text(429, 'rate_limited', { 'retry-after': String(o.retryAfterSeconds ?? 1) });
    if (planned === '500') return text(500, 'internal_error');
    if (!r.raw.trim().startsWith('{')) return text(400, 'invalid_payload');
    if (typeof r.body.text !== 'string' && !Array.isArray(r.body.blocks)) return text(400, 'no_text');
    if (Array.isArray(r.body.blocks) && !slackBlocksValid(r.body.blocks as SlackBlock[])) return text(400, 'invalid_blocks');
    text(200, 'ok');
  });
}
