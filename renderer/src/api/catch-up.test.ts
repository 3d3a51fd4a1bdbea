import { describe, expect, it } from 'vitest';
import { QueryClient, QueryObserver } from '@tanstack/react-query';
import { catchUpAfterOpen } from './catch-up.js';

/** A query whose answers the test releases; each answer is what the agent held (`state`) when it was asked. */
function source(initial: string) {
  const s = { state: initial, calls: 0, waiting: [] as (() => void)[] };
  const fn = (): Promise<string> => {
    s.calls++;
    const held = s.state;
    return new Promise((resolve) => s.waiting.push(() => resolve(held)));
  };
  const release = async (): Promise<void> => {
    const all = s.waiting.splice(0);
    for (const r of all) r();
    await new Promise((r) => setTimeout(r, 0));
  };
  return { s, fn, release };
}

function watch(qc: QueryClient, key: string, fn: () => Promise<string>) {
  const o = new QueryObserver(qc, { queryKey: [key], queryFn: fn, staleTime: 5_000, retry: false });
  const seen: (string | undefined)[] = [];
  const stop = o.subscribe((r) => seen.push(r.data));
  return { o, seen, stop };
}

describe('catching up when the event stream first opens', () => {
  it('refetches what loaded before the stream opened, so a change between the two is shown', async () => {
    const qc = new QueryClient();
    const ts = source('active');
    const w = watch(qc, 'trading-state', ts.fn);
    await ts.release();
    expect(w.o.getCurrentResult().data).toBe('active');
    expect(ts.s.calls).toBe(1);

    ts.s.state = 'halted'; // changed before the stream subscribed: no event will come
    catchUpAfterOpen(qc);
    expect(ts.s.calls).toBe(2);
    await ts.release();
    expect(w.o.getCurrentResult().data).toBe('halted');
    w.stop();
  });

  it('lets a load on its way finish, then refetches it once', async () => {
    const qc = new QueryClient();
    const orders = source('500 orders');
    const w = watch(qc, 'orders', orders.fn);
    expect(orders.s.calls).toBe(1); // still loading when the stream opens
    orders.s.state = '501 orders'; // changed after the answer was made, before the stream subscribed
    const stop = catchUpAfterOpen(qc);
    expect(orders.s.calls).toBe(1); // not cancelled, not doubled
    await orders.release(); // the first answer predates the subscription ...
    expect(orders.s.calls).toBe(2); // ... so it is asked again once
    await orders.release();
    expect(w.o.getCurrentResult().data).toBe('501 orders');
    await orders.release();
    expect(orders.s.calls).toBe(2);
    const shown = w.seen.filter((d, i) => d !== undefined && d !== w.seen[i - 1]); // each value as it first showed
    expect(shown).toEqual(['500 orders', '501 orders']);
    stop();
    w.stop();
  });

  it('stops waiting when the window goes away before the load ends', async () => {
    const qc = new QueryClient();
    const orders = source('x');
    const w = watch(qc, 'orders', orders.fn);
    const stop = catchUpAfterOpen(qc);
    stop();
    await orders.release();
    expect(orders.s.calls).toBe(1);
    w.stop();
  });
});
