// The shared HTTP helpers: transport failures map to the right BrokerError kind, Retry-After is read,
// the limiter lets urgent requests (cancels, exits) go first, and secrets are redacted.
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BrokerError } from '../port.js';
import { codeForBrokerError } from './codes.js';
import { kindForStatus, parseRetryAfter, sendHttp } from './request.js';
import { TokenBucket } from './rate-limiter.js';
import { redact } from './redact.js';
import { UpdateFilter } from './update-filter.js';
import type { BrokerOrder } from '../port.js';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const req = (url: string, timeoutMs = 300) => sendHttp({ method: 'POST', url, body: { a: 1 }, timeoutMs, secrets: ['supersecretvalue'] }, 'test');

describe('sendHttp transport mapping', () => {
  it('a request that gets no answer is a timeout (outcome unknown)', async () => {
    const url = await serve(() => undefined);
    const err = (await req(url).catch((e: unknown) => e)) as BrokerError;
    expect(err.kind).toBe('timeout');
    expect(err.outcomeUnknown).toBe(true);
  });

  it('a socket destroyed mid-request is connection_reset (outcome unknown)', async () => {
    const url = await serve((r) => r.socket.destroy());
    const err = (await req(url).catch((e: unknown) => e)) as BrokerError;
    expect(err.kind).toBe('connection_reset');
    expect(err.outcomeUnknown).toBe(true);
  });

  it('a refused connection is unreachable (certainly not sent)', async () => {
    const url = await serve(() => undefined);
    server!.closeAllConnections();
    await new Promise<void>((r) => server!.close(() => r()));
    server = undefined;
    const err = (await req(url).catch((e: unknown) => e)) as BrokerError;
    expect(err.kind).toBe('unreachable');
    expect(err.outcomeUnknown).toBe(false);
  });

  it('parses JSON answers and keeps the status', async () => {
    const url = await serve((_q, s) => {
      s.writeHead(422, { 'content-type': 'application/json' });
      s.end('{"code":1,"message":"no"}');
    });
    const res = await req(url);
    expect(res.status).toBe(422);
    expect(res.json).toEqual({ code: 1, message: 'no' });
  });
});

describe('status and Retry-After mapping', () => {
  it('reads delta-seconds and HTTP dates', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });

  it('a 5xx on an unsafe request is outcome-unknown, on a safe one unreachable', () => {
    expect(kindForStatus({ status: 502, brokerMessage: '', unsafe: true })).toBe('timeout');
    expect(kindForStatus({ status: 502, brokerMessage: '', unsafe: false })).toBe('unreachable');
    expect(kindForStatus({ status: 401, brokerMessage: '', unsafe: false })).toBe('auth');
    expect(kindForStatus({ status: 429, brokerMessage: '', unsafe: true })).toBe('rate_limited');
  });
});

describe('codeForBrokerError', () => {
  it('maps a kind to its code, unless the adapter gave a more precise one', () => {
    expect(codeForBrokerError(new BrokerError('invalid', 'x'))).toBe('CAPABILITY_UNSUPPORTED');
    expect(codeForBrokerError(new BrokerError('invalid', 'x', undefined, 'QUANTITY_NOT_WHOLE'))).toBe('QUANTITY_NOT_WHOLE');
    expect(codeForBrokerError(new Error('x'))).toBe('INTERNAL_ERROR');
  });
});

describe('TokenBucket', () => {
  it('lets urgent requests leave before queued normal ones', async () => {
    const bucket = new TokenBucket({ capacity: 1, refillPerSecond: 50 });
    await bucket.acquire();
    const order: string[] = [];
    const waits = [
      bucket.acquire('normal').then(() => order.push('entry-1')),
      bucket.acquire('normal').then(() => order.push('entry-2')),
      bucket.acquire('urgent').then(() => order.push('cancel')),
    ];
    await Promise.all(waits);
    expect(order).toEqual(['cancel', 'entry-1', 'entry-2']);
  });

  it('pauses for Retry-After: nothing leaves before the pause ends', async () => {
    let now = 0;
    const bucket = new TokenBucket({ capacity: 5, refillPerSecond: 1000, now: () => now });
    bucket.pauseFor(1000);
    let released = false;
    const p = bucket.acquire().then(() => (released = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(released).toBe(false);
    now = 1001;
    await p;
    expect(released).toBe(true);
  });
});

describe('redact and UpdateFilter', () => {
  it('replaces every occurrence of a secret', () => {
    expect(redact('key=abcd1234 again abcd1234', ['abcd1234'])).toBe('key=*** again ***');
  });

  const order = (status: BrokerOrder['status'], filled: string): BrokerOrder => ({ clientOrderId: 'c', brokerOrderId: 'b', symbol: 'X', side: 'buy', type: 'market', quantity: '2', filledQuantity: filled, status, updatedAt: 't' });

  it('drops duplicate fills and updates that would move an order backwards', () => {
    const f = new UpdateFilter();
    const fill = { tradeId: 't1', clientOrderId: 'c', brokerOrderId: 'b', symbol: 'X', side: 'buy' as const, quantity: '2', price: '1', time: 't' };
    expect(f.accept({ kind: 'fill', fill, order: order('filled', '2') })).toBeDefined();
    expect(f.accept({ kind: 'fill', fill, order: order('filled', '2') })).toBeUndefined();
    expect(f.accept({ kind: 'order', order: order('accepted', '0') })).toBeUndefined();
    expect(f.accept({ kind: 'order', order: order('canceled', '2') })).toBeUndefined();
  });
});
