// The public listener: the only thing a tunnel ever points at. It serves POST /webhook/<id> and GET /health,
// nothing else. Plain node:http keeps this hot path small and fully under our control (body limit, timing).
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
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
    headersTimeout,
    requestTimeout,
    // Node checks both timeouts only this often (default every 30 s, which would triple a 10 s limit).
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(headersTimeout / 4))),
  };
  /** A request method as an answer may name it: a standard one, else "this method" (never the client's text). */
  const shownMethod = (method: string | undefined): string => (method !== undefined && http.METHODS.includes(method) ? method : 'this method');
  /** Requests on a connection not answered yet (pipelined, or an alert waiting for the disk): a request after them
   *  that cannot be read is answered only once those read whole are (onClientError). */
  const unanswered = new WeakMap<Duplex, Set<http.ServerResponse>>();
  /** Kept-alive connections with every request answered, and what they had sent by then (closeIdleNearCap). */
  const idle = new Map<Socket, number>();
  const handle = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const socket = req.socket as Socket;
    let open = unanswered.get(socket);
    if (!open) {
      unanswered.set(socket, (open = new Set()));
      socket.once('close', () => idle.delete(socket));
    }
    const owed = open;
    owed.add(res);
    idle.delete(socket);
    const answered = (): void => {
      if (owed.delete(res) && owed.size === 0 && !socket.destroyed) idle.set(socket, socket.bytesRead);
    };
    res.once('finish', answered);
    res.once('close', answered);
    route(req, res);
  };
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
  const server = http.createServer(timeouts, handle);

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
  // With this listener Node sends no "100 Continue" by itself: handle() sends it once the body is wanted.
  server.on('checkContinue', handle);
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => onClientError(err, socket, unanswered.get(socket)));
  // A connection that sends nothing at all is answered 408 and closed by Node's own check (headersTimeout, looked at
  // every connectionsCheckingInterval), like a slow one. Kept-alive connections idle for up to 65 s could fill the cap
  // and lock TradingView out: from 90% of it on, each new connection closes those that have sent nothing since their
  // last answer (never one with an answer owed).
  const maxConnections = server.maxConnections;
  const crowded = Math.max(1, Math.floor(maxConnections * 0.9));
  let connections = 0;
  server.on('connection', (socket: Socket) => {
    connections++;
    socket.once('close', () => connections--);
    if (connections >= crowded) {
      for (const [kept, read] of idle) if (kept.bytesRead === read) kept.destroy();
    }
  });
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

/** After a 413, how much more of the body is read and thrown away, and for how long, before the connection is
 *  closed even though the client is still sending. */
const DRAIN_MAX_BYTES = 8 * 1024 * 1024;
const DRAIN_MAX_MS = 2000;

/**
 * Answers `code` at once and closes the connection without a reset: a body over the limit (413), or a refusal sent
 * instead of "100 Continue" (the client may or may not send its body then). Node closes a `connection: close`
 * response's socket as soon as the answer is written; if request bytes are still arriving or unread, the kernel
 * answers them with a reset (RST), and a reset wipes the client's unread copy of the answer: it saw a dropped
 * connection instead of the code. So the socket is only half-closed (FIN after the answer) and the rest of the body
 * is read and discarded until the client stops sending, bounded by DRAIN_MAX_BYTES and DRAIN_MAX_MS.
 */
function rejectAndClose(req: http.IncomingMessage, res: http.ServerResponse, code: Code): void {
  const socket = req.socket;
  let discarded = 0;
  const close = (): void => {
    clearTimeout(timer);
    if (socket.destroyed) return;
    if (socket.writableFinished) socket.destroy();
    else {
      socket.once('finish', () => socket.destroy());
      socket.end();
    }
  };
  const timer = setTimeout(close, DRAIN_MAX_MS);
  timer.unref();
  // Replaces, on this one socket, the full close node:http performs after a `connection: close` answer.
  (socket as { destroySoon?: () => void }).destroySoon = () => {
    if (socket.writable) socket.end();
  };
  socket.once('close', () => clearTimeout(timer));
  req.on('data', (c: Buffer) => {
    discarded += c.length;
    if (discarded > DRAIN_MAX_BYTES) close();
  });
  req.once('end', close);
  req.resume();
  reject(res, code, { close: true });
}

/**
 * The alert's text: UTF-8, as TradingView sends it, unless the bytes are UTF-32 or UTF-16 (a byte-order mark, or the
 * NULs beside each ASCII character that JSON's own encoding detection looks for, RFC 4627 section 3): decoded as such,
 * not stored as text with NULs between letters that no check reads (a passphrase in it included). Invalid bytes
 * become U+FFFD; a UTF-32 or UTF-16 byte-order mark is dropped (a UTF-8 one is kept, and ignored by the parser).
 */
export function bodyText(bytes: Buffer): string {
  const [a, b, c, d] = bytes;
  if (bytes.length >= 4 && c === 0 && d === 0 && ((a === 0xff && b === 0xfe) || (a !== 0 && b === 0))) return utf32(bytes, 'le');
  if (bytes.length >= 4 && a === 0 && b === 0 && ((c === 0xfe && d === 0xff) || (c === 0 && d !== 0))) return utf32(bytes, 'be');
  if ((a === 0xff && b === 0xfe) || (a !== 0 && b === 0)) return new TextDecoder('utf-16le').decode(bytes);
  if ((a === 0xfe && b === 0xff) || (a === 0 && b !== undefined && b !== 0)) return new TextDecoder('utf-16be').decode(bytes);
  return bytes.toString('utf8');
}

/** UTF-32 text (which TextDecoder does not know): each 4 bytes one code point; one that is not a character (past
 *  U+10FFFF, a surrogate) or a trailing partial unit becomes U+FFFD; a leading byte-order mark is dropped. */
function utf32(bytes: Buffer, order: 'le' | 'be'): string {
  const parts: string[] = [];
  for (let i = 0; i < bytes.length; i += 4) {
    if (i + 4 > bytes.length) {
      parts.push('\uFFFD');
      break;
    }
    const cp = order === 'le' ? bytes.readUInt32LE(i) : bytes.readUInt32BE(i);
    if (i === 0 && cp === 0xfeff) continue;
    parts.push(cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ? '\uFFFD' : String.fromCodePoint(cp));
  }
  return parts.join('');
}

/** The client waits for "100 Continue" before it sends the body (Node answers any other expectation 417 itself). */
function expectsContinue(req: http.IncomingMessage): boolean {
  return req.httpVersion === '1.1' && /^\s*100-continue\s*$/i.test(req.headers.expect ?? '');
}

/** A body in a content coding (gzip, br …) or a transfer coding besides chunked: Node does not decode either. */
function encoded(headers: http.IncomingHttpHeaders): boolean {
  const content = headers['content-encoding']?.trim().toLowerCase();
  const transfer = headers['transfer-encoding']?.trim().toLowerCase();
  return (content !== undefined && content !== '' && content !== 'identity') || (transfer !== undefined && transfer !== 'chunked');
}

/** The answer to a request Node could not read (its error code), as Node answers it but with a documented code. */
const CLIENT_ERROR_CODES: Record<string, Code> = {
  HPE_HEADER_OVERFLOW: 'HEADERS_TOO_LARGE',
  HPE_CHUNK_EXTENSIONS_OVERFLOW: 'BODY_TOO_LARGE',
  ERR_HTTP_REQUEST_TIMEOUT: 'REQUEST_TIMEOUT',
};
function clientErrorAnswer(nodeCode: string | undefined): string {
  const code = CLIENT_ERROR_CODES[nodeCode ?? ''] ?? 'MALFORMED_REQUEST';
  const info = CODES[code];
  const text = JSON.stringify({ status: 'rejected', code, message: info.message, fix: info.fix });
  return `HTTP/1.1 ${info.http} ${http.STATUS_CODES[info.http]}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(text)}\r\ncache-control: no-store\r\nx-content-type-options: nosniff\r\nconnection: close\r\n\r\n${text}`;
}
/** How long an unreadable request's answer waits for the answers to the requests before it on its connection. */
const CLIENT_ERROR_WAIT_MS = 10_000;

/**
 * A request that cannot be read (malformed, headers too large, too slow) is answered as Node answers it (400, 431,
 * 408), with a documented code, and its connection closed, but only after the requests read before it on that
 * connection are answered: Node's own handling closes the connection at once, and an alert already stored
 * (committed, traded) lost its 202 when the bytes after it were garbage (a Content-Length shorter than the body).
 */
function onClientError(err: NodeJS.ErrnoException, socket: Duplex, open: ReadonlySet<http.ServerResponse> | undefined): void {
  const state = socket as Duplex & { viewzenixClientError?: true; _httpMessage?: { headersSent: boolean } | null };
  if (state.viewzenixClientError) return;
  state.viewzenixClientError = true;
  // The requests read whole before the unreadable one (the one being read when it failed is not owed an answer).
  const owed = [...(open ?? [])].filter((res) => res.req.complete);
  let left = owed.length;
  const answer = (): void => {
    clearTimeout(timer);
    if (socket.destroyed) return;
    // As Node: no answer into the middle of one already being written.
    if (!socket.writable || state._httpMessage?.headersSent || left > 0) return void socket.destroy();
    socket.end(clientErrorAnswer(err.code));
    socket.once('finish', () => socket.destroy());
  };
  const timer = setTimeout(answer, CLIENT_ERROR_WAIT_MS);
  timer.unref();
  if (left === 0) return answer();
  for (const res of owed) {
    let counted = false;
    const done = (): void => {
      if (counted) return;
      counted = true;
      // After Node's own 'finish' handling, which hands the socket to the next answer in line.
      if (--left === 0) setImmediate(answer);
    };
    if (res.writableFinished) done();
    else {
      res.once('finish', done);
      res.once('close', done);
    }
  }
}

function reject(res: http.ServerResponse, code: Code, opts: { close?: boolean } = {}): void {
  const info = CODES[code];
  send(res, info.http, { status: 'rejected', code, message: info.message, fix: info.fix }, opts.close);
}

function send(res: http.ServerResponse, status: number, body: unknown, close = false): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...(close ? { connection: 'close' } : {}),
  });
  res.end(text);
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

/** Stops accepting connections, closes idle ones at once and the rest after 2 s; resolves when all are closed. */
export function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), 2000).unref();
  });
}

export function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
