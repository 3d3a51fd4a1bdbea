import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limit.js';

describe('per-webhook rate limits', () => {
  const limiter = (clock: () => number) => new RateLimiter({ perSecond: 50, burst: 1000 }, { perSecond: 1e6, burst: 1e6 }, clock);
  const takes = (l: RateLimiter, key: string, n: number, limits?: { perSecond: number; burst: number }): boolean[] => Array.from({ length: n }, () => l.allow(key, limits));

  it('a bucket whose limits did not change keeps what it has spent', () => {
    const l = limiter(() => 0);
    expect(takes(l, 'wh', 3, { perSecond: 1, burst: 3 })).toEqual([true, true, true]);
    // Same limits again (a fresh object, as a re-read strategy row gives): still empty.
    expect(takes(l, 'wh', 2, { perSecond: 1, burst: 3 })).toEqual([false, false]);
  });

  it('raised limits apply to the next request, not after a restart', () => {
    const l = limiter(() => 0);
    expect(takes(l, 'wh', 4, { perSecond: 1, burst: 3 })).toEqual([true, true, true, false]);
    expect(takes(l, 'wh', 5, { perSecond: 1000, burst: 1000 })).toEqual([true, true, true, true, true]);
  });

  it('removing a strategy limit falls back to the default at once; tightening one applies at once', () => {
    const l = limiter(() => 0);
    expect(takes(l, 'wh', 3, { perSecond: 1, burst: 3 })).toEqual([true, true, true]);
    expect(l.allow('wh')).toBe(true); // the default (50/s, burst 1000)
    expect(takes(l, 'other', 10)).toEqual(Array(10).fill(true));
    expect(takes(l, 'other', 3, { perSecond: 1, burst: 2 })).toEqual([true, true, false]);
  });

  it('a bucket refills at its own rate between requests', () => {
    let now = 0;
    const l = limiter(() => now);
    expect(takes(l, 'wh', 2, { perSecond: 1, burst: 1 })).toEqual([true, false]);
    now = 1000;
    expect(takes(l, 'wh', 2, { perSecond: 1, burst: 1 })).toEqual([true, false]);
  });
});
