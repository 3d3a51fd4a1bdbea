import { describe, expect, it } from 'vitest';
import { randomId } from './ids.js';

describe('random ids', () => {
  it('carry the prefix and 128 random bits, and never repeat across many refills of the pool', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const id = randomId('sig');
      expect(id).toMatch(/^sig_[A-Za-z0-9_-]{22}$/);
      seen.add(id);
    }
    expect(seen.size).toBe(5000);
    // Consecutive ids share no bytes (each takes its own 16 bytes of the pool).
    const a = Buffer.from(randomId('x').slice(2), 'base64url');
    const b = Buffer.from(randomId('x').slice(2), 'base64url');
    expect(a.length).toBe(16);
    expect(a.equals(b)).toBe(false);
  });
});
