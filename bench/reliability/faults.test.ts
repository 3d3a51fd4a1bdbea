import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../main/brokers/contract/faults.js';
import { schedule } from './faults.js';

describe('the fault schedule of the broker-faults suite', () => {
  it('fails exactly 30% of the first n submits, never more than 3 in a row, the same for the same seed', () => {
    for (const seed of [1, 42, 20261130, 739201035]) {
      for (const n of [100, 500]) {
        const s = schedule(n, 0.3, seededRandom(seed));
        expect(s).toHaveLength(n);
        expect(s.filter(Boolean)).toHaveLength(Math.round(n * 0.3));
        let run = 0;
        let longest = 0;
        for (const f of s) {
          run = f ? run + 1 : 0;
          longest = Math.max(longest, run);
        }
        expect(longest).toBeLessThanOrEqual(3);
        expect(schedule(n, 0.3, seededRandom(seed))).toEqual(s);
      }
    }
  });

  it('spreads the faults: neither all at the start nor all at the end', () => {
    const s = schedule(500, 0.3, seededRandom(7));
    const firstHalf = s.slice(0, 250).filter(Boolean).length;
    expect(firstHalf).toBeGreaterThan(50);
    expect(firstHalf).toBeLessThan(100);
  });
});
