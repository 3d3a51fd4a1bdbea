// Load generation against 127.0.0.1 only: autocannon for rates and saturation, a small keep-alive client for
// bursts where every answer (status, signal id, time) must be kept.
import autocannon, { type Result } from 'autocannon';
import http from 'node:http';
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

/**
 * A fixed offered rate with evenly spaced arrivals (open loop: request i leaves at t0 + i/rate whatever the
 * answers do), the way alerts from many independent strategies arrive. autocannon's `overallRate` is a quota per
 * connection per second that each connection spends back to back at the start of the second, so its "1,000/s"
 * is a burst at the full speed of 10 connections followed by silence; runLoad() still measures that pattern.
 */
export async function pacedLoad(o: PacedOptions): Promise<PacedResult> {
  assertLoopback(o.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.maxConnections ?? 64 });
  const total = Math.round(o.rate * o.durationS);
  const latencies: number[] = [];
  let ok = 0;
  let non2xx = 0;
  let errors = 0;
  let sent = 0;
  let maxSendLagMs = 0;
  const inFlight = new Set<Promise<void>>();
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const now = performance.now();
      const due = Math.min(total, Math.floor(((now - t0) * o.rate) / 1000) + 1);
      while (sent < due) {
        maxSendLagMs = Math.max(maxSendLagMs, now - (t0 + (sent * 1000) / o.rate));
        sent++;
        const start = performance.now();
        const p = post(o.url, o.body(), 'application/json', agent, 10_000).then((r) => {
          latencies.push(performance.now() - start);
          if (r.status === 0) errors++;
          else if (r.status >= 200 && r.status < 300) ok++;
          else non2xx++;
        });
        inFlight.add(p);
        void p.finally(() => inFlight.delete(p));
      }
      if (sent >= total) return resolve();
      setTimeout(tick, Math.max(0, t0 + (sent * 1000) / o.rate - performance.now()));
    };
    tick();
  });
  await Promise.all([...inFlight]);
  const durationS = (performance.now() - t0) / 1000;
  agent.destroy();
  return { latencies, ok, non2xx, errors, durationS, okPerSecond: ok / durationS, maxSendLagMs };
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
