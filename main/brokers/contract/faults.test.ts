import { describe, expect, it } from 'vitest';
import { FaultPlan } from './faults.js';

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
