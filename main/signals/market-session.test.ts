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

describe('NYSE holidays and early closes', () => {
  // What Alpaca's clock answers on Thanksgiving 2026 after 16:00 New York time: closed, next open on Friday.
  const thanksgiving = { is_open: false, next_open: '2026-11-27T14:30:00Z', next_close: '2026-11-27T18:00:00Z' };
  const afterEarlyClose = { is_open: false, next_open: '2026-11-30T14:30:00Z', next_close: '2026-11-30T21:00:00Z' };

  it.each([
    ['Thanksgiving 2026-11-26 at 16:30 New York', '2026-11-26T21:30:00Z'],
    ['Thanksgiving at 05:00 New York', '2026-11-26T10:00:00Z'],
    ['Thanksgiving at 12:00 New York', '2026-11-26T17:00:00Z'],
    ['Thanksgiving at 19:59 New York', '2026-11-27T00:59:00Z'],
  ])('a full holiday is closed all day: %s', (_name, now) => {
    expect(sessionFromClock(thanksgiving, new Date(now))).toBe('closed');
  });

  it.each([
    ['Juneteenth 2026-06-19 (Friday) at 17:00', '2026-06-19T21:00:00Z', '2026-06-22T13:30:00Z'],
    ['Independence Day observed 2026-07-03 at 16:30', '2026-07-03T20:30:00Z', '2026-07-06T13:30:00Z'],
    ['Christmas observed 2027-12-24 at 18:00', '2027-12-24T23:00:00Z', '2027-12-27T14:30:00Z'],
    ['Good Friday 2028-04-14 at 16:01', '2028-04-14T20:01:00Z', '2028-04-17T13:30:00Z'],
    // Past the NYSE's published calendars: the rules still know the holidays.
    ['Good Friday 2029-03-30 at 17:00', '2029-03-30T21:00:00Z', '2029-04-02T13:30:00Z'],
    ['Thanksgiving 2031-11-27 at 18:00', '2031-11-27T23:00:00Z', '2031-11-28T14:30:00Z'],
  ])('%s is closed, not after hours', (_name, now, nextOpen) => {
    expect(sessionFromClock({ is_open: false, next_open: nextOpen, next_close: nextOpen }, new Date(now))).toBe('closed');
  });

  it('the trading day after a holiday has its pre-market', () => {
    expect(sessionFromClock(thanksgiving, new Date('2026-11-27T10:00:00Z'))).toBe('extended'); // 05:00 New York
  });

  it.each([
    ['13:00 (the early close)', '2026-11-27T18:00:00Z', 'extended'],
    ['15:30', '2026-11-27T20:30:00Z', 'extended'],
    ['16:59', '2026-11-27T21:59:00Z', 'extended'],
    ['17:00 (the late session has ended)', '2026-11-27T22:00:00Z', 'closed'],
    ['18:30', '2026-11-27T23:30:00Z', 'closed'],
  ])('on the early-close day 2026-11-27 the after-hours session runs 13:00–17:00: %s', (_name, now, expected) => {
    expect(sessionFromClock(afterEarlyClose, new Date(now))).toBe(expected);
  });

  it('Christmas Eve 2026 closes early too, and an ordinary Friday keeps 16:00–20:00', () => {
    const next = { is_open: false, next_open: '2026-12-28T14:30:00Z', next_close: '2026-12-28T21:00:00Z' };
    expect(sessionFromClock(next, new Date('2026-12-24T22:30:00Z'))).toBe('closed'); // 17:30 New York
    const friday = { is_open: false, next_open: '2026-12-07T14:30:00Z', next_close: '2026-12-07T21:00:00Z' };
    expect(sessionFromClock(friday, new Date('2026-12-04T22:30:00Z'))).toBe('extended'); // 17:30 New York
  });

  it('an early close after the published calendars: Christmas Eve 2029 (a Monday) ends the late session at 17:00', () => {
    const next = { is_open: false, next_open: '2029-12-26T14:30:00Z', next_close: '2029-12-26T21:00:00Z' };
    expect(sessionFromClock(next, new Date('2029-12-24T21:30:00Z'))).toBe('extended'); // 16:30 New York
    expect(sessionFromClock(next, new Date('2029-12-24T22:30:00Z'))).toBe('closed'); // 17:30 New York
  });
});
