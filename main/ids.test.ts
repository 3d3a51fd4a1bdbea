import { describe, expect, it } from 'vitest';
import { randomId } from './ids.js';

describe('random ids', () => {
  it('carry the prefix, the time and 96 random bits, and never repeat across many refills of the pool', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const id = randomId('sig');
      expect(id).toMatch(/^sig_[0-9a-v]{10}[A-Za-z0-9_-]{16}$/);
      seen.add(id);
    }
    expect(seen.size).toBe(5000);
    // Consecutive ids share no random bytes (each takes its own 12 bytes of the pool).
    const a = Buffer.from(randomId('x').slice(12), 'base64url');
    const b = Buffer.from(randomId('x').slice(12), 'base64url');
    expect(a.length).toBe(12);
    expect(a.equals(b)).toBe(false);
  });

  it('sort by creation time as plain strings', async () => {
    const first = randomId('ord');
    await new Promise((r) => setTimeout(r, 5));
    const second = randomId('ord');
    expect([second, first].sort()).toEqual([first, second]);
    expect(parseInt(first.slice(4, 14), 32)).toBeLessThanOrEqual(Date.now());
    expect(parseInt(first.slice(4, 14), 32)).toBeGreaterThan(Date.now() - 60_000);
  });
});
