import { describe, expect, it } from 'vitest';
import { countdown, isUrgent } from './countdown.js';

const at = Date.parse('2026-01-01T12:00:00.000Z');

describe('approval countdown', () => {
  it('shows minutes and seconds left, hours when over an hour, and "expired" at the expiry', () => {
    expect(countdown('2026-01-01T12:04:05.000Z', at)).toBe('4:05');
    expect(countdown('2026-01-01T12:00:09.400Z', at)).toBe('0:09');
    expect(countdown('2026-01-01T13:01:02.000Z', at)).toBe('1:01:02');
    expect(countdown('2026-01-01T12:00:00.000Z', at)).toBe('expired');
    expect(countdown('2026-01-01T11:59:00.000Z', at)).toBe('expired');
    expect(countdown('not a date', at)).toBe('');
  });

  it('is urgent in the last 30 seconds only', () => {
    expect(isUrgent('2026-01-01T12:00:29.000Z', at)).toBe(true);
    expect(isUrgent('2026-01-01T12:00:31.000Z', at)).toBe(false);
  });
});
