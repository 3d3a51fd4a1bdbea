import { describe, expect, it } from 'vitest';
import { sessionFromClock } from './market-session.js';

describe('equity session from the broker clock', () => {
  const clock = (isOpen: boolean, nextOpen: string) => ({ is_open: isOpen, next_open: nextOpen, next_close: '2026-03-03T21:00:00Z' });
  it.each([
    ['regular hours', clock(true, '2026-03-04T14:30:00Z'), '2026-03-03T15:00:00Z', 'open'],
    ['pre-market (05:00 New York)', clock(false, '2026-03-03T14:30:00Z'), '2026-03-03T10:00:00Z', 'extended'],
    ['after hours (17:00 New York)', clock(false, '2026-03-04T14:30:00Z'), '2026-03-03T22:00:00Z', 'extended'],
    ['night (23:00 New York)', clock(false, '2026-03-04T14:30:00Z'), '2026-03-04T04:00:00Z', 'closed'],
    ['weekend', clock(false, '2026-03-09T13:30:00Z'), '2026-03-07T18:00:00Z', 'closed'],
  ])('%s', (_name, c, now, expected) => {
    expect(sessionFromClock(c, new Date(now))).toBe(expected);
  });
});
