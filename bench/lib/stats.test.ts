import { describe, expect, it } from 'vitest';
import { median, percentile, summarise } from './stats.js';
import { check } from './report.js';

describe('bench statistics', () => {
  it('takes nearest-rank percentiles, so p99 of 100 samples is the 99th smallest', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // unsorted on purpose
    expect(percentile(values, 0.99)).toBe(99);
    expect(percentile(values, 0.5)).toBe(50);
    expect(median([3, 1, 2])).toBe(2);
    expect(percentile([], 0.5)).toBeNaN();
  });

  it('summarises latencies with p50, p99 and max', () => {
    expect(summarise([1, 2, 3, 4, 100])).toEqual({ count: 5, p50: 3, p99: 100, max: 100 });
  });
});

describe('bars', () => {
  it('passes a figure inside its bar and misses one outside or not finite', () => {
    expect(check('p99', 9.9, 'ms', { max: 10, text: '≤ 10 ms' }).pass).toBe(true);
    expect(check('p99', 10.1, 'ms', { max: 10, text: '≤ 10 ms' }).pass).toBe(false);
    expect(check('ratio', 69, '%', { min: 70, text: '≥ 70%' }).pass).toBe(false);
    expect(check('ratio', Number.NaN, '%', { min: 70, text: '≥ 70%' }).pass).toBe(false);
  });
});
