// The public listener: the only thing a tunnel ever points at. It serves POST /webhook/<id> and GET /health,
// nothing else. Plain node:http keeps this hot path small and fully under our control (body limit, timing).
import http from 'node:http';
import { CODES, type Code } from '../../shared/codes.js';
import type { StrategyRepo, StrategyRow } from '../store/strategies.js';
import type { Inbox } from '../signals/inbox.js';
import type { Logger } from '../log.js';
import { parseAlert } from '../signals/parse/index.js';
import { redactBody } from '../signals/parse/redact-body.js';
import { dedupeKeys, LEGACY_ID_KEY_MS } from '../signals/dedupe-key.js';
import { randomId } from '../ids.js';
import { RateLimiter } from './rate-limit.js';
import { isLoopbackAddress, verifyPassphrase, type ForwardedHeader } from './security.js';
import { HEALTH_PROBE_PARAM, healthProbeEcho } from '../tunnel/health-echo.js';
import { traceReceived } from '../latency-trace.js';
import { HOST_CHECKED_HERE, bodyText, encoded, expectsContinue, followAnswers, reject, rejectAndClose, send } from './webhook-http.js';

export const TRADINGVIEW_IPS = ['52.89.214.238', '34.212.75.30', '54.218.53.128', '52.32.178.7'];
export const DEFAULT_BODY_LIMIT = 64 * 1024;
/** Alerts with neither id nor time count as duplicates only within this window by default. */
export const DEFAULT_DEDUPE_WINDOW_MS = 60_000;
/** TradingView gives up on a webhook after 3 s: a request whose headers (or whole body) take longer than this is
 *  no alert, only a held connection. Node's defaults (60 s and 300 s) let a slow client hold sockets for minutes. */
export const WEBHOOK_HEADERS_TIMEOUT_MS = 10_000;
export const WEBHOOK_REQUEST_TIMEOUT_MS = 10_000;
/** Connections held open at once; more are closed as they arrive. Far above the burst TradingView or the
 *  benchmark makes (50 connections at once), far below what would exhaust file descriptors. */
export const WEBHOOK_MAX_CONNECTIONS = 1_000;

export interface WebhookOptions {
  strategies: StrategyRepo;
  inbox: Inbox;
  log: Logger;
  bodyLimit?: number;
  /** Alerts with neither id nor time count as duplicates only within this window. */
  dedupeWindowMs?: number;
  rate?: { perWebhook: { perSecond: number; burst: number }; overall: { perSecond: number; burst: number } };
  now?: () => Date;
  /** Where the counters are kept (the webhook thread counts into memory the main thread reads). */
  stats?: WebhookStats;
  /** The forwarded-address header the configured tunnel provider sets (security.ts forwardedHeaderFor);
   *  default `x-forwarded-for`. Changed later with setForwardedHeader. */
  forwardedHeader?: ForwardedHeader;
  /** How long a client may take to send a request's headers / the whole request (default WEBHOOK_HEADERS_TIMEOUT_MS /
   *  WEBHOOK_REQUEST_TIMEOUT_MS); then it gets 408 and the connection is closed. */
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** Default WEBHOOK_MAX_CONNECTIONS. */
  maxConnections?: number;
}

export interface WebhookStats {
  unknownWebhook: number;
  rateLimited: number;
  received: number;
}

interface StrategyIntake {
  ipAllowlist?: string[];
  rateLimit?: { perSecond: number; burst: number };
}

export interface WebhookServer {
  server: http.Server;
  stats: WebhookStats;
  invalidate(): void;
  /** The tunnel provider changed: believe its forwarded-address header from now on. */
  setForwardedHeader(header: ForwardedHeader): void;
}

export function createWebhookServer(o: WebhookOptions): WebhookServer {
  const bodyLimit = o.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const windowMs = o.dedupeWindowMs ?? DEFAULT_DEDUPE_WINDOW_MS;
  const limiter = new RateLimiter(o.rate?.perWebhook ?? { perSecond: 50, burst: 1000 }, o.rate?.overall ?? { perSecond: 5000, burst: 10000 });
  const stats: WebhookStats = o.stats ?? { unknownWebhook: 0, rateLimited: 0, received: 0 };
  const now = o.now ?? (() => new Date());
  let forwardedHeader: ForwardedHeader = o.forwardedHeader ?? 'x-forwarded-for';
  // Strategy lookups are cached; the control API invalidates the cache on every change.
  let cache = new Map<string, StrategyRow | null>();

  const lookup = (webhookId: string): StrategyRow | undefined => {
    let s = cache.get(webhookId);
    if (s === undefined) {
      s = o.strategies.byWebhookId(webhookId) ?? null;
      if (cache.size > 10_000) cache = new Map();
      cache.set(webhookId, s);
    }
    return s ?? undefined;
  };

  const headersTimeout = o.headersTimeoutMs ?? WEBHOOK_HEADERS_TIMEOUT_MS;
  const requestTimeout = Math.max(headersTimeout, o.requestTimeoutMs ?? WEBHOOK_REQUEST_TIMEOUT_MS);
  const timeouts: http.ServerOptions = {
    ...HOST_CHECKED_HERE,
    headersTimeout,
    requestTimeout,
    // Node checks both timeouts only this often (default every 30 s, which would triple a 10 s limit).
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(headersTimeout / 4))),
  };
  /** A request method as an answer may name it: a standard one, else "this method" (never the client's text). */
  const shownMethod = (method: string | undefined): string => (method !== undefined && http.METHODS.includes(method) ? method : 'this method');
  const route = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const url = req.url ?? '/';
    const path = url.split('?', 1)[0]!;
    // HEAD as GET (an uptime monitor's probe); Node sends no body for HEAD.
    if ((req.method === 'GET' || req.method === 'HEAD') && path === '/health') {
      // The tunnel self-check sends a nonce and expects it back: proof the request reached this agent.
      const nonce = healthProbeEcho(new URLSearchParams(url.slice(path.length + 1)).get(HEALTH_PROBE_PARAM) ?? undefined);
      return send(res, 200, nonce ? { status: 'ok', [HEALTH_PROBE_PARAM]: nonce } : { status: 'ok' });
    }
    const m = /^\/webhook\/([A-Za-z0-9_-]{1,128})$/.exec(path);
    if (!m || req.method !== 'POST') {
      if (expectsContinue(req)) return rejectAndClose(req, res, 'WEBHOOK_NOT_FOUND');
      req.resume();
      // The webhook code of docs/codes.md: whatever was sent here is not a strategy's webhook URL.
      const info = CODES.WEBHOOK_NOT_FOUND;
      // A webhook URL opened in a browser (GET) is the trader checking it: "no strategy has this webhook URL" would send
      // them hunting for a mistake in a URL that may be right. The answer is the same for every id (it says nothing
      // of whether the id exists).
      const message = m ? `A webhook URL takes alerts sent with POST (as TradingView sends them), not ${shownMethod(req.method)}: opening it in a browser cannot test it. Send a test alert with \`viewzenix signal send FILE\` or curl -X POST.` : `${info.message} Alerts are sent with POST to /webhook/<id>.`;
      return send(res, info.http, { status: 'rejected', code: 'WEBHOOK_NOT_FOUND', message, fix: info.fix });
    }
    stats.received++;
    const webhookId = m[1]!;
    const strategy = lookup(webhookId);
    // A disabled strategy's URL is still its URL: the alert is checked and kept as rejected (STRATEGY_DISABLED), so the
    // trader sees in Signals what arrived while it was off.
    if (!strategy) {
      stats.unknownWebhook++;
      if (expectsContinue(req)) return rejectAndClose(req, res, 'WEBHOOK_NOT_FOUND');
      req.resume();
      return reject(res, 'WEBHOOK_NOT_FOUND');
    }
    const intake = (strategy.config.intake ?? {}) as StrategyIntake;
    const peer = req.socket.remoteAddress;
    const sourceIp = clientAddress(peer, req.headers, forwardedHeader);
    // The allowlist comes before the rate limit: a sender it refuses must not use up the bucket and get
    // TradingView's own alerts refused 429 (which TradingView never re-sends). Every request that gets past it
    // counts, a wrong passphrase included: that keeps the flood protection for a leaked URL.
    // A client that asked to hear first (Expect: 100-continue) hears a refusal instead of "100 Continue" and is not
    // made to send a body it would send in vain; its connection is closed after it (rejectAndClose), since whether
    // it sends the body anyway is up to the client.
    const refuse = (code: Code): void => {
      if (expectsContinue(req)) return rejectAndClose(req, res, code);
      req.resume();
      reject(res, code);
    };
    if (intake.ipAllowlist && intake.ipAllowlist.length > 0 && !intake.ipAllowlist.includes(sourceIp ?? '')) return refuse('IP_NOT_ALLOWED');
    if (!limiter.allow(webhookId, intake.rateLimit)) {
      stats.rateLimited++;
      o.log.warn({ strategyId: strategy.id }, 'webhook rate limit hit');
      return refuse('RATE_LIMITED');
    }
    // Node hands the body on as it came: a compressed one would be stored as garbage and parsed as such.
    if (encoded(req.headers)) return refuse('UNSUPPORTED_ENCODING');
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > bodyLimit) return rejectAndClose(req, res, 'BODY_TOO_LARGE');
    if (expectsContinue(req)) res.writeContinue();
    const chunks: Buffer[] = [];
    let size = 0;
    let aborted = false;
    req.on('data', (c: Buffer) => {
      if (aborted) return;
      size += c.length;
      if (size > bodyLimit) {
        aborted = true;
        rejectAndClose(req, res, 'BODY_TOO_LARGE');
        return;
      }
      chunks.push(c);
    });
    req.on('error', () => {
      aborted = true;
    });
    req.on('end', () => {
      if (aborted) return;
      const raw = bodyText(Buffer.concat(chunks));
      void accept(strategy, raw, req.headers['content-type'], sourceIp).then(
        ([status, body]) => send(res, status, body),
        (err: unknown) => {
          // The inbox logged why it could not store the alert (once per batch): a full disk is not told per alert.
          if ((err as { alreadyLogged?: boolean } | undefined)?.alreadyLogged !== true) o.log.error({ err }, 'unexpected error in the webhook route');
          send(res, 503, { status: 'rejected', code: 'INBOX_UNAVAILABLE', message: CODES.INBOX_UNAVAILABLE.message, fix: CODES.INBOX_UNAVAILABLE.fix });
        },
      );
    });
  };
  const server = http.createServer(timeouts);

  async function accept(strategy: StrategyRow, raw: string, contentType: string | undefined, sourceIp: string | undefined): Promise<[number, unknown]> {
    const receivedAt = now();
    const parsed = parseAlert(raw, contentType);
    let code: Code | undefined;
    let message: string | undefined;
    // Whatever the body's shape, a passphrase in it never reaches the database (main/signals/parse/redact-body.ts).
    const storedBody = redactBody(raw, parsed.ok ? parsed.passphrase : undefined);
    if (parsed.ok) {
      if (strategy.passphraseHash) {
        if (parsed.passphrase === undefined) code = 'PASSPHRASE_MISSING';
        else if (!verifyPassphrase(parsed.passphrase, strategy.passphraseHash)) code = 'PASSPHRASE_INVALID';
      }
      if (!code && !strategy.enabled) code = 'STRATEGY_DISABLED';
    } else {
      code = parsed.code;
      message = parsed.message;
    }
    // The parser's warnings (a PineConnector sl= it does not apply, an unknown field …) are kept with the signal.
    const signal = parsed.ok && !code ? (parsed.warnings.length > 0 ? { ...parsed.signal, warnings: parsed.warnings } : parsed.signal) : undefined;
    // A re-sent alert the strategy accepted before it was disabled is that alert (200 duplicate, its signalId), not a
    // new one refused "kept, not traded": it was received, and may have traded.
    const repeatsAccepted = code === 'STRATEGY_DISABLED' && parsed.ok;
    const keys = dedupeKeys(strategy.id, storedBody, signal ?? (repeatsAccepted ? parsed.signal : undefined));
    const result = await o.inbox.receive({
      id: traceReceived(randomId('sig')),
      strategyId: strategy.id,
      receivedAt: receivedAt.toISOString(),
      contentType,
      sourceIp,
      rawBody: storedBody,
      bodyHash: keys.bodyHash,
      dedupeKey: keys.dedupeKey,
      ...(keys.legacyKey !== undefined ? { legacyKey: keys.legacyKey, legacySince: new Date(receivedAt.getTime() - LEGACY_ID_KEY_MS).toISOString() } : {}),
      windowSince: keys.dedupeKey ? undefined : new Date(receivedAt.getTime() - windowMs).toISOString(),
      status: code ? 'rejected' : 'queued',
      code,
      message: code ? (message ?? CODES[code].message) : undefined,
      parsed: signal,
      symbol: signal?.symbol,
      ...(repeatsAccepted ? { repeatsAccepted } : {}),
    });
    if (result.outcome === 'duplicate') return [200, { status: 'duplicate', signalId: result.id }];
    if (code) {
      const info = CODES[code];
      return [info.http, { status: 'rejected', code, message: message ?? info.message, fix: info.fix, signalId: result.id, ...(parsed.ok ? {} : { field: parsed.field }) }];
    }
    return [202, { status: 'queued', signalId: result.id }];
  }

  // Longer than the usual 60 s idle timeout of the proxies and tunnels in front, so the agent is not the side that
  // closes a kept-alive connection just as the proxy sends the next request on it.
  server.keepAliveTimeout = 65_000;
  server.maxConnections = o.maxConnections ?? WEBHOOK_MAX_CONNECTIONS;
  // Requests and "Expect: 100-continue" alike (Node sends no 100 by itself then: route() sends it once the body is
  // wanted), each followed until answered, near the connection cap above included (webhook-http.ts).
  followAnswers(server, route);
  return {
    server,
    stats,
    invalidate() {
      cache = new Map();
    },
    setForwardedHeader(header) {
      forwardedHeader = header;
    },
  };
}

/**
 * The alert's real source. A forwarded address is believed only when the TCP peer is the local tunnel client, and
 * only in the header the configured tunnel provider sets (security.ts ForwardedHeader): `CF-Connecting-IP` behind
 * cloudflared, else the right-most `X-Forwarded-For` entry, the one the tunnel appended (entries before it are
 * whatever the sender wrote). Without that header the peer itself is the source (loopback: never on an allowlist).
 */
export function clientAddress(peer: string | undefined, headers: http.IncomingHttpHeaders, trusted: ForwardedHeader = 'x-forwarded-for'): string | undefined {
  const normalised = peer?.startsWith('::ffff:') ? peer.slice(7) : peer;
  if (!isLoopbackAddress(peer)) return normalised;
  if (trusted === 'cf-connecting-ip') {
    const cf = headers['cf-connecting-ip'];
    // Cloudflare sets it once; a repeated header (node joins it with ", ") was not written by Cloudflare alone.
    return typeof cf === 'string' && cf.trim() && !cf.includes(',') ? cf.trim() : normalised;
  }
  const xff = headers['x-forwarded-for'];
  if (typeof xff === 'string' && xff.trim()) {
    // node joins repeated X-Forwarded-For headers with ", ", so the right-most entry is still the tunnel's.
    const parts = xff.split(',').map((p) => p.trim()).filter(Boolean);
    return parts[parts.length - 1] ?? normalised;
  }
  return normalised;
}
