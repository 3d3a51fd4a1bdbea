import { describe, expect, it } from 'vitest';
import { formatClock, formatCount, formatTime } from './format-time.js';

describe('table dates and counts', () => {
  it('shows local date and time as YYYY-MM-DD HH:MM:SS, zero-padded', () => {
    const d = new Date(2026, 2, 2, 4, 5, 6); // local time
    expect(formatTime(d.toISOString())).toBe('2026-03-02 04:05:06');
    expect(formatClock(d.toISOString())).toBe('04:05:06');
    const late = new Date(2026, 11, 31, 23, 59, 59);
    expect(formatTime(late.toISOString())).toBe('2026-12-31 23:59:59');
  });

  it('leaves what is not a date as it is, and nothing as empty', () => {
    expect(formatTime('soon')).toBe('soon');
    expect(formatClock('soon')).toBe('soon');
    expect(formatTime(undefined)).toBe('');
    expect(formatClock('')).toBe('');
  });

  it('groups counts by thousands', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(999)).toBe('999');
    expect(formatCount(1000)).toBe('1,000');
    expect(formatCount(100000)).toBe('100,000');
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount(-12345)).toBe('-12,345');
  });
});
