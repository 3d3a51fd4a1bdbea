import { describe, expect, it } from 'vitest';
import { normaliseTime } from './time.js';

describe('normaliseTime answers ISO UTC for every accepted alert time format', () => {
  it.each([
    ['2026-03-02T14:31:00Z', '2026-03-02T14:31:00.000Z'],
    ['2026-03-02T14:31:00.123Z', '2026-03-02T14:31:00.123Z'],
    ['2026-03-02T15:31:00+01:00', '2026-03-02T14:31:00.000Z'],
    ['2026-03-02T09:31:00-0500', '2026-03-02T14:31:00.000Z'],
    ['2026-03-02 14:31:00Z', '2026-03-02T14:31:00.000Z'],
    [1772461860, '2026-03-02T14:31:00.000Z'],
    ['1772461860', '2026-03-02T14:31:00.000Z'],
    [1772461860000, '2026-03-02T14:31:00.000Z'],
    ['1772461860123', '2026-03-02T14:31:00.123Z'],
  ])('%j → %s', (input, out) => {
    const r = normaliseTime(input);
    expect(r.ok && r.value).toBe(out);
  });

  it('reads a time without a zone as UTC and says so', () => {
    const r = normaliseTime('2026-03-02T14:31:00');
    expect(r).toEqual({ ok: true, value: '2026-03-02T14:31:00.000Z', warning: expect.stringContaining('UTC') });
  });

  it.each(['', 'yesterday', '2026-02-31T00:00:00Z', '2026-13-01T00:00:00Z', '2026-03-02T24:00:00Z', '1899-01-01T00:00:00Z', '12', '-1772461860', 'NaN', '2026-03-02T14:31:00+15:00', true])(
    '%j is refused',
    (input) => {
      expect(normaliseTime(input).ok).toBe(false);
    },
  );
});
