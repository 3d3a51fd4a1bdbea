// A typed REST client shared by the adapters: rate limit (urgent first), timeout, and one error mapping.
// Each broker supplies how to read its error bodies; the transport part is the same everywhere.
import { BrokerError, type BrokerErrorKind } from '../port.js';
import { kindForStatus, parseRetryAfter, sendHttp, type HttpMethod } from './request.js';
import type { RequestPriority, TokenBucket } from './rate-limiter.js';
import { redact } from './redact.js';

export interface ErrorReading {
  /** The broker's own message (and code) to show the trader. */
  message: string;
  /** A kind the broker's code proves; undefined falls back to the status mapping. */
  kind?: BrokerErrorKind;
}

export interface RestClientOptions {
  label: string;
  baseUrl: string;
  headers: () => Record<string, string>;
  timeoutMs: number;
  limiter: TokenBucket;
  secrets: readonly string[];
  readError: (status: number, json: unknown, text: string) => ErrorReading;
}

export interface CallOptions {
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  /** Changes state at the broker (submit, cancel, modify). */
  unsafe?: boolean;
  priority?: RequestPriority;
}

export interface RestAnswer<T> {
  status: number;
  data: T;
}

export class RestClient {
  constructor(private readonly options: RestClientOptions) {}

  url(path: string, query?: Record<string, string | number | undefined>): string {
    // Plain concatenation keeps paths such as "orders:by_client_order_id" and "orders/@clientId" exact.
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) params.set(k, String(v));
    const qs = params.toString();
    return `${this.options.baseUrl.replace(/\/+$/, '')}${path}${qs ? `?${qs}` : ''}`;
  }

  async call<T>(method: HttpMethod, path: string, call: CallOptions = {}): Promise<RestAnswer<T>> {
    const { label, timeoutMs, secrets, limiter } = this.options;
    await limiter.acquire(call.priority ?? 'normal');
    const res = await sendHttp(
      { method, url: this.url(path, call.query), headers: this.options.headers(), body: call.body, timeoutMs, secrets },
      `${label} ${method} ${path.split('?')[0]}`,
    );
    if (res.status >= 200 && res.status < 300) return { status: res.status, data: res.json as T };
    const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
    if (res.status === 429) limiter.pauseFor(retryAfterMs ?? 1000);
    const reading = this.options.readError(res.status, res.json, res.text);
    const kind = res.status === 429 ? 'rate_limited' : res.status >= 500 ? kindForStatus({ status: res.status, brokerMessage: reading.message, unsafe: call.unsafe ?? false }) : (reading.kind ?? kindForStatus({ status: res.status, brokerMessage: reading.message, unsafe: call.unsafe ?? false }));
    const unknown = kind === 'timeout' ? '; the outcome is unknown' : '';
    throw new BrokerError(kind, redact(`${label}: HTTP ${res.status}: ${reading.message}${unknown}`, secrets), kind === 'rate_limited' ? (retryAfterMs ?? 1000) : undefined);
  }
}
