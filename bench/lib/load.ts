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
