// The control listener: 127.0.0.1 only. Serves the built UI and the JSON API. Every API call needs the control
// token (Bearer, constant-time check); Host and Origin must be the loopback address (DNS-rebinding defence).
import express, { type NextFunction, type Request, type Response } from 'express';
import fs from 'node:fs';
import http from 'node:http';
import type { Duplex } from 'node:stream';
import path from 'node:path';
import { CODES, type Code } from '../../shared/codes.js';
import type { ApiError } from '../../shared/api-types.js';
import type { Logger } from '../log.js';
import type { EventBus } from '../events.js';
import { randomId } from '../ids.js';
import { bearerToken, isAllowedOrigin, isLoopbackHost, safeEqual } from './security.js';
import { shownName, validator, type ValidationIssue } from './validate.js';
import { HOST_CHECKED_HERE, clientErrorCode, rawJsonAnswer, unservable } from './webhook-http.js';

export class ApiFailure extends Error {
  constructor(
    readonly code: Code,
    message?: string,
    readonly errors?: ValidationIssue[],
    /** What to do, when this refusal has its own (the keychain steps for this platform); else the code's. */
    readonly fix?: string,
  ) {
    super(message ?? CODES[code].message);
  }
}

export interface ControlOptions {
  token: string;
  /** The port the listener is bound to (known after listen; read lazily). */
  port: () => number;
  log: Logger;
  bus: EventBus;
  uiDir?: string;
  /** Mounts the API routes (main/server/api-routes.ts). */
  routes: (router: express.Router) => void;
}

/** The control app; `endStreams()` ends every open event stream (the agent's stop does, before it closes the server). */
export type ControlApp = express.Express & { endStreams(): void };

export function createControlApp(o: ControlOptions): ControlApp {
  const app = express();
  /** Open event streams: each stays open until its client leaves. Closing the server would wait for them (and then
   *  cut them), so a stop with the window open took 2 s longer; they are ended first. */
  const streams = new Set<Response>();
  app.disable('x-powered-by');
  app.set('etag', false);

  // Every request: Host and Origin. A page on another site (or a rebinding DNS name) gets 403.
  app.use((req, res, next) => {
    const port = o.port();
    if (!isLoopbackHost(req.headers.host, port) || !isAllowedOrigin(req.headers.origin, port)) {
      return fail(res, 'FORBIDDEN_HOST', randomId('req'));
    }
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'no-referrer');
    res.setHeader('x-frame-options', 'DENY');
    next();
  });

  const api = express.Router();
  api.use((req, res, next) => {
    const requestId = randomId('req');
    res.locals.requestId = requestId;
    const presented = bearerToken(req.headers.authorization);
    if (!presented || !safeEqual(presented, o.token)) return fail(res, 'UNAUTHORIZED', requestId);
    res.setHeader('cache-control', 'no-store');
    next();
  });
  api.use(express.json({ limit: '256kb', strict: true }));
  // A body the JSON parser did not read (sent as a form, `curl -d` without a Content-Type, or as text) would be
  // validated as empty: "must have required property 'state'" for a body that has one. Say what is wrong instead.
  api.use((req, _res, next) => {
    if (req.body === undefined && hasBody(req)) {
      return next(new ApiFailure('VALIDATION_FAILED', `The request body must be JSON sent with "Content-Type: application/json" (this one was sent as ${shownContentType(req.headers['content-type'])}).`));
    }
    next();
  });
  api.get('/events', (req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write(': connected\n\n');
    const unsubscribe = o.bus.subscribe((event) => res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`));
    const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
    streams.add(res);
    req.on('close', () => {
      clearInterval(ping);
      unsubscribe();
      streams.delete(res);
    });
  });
  o.routes(api);
  api.use((req, res) => fail(res, 'NOT_FOUND', res.locals.requestId as string, `No such resource: ${req.method} ${shownPath(req.baseUrl + req.path)} (docs/api.md lists them).`));
  api.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const requestId = (res.locals.requestId as string | undefined) ?? randomId('req');
    if (err instanceof ApiFailure) return fail(res, err.code, requestId, err.message, err.errors, err.fix);
    const e = err as { type?: string; status?: number };
    if (e.type === 'entity.parse.failed') return fail(res, 'VALIDATION_FAILED', requestId, 'The request body is not valid JSON, or not a JSON object (e.g. {"state": "halted"}).');
    if (e.type === 'entity.too.large') return fail(res, 'VALIDATION_FAILED', requestId, 'The request body is too large.');
    o.log.error({ err, requestId, path: req.path }, 'control API error');
    return fail(res, 'INTERNAL_ERROR', requestId);
  });
  app.use('/api', api);

  if (o.uiDir && fs.existsSync(path.join(o.uiDir, 'index.html'))) {
    const uiDir = o.uiDir;
    app.use(
      express.static(uiDir, {
        index: 'index.html',
        setHeaders(res, file) {
          res.setHeader('content-security-policy', "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
          // Built assets carry a content hash in their name: a reload reuses them. index.html names the current
          // ones, so it is always revalidated.
          if (path.relative(uiDir, file).startsWith(`assets${path.sep}`)) res.setHeader('cache-control', 'public, max-age=31536000, immutable');
          else res.setHeader('cache-control', 'no-cache');
        },
      }),
    );
    app.get('/{*splat}', (_req, res) => {
      res.setHeader('cache-control', 'no-cache');
      res.setHeader('content-security-policy', "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
      res.sendFile(path.join(uiDir, 'index.html'));
    });
  } else {
    app.get('/', (_req, res) => {
      res.type('text/plain').send('The Viewzenix UI is not built. Run `npm run build`, then reload. The API is at /api.');
    });
  }
  return Object.assign(app, {
    endStreams(): void {
      // The stream's last chunk, then the connection: the client sees the stream end (and reconnects to a new
      // agent), not a connection cut off.
      for (const res of streams) {
        res.end();
        res.socket?.end();
      }
      streams.clear();
    },
  });
}

/** True when the request carries a body (a length above 0, or a chunked one). */
function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

/** The client's Content-Type or path as an answer may repeat it: printable, and short. */
function shownContentType(type: string | undefined): string {
  return type === undefined ? 'no Content-Type' : `"${shownName(type)}"`;
}
function shownPath(p: string): string {
  return p.split('/').map(shownName).join('/');
}

export function fail(res: Response, code: Code, requestId: string, message?: string, errors?: ValidationIssue[], fix?: string): void {
  const info = CODES[code];
  const body: ApiError = { status: 'error', code, message: message ?? info.message, fix: fix ?? info.fix, requestId, ...(errors ? { errors } : {}) };
  res.status(info.http).json(body);
}

/** Validates a body or query against a schema in shared/schemas; throws ApiFailure with every error. */
export function check<T>(schema: object, value: unknown): T {
  const issues = validator(schema)(value ?? {});
  if (issues.length > 0) throw new ApiFailure('VALIDATION_FAILED', `The request has ${issues.length} problem(s): ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`, issues);
  return (value ?? {}) as T;
}

/**
 * The control listener's server. What Node would refuse itself with a bare answer (no body, no code) is answered in
 * the API's error shape instead: an HTTP/1.1 request without a Host header reaches the Host check (403
 * FORBIDDEN_HOST); an Expect other than 100-continue gets 417 EXPECTATION_FAILED; a request that cannot be read
 * (malformed, headers too large, too slow) gets Node's status with its code, and the connection is closed.
 */
export function createControlServer(app: ControlApp): http.Server {
  const server = http.createServer(HOST_CHECKED_HERE, app);
  server.on('checkExpectation', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const code = unservable(req) ?? 'EXPECTATION_FAILED';
    const info = CODES[code];
    const body: ApiError = { status: 'error', code, message: info.message, fix: info.fix, requestId: randomId('req') };
    const text = JSON.stringify(body);
    res.writeHead(info.http, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'x-content-type-options': 'nosniff', connection: 'close' });
    res.end(text);
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    const answered = (socket as { _httpMessage?: { headersSent: boolean } | null })._httpMessage?.headersSent === true;
    if (err.code === 'ECONNRESET' || !socket.writable || answered) return void socket.destroy();
    const code = clientErrorCode(err.code);
    const info = CODES[code];
    socket.end(rawJsonAnswer(info.http, { status: 'error', code, message: info.message, fix: info.fix, requestId: randomId('req') } satisfies ApiError));
    socket.once('finish', () => socket.destroy());
  });
  return server;
}
