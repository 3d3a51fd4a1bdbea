import { describe, expect, it } from 'vitest';
import { fuzzCases } from './fuzz-cases.js';

describe('webhook fuzz corpus', () => {
  it('is the same for the same seed, so a failing case can be replayed', () => {
    expect(fuzzCases(50, 42)).toEqual(fuzzCases(50, 42));
  });

  it('mixes valid JSON, broken JSON and non-JSON text', () => {
    const cases = fuzzCases(2000, 7);
    let json = 0;
    let broken = 0;
    for (const c of cases) {
      try {
        JSON.parse(c.body);
        json++;
      } catch {
        broken++;
      }
    }
    expect(json).toBeGreaterThan(200);
    expect(broken).toBeGreaterThan(200);
    expect(cases.some((c) => c.body.includes('{{'))).toBe(true);
    expect(cases.some((c) => c.body.includes('\\"'))).toBe(true);
  });
});
