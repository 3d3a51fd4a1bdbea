import { describe, expect, it } from 'vitest';
import { preloadedBody, preloadGet, takeArrivedBody, takePreloaded } from './preload.js';
import { defaultFirstPagePath, ordersPagePath, ordersQuery, DEFAULT_SORT, DEFAULT_DIRECTION } from '../pages/orders-query.js';

// Nothing listens on port 9 of the loopback (discard; closed here): the early request fails, which these tests
// use to prove the failure is kept for whoever takes the answer, never thrown as an unhandled rejection.
const CLOSED = 'http://127.0.0.1:9';

describe('early requests', () => {
  it('hands the early answer over once; the next caller makes its own request', async () => {
    const path = `${CLOSED}/api/orders?probe=once`;
    preloadGet(path, 'tok-a');
    const early = takePreloaded(path, 'tok-a');
    expect(early).toBeInstanceOf(Promise);
    expect(takePreloaded(path, 'tok-a')).toBeUndefined();
    await expect(early).rejects.toThrow();
  });

  it('never hands an answer asked with another token, and drops it', () => {
    const path = `${CLOSED}/api/orders?probe=token`;
    preloadGet(path, 'tok-a');
    expect(takePreloaded(path, 'tok-b')).toBeUndefined();
    expect(takePreloaded(path, 'tok-a')).toBeUndefined();
  });

  it('has nothing for a path nobody asked for early', () => {
    expect(takePreloaded(`${CLOSED}/api/orders?status=filled`, 'tok-a')).toBeUndefined();
  });

  it('lets the entry script read the body and the client still take the answer', async () => {
    const path = `data:application/json,${encodeURIComponent(JSON.stringify({ items: [{ id: 'ord_1' }], total: 1 }))}`;
    preloadGet(path, 'tok-a');
    expect(await preloadedBody(path, 'tok-a')).toEqual({ items: [{ id: 'ord_1' }], total: 1 });
    const early = takePreloaded(path, 'tok-a');
    expect(await (await early!).json()).toEqual({ items: [{ id: 'ord_1' }], total: 1 });
  });

  it('hands an arrived body over once, after which nobody takes the answer again', async () => {
    const path = `data:application/json,${encodeURIComponent('{"items":[],"total":0}')}`;
    preloadGet(path, 'tok-a');
    expect(takeArrivedBody(path, 'tok-b')).toBeUndefined();
    preloadGet(path, 'tok-a');
    await preloadedBody(path, 'tok-a');
    expect(takeArrivedBody(path, 'tok-a')).toEqual({ body: { items: [], total: 0 } });
    expect(takeArrivedBody(path, 'tok-a')).toBeUndefined();
    expect(takePreloaded(path, 'tok-a')).toBeUndefined();
  });

  it('has no body for a failed request, and the failure stays with the answer', async () => {
    const path = `${CLOSED}/api/orders?probe=body`;
    preloadGet(path, 'tok-a');
    expect(await preloadedBody(path, 'tok-a')).toBeUndefined();
    expect(takeArrivedBody(path, 'tok-a')).toBeUndefined();
    await expect(takePreloaded(path, 'tok-a')).rejects.toThrow();
  });

  it('asks for exactly the page the unfiltered orders table asks for first', () => {
    const tableFirst = ordersPagePath(ordersQuery({ status: '', symbol: ' ', search: '', sort: DEFAULT_SORT, direction: DEFAULT_DIRECTION }), 0);
    expect(defaultFirstPagePath()).toBe(tableFirst);
    expect(defaultFirstPagePath()).toBe('/api/orders?sort=created_at&direction=desc&limit=100&offset=0');
  });
});
