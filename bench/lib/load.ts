// Load generation against 127.0.0.1 only: autocannon for rates and saturation, a small keep-alive client for
// bursts where every answer (status, signal id, time) must be kept.
import autocannon, { type Result } from 'autocannon';
import http from 'node:http';
import net from 'node:net';
import { performance } from 'node:perf_hooks';

function assertLoopback(url: string): void {
  const host = new URL(url).hostname;
  if (host !== '127.0.0.1' && host !== 'localhost' && host !== '[::1]') throw new Error(`load tests only target the loopback address, not ${host}`);
}

export interface LoadResult {
  /** Per-response latency in ms (from autocannon's response event, sub-millisecond resolution). */
  latencies: number[];
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  durationS: number;
  /** 2xx answers per second over the run. */
  okPerSecond: number;
  raw: Result;
}

export interface LoadOptions {
  url: string;
  connections: number;
  durationS?: number;
  amount?: number;
  overallRate?: number;
  body: () => string;
}

export function runLoad(o: LoadOptions): Promise<LoadResult> {
  assertLoopback(o.url);
  const latencies: number[] = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: o.url,
        connections: o.connections,
        ...(o.amount ? { amount: o.amount } : { duration: o.durationS ?? 10 }),
        ...(o.overallRate ? { overallRate: o.overallRate } : {}),
        timeout: 10,
        requests: [{ method: 'POST', headers: { 'content-type': 'application/json' }, setupRequest: (req) => ({ ...req, body: o.body() }) }],
      },
      (err, result) => {
        if (err) return reject(err);
        const durationS = (result.finish.getTime() - result.start.getTime()) / 1000;
        resolve({ latencies, ok: result['2xx'], non2xx: result.non2xx, errors: result.errors, timeouts: result.timeouts, durationS, okPerSecond: result['2xx'] / durationS, raw: result });
      },
    );
    instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => latencies.push(responseTime));
  });
}

export interface PacedOptions {
  url: string;
  /** Alerts per second, evenly spaced (one every 1000/rate ms). */
  rate: number;
  durationS: number;
  body: () => string;
  /** Keep-alive connections available; a request waits for a free one only when all are busy. */
  maxConnections?: number;
}

export interface PacedResult {
  /** ms from sending each request to its whole answer. */
  latencies: number[];
  ok: number;
  non2xx: number;
  errors: number;
  durationS: number;
  okPerSecond: number;
  /** How late, at worst, a request left compared with its slot in the schedule (a busy load generator). */
  maxSendLagMs: number;
}

/** Per-request time limit of pacedLoad: a request unanswered for this long is an error and its connection is closed. */
const PACED_TIMEOUT_MS = 10_000;
/** A response head longer than this is not an answer of the agent: the connection is closed as broken. */
const MAX_HEAD_BYTES = 16 * 1024;
const CRLF2 = Buffer.from('\r\n\r\n', 'latin1');
const CRLF = Buffer.from('\r\n', 'latin1');

/**
 * Incremental parser of HTTP/1.1 responses on one connection: status code, headers up to the blank line, then a
 * Content-Length or chunked body. Bytes may arrive split anywhere and several responses may share one chunk; each
 * complete response is reported once with its status. A response it cannot delimit (no Content-Length, not
 * chunked, and a status that carries a body) is an error: without a length the end of the answer is unknowable on
 * a kept-alive connection.
 */
export class HttpResponseParser {
  private pending: Buffer | null = null;
  private state: 'head' | 'body' | 'chunk-size' | 'chunk-data' | 'chunk-crlf' | 'trailers' | 'failed' = 'head';
  private status = 0;
  private remaining = 0;
  /** The response asked for the connection to be closed after it. */
  closeAfter = false;

  constructor(
    private readonly onResponse: (status: number, closeAfter: boolean) => void,
    private readonly onError: (message: string) => void,
  ) {}

  feed(chunk: Buffer): void {
    if (this.state === 'failed') return;
    let buf = this.pending && this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = null;
    let off = 0;
    while (off < buf.length) {
      if (this.state === 'head') {
        const end = buf.indexOf(CRLF2, off);
        if (end < 0) {
          if (buf.length - off > MAX_HEAD_BYTES) return this.fail('response head too long');
          break;
        }
        if (!this.parseHead(buf.toString('latin1', off, end))) return;
        off = end + 4;
      } else if (this.state === 'body') {
        const take = Math.min(this.remaining, buf.length - off);
        this.remaining -= take;
        off += take;
        if (this.remaining === 0) this.complete();
      } else if (this.state === 'chunk-size' || this.state === 'trailers') {
        const end = buf.indexOf(CRLF, off);
        if (end < 0) {
          if (buf.length - off > MAX_HEAD_BYTES) return this.fail('chunk line too long');
          break;
        }
        const line = buf.toString('latin1', off, end);
        off = end + 2;
        if (this.state === 'trailers') {
          if (line === '') this.complete();
          continue;
        }
        const size = Number.parseInt(line.split(';', 1)[0]!.trim(), 16);
        if (!Number.isFinite(size) || size < 0) return this.fail(`bad chunk size line ${JSON.stringify(line.slice(0, 40))}`);
        if (size === 0) this.state = 'trailers';
        else {
          this.remaining = size;
          this.state = 'chunk-data';
        }
      } else if (this.state === 'chunk-data') {
        const take = Math.min(this.remaining, buf.length - off);
        this.remaining -= take;
        off += take;
        if (this.remaining === 0) this.state = 'chunk-crlf';
      } else if (this.state === 'chunk-crlf') {
        if (buf.length - off < 2) break;
        if (buf[off] !== 0x0d || buf[off + 1] !== 0x0a) return this.fail('chunk data not followed by CRLF');
        off += 2;
        this.state = 'chunk-size';
      } else {
        return;
      }
    }
    if (off < buf.length) {
      // Keep only the unread tail; copy it so the socket's chunk is not held for a long wait.
      buf = buf.subarray(off);
      this.pending = Buffer.from(buf);
    }
  }

  private parseHead(head: string): boolean {
    // "HTTP/1.1 202 Accepted": the code is always at 9..12.
    const status = head.startsWith('HTTP/1.') ? Number(head.slice(9, 12)) : Number.NaN;
    if (!Number.isInteger(status) || status < 100 || status > 599) {
      this.fail(`bad status line ${JSON.stringify(head.split('\r\n', 1)[0]!.slice(0, 40))}`);
      return false;
    }
    // Only three headers matter; looking them up in the lowercased head costs one string, not one per line.
    const lower = head.toLowerCase();
    const lengthText = headerValue(lower, '\r\ncontent-length:');
    let contentLength = -1;
    if (lengthText !== undefined) {
      if (!/^\d+$/.test(lengthText)) {
        this.fail(`bad content-length ${JSON.stringify(lengthText.slice(0, 40))}`);
        return false;
      }
      contentLength = Number(lengthText);
    }
    const chunked = hasToken(headerValue(lower, '\r\ntransfer-encoding:'), 'chunked');
    const close = hasToken(headerValue(lower, '\r\nconnection:'), 'close');
    this.status = status;
    this.closeAfter = close;
    if (status < 200) {
      // An interim answer (100 Continue): the real response follows on the same connection.
      return true;
    }
    if (chunked) this.state = 'chunk-size';
    else if (status === 204 || status === 304 || contentLength === 0) this.complete();
    else if (contentLength > 0) {
      this.remaining = contentLength;
      this.state = 'body';
    } else {
      this.fail(`a ${status} response without content-length or chunked encoding`);
      return false;
    }
    return true;
  }

  private complete(): void {
    this.state = 'head';
    this.remaining = 0;
    this.onResponse(this.status, this.closeAfter);
  }

  private fail(message: string): void {
    this.state = 'failed';
    this.pending = null;
    this.onError(message);
  }
}

/**
 * The value of a header in a lowercased response head (`key` is "\r\nname:"), undefined when absent. The same
 * header twice with different values (a smuggling-shaped answer) reads as one value that fails the callers' checks.
 */
function headerValue(lowerHead: string, key: string): string | undefined {
  const at = lowerHead.indexOf(key);
  if (at < 0) return undefined;
  const end = lowerHead.indexOf('\r\n', at + key.length);
  const value = lowerHead.slice(at + key.length, end < 0 ? undefined : end).trim();
  const again = lowerHead.indexOf(key, at + key.length);
  if (again >= 0 && headerValue(lowerHead.slice(again), key) !== value) return `${value}, conflicting`;
  return value;
}

function hasToken(value: string | undefined, token: string): boolean {
  return value !== undefined && value.split(',').some((t) => t.trim() === token);
}

/** One kept-alive connection of pacedLoad, carrying at most one request at a time (never pipelined). */
interface PacedConnection {
  socket: net.Socket;
  parser: HttpResponseParser;
  /** A request is written and its answer not complete. */
  busy: boolean;
  /** performance.now() at the request's send. */
  startedAt: number;
  /** Its answer is complete; it goes back to the pool once the rest of the chunk that brought it is parsed. */
  answered: boolean;
  /** Closed (or closing): never given another request. */
  dead: boolean;
}

/**
 * A fixed offered rate with evenly spaced arrivals (open loop: request i leaves at t0 + i/rate whatever the
 * answers do), the way alerts from many independent strategies arrive. autocannon's `overallRate` is a quota per
 * connection per second that each connection spends back to back at the start of the second, so its "1,000/s"
 * is a burst at the full speed of 10 connections followed by silence; runLoad() still measures that pattern.
 *
 * The client is a lean raw-socket HTTP/1.1 one on purpose: it shares the machine's cores with the agent it
 * measures, and node:http's client (objects, promises and closures per request) both stole CPU from the agent and
 * stalled its own event loop for several ms, which showed up as latency of the agent. Here a request is one
 * prebuilt head plus the body in one buffer and one write on an idle kept-alive connection, answers are parsed
 * in place, and latencies go into a preallocated array. Latency is from the request's send (its turn in the
 * schedule; a request waiting for a free connection, only when all are busy, counts its wait) to the arrival of
 * the last byte of its answer. A request that fails (reset, refused, broken answer, 10 s without one) is an
 * error, its time to failure is kept among the latencies as before, and its connection is replaced for later
 * requests.
 */
export async function pacedLoad(o: PacedOptions): Promise<PacedResult> {
  assertLoopback(o.url);
  const url = new URL(o.url);
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const port = Number(url.port || 80);
  const maxConnections = Math.max(1, o.maxConnections ?? 64);
  const headStart = Buffer.from(`POST ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nContent-Length: `, 'latin1');
  const headEnd = Buffer.from('\r\nConnection: keep-alive\r\n\r\n', 'latin1');
  const total = Math.round(o.rate * o.durationS);
  const latencies = new Float64Array(Math.max(0, total));
  let count = 0;
  let ok = 0;
  let non2xx = 0;
  let errors = 0;
  let sent = 0;
  let maxSendLagMs = 0;
  let inFlight = 0;
  const idle: PacedConnection[] = [];
  const all = new Set<PacedConnection>();
  // Requests due while every connection is busy: their bodies and send times, in order.
  const waitingBodies: string[] = [];
  const waitingSince: number[] = [];
  let waitingHead = 0;
  let finish: (() => void) | undefined;
  let scheduleDone = false;

  const record = (startedAt: number, status: number): void => {
    latencies[count++] = performance.now() - startedAt;
    if (status === 0) errors++;
    else if (status >= 200 && status < 300) ok++;
    else non2xx++;
    inFlight--;
  };

  const release = (c: PacedConnection): void => {
    if (c.dead) return;
    if (waitingHead < waitingBodies.length) {
      const body = waitingBodies[waitingHead]!;
      const since = waitingSince[waitingHead]!;
      waitingHead++;
      if (waitingHead === waitingBodies.length) {
        waitingBodies.length = 0;
        waitingSince.length = 0;
        waitingHead = 0;
      }
      write(c, body, since);
    } else idle.push(c);
  };

  const maybeFinish = (): void => {
    if (scheduleDone && inFlight === 0 && finish) finish();
  };

  // Why a connection died is not reported (PacedResult counts errors only); the reason is kept in the call for
  // whoever debugs this.
  const kill = (c: PacedConnection, _why: string): void => {
    if (c.dead) return;
    c.dead = true;
    all.delete(c);
    const at = idle.indexOf(c);
    if (at >= 0) idle.splice(at, 1);
    c.socket.destroy();
    if (c.busy) {
      c.busy = false;
      record(c.startedAt, 0);
    }
    // Requests left waiting get a fresh connection (a replacement for this one).
    if (waitingHead < waitingBodies.length && all.size < maxConnections) release(open());
    maybeFinish();
  };

  const answered = (c: PacedConnection, status: number, closeAfter: boolean): void => {
    // A second answer in the same chunk (or any answer while idle) belongs to no request: never pipelined, so the
    // connection is out of step with the server and must not carry another request.
    if (!c.busy) return kill(c, 'an answer with no request in flight');
    c.busy = false;
    record(c.startedAt, status);
    if (closeAfter) kill(c, 'closed by the server');
    else c.answered = true;
    maybeFinish();
  };

  const received = (c: PacedConnection, chunk: Buffer): void => {
    c.parser.feed(chunk);
    // Only after the whole chunk is parsed: a stray answer in it must not be taken for the next request's.
    if (c.answered) {
      c.answered = false;
      release(c);
    }
  };

  const open = (): PacedConnection => {
    const socket = net.connect({ host, port });
    socket.setNoDelay(true);
    const c: PacedConnection = {
      socket,
      parser: new HttpResponseParser(
        (status, closeAfter) => answered(c, status, closeAfter),
        (message) => kill(c, message),
      ),
      busy: false,
      startedAt: 0,
      answered: false,
      dead: false,
    };
    socket.on('data', (chunk: Buffer) => received(c, chunk));
    socket.on('error', (err) => kill(c, err.message));
    socket.on('close', () => kill(c, 'connection closed before the answer'));
    all.add(c);
    return c;
  };

  const write = (c: PacedConnection, body: string, since: number): void => {
    const len = Buffer.byteLength(body);
    const lenText = String(len);
    const buf = Buffer.allocUnsafe(headStart.length + lenText.length + headEnd.length + len);
    let off = headStart.copy(buf, 0);
    off += buf.write(lenText, off, 'latin1');
    off += headEnd.copy(buf, off);
    buf.write(body, off, 'utf8');
    c.busy = true;
    c.startedAt = since;
    c.socket.write(buf);
  };

  const dispatch = (body: string, now: number): void => {
    inFlight++;
    const c = idle.pop() ?? (all.size < maxConnections ? open() : undefined);
    if (c) write(c, body, now);
    else {
      waitingBodies.push(body);
      waitingSince.push(now);
    }
  };

  // One sweep every 250 ms for answers overdue, instead of a timer per request.
  const sweeper = setInterval(() => {
    const now = performance.now();
    for (const c of [...all]) if (c.busy && now - c.startedAt >= PACED_TIMEOUT_MS) kill(c, 'timeout');
  }, 250);

  const t0 = performance.now();
  const done = new Promise<void>((resolve) => (finish = resolve));
  const tick = (): void => {
    const now = performance.now();
    const due = Math.min(total, Math.floor(((now - t0) * o.rate) / 1000) + 1);
    while (sent < due) {
      maxSendLagMs = Math.max(maxSendLagMs, now - (t0 + (sent * 1000) / o.rate));
      sent++;
      dispatch(o.body(), performance.now());
    }
    if (sent >= total) {
      scheduleDone = true;
      maybeFinish();
      return;
    }
    setTimeout(tick, Math.max(0, t0 + (sent * 1000) / o.rate - performance.now()));
  };
  tick();
  await done;
  const durationS = (performance.now() - t0) / 1000;
  clearInterval(sweeper);
  for (const c of [...all]) {
    c.dead = true;
    c.socket.destroy();
  }
  return { latencies: Array.from(latencies.subarray(0, count)), ok, non2xx, errors, durationS, okPerSecond: ok / durationS, maxSendLagMs };
}

export interface Answer {
  index: number;
  status: number;
  /** ms from the start of the burst to the answer. */
  atMs: number;
  latencyMs: number;
  body: { status?: string; signalId?: string; code?: string };
  error?: string;
}

export interface BurstOptions {
  url: string;
  bodies: readonly string[];
  connections: number;
  contentType?: string;
  /** Per-request timeout in ms. */
  timeoutMs?: number;
}

/** Sends every body once over `connections` keep-alive connections as fast as answers come back. */
export async function burst(o: BurstOptions): Promise<Answer[]> {
  assertLoopback(o.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.connections });
  const answers: Answer[] = new Array<Answer>(o.bodies.length);
  const t0 = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      if (i >= o.bodies.length) return;
      const start = performance.now();
      const r = await post(o.url, o.bodies[i]!, o.contentType ?? 'application/json', agent, o.timeoutMs ?? 15_000);
      const end = performance.now();
      answers[i] = { index: i, status: r.status, atMs: end - t0, latencyMs: end - start, body: r.body, ...(r.error ? { error: r.error } : {}) };
    }
  };
  await Promise.all(Array.from({ length: o.connections }, worker));
  agent.destroy();
  return answers;
}

export interface PostResult {
  status: number;
  body: { status?: string; signalId?: string; code?: string };
  text: string;
  headers: http.IncomingHttpHeaders;
  error?: string;
}

/** One POST; a refused or reset connection is status 0 with the error, never a throw. */
export function post(url: string, body: string | Buffer, contentType: string, agent?: http.Agent, timeoutMs = 15_000, method = 'POST'): Promise<PostResult> {
  return new Promise((resolve) => {
    const req = http.request(url, { method, agent, headers: { 'content-type': contentType, 'content-length': Buffer.byteLength(body) }, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: PostResult['body'] = {};
        try {
          parsed = JSON.parse(text) as PostResult['body'];
        } catch {
          // not JSON: kept as text
        }
        resolve({ status: res.statusCode ?? 0, body: parsed, text, headers: res.headers });
      });
      res.on('error', (err) => resolve({ status: 0, body: {}, text: '', headers: {}, error: err.message }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => resolve({ status: 0, body: {}, text: '', headers: {}, error: err.message }));
    req.end(body);
  });
}
