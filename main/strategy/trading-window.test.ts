import { describe, expect, it } from 'vitest';
import { insideTradingWindow } from './trading-window.js';
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
});
