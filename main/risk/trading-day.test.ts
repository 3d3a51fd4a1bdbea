import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { tradingDayAt } from './trading-day.js';

const ny17 = { timeZone: 'America/New_York', startsAt: '17:00' };
const day = (now: string, d?: { timeZone: string; startsAt: string }) => {
  const w = tradingDayAt(now, d);
  return [w.start, w.end];
};

describe('the trading day of the risk rules', () => {
  it('left out, is the UTC day, turning at the boundary millisecond, with the broker\'s own start', () => {
    expect(day('2026-03-10T23:59:59.999Z')).toEqual(['2026-03-10T00:00:00.000Z', '2026-03-11T00:00:00.000Z']);
    expect(day('2026-03-11T00:00:00.000Z')).toEqual(['2026-03-11T00:00:00.000Z', '2026-03-12T00:00:00.000Z']);
    expect(tradingDayAt('2026-03-11T00:00:00.000Z')).toMatchObject({ definition: 'UTC 00:00', timeZone: 'UTC', startsAt: '00:00', brokerStart: true });
    // Set to UTC midnight explicitly: the same boundaries, but the agent's own first reading (no broker start).
    expect(tradingDayAt('2026-03-11T00:00:00.000Z', { timeZone: 'UTC', startsAt: '00:00' })).toMatchObject({ start: '2026-03-11T00:00:00.000Z', end: '2026-03-12T00:00:00.000Z', brokerStart: false });
  });

  it('17:00 New York turns at 22:00 UTC in winter and 21:00 UTC in summer, at the boundary minute', () => {
    expect(day('2026-01-06T21:59:59.999Z', ny17)).toEqual(['2026-01-05T22:00:00.000Z', '2026-01-06T22:00:00.000Z']);
    expect(day('2026-01-06T22:00:00.000Z', ny17)).toEqual(['2026-01-06T22:00:00.000Z', '2026-01-07T22:00:00.000Z']);
    expect(day('2026-07-15T20:59:00.000Z', ny17)).toEqual(['2026-07-14T21:00:00.000Z', '2026-07-15T21:00:00.000Z']);
    expect(day('2026-07-15T21:00:00.000Z', ny17)).toEqual(['2026-07-15T21:00:00.000Z', '2026-07-16T21:00:00.000Z']);
    // 19:00 / 20:00 New York, where the UTC day turns, is the middle of this day, not a boundary.
    expect(day('2026-01-07T00:30:00.000Z', ny17)).toEqual(['2026-01-06T22:00:00.000Z', '2026-01-07T22:00:00.000Z']);
    expect(tradingDayAt('2026-01-07T00:30:00.000Z', ny17)).toMatchObject({ definition: 'America/New_York 17:00', brokerStart: false });
  });

  it('follows daylight saving: the day over the spring change is 23 hours, over the autumn change 25', () => {
    // US clocks go 02:00 EST → 03:00 EDT on Sunday 8 March 2026 and 02:00 EDT → 01:00 EST on Sunday 1 November.
    expect(day('2026-03-08T12:00:00.000Z', ny17)).toEqual(['2026-03-07T22:00:00.000Z', '2026-03-08T21:00:00.000Z']);
    expect(day('2026-03-08T21:00:00.000Z', ny17)).toEqual(['2026-03-08T21:00:00.000Z', '2026-03-09T21:00:00.000Z']);
    expect(day('2026-11-01T12:00:00.000Z', ny17)).toEqual(['2026-10-31T21:00:00.000Z', '2026-11-01T22:00:00.000Z']);
    expect(day('2026-11-01T21:59:59.999Z', ny17)).toEqual(['2026-10-31T21:00:00.000Z', '2026-11-01T22:00:00.000Z']);
    expect(day('2026-11-01T22:00:00.000Z', ny17)).toEqual(['2026-11-01T22:00:00.000Z', '2026-11-02T22:00:00.000Z']);
    // London midnight: the day of 29 March 2026 (clocks 01:00 GMT → 02:00 BST) ends at 23:00 UTC.
    expect(day('2026-03-29T12:00:00.000Z', { timeZone: 'Europe/London', startsAt: '00:00' })).toEqual(['2026-03-29T00:00:00.000Z', '2026-03-29T23:00:00.000Z']);
  });

  it('a start in the hour the clocks skip is the moment they jump; in the hour they repeat, the first of the two', () => {
    const skipped = { timeZone: 'America/New_York', startsAt: '02:30' };
    // 8 March 2026: 01:59 EST (06:59 UTC) is still the day that began 7 March 02:30 EST; at 07:00 UTC it is 03:00 EDT.
    expect(day('2026-03-08T06:59:59.999Z', skipped)).toEqual(['2026-03-07T07:30:00.000Z', '2026-03-08T07:00:00.000Z']);
    expect(day('2026-03-08T07:00:00.000Z', skipped)).toEqual(['2026-03-08T07:00:00.000Z', '2026-03-09T06:30:00.000Z']);
    const repeated = { timeZone: 'America/New_York', startsAt: '01:30' };
    // 1 November 2026: 01:30 EDT is 05:30 UTC; the second 01:15 (EST, 06:15 UTC) is inside that day, not before it.
    expect(day('2026-11-01T05:29:59.999Z', repeated)).toEqual(['2026-10-31T05:30:00.000Z', '2026-11-01T05:30:00.000Z']);
    expect(day('2026-11-01T05:30:00.000Z', repeated)).toEqual(['2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z']);
    expect(day('2026-11-01T06:15:00.000Z', repeated)).toEqual(['2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z']);
  });

  it('a zone this platform does not know falls back to the UTC day, and says so', () => {
    expect(tradingDayAt('2026-03-10T12:00:00.000Z', { timeZone: 'Mars/Olympus_Mons', startsAt: '17:00' })).toMatchObject({
      start: '2026-03-10T00:00:00.000Z', end: '2026-03-11T00:00:00.000Z', unknownZone: true, brokerStart: false,
    });
  });

  it('for any instant and setting, the day holds the instant, starts at the set wall-clock time, and days tile time', () => {
    const settings = [
      ny17,
      { timeZone: 'America/New_York', startsAt: '00:00' },
      { timeZone: 'America/New_York', startsAt: '02:30' },
      { timeZone: 'America/New_York', startsAt: '01:30' },
      { timeZone: 'Europe/London', startsAt: '01:30' },
      { timeZone: 'Asia/Kathmandu', startsAt: '09:15' },
      { timeZone: 'Australia/Lord_Howe', startsAt: '02:00' },
      { timeZone: 'America/Santiago', startsAt: '00:00' },
      undefined,
    ];
    // "2026-09-06 01:00": sortable wall-clock time.
    const wall = (zone: string, at: number) => new Intl.DateTimeFormat('sv-SE', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(at));
    fc.assert(
      fc.property(fc.integer({ min: Date.parse('2025-01-01T00:00:00Z'), max: Date.parse('2027-12-31T00:00:00Z') }), fc.constantFrom(...settings), (t, setting) => {
        const w = tradingDayAt(new Date(t).toISOString(), setting);
        const start = Date.parse(w.start);
        const end = Date.parse(w.end);
        expect(start).toBeLessThanOrEqual(t);
        expect(end).toBeGreaterThan(t);
        expect(end - start).toBeGreaterThanOrEqual(22 * 3_600_000);
        expect(end - start).toBeLessThanOrEqual(26 * 3_600_000);
        // The first instant of the day and the last one belong to it; the next instant to the next day.
        expect(tradingDayAt(w.start, setting).start).toBe(w.start);
        expect(tradingDayAt(new Date(end - 1).toISOString(), setting).start).toBe(w.start);
        expect(tradingDayAt(w.end, setting).start).toBe(w.end);
        const zone = setting?.timeZone ?? 'UTC';
        const startsAt = setting?.startsAt ?? '00:00';
        // The day starts at the set time, or (when the clocks skip it) at the first minute after it.
        const at = wall(zone, start);
        const set = `${at.slice(0, 10)} ${startsAt}`;
        if (at !== set) expect([set > wall(zone, start - 60_000), at > set], `${zone} ${startsAt} day from ${w.start}`).toEqual([true, true]);
      }),
      { numRuns: 800 },
    );
  });
});
