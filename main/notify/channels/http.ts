// One POST with a deadline. Errors are described without the URL: for every chat service the URL (Discord and
// Slack webhook, Telegram bot path) carries the credential.
export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
}

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export class NetworkError extends Error {}

export async function postJson(url: string, body: unknown, o: { timeoutMs?: number; fetch?: FetchLike } = {}): Promise<HttpAnswer> {
  const f = o.fetch ?? fetch;
  let res: Response;
  try {
    res = await f(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(o.timeoutMs ?? 10_000),
      redirect: 'error',
    });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    const why = e.name === 'TimeoutError' ? 'timed out' : (e.cause?.code ?? 'connection failed');
    throw new NetworkError(why);
  }
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** Retry-After in seconds (or an HTTP date) → milliseconds. */
export function retryAfterHeader(h: Headers): number | undefined {
  const v = h.get('retry-after');
  if (!v) return undefined;
  const secs = Number(v);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const date = Date.parse(v);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

/** Replaces the origin of a service URL (tests, relays), keeping the path and query. */
export function withBase(url: string, baseUrl: string | undefined): string {
  if (!baseUrl) return url;
  const u = new URL(url);
  return baseUrl.replace(/\/$/, '') + u.pathname + u.search;
}

/** At most `max` UTF-16 units, ending in … when cut; never half of a surrogate pair (an emoji), which is not valid
 *  UTF-8 and makes the service refuse the whole message. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  if (end > 0 && /[\uD800-\uDBFF]/.test(text[end - 1]!)) end -= 1;
  return `${text.slice(0, end)}…`;
}

/** 5xx, 408 and 429 are worth another attempt; other 4xx are not (the request or the credential is wrong). */
export function retryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}
