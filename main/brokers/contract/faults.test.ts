import { describe, expect, it } from 'vitest';
import express from 'express';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FaultPlan, faultMiddleware } from './faults.js';

describe('a fault armed for one path', () => {
  it('is taken only by a request to that path: another request of the same kind passes, and it stays pending until then', () => {
    const plan = new FaultPlan();
    plan.failNext('server_error', { on: 'query', path: '/v2/assets/AAPL', status: 503 });
    expect(plan.pending()).toBe(1);
    expect(plan.take('query', '/v2/orders')).toBeUndefined(); // a reconciliation's read of the orders
    expect(plan.take('query')).toBeUndefined(); // a caller without a path (the paper broker's switches)
    expect(plan.take('account', '/v2/assets/AAPL')).toBeUndefined(); // the path, but not the kind
    expect(plan.pending()).toBe(1);
    expect(plan.take('query', '/v2/assets/AAPL')).toMatchObject({ fault: 'server_error', status: 503 });
    expect(plan.pending()).toBe(0);
    expect(plan.take('query', '/v2/assets/AAPL')).toBeUndefined(); // one hit
  });

  it('a fault without a path is taken by the first request of its kind, as before', () => {
    const plan = new FaultPlan();
    plan.failNext('rate_limit', { on: 'query', retryAfterSeconds: 2, count: 2 });
    expect(plan.take('submit', '/v2/orders')).toBeUndefined();
    expect(plan.take('query', '/v2/orders')).toMatchObject({ fault: 'rate_limit', retryAfterSeconds: 2 });
    expect(plan.pending()).toBe(1); // its second hit
    expect(plan.take('query')).toMatchObject({ fault: 'rate_limit' });
    expect(plan.pending()).toBe(0);
  });
});

describe('faults chosen per request (a rate, not a count)', () => {
  it('asks the chooser for each request no armed fault takes, with its kind and path; clear() forgets it', () => {
    const plan = new FaultPlan();
    const asked: string[] = [];
    let n = 0;
    plan.chooseEach((op, path) => {
      asked.push(`${op} ${path}`);
      return op === 'submit' && n++ % 2 === 0 ? { fault: 'server_error', options: { status: 502 } } : undefined;
    });
    plan.failNext('rate_limit', { on: 'submit' });
    expect(plan.take('submit', '/v2/orders')).toMatchObject({ fault: 'rate_limit' }); // the armed one first
    expect(asked).toEqual([]);
    expect(plan.take('submit', '/v2/orders')).toMatchObject({ fault: 'server_error', status: 502 });
    expect(plan.take('submit', '/v2/orders')).toBeUndefined();
    expect(plan.take('query', '/v2/orders/x')).toBeUndefined();
    expect(plan.take('submit', '/v2/orders')).toMatchObject({ fault: 'server_error' });
    expect(asked).toEqual(['submit /v2/orders', 'submit /v2/orders', 'query /v2/orders/x', 'submit /v2/orders']);
    expect(plan.pending()).toBe(0); // chosen faults are never pending
    plan.clear();
    expect(plan.take('submit', '/v2/orders')).toBeUndefined();
    expect(asked).toHaveLength(4);
  });

  it('a slow request is processed, and answered after its delay', async () => {
    const plan = new FaultPlan();
    const app = express();
    let processedAt = 0;
    app.use(faultMiddleware(plan, () => 'submit', { error: (res, status) => res.status(status).end() }));
    app.post('/v2/orders', (_req, res) => {
      processedAt = Date.now();
      res.status(200).json({ ok: true });
    });
    const server = createServer(app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2/orders`;
      plan.chooseEach(() => ({ fault: 'slow', options: { delayMs: 300 } }));
      const t0 = Date.now();
      const res = await fetch(url, { method: 'POST' });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ ok: true });
      expect(processedAt - t0).toBeGreaterThanOrEqual(290);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
