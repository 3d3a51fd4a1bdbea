// CCXT's error classes mapped to BrokerError kinds. The order of checks matters: RateLimitExceeded, RequestTimeout
// and InvalidNonce are NetworkErrors too, and a 5xx (ExchangeNotAvailable) on a submit leaves its outcome open.
import ccxt from 'ccxt';
import { BrokerError, type BrokerErrorKind } from '../port.js';
import { redact } from '../http/redact.js';
import { parseRetryAfter } from '../http/request.js';

const NOT_SENT = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ENETUNREACH|EHOSTUNREACH|UND_ERR_CONNECT_TIMEOUT|ConnectionRefused|DNSError/;

/** Errors that prove the exchange refused the request (it certainly did not take the order). */
const REFUSALS: Array<[string, BrokerErrorKind]> = [
  ['AuthenticationError', 'auth'],
  ['PermissionDenied', 'auth'],
  ['AccountSuspended', 'auth'],
  ['AccountNotEnabled', 'auth'],
  ['InsufficientFunds', 'insufficient_funds'],
  ['OrderNotFound', 'not_found'],
  ['MarketClosed', 'market_closed'],
  ['NotSupported', 'invalid'],
  ['InvalidOrder', 'rejected'],
  ['BadSymbol', 'rejected'],
  ['BadRequest', 'rejected'],
  ['ArgumentsRequired', 'invalid'],
  ['OperationRejected', 'rejected'],
];

/** Binance -2015 REJECTED_MBX_KEY, "Invalid API-key, IP, or permissions for action." (a key that may read but not
 *  trade, or an IP the key does not allow). Once a key has been accepted CCXT throws it as DDoSProtection, taking it
 *  for a temporary ban; Binance documents bans as HTTP 418 with Retry-After, and -2015 as this refusal. */
const KEY_REFUSED = /"code":\s*-2015\b/;

/** OKX answers a place or cancel request that failed with code "1" ("All operations failed") and a non-zero sCode
 *  for each order (sCode "0" alone means success): nothing was done, whichever sCode it is. CCXT gives the sCodes it
 *  knows their own class; one it does not (a new code, or one it files as a plain ExchangeError, e.g. 51025 "Order
 *  count exceeds the limit") is still this certain refusal. */
function okxAllFailed(message: string): boolean {
  if (!/"code"\s*:\s*"1"/.test(message)) return false;
  const codes = [...message.matchAll(/"sCode"\s*:\s*"(\d*)"/g)].map((m) => m[1]);
  return codes.length > 0 && codes.every((c) => c !== '' && c !== '0');
}

/** Binance says these two leave the execution status unknown, whatever class CCXT gives them. */
const UNKNOWN_OUTCOME_CODES = /"code":\s*-(1006|1007)\b/;

export function ccxtErrorKind(err: unknown, unsafe: boolean): BrokerErrorKind {
  const e = ccxt as unknown as Record<string, new (...args: never[]) => Error>;
  const is = (name: string) => typeof e[name] === 'function' && err instanceof e[name]!;
  const message = String((err as Error | undefined)?.message ?? '');
  if (is('DDoSProtection') && KEY_REFUSED.test(message)) return 'auth';
  if (is('RateLimitExceeded') || is('DDoSProtection')) return 'rate_limited';
  if (is('RequestTimeout')) return 'timeout';
  if (unsafe && UNKNOWN_OUTCOME_CODES.test(message)) return 'timeout';
  // A NetworkError in CCXT's hierarchy, yet the exchange's answer that it refused the request for its timestamp or
  // nonce before acting on it (Binance -1021: "outside of the recvWindow", never forwarded to the matching engine).
  if (is('InvalidNonce')) return 'rejected';
  if (is('NetworkError') && !is('ExchangeNotAvailable') && !is('OnMaintenance')) return NOT_SENT.test(message) ? 'unreachable' : 'connection_reset';
  for (const [name, kind] of REFUSALS) if (is(name)) return kind;
  if (is('ExchangeError') && okxAllFailed(message)) return 'rejected';
  // Anything else (5xx, OperationFailed, an unmapped ExchangeError) proves nothing about a submit or
  // cancel: its outcome is unknown and reconciliation decides. On a read it means "not available".
  return unsafe ? 'timeout' : 'unreachable';
}

/** The exchange's own text without the request URL (it carries signed query strings). */
function brokerText(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/https?:\/\/\S+/g, '<url>').slice(0, 300);
}

export function toBrokerError(err: unknown, label: string, secrets: readonly string[], unsafe: boolean, headers?: Record<string, string>): BrokerError {
  if (err instanceof BrokerError) return err;
  const kind = ccxtErrorKind(err, unsafe);
  let retryAfterMs: number | undefined;
  if (kind === 'rate_limited') {
    const header = Object.entries(headers ?? {}).find(([k]) => k.toLowerCase() === 'retry-after')?.[1];
    retryAfterMs = parseRetryAfter(header) ?? 1000;
  }
  const unknown = kind === 'timeout' || kind === 'connection_reset' ? '; the outcome is unknown' : '';
  const name = err instanceof Error ? err.constructor.name : 'Error';
  return new BrokerError(kind, redact(`${label}: ${name}: ${brokerText(err)}${unknown}`, secrets), retryAfterMs);
}
