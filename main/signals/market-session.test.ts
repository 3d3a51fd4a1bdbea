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

  it('follows New York time across every hour of a week and both daylight-saving changes, asked in any order', () => {
    const ny = new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', hour: 'numeric', hourCycle: 'h23', weekday: 'short' });
    const expected = (d: Date) => {
      const parts = ny.formatToParts(d);
      const hour = Number(parts.find((p) => p.type === 'hour')?.value);
      const weekday = parts.find((p) => p.type === 'weekday')?.value ?? '';
      return !['Sat', 'Sun'].includes(weekday) && hour >= 16 && hour < 20 ? 'extended' : 'closed';
    };
    const closed = clock(false, '2027-01-01T14:30:00Z'); // the next open far away: never the pre-market
    const times: number[] = [];
    for (const start of ['2026-03-06T00:00:00Z', '2026-10-30T00:00:00Z']) {
      for (let m = 0; m < 8 * 24 * 60; m += 17) times.push(Date.parse(start) + m * 60_000);
    }
    for (const t of [...times, ...times.reverse()]) expect(sessionFromClock(closed, new Date(t))).toBe(expected(new Date(t)));
  });
});
