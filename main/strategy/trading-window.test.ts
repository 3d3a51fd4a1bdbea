import { describe, expect, it } from 'vitest';
import { insideTradingWindow, localTime } from './trading-window.js';
import type { TradingWindowsConfig } from '../../shared/strategy-config.js';

const nyse: TradingWindowsConfig = {
  timezone: 'America/New_York',
  allowExitsOutside: true,
  windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:30', end: '16:00' }],
};

describe('insideTradingWindow', () => {
  it('no windows means always inside', () => {
    expect(insideTradingWindow('2026-01-04T03:00:00Z', { ...nyse, windows: [] })).toBe(true);
  });

  it('follows daylight saving: 09:30 New York is 14:30 UTC in winter and 13:30 UTC in summer', () => {
    expect(insideTradingWindow('2026-01-05T14:30:00Z', nyse)).toBe(true);
    expect(insideTradingWindow('2026-01-05T14:29:00Z', nyse)).toBe(false);
    expect(insideTradingWindow('2026-07-06T13:30:00Z', nyse)).toBe(true);
    expect(insideTradingWindow('2026-07-06T13:29:00Z', nyse)).toBe(false);
  });

  it('the end is exclusive and weekends are outside', () => {
    expect(insideTradingWindow('2026-01-05T21:00:00Z', nyse)).toBe(false);
    expect(insideTradingWindow('2026-01-10T16:00:00Z', nyse)).toBe(false);
  });

  it('a window past midnight counts for the day it started on', () => {
    const overnight: TradingWindowsConfig = { timezone: 'UTC', allowExitsOutside: true, windows: [{ days: ['fri'], start: '22:00', end: '02:00' }] };
    expect(insideTradingWindow('2026-01-09T23:00:00Z', overnight)).toBe(true);
    expect(insideTradingWindow('2026-01-10T01:59:00Z', overnight)).toBe(true);
    expect(insideTradingWindow('2026-01-10T02:00:00Z', overnight)).toBe(false);
    expect(insideTradingWindow('2026-01-08T23:00:00Z', overnight)).toBe(false);
  });

  it('an unknown time zone is outside every window instead of throwing', () => {
    expect(insideTradingWindow('2026-01-05T15:00:00Z', { ...nyse, timezone: 'Mars/Olympus_Mons' })).toBe(false);
  });

  it('the local time kept per minute is what formatting each instant gives, across offset changes and odd offsets', () => {
    const zones = ['America/New_York', 'Europe/London', 'Asia/Kathmandu', 'America/St_Johns', 'Australia/Lord_Howe', 'UTC'];
    // Around the 2026 changes: US and Canada 8 March and 1 November, UK 29 March and 25 October, Lord Howe (half an
    // hour) 5 April and 4 October; instants 7 min 13.5 s apart, each followed by the last and first ms of its minute.
    const spans = ['2026-03-07T00:00:00Z', '2026-03-28T12:00:00Z', '2026-04-04T00:00:00Z', '2026-10-03T00:00:00Z', '2026-10-24T12:00:00Z', '2026-10-31T12:00:00Z'];
    const formats = new Map(zones.map((zone) => [zone, new Intl.DateTimeFormat('en-US', { timeZone: zone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })]));
    const fresh = (zone: string, at: number): string => formats.get(zone)!.format(new Date(at)).replace(',', '');
    let compared = 0;
    for (const start of spans) {
      for (let t = Date.parse(start); t < Date.parse(start) + 2 * 86_400_000; t += 433_500) {
        const minuteStart = Math.floor(t / 60_000) * 60_000;
        for (const at of [t, minuteStart + 59_999, minuteStart + 60_000]) {
          for (const zone of zones) {
            expect(localTime(new Date(at).toISOString(), zone)?.label, `${zone} at ${new Date(at).toISOString()}`).toBe(fresh(zone, at));
            compared++;
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(40_000);
  });

  it('an invalid instant is not kept as a minute', () => {
    expect(() => localTime('not a time', 'UTC')).toThrow(RangeError);
    expect(localTime('2026-01-05T15:00:00Z', 'UTC')?.label).toBe('Mon 15:00');
  });
});
