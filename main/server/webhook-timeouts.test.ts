// The webhook listener does not let slow clients hold connections: TradingView gives up after 3 s, so a request
// whose headers or body take longer than the listener's limits is answered 408 and closed; connections beyond the
// cap are closed as they arrive. Small limits here stand for the real 10 s ones. And what raw HTTP a stranger can
// send it (compressed bodies, Expect: 100-continue, bytes after a body) gets a clear answer, never a lost 202.
import { afterEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import zlib from 'node:zlib';
import path from 'node:path';
import pino from 'pino';
import { openDatabase } from '../store/db.js';
import { StrategyRepo } from '../store/strategies.js';
import { InboxStore, openInboxDatabase } from '../store/inbox-db.js';
import { Inbox } from '../signals/inbox.js';
import { tempDir } from '../test-support/agent.js';
import { redactBody } from '../signals/parse/redact-body.js';
import { createWebhookServer, WEBHOOK_HEADERS_TIMEOUT_MS, WEBHOOK_MAX_CONNECTIONS, WEBHOOK_REQUEST_TIMEOUT_MS, type WebhookOptions } from './webhook.js';
import { bodyText, closeServer, listen } from './webhook-http.js';

const log = pino({ level: 'silent' });
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function start(o: Partial<WebhookOptions>): Promise<{ port: number; webhookId: string }> {
  const dir = tempDir();
  const db = openDatabase({ file: path.join(dir, 'viewzenix.db') });
  const strategies = new StrategyRepo(db);
  strategies.insert({ id: 'str_t', name: 'T', webhookId: 'wh_timeouts', enabled: true, config: {}, accountIds: [], createdAt: new Date().toISOString() });
  const inboxDb = openInboxDatabase(path.join(dir, 'inbox.db'));
  const inbox = new Inbox(new InboxStore(inboxDb), log);
  const webhook = createWebhookServer({ strategies, inbox, log, ...o });
  const port = await listen(webhook.server, 0, '127.0.0.1');
  cleanups.push(async () => {
    await closeServer(webhook.server);
    inbox.close();
    inboxDb.close();
    db.close();
  });
  return { port, webhookId: 'wh_timeouts' };
}

/** Opens a connection, writes `first`, then `drip` every 50 ms until the server closes it; resolves with what it got. */
function dripUntilClosed(port: number, first: string, drip: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let got = '';
    const timer = setInterval(() => socket.writable && socket.write(drip), 50);
    socket.on('connect', () => socket.write(first));
    socket.on('data', (d) => (got += d.toString()));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearInterval(timer);
      resolve(got);
    });
    cleanups.push(() => {
      clearInterval(timer);
      socket.destroy();
    });
  });
}

describe('webhook listener limits for slow or many clients', () => {
  it('has short defaults fit for TradingView (about 10 s) and a connection cap of 1,000', () => {
    expect([WEBHOOK_HEADERS_TIMEOUT_MS, WEBHOOK_REQUEST_TIMEOUT_MS, WEBHOOK_MAX_CONNECTIONS]).toEqual([10_000, 10_000, 1_000]);
  });

  it('a client sending its headers one by one, slowly, is answered 408 and cut off', async () => {
    const { port, webhookId } = await start({ headersTimeoutMs: 300, requestTimeoutMs: 600 });
    const got = await dripUntilClosed(port, `POST /webhook/${webhookId} HTTP/1.1\r\nHost: 127.0.0.1\r\n`, 'X-Slow: 1\r\n');
    expect(got).toMatch(/^HTTP\/1\.1 408 /);
    expect(got).toContain('"code":"REQUEST_TIMEOUT"');
  }, 20_000);

  it('a client sending its body one byte at a time is answered 408 and cut off', async () => {
    const { port, webhookId } = await start({ headersTimeoutMs: 300, requestTimeoutMs: 600 });
    const got = await dripUntilClosed(port, `POST /webhook/${webhookId} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 60000\r\n\r\n{`, ' ');
    expect(got).toMatch(/^HTTP\/1\.1 408 /);
  }, 20_000);

  it('an alert sent at once is still answered, and a kept-alive connection idle for longer than the limits still serves the next one', async () => {
    const { port, webhookId } = await start({ headersTimeoutMs: 300, requestTimeoutMs: 600 });
    const socket = net.connect(port, '127.0.0.1');
    cleanups.push(() => void socket.destroy());
    let got = '';
    socket.on('data', (d) => (got += d.toString()));
    const body = '{"ticker":"AAPL","action":"cancel","id":"t-1"}';
    const request = (id: string) => `POST /webhook/${webhookId} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.replace('t-1', id)}`;
    await new Promise((r) => socket.on('connect', r));
    socket.write(request('t-1'));
    await until(() => got.includes('"status":"queued"'));
    await new Promise((r) => setTimeout(r, 1500)); // idle: only the keep-alive timeout (65 s) applies
    got = '';
    socket.write(request('t-2'));
    await until(() => got.includes('"status":"queued"'));
    expect(got).toMatch(/^HTTP\/1\.1 202 /);
  }, 20_000);

  it('connections beyond the cap are closed as they arrive; those within it are served', async () => {
    const { port } = await start({ maxConnections: 2 });
    const held = [net.connect(port, '127.0.0.1'), net.connect(port, '127.0.0.1')];
    for (const s of held) cleanups.push(() => void s.destroy());
    await Promise.all(held.map((s) => new Promise((r) => s.on('connect', r))));
    // The server has counted both (a request on each is answered) before the third arrives.
    const answers = await Promise.all(held.map((s) => exchange(s, 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')));
    for (const a of answers) expect(a).toMatch(/^HTTP\/1\.1 200 /);
    const third = net.connect(port, '127.0.0.1');
    const got = await exchange(third, 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', true);
    expect(got).toBe('');
  }, 20_000);
});

describe('webhook listener near its connection cap', () => {
  it('kept-alive idle connections are closed once 90% of the cap is open, freeing places before the cap locks new clients out; the newcomer is served', async () => {
    const { port } = await start({ maxConnections: 10 });
    const kept = Array.from({ length: 8 }, () => net.connect(port, '127.0.0.1'));
    for (const s of kept) cleanups.push(() => void s.destroy());
    const answers = await Promise.all(kept.map((s) => exchange(s, 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')));
    for (const a of answers) expect(a).toMatch(/^HTTP\/1\.1 200 /);
    const closed = kept.map((s) => new Promise<void>((resolve) => (s.destroyed ? resolve() : s.on('close', () => resolve()))));
    const newcomer = net.connect(port, '127.0.0.1'); // the 9th: 90% of 10
    const got = await exchange(newcomer, 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n', true);
    expect(got).toMatch(/^HTTP\/1\.1 200 /);
    await Promise.all(closed);
  }, 20_000);

  it('below 90% of the cap, kept-alive connections stay open', async () => {
    const { port } = await start({ maxConnections: 10 });
    const kept = Array.from({ length: 7 }, () => net.connect(port, '127.0.0.1'));
    for (const s of kept) cleanups.push(() => void s.destroy());
    await Promise.all(kept.map((s) => exchange(s, 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')));
    await exchange(net.connect(port, '127.0.0.1'), 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n', true);
    expect(kept.filter((s) => s.destroyed)).toHaveLength(0);
  }, 20_000);
});

describe('webhook listener answers to raw HTTP', () => {
  const alert = (id: string): string => `{"ticker":"AAPL","action":"cancel","id":"${id}"}`;
  const head = (webhookId: string, headers: string): string => `POST /webhook/${webhookId} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n${headers}\r\n`;

  it('a compressed body (Content-Encoding gzip or br, Transfer-Encoding gzip) is refused 415 UNSUPPORTED_ENCODING, not parsed as garbage', async () => {
    const { port, webhookId } = await start({});
    const gz = zlib.gzipSync(alert('e-1'));
    const br = zlib.brotliCompressSync(alert('e-2'));
    const sent = [
      Buffer.concat([Buffer.from(head(webhookId, `Content-Encoding: gzip\r\nContent-Length: ${gz.length}\r\nConnection: close\r\n`)), gz]),
      Buffer.concat([Buffer.from(head(webhookId, `Content-Encoding: BR\r\nContent-Length: ${br.length}\r\nConnection: close\r\n`)), br]),
      // Declared compressed but sent plain: still not what it says it is.
      Buffer.from(head(webhookId, `Content-Encoding: gzip\r\nContent-Length: ${alert('e-3').length}\r\nConnection: close\r\n`) + alert('e-3')),
      Buffer.from(head(webhookId, `Transfer-Encoding: gzip, chunked\r\nConnection: close\r\n`) + `${alert('e-4').length.toString(16)}\r\n${alert('e-4')}\r\n0\r\n\r\n`),
    ];
    for (const bytes of sent) {
      const got = await exchange(net.connect(port, '127.0.0.1'), bytes, true);
      expect(got).toMatch(/^HTTP\/1\.1 415 /);
      expect(got).toContain('"code":"UNSUPPORTED_ENCODING"');
    }
    const plain = await exchange(net.connect(port, '127.0.0.1'), head(webhookId, `Content-Encoding: identity\r\nContent-Length: ${alert('e-5').length}\r\nConnection: close\r\n`) + alert('e-5'), true);
    expect(plain).toMatch(/^HTTP\/1\.1 202 /);
  }, 20_000);

  it('a UTF-16 alert (with or without a byte-order mark, either byte order) is read as the text it is and queued', async () => {
    const { port, webhookId } = await start({});
    const le = (text: string): Buffer => Buffer.from(text, 'utf16le');
    const be = (text: string): Buffer => le(text).swap16();
    const bodies = [Buffer.concat([Buffer.from([0xff, 0xfe]), le(alert('u-1'))]), le(alert('u-2')), Buffer.concat([Buffer.from([0xfe, 0xff]), be(alert('u-3'))]), be(alert('u-4'))];
    for (const body of bodies) {
      const got = await exchange(net.connect(port, '127.0.0.1'), Buffer.concat([Buffer.from(head(webhookId, `Content-Length: ${body.length}\r\nConnection: close\r\n`)), body]), true);
      expect(got).toMatch(/^HTTP\/1\.1 202 /);
    }
    expect(bodyText(Buffer.from('\uFEFF{"a":1}'))).toBe('\uFEFF{"a":1}'); // UTF-8 as before, its mark left to the parser
    expect(bodyText(Buffer.from([0x41]))).toBe('A');
    // Read as UTF-8, the passphrase of a UTF-16 body had a NUL between its letters and no redaction saw it.
    const secret = Buffer.from('{"ticker":"AAPL","action":"buy","passphrase":"hunter2-secret"}', 'utf16le');
    expect(redactBody(bodyText(secret), undefined)).not.toContain('hunter2-secret');
  }, 20_000);

  it('a UTF-32 alert (with or without a byte-order mark, either byte order) is read as the text it is, its passphrase redacted', async () => {
    const { port, webhookId } = await start({});
    const be = (text: string): Buffer => {
      const cps = [...text].map((ch) => ch.codePointAt(0)!);
      const out = Buffer.alloc(cps.length * 4);
      cps.forEach((cp, i) => out.writeUInt32BE(cp, i * 4));
      return out;
    };
    const le = (text: string): Buffer => be(text).swap32();
    const bodies = [Buffer.concat([le('\uFEFF'), le(alert('w-1'))]), le(alert('w-2')), Buffer.concat([be('\uFEFF'), be(alert('w-3'))]), be(alert('w-4'))];
    for (const body of bodies) {
      expect(bodyText(body)).toBe(alert(body === bodies[0] ? 'w-1' : body === bodies[1] ? 'w-2' : body === bodies[2] ? 'w-3' : 'w-4'));
      const got = await exchange(net.connect(port, '127.0.0.1'), Buffer.concat([Buffer.from(head(webhookId, `Content-Length: ${body.length}\r\nConnection: close\r\n`)), body]), true);
      expect(got).toMatch(/^HTTP\/1\.1 202 /);
    }
    expect(bodyText(Buffer.concat([be('{"a":"\u{1F600}"}'), Buffer.from([0, 0])]))).toBe('{"a":"\u{1F600}"}\uFFFD'); // a character past the BMP, a partial unit
    expect(bodyText(Buffer.concat([be('{'), Buffer.from([0, 0, 0xd8, 0])]))).toBe('{\uFFFD'); // a surrogate is not a character
    // Read as UTF-8 (big-endian) or UTF-16 (little-endian), the passphrase had NULs between its letters and no redaction saw it.
    for (const encode of [le, be]) expect(redactBody(bodyText(encode('{"ticker":"AAPL","action":"buy","passphrase":"hunter2-secret"}')), undefined)).not.toContain('hunter2-secret');
  }, 20_000);

  it('Expect: 100-continue with a length over the limit, or to an unknown webhook, is refused before any 100 Continue; a fitting alert hears 100 first', async () => {
    const { port, webhookId } = await start({});
    const oversize = await exchange(net.connect(port, '127.0.0.1'), head(webhookId, 'Content-Length: 1000000\r\nExpect: 100-continue\r\n'), true);
    expect(oversize).toMatch(/^HTTP\/1\.1 413 /);
    expect(oversize).toContain('"code":"BODY_TOO_LARGE"');
    const unknown = await exchange(net.connect(port, '127.0.0.1'), head('wh_nobody', 'Content-Length: 40\r\nExpect: 100-continue\r\n'), true);
    expect(unknown).toMatch(/^HTTP\/1\.1 404 /);
    const socket = net.connect(port, '127.0.0.1');
    cleanups.push(() => void socket.destroy());
    const body = alert('c-1');
    const hundred = await exchange(socket, head(webhookId, `Content-Length: ${body.length}\r\nExpect: 100-continue\r\n`));
    expect(hundred).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\n$/);
    const accepted = await new Promise<string>((resolve) => {
      let got = '';
      socket.on('data', (d) => (got += d.toString()) && got.includes('"status"') && resolve(got));
      socket.write(body);
    });
    expect(accepted).toMatch(/HTTP\/1\.1 202 /);
  }, 20_000);

  it('an alert followed on its connection by bytes that are no request (a Content-Length shorter than the body) still gets its 202, then 400', async () => {
    const { port, webhookId } = await start({});
    const body = alert('g-1');
    const got = await exchange(net.connect(port, '127.0.0.1'), head(webhookId, `Content-Length: ${body.length}\r\n`) + body + 'GARBAGE\r\n\r\n', true);
    expect(got).toMatch(/^HTTP\/1\.1 202 [\s\S]*"status":"queued"[\s\S]*HTTP\/1\.1 400 [\s\S]*"code":"MALFORMED_REQUEST"/);
  }, 20_000);

  it('a request that cannot be read is answered at once with a documented code: smuggling-shaped framing 400, huge headers 431', async () => {
    const { port, webhookId } = await start({});
    const body = alert('m-1');
    const refused = [
      [head(webhookId, `Content-Length: 4\r\nTransfer-Encoding: chunked\r\n`) + `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`, 400, 'MALFORMED_REQUEST'],
      [head(webhookId, `Content-Length: ${body.length}\r\nContent-Length: 3\r\n`) + body, 400, 'MALFORMED_REQUEST'],
      [head(webhookId, `Transfer-Encoding: chunked\r\n`) + 'zz\r\nabc\r\n0\r\n\r\n', 400, 'MALFORMED_REQUEST'],
      [`GET /health?${'a'.repeat(20_000)} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`, 431, 'HEADERS_TOO_LARGE'],
    ] as const;
    for (const [text, status, code] of refused) {
      const t0 = performance.now();
      const got = await exchange(net.connect(port, '127.0.0.1'), text, true);
      expect(performance.now() - t0).toBeLessThan(1_000);
      expect(got).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
      expect(JSON.parse(got.slice(got.indexOf('\r\n\r\n') + 4))).toMatchObject({ status: 'rejected', code });
    }
  }, 20_000);

  it('what Node would refuse with a bare answer gets a documented code: HTTP/1.1 without Host 400, an unknown Expect 417; HTTP/1.0 needs neither', async () => {
    const { port, webhookId } = await start({});
    const body = alert('h-1');
    const noHost = await exchange(net.connect(port, '127.0.0.1'), `POST /webhook/${webhookId} HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`, true);
    expect(noHost).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(noHost.slice(noHost.indexOf('\r\n\r\n') + 4))).toMatchObject({ status: 'rejected', code: 'MALFORMED_REQUEST' });
    const expect417 = await exchange(net.connect(port, '127.0.0.1'), head(webhookId, `Content-Length: ${body.length}\r\nExpect: 200-ok\r\n`) + body, true);
    expect(expect417).toMatch(/^HTTP\/1\.1 417 /);
    expect(JSON.parse(expect417.slice(expect417.indexOf('\r\n\r\n') + 4))).toMatchObject({ status: 'rejected', code: 'EXPECTATION_FAILED' });
    // Neither was stored: the same alert id, sent properly now, is new.
    const sent = await exchange(net.connect(port, '127.0.0.1'), head(webhookId, `Content-Length: ${body.length}\r\nConnection: close\r\n`) + body, true);
    expect(sent).toMatch(/^HTTP\/1\.1 202 [\s\S]*"status":"queued"/);
    const old = await exchange(net.connect(port, '127.0.0.1'), `GET /health HTTP/1.0\r\nExpect: 200-ok\r\n\r\n`, true);
    expect(old).toMatch(/^HTTP\/1\.1 200 [\s\S]*"status":"ok"/);
  }, 20_000);

  it('a connection that sends nothing is answered 408 and closed after the headers timeout, so silent connections cannot fill the cap', async () => {
    const { port } = await start({ headersTimeoutMs: 300, requestTimeoutMs: 600, maxConnections: 2 });
    const silent = [net.connect(port, '127.0.0.1'), net.connect(port, '127.0.0.1')];
    const closed = silent.map((s) => new Promise<number>((resolve) => s.on('close', () => resolve(performance.now()))));
    const heard = silent.map((s) => {
      let got = '';
      s.on('data', (d: Buffer) => (got += d.toString()));
      return () => got;
    });
    for (const s of silent) {
      s.on('error', () => {});
      s.resume(); // a socket whose answer is never read never reports its end
      cleanups.push(() => void s.destroy());
    }
    const t0 = performance.now();
    for (const at of await Promise.all(closed)) expect(at - t0).toBeLessThan(3_000);
    for (const got of heard) expect(got()).toMatch(/^HTTP\/1\.1 408 [\s\S]*"code":"REQUEST_TIMEOUT"/);
    const got = await exchange(net.connect(port, '127.0.0.1'), 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n', true);
    expect(got).toMatch(/^HTTP\/1\.1 200 /);
  }, 20_000);
});

async function until(ok: () => boolean): Promise<void> {
  while (!ok()) await new Promise((r) => setTimeout(r, 10));
}

/** Writes a request and resolves with the first answer (or, with `toClose`, everything until the connection closes). */
function exchange(socket: net.Socket, text: string | Buffer, toClose = false): Promise<string> {
  return new Promise((resolve) => {
    let got = '';
    socket.on('error', () => {});
    const write = () => socket.write(text);
    if (socket.readyState === 'open') write();
    else socket.on('connect', write);
    socket.on('data', (d) => {
      got += d.toString();
      if (!toClose && got.includes('\r\n\r\n')) resolve(got);
    });
    socket.on('close', () => resolve(got));
  });
}
