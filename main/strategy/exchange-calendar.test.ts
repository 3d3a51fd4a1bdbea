import { describe, expect, it } from 'vitest';
import { businessDayOnOrBefore, businessDaysBefore, isBusinessDay, isCovered, isEarlyClose, isHoliday, RULES_FIRST_YEAR } from './exchange-calendar.js';

const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`);
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);

// The NYSE's published calendars: the holidays and 13:00 early closes the rules must reproduce exactly.
// 2022–2024: NYSE Group's announcement of 27 December 2021; 2025–2027: of 8 November 2024; 2026–2028: of
// 23 December 2025 (the latest: nothing later is published). 2025-01-09 is the national day of mourning, announced
// apart from the calendar.
const PUBLISHED: Record<number, { holidays: string[]; earlyCloses: string[] }> = {
  2022: {
    holidays: ['2022-01-17', '2022-02-21', '2022-04-15', '2022-05-30', '2022-06-20', '2022-07-04', '2022-09-05', '2022-11-24', '2022-12-26'],
    earlyCloses: ['2022-11-25'],
  },
  2023: {
    holidays: ['2023-01-02', '2023-01-16', '2023-02-20', '2023-04-07', '2023-05-29', '2023-06-19', '2023-07-04', '2023-09-04', '2023-11-23', '2023-12-25'],
    earlyCloses: ['2023-07-03', '2023-11-24'],
  },
  2024: {
    holidays: ['2024-01-01', '2024-01-15', '2024-02-19', '2024-03-29', '2024-05-27', '2024-06-19', '2024-07-04', '2024-09-02', '2024-11-28', '2024-12-25'],
    earlyCloses: ['2024-07-03', '2024-11-29', '2024-12-24'],
  },
  2025: {
    holidays: ['2025-01-01', '2025-01-09', '2025-01-20', '2025-02-17', '2025-04-18', '2025-05-26', '2025-06-19', '2025-07-04', '2025-09-01', '2025-11-27', '2025-12-25'],
    earlyCloses: ['2025-07-03', '2025-11-28', '2025-12-24'],
  },
  2026: {
    holidays: ['2026-01-01', '2026-01-19', '2026-02-16', '2026-04-03', '2026-05-25', '2026-06-19', '2026-07-03', '2026-09-07', '2026-11-26', '2026-12-25'],
    earlyCloses: ['2026-11-27', '2026-12-24'],
  },
  2027: {
    holidays: ['2027-01-01', '2027-01-18', '2027-02-15', '2027-03-26', '2027-05-31', '2027-06-18', '2027-07-05', '2027-09-06', '2027-11-25', '2027-12-24'],
    earlyCloses: ['2027-11-26'],
  },
  2028: {
    // 1 January 2028 is a Saturday: no New Year's Day holiday is observed.
    holidays: ['2028-01-17', '2028-02-21', '2028-04-14', '2028-05-29', '2028-06-19', '2028-07-04', '2028-09-04', '2028-11-23', '2028-12-25'],
    earlyCloses: ['2028-07-03', '2028-11-24'],
  },
};

/** Every date of a year whose `test` is true. */
function datesOf(year: number, test: (d: string) => boolean): string[] {
  const out: string[] = [];
  for (let t = Date.UTC(year, 0, 1); t < Date.UTC(year + 1, 0, 1); t += 86_400_000) if (test(iso(t))) out.push(iso(t));
  return out;
}

describe('US exchange calendar (NYSE holidays and early closes, from the exchange rules)', () => {
  it('reproduces every published holiday and early close of 2022–2028 exactly, and no other day', () => {
    for (const [year, published] of Object.entries(PUBLISHED)) {
      expect(datesOf(Number(year), isHoliday)).toEqual(published.holidays.slice().sort());
      expect(datesOf(Number(year), isEarlyClose)).toEqual(published.earlyCloses);
    }
  });

  it('knows the years after the published calendars: 2029 and 2033', () => {
    // 2029: Easter is 1 April; 4 July a Wednesday; Christmas a Tuesday.
    expect(datesOf(2029, isHoliday)).toEqual(['2029-01-01', '2029-01-15', '2029-02-19', '2029-03-30', '2029-05-28', '2029-06-19', '2029-07-04', '2029-09-03', '2029-11-22', '2029-12-25']);
    expect(datesOf(2029, isEarlyClose)).toEqual(['2029-07-03', '2029-11-23', '2029-12-24']);
    // 2033: 1 January a Saturday (nothing observed on Friday 31 December 2032); Juneteenth a Sunday (Monday 20th);
    // Christmas a Sunday (Monday 26th, no early close on Friday 23rd).
    expect(datesOf(2033, isHoliday)).toEqual(['2033-01-17', '2033-02-21', '2033-04-15', '2033-05-30', '2033-06-20', '2033-07-04', '2033-09-05', '2033-11-24', '2033-12-26']);
    expect(isHoliday('2032-12-31')).toBe(false);
    expect(datesOf(2033, isEarlyClose)).toEqual(['2033-11-25']);
  });

  it('every holiday and early close falls on a weekday, and an early close is never a holiday', () => {
    for (let t = day('2022-01-01'); t <= day('2060-12-31'); t += 86_400_000) {
      const d = iso(t);
      const weekend = [0, 6].includes(new Date(t).getUTCDay());
      if (isHoliday(d) || isEarlyClose(d)) expect(weekend, d).toBe(false);
      expect(isHoliday(d) && isEarlyClose(d), d).toBe(false);
    }
  });

  it('counts business days over weekends and holidays', () => {
    expect(iso(businessDaysBefore(day('2026-12-24'), 3))).toBe('2026-12-21');
    expect(iso(businessDaysBefore(day('2027-11-26'), 1))).toBe('2027-11-24'); // Thanksgiving skipped
    expect(iso(businessDayOnOrBefore(day('2026-12-25')))).toBe('2026-12-24');
    expect(iso(businessDayOnOrBefore(day('2027-01-03')))).toBe('2026-12-31');
    expect(isBusinessDay(day('2027-12-31'))).toBe(true);
    expect(iso(businessDayOnOrBefore(day('2029-04-01')))).toBe('2029-03-29'); // Good Friday 2029 skipped
  });

  it('says which years it covers: every year from the first the rules describe', () => {
    expect(RULES_FIRST_YEAR).toBe(2022);
    expect(isCovered('2022-01-03')).toBe(true);
    expect(isCovered('2029-01-02')).toBe(true);
    expect(isCovered('2071-07-03')).toBe(true);
    expect(isCovered('2021-12-31')).toBe(false);
    expect(isCovered('not a date')).toBe(false);
    expect(isHoliday('not a date')).toBe(false);
  });
});
