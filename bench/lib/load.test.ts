import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpResponseParser, pacedLoad } from './load.js';

// A real HTTP server on 127.0.0.1:0 whose answer depends on the body it receives:
//   "kind":"ok"     → 202 with a JSON body and content-length (the agent's answer)
//   "kind":"reject" → 429 with a JSON body
//   "kind":"drop"   → the socket is destroyed without an answer
//   "kind":"split"  → 202 whose head and body leave in separate writes, 30 ms apart
//   "kind":"chunked"→ 202 with Transfer-Encoding: chunked, two chunks 20 ms apart
// It records every body it received, exactly as received.
interface Recorder {
  url: string;
  bodies: string[];
  connections: number;
  /** Most requests a single connection had unanswered at once (2 would mean pipelining). */
  maxActivePerConnection: number;
  close(): Promise<void>;
}

const servers: Recorder[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function startServer(): Promise<Recorder> {
  const bodies: string[] = [];
  let connections = 0;
  let maxActive = 0;
  const active = new Map<net.Socket, number>();
  const server = http.createServer((req, res) => {
    const socket = req.socket;
    active.set(socket, (active.get(socket) ?? 0) + 1);
    maxActive = Math.max(maxActive, active.get(socket)!);
    res.on('finish', () => active.set(socket, active.get(socket)! - 1));
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      bodies.push(text);
      const kind = (JSON.parse(text) as { kind: string }).kind;
      const answer = JSON.stringify({ status: 'queued', echo: text.length });
      if (kind === 'drop') {
        req.socket.destroy();
      } else if (kind === 'reject') {
        res.writeHead(429, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) }).end(answer);
      } else if (kind === 'split') {
        res.writeHead(202, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) });
        res.flushHeaders();
        setTimeout(() => {
          res.write(answer.slice(0, 5));
          setTimeout(() => res.end(answer.slice(5)), 15);
        }, 30);
      } else if (kind === 'chunked') {
        res.writeHead(202, { 'content-type': 'application/json' });
        res.write(answer.slice(0, 7));
        setTimeout(() => res.end(answer.slice(7)), 20);
      } else {
        res.writeHead(202, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) }).end(answer);
      }
    });
  });
  server.on('connection', () => connections++);
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const rec: Recorder = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook/test?x=1`,
    bodies,
    get connections() {
      return connections;
    },
    get maxActivePerConnection() {
      return maxActive;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  servers.push(rec);
  return rec;
}

/** Bodies numbered from 0, with non-ASCII text so a content-length counted in characters would cut them short. */
function bodies(kindOf: (i: number) => string): { next: () => string; sent: string[] } {
  const sent: string[] = [];
  return {
    sent,
    next: () => {
      const i = sent.length;
      const b = JSON.stringify({ i, kind: kindOf(i), note: 'prix 101,25 € — ünïcödé', pad: 'x'.repeat(i % 37) });
      sent.push(b);
      return b;
    },
  };
}

function expectSaneLatencies(latencies: readonly number[]): void {
  for (const l of latencies) {
    expect(Number.isFinite(l)).toBe(true);
    expect(l).toBeGreaterThan(0);
  }
}

describe('pacedLoad (raw-socket keep-alive client)', () => {
  it('sends exactly rate × duration requests and every body arrives intact', async () => {
    const server = await startServer();
    const b = bodies(() => 'ok');
    const res = await pacedLoad({ url: server.url, rate: 200, durationS: 1, body: b.next });
    expect(b.sent).toHaveLength(200);
    expect(server.bodies).toHaveLength(200);
    expect([...server.bodies].sort()).toEqual([...b.sent].sort());
    expect(res.ok).toBe(200);
    expect(res.non2xx).toBe(0);
    expect(res.errors).toBe(0);
    expect(res.latencies).toHaveLength(200);
    expectSaneLatencies(res.latencies);
    expect(res.okPerSecond).toBeCloseTo(200 / res.durationS, 6);
    expect(Number.isFinite(res.maxSendLagMs) && res.maxSendLagMs >= 0).toBe(true);
    // Kept alive: far fewer connections than requests.
    expect(server.connections).toBeLessThanOrEqual(64);
  });

  it('counts 2xx, non-2xx and dropped connections apart, and carries on after a drop', async () => {
    const server = await startServer();
    // Of 300: every 10th is answered 429, every 25th (not a multiple of 10) is dropped without an answer.
    const kindOf = (i: number): string => (i % 10 === 0 ? 'reject' : i % 25 === 0 ? 'drop' : 'ok');
    const b = bodies(kindOf);
    const res = await pacedLoad({ url: server.url, rate: 300, durationS: 1, body: b.next });
    const expected = { reject: 0, drop: 0, ok: 0 } as Record<string, number>;
    for (let i = 0; i < 300; i++) expected[kindOf(i)]!++;
    expect(expected).toEqual({ reject: 30, drop: 6, ok: 264 });
    expect(res.non2xx).toBe(30);
    expect(res.errors).toBe(6);
    expect(res.ok).toBe(264);
    expect(res.latencies).toHaveLength(300);
    expectSaneLatencies(res.latencies);
    expect([...server.bodies].sort()).toEqual([...b.sent].sort());
  });

  it('parses an answer whose head and body arrive in separate packets, and a chunked answer', async () => {
    const server = await startServer();
    const b = bodies((i) => (i % 2 === 0 ? 'split' : 'chunked'));
    const res = await pacedLoad({ url: server.url, rate: 50, durationS: 1, body: b.next, maxConnections: 4 });
    expect(res.ok).toBe(50);
    expect(res.errors).toBe(0);
    expect(res.non2xx).toBe(0);
    expect(server.bodies).toHaveLength(50);
    expectSaneLatencies(res.latencies);
  });

  it('sends one request at a time per connection, the next only after the last byte of the answer', async () => {
    const server = await startServer();
    const b = bodies(() => 'split');
    // 40/s with answers whose body trails the head by 30-45 ms, on one connection: requests must wait for it.
    // Sending the next on the head alone, or pipelining, shows as two unanswered requests on the connection.
    const res = await pacedLoad({ url: server.url, rate: 40, durationS: 0.5, body: b.next, maxConnections: 1 });
    expect(res.ok).toBe(20);
    expect(res.errors).toBe(0);
    expect(server.connections).toBe(1);
    expect(server.maxActivePerConnection).toBe(1);
    expect([...server.bodies].sort()).toEqual([...b.sent].sort());
  });

  it('counts an answer without content-length or chunked encoding as an error, and every request to a refused port as one', async () => {
    // A raw server answering every request with an undelimited 200 and keeping the connection open.
    const raw = net.createServer((socket) => {
      socket.on('data', () => socket.write('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\nno length'));
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
    const port = (raw.address() as AddressInfo).port;
    try {
      const res = await pacedLoad({ url: `http://127.0.0.1:${port}/x`, rate: 100, durationS: 0.2, body: () => '{}' });
      expect(res.errors).toBe(20);
      expect(res.ok).toBe(0);
    } finally {
      await new Promise<void>((resolve) => raw.close(() => resolve()));
    }
    const refused = await pacedLoad({ url: `http://127.0.0.1:${port}/x`, rate: 100, durationS: 0.2, body: () => '{}' });
    expect(refused.errors).toBe(20);
    expect(refused.latencies).toHaveLength(20);
  });

  it('closes a connection that sends an answer nobody asked for, and never gives it to the next request', async () => {
    // A raw server answering each request 20 ms late with two responses in one write. The first is the request's,
    // the second belongs to no request: taking it for the answer of the next one would misattribute every later
    // answer on that connection.
    let connections = 0;
    const raw = net.createServer((socket) => {
      connections++;
      const answer = 'HTTP/1.1 202 Accepted\r\ncontent-length: 2\r\n\r\n{}';
      socket.on('data', () => setTimeout(() => socket.writable && socket.write(answer + answer), 20));
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
    try {
      // 100/s with 20 ms answers on one connection: a request is always waiting when the double answer arrives.
      const res = await pacedLoad({ url: `http://127.0.0.1:${(raw.address() as AddressInfo).port}/x`, rate: 100, durationS: 0.1, body: () => '{}', maxConnections: 1 });
      expect(res.ok).toBe(10);
      expect(res.errors).toBe(0);
      expect(connections).toBe(10);
    } finally {
      await new Promise<void>((resolve) => raw.close(() => resolve()));
    }
  });

  it('refuses a target that is not the loopback address', async () => {
    await expect(pacedLoad({ url: 'http://192.0.2.1:80/x', rate: 1, durationS: 1, body: () => '{}' })).rejects.toThrow(/loopback/);
  });
});

describe('HttpResponseParser', () => {
  const collect = (): { statuses: number[]; errors: string[]; parser: HttpResponseParser } => {
    const statuses: number[] = [];
    const errors: string[] = [];
    return { statuses, errors, parser: new HttpResponseParser((s) => statuses.push(s), (e) => errors.push(e)) };
  };
  const r202 = 'HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 17\r\n\r\n{"status":"ok"}\r\n';
  const r429 = 'HTTP/1.1 429 Too Many Requests\r\ncontent-length: 2\r\nConnection: keep-alive\r\n\r\n{}';
  const chunked = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\na;ext=1\r\n0123456789\r\n0\r\nX-Trailer: 1\r\n\r\n';

  it('reads several responses delivered in one chunk', () => {
    const c = collect();
    c.parser.feed(Buffer.from(r202 + r429 + chunked + r202));
    expect(c.statuses).toEqual([202, 429, 200, 202]);
    expect(c.errors).toEqual([]);
  });

  it('reads the same responses delivered one byte at a time', () => {
    const c = collect();
    const all = Buffer.from(r202 + chunked + r429);
    for (let i = 0; i < all.length; i++) c.parser.feed(all.subarray(i, i + 1));
    expect(c.statuses).toEqual([202, 200, 429]);
    expect(c.errors).toEqual([]);
  });

  it('waits for the whole body before reporting the response', () => {
    const c = collect();
    c.parser.feed(Buffer.from(r202.slice(0, r202.length - 3)));
    expect(c.statuses).toEqual([]);
    c.parser.feed(Buffer.from(r202.slice(r202.length - 3)));
    expect(c.statuses).toEqual([202]);
  });

  it('reads header names in any case', () => {
    const c = collect();
    c.parser.feed(Buffer.from('HTTP/1.1 201 Created\r\nCONTENT-LENGTH: 3\r\n\r\nabcHTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n1\r\nz\r\n0\r\n\r\n'));
    expect(c.statuses).toEqual([201, 200]);
    expect(c.errors).toEqual([]);
  });

  it('reports a close asked by the server, and a body-less 204 at once', () => {
    const closes: boolean[] = [];
    const p = new HttpResponseParser((_s, close) => closes.push(close), () => undefined);
    p.feed(Buffer.from('HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n'));
    expect(closes).toEqual([true]);
  });

  it('rejects an undelimited response, a bad status line and a bad content-length', () => {
    const bads = [
      'HTTP/1.1 200 OK\r\n\r\nbody',
      'SMTP ready\r\n\r\n',
      'HTTP/1.1 200 OK\r\nContent-Length: -3\r\n\r\n',
      'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 4\r\n\r\n{}{}',
    ];
    for (const bad of bads) {
      const c = collect();
      c.parser.feed(Buffer.from(bad));
      expect(c.statuses).toEqual([]);
      expect(c.errors).toHaveLength(1);
    }
  });
});
