// One small typed fetch wrapper for every REST adapter: a hard timeout through AbortSignal and one honest
// mapping of transport failures to BrokerError kinds. The distinction matters for money: "unreachable" means
// the request certainly did not reach the broker; "timeout" and "connection_reset" mean it may have taken effect.
import { BrokerError, type BrokerErrorKind } from '../port.js';
import { redact } from './redact.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface HttpRequest {
  method: HttpMethod;
  url: string;
  headers?: Record<string, string>;
  /** Serialised as JSON when present. */
  body?: unknown;
  timeoutMs: number;
  /** Values that must never appear in an error message (keys, tokens). */
  secrets: readonly string[];
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON when the body is JSON, else undefined. */
  json: unknown;
  text: string;
}

/** Connection errors that prove nothing was delivered to the broker. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT', 'ERR_INVALID_URL']);

function causeCode(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Maps a fetch() rejection to a BrokerError kind. */
export function transportErrorKind(err: unknown): BrokerErrorKind {
  const name = (err as { name?: unknown } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return 'timeout';
  const code = causeCode(err);
  if (code !== undefined && NOT_SENT_CODES.has(code)) return 'unreachable';
  return 'connection_reset';
}

function describeTransport(kind: BrokerErrorKind, timeoutMs: number, code: string | undefined): string {
  if (kind === 'timeout') return `no answer within ${timeoutMs} ms; the outcome is unknown`;
  if (kind === 'unreachable') return `could not connect (${code ?? 'network error'})`;
  return `the connection broke before the answer arrived (${code ?? 'reset'}); the outcome is unknown`;
}

export async function sendHttp(req: HttpRequest, label: string): Promise<HttpResponse> {
  const headers: Record<string, string> = { accept: 'application/json', ...req.headers };
  let body: string | undefined;
  if (req.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(req.body);
  }
  const signal = AbortSignal.timeout(req.timeoutMs);
  try {
    const res = await fetch(req.url, { method: req.method, headers, body, signal });
    // Reading the body can fail too (socket closed mid-answer): same mapping as the request itself.
    const text = await res.text();
    let json: unknown;
    if (text.length > 0) {
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
    }
    return { status: res.status, headers: res.headers, json, text };
  } catch (err) {
    if (err instanceof BrokerError) throw err;
    const kind = transportErrorKind(err);
    // Deliberately no `cause`: the raw error can carry request options, and with them the credentials.
    throw new BrokerError(kind, redact(`${label}: ${describeTransport(kind, req.timeoutMs, causeCode(err))}`, req.secrets));
  }
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const at = Date.parse(value);
  if (Number.isFinite(at)) return Math.max(0, at - now);
  return undefined;
}

export interface StatusContext {
  status: number;
  brokerMessage: string;
  retryAfterMs?: number;
  /** The request changes state at the broker (submit, cancel): a 5xx leaves its outcome unknown. */
  unsafe: boolean;
}

/** The default mapping of an HTTP error status; adapters refine it with the broker's own codes first. */
export function kindForStatus(ctx: StatusContext): BrokerErrorKind {
  const { status } = ctx;
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'not_found';
  if (status === 429) return 'rate_limited';
  // A gateway error on a submit or cancel does not prove the broker did nothing.
  if (status >= 500) return ctx.unsafe ? 'timeout' : 'unreachable';
  if (status === 400 || status === 422) return 'rejected';
  return 'rejected';
}
