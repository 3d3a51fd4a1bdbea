import { describe, expect, it } from 'vitest';
import { businessDayOnOrBefore, businessDaysBefore, isBusinessDay, isCovered, isEarlyClose, isHoliday } from './exchange-calendar.js';

const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`);
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);

describe('US exchange calendar (NYSE holidays and early closes, 2025–2028)', () => {
  it('knows the full holidays of each year, observed dates included', () => {
    for (const d of ['2025-01-09', '2025-04-18', '2026-07-03', '2026-11-26', '2027-06-18', '2027-07-05', '2027-12-24', '2028-06-19']) expect(isHoliday(d)).toBe(true);
    // 1 January 2028 is a Saturday: no holiday is observed on Friday 31 December 2027.
    expect(isHoliday('2027-12-31')).toBe(false);
    expect(isBusinessDay(day('2027-12-31'))).toBe(true);
  });

  it('every listed holiday and early close falls on a weekday, and an early close is never a holiday', () => {
    for (let t = day('2025-01-01'); t <= day('2028-12-31'); t += 86_400_000) {
      const d = iso(t);
      const weekend = [0, 6].includes(new Date(t).getUTCDay());
      if (isHoliday(d) || isEarlyClose(d)) expect(weekend).toBe(false);
      expect(isHoliday(d) && isEarlyClose(d)).toBe(false);
    }
    expect(['2025-07-03', '2025-11-28', '2025-12-24', '2026-11-27', '2026-12-24', '2027-11-26', '2028-07-03', '2028-11-24'].every(isEarlyClose)).toBe(true);
  });

  it('counts business days over weekends and holidays', () => {
    expect(iso(businessDaysBefore(day('2026-12-24'), 3))).toBe('2026-12-21');
    expect(iso(businessDaysBefore(day('2027-11-26'), 1))).toBe('2027-11-24'); // Thanksgiving skipped
    expect(iso(businessDayOnOrBefore(day('2026-12-25')))).toBe('2026-12-24');
    expect(iso(businessDayOnOrBefore(day('2027-01-03')))).toBe('2026-12-31');
  });

  it('says which years it covers', () => {
    expect(isCovered('2025-01-01')).toBe(true);
    expect(isCovered('2028-12-31')).toBe(true);
    expect(isCovered('2029-01-02')).toBe(false);
  });
});
