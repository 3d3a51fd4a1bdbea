// The webhook listener's HTTP mechanics, apart from what it serves (webhook.ts): answers in the documented JSON shape,
// refusals that close the connection without a reset, the body's text encoding, requests Node could not read, the
// connections' answers followed, and starting and closing the server.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { CODES, type Code } from '../../shared/codes.js';

/**
 * Serves `route` for every request (and every "Expect: 100-continue" one), following each connection's answers:
 * - a request that cannot be read is answered (400, 431, 408 with a documented code) only once the requests read
 *   whole before it on its connection are (onClientError);
 * - kept-alive connections idle for up to 65 s could fill the connection cap and lock TradingView out: from 90% of
 *   it on, each new connection closes those that have sent nothing since their last answer (never one with an answer
 *   owed). A connection that sends nothing at all is answered 408 and closed by Node's own check (headersTimeout,
 *   looked at every connectionsCheckingInterval), like a slow one.
 */
export function followAnswers(server: http.Server, route: (req: http.IncomingMessage, res: http.ServerResponse) => void): void {
  // Requests Node would refuse itself with a bare answer (no body, no code) reach `follow` instead: the listener is
  // created with HOST_CHECKED_HERE, and an expectation other than 100-continue is handed over ('checkExpectation').
  const serve = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const refusal = unservable(req);
    if (refusal) return rejectAndClose(req, res, refusal);
    route(req, res);
  };
  /** Requests on a connection not answered yet (pipelined, or an alert waiting for the disk). */
  const unanswered = new WeakMap<Duplex, Set<http.ServerResponse>>();
  /** Kept-alive connections with every request answered, and what they had sent by then. */
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
    serve(req, res);
  };
  server.on('request', handle);
  server.on('checkContinue', handle);
  server.on('checkExpectation', handle);
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => onClientError(err, socket, unanswered.get(socket)));
  const crowded = Math.max(1, Math.floor(server.maxConnections * 0.9));
  let connections = 0;
  server.on('connection', (socket: Socket) => {
    connections++;
    socket.once('close', () => connections--);
    if (connections >= crowded) {
      for (const [kept, read] of idle) if (kept.bytesRead === read) kept.destroy();
    }
  });
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
export function rejectAndClose(req: http.IncomingMessage, res: http.ServerResponse, code: Code): void {
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

/** The client waits for "100 Continue" before it sends the body (any other expectation: unservable). */
export function expectsContinue(req: http.IncomingMessage): boolean {
  return req.httpVersion === '1.1' && /^\s*100-continue\s*$/i.test(req.headers.expect ?? '');
}

/** A body in a content coding (gzip, br …) or a transfer coding besides chunked: Node does not decode either. */
export function encoded(headers: http.IncomingHttpHeaders): boolean {
  const content = headers['content-encoding']?.trim().toLowerCase();
  const transfer = headers['transfer-encoding']?.trim().toLowerCase();
  return (content !== undefined && content !== '' && content !== 'identity') || (transfer !== undefined && transfer !== 'chunked');
}

/**
 * Server options of every listener of the agent: an HTTP/1.1 request without a Host header is not refused by Node
 * (a bare 400, no body) but by the listener (unservable), with a documented code.
 */
export const HOST_CHECKED_HERE: http.ServerOptions = { requireHostHeader: false };

/**
 * Why a request cannot be served whatever it asks for, or undefined. The listeners hear of these themselves (see
 * HOST_CHECKED_HERE, and the 'checkExpectation' event), so the answers carry a code like every other refusal:
 * - HTTP/1.1 without a Host header (RFC 9112, section 3.2: answered 400);
 * - an Expect header other than 100-continue, in HTTP/1.1 (RFC 9110, section 10.1.1: 417). Node reads Expect only in
 *   HTTP/1.1, and so does this.
 */
export function unservable(req: http.IncomingMessage): Code | undefined {
  if (req.httpVersion !== '1.1') return undefined;
  if (req.headers.host === undefined) return 'MALFORMED_REQUEST';
  if (req.headers.expect !== undefined && !expectsContinue(req)) return 'EXPECTATION_FAILED';
  return undefined;
}

/** The answer to a request Node could not read (its error code), as Node answers it but with a documented code. */
const CLIENT_ERROR_CODES: Record<string, Code> = {
  HPE_HEADER_OVERFLOW: 'HEADERS_TOO_LARGE',
  HPE_CHUNK_EXTENSIONS_OVERFLOW: 'BODY_TOO_LARGE',
  ERR_HTTP_REQUEST_TIMEOUT: 'REQUEST_TIMEOUT',
};
export function clientErrorCode(nodeCode: string | undefined): Code {
  return CLIENT_ERROR_CODES[nodeCode ?? ''] ?? 'MALFORMED_REQUEST';
}

/** A whole JSON answer written straight to a socket (no ServerResponse exists for a request Node could not read),
 *  after which the connection is closed. */
export function rawJsonAnswer(status: number, body: unknown): string {
  const text = JSON.stringify(body);
  return `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(text)}\r\ncache-control: no-store\r\nx-content-type-options: nosniff\r\nconnection: close\r\n\r\n${text}`;
}

function clientErrorAnswer(nodeCode: string | undefined): string {
  const code = clientErrorCode(nodeCode);
  const info = CODES[code];
  return rawJsonAnswer(info.http, { status: 'rejected', code, message: info.message, fix: info.fix });
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

export function reject(res: http.ServerResponse, code: Code, opts: { close?: boolean } = {}): void {
  const info = CODES[code];
  send(res, info.http, { status: 'rejected', code, message: info.message, fix: info.fix }, opts.close);
}

export function send(res: http.ServerResponse, status: number, body: unknown, close = false): void {
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
