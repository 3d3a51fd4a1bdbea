// US exchange calendar: the NYSE's published full-day holidays and 13:00 early closes for the years the agent
// may run (2025–2028). The market-hours rule uses it to know that a weekday was not a trading day, and the futures
// roll rules use it to count business days (CME's holidays for the products rolled here are the same days).
// Outside the table's years only weekends are known: see TABLE_YEARS and docs/strategy-and-risk.md.

/** NYSE full-day closures, New York calendar dates. */
const HOLIDAYS = new Set([
  // 2025 (9 January: national day of mourning)
  '2025-01-01', '2025-01-09', '2025-01-20', '2025-02-17', '2025-04-18', '2025-05-26', '2025-06-19', '2025-07-04', '2025-09-01', '2025-11-27', '2025-12-25',
  // 2026
  '2026-01-01', '2026-01-19', '2026-02-16', '2026-04-03', '2026-05-25', '2026-06-19', '2026-07-03', '2026-09-07', '2026-11-26', '2026-12-25',
  // 2027
  '2027-01-01', '2027-01-18', '2027-02-15', '2027-03-26', '2027-05-31', '2027-06-18', '2027-07-05', '2027-09-06', '2027-11-25', '2027-12-24',
  // 2028 (1 January is a Saturday: no New Year's holiday is observed)
  '2028-01-17', '2028-02-21', '2028-04-14', '2028-05-29', '2028-06-19', '2028-07-04', '2028-09-04', '2028-11-23', '2028-12-25',
]);

/** NYSE early closes: the regular session ends at 13:00 New York time and the late session at 17:00. */
const EARLY_CLOSES = new Set([
  '2025-07-03', '2025-11-28', '2025-12-24',
  '2026-11-27', '2026-12-24',
  '2027-11-26',
  '2028-07-03', '2028-11-24',
]);

/** The years whose holidays the table holds. */
export const TABLE_YEARS = { first: 2025, last: 2028 } as const;

/** `date` is a calendar date `YYYY-MM-DD` (New York for the equity market). */
export function isHoliday(date: string): boolean {
  return HOLIDAYS.has(date);
}

export function isEarlyClose(date: string): boolean {
  return EARLY_CLOSES.has(date);
}

/** True when the table knows the holidays of the date's year. */
export function isCovered(date: string): boolean {
  const year = Number(date.slice(0, 4));
  return year >= TABLE_YEARS.first && year <= TABLE_YEARS.last;
}

const DAY_MS = 86_400_000;
const isoDate = (utcMidnight: number) => new Date(utcMidnight).toISOString().slice(0, 10);

/** A weekday that is not an exchange holiday. `utcMidnight` is a calendar date as UTC midnight (ms). */
export function isBusinessDay(utcMidnight: number): boolean {
  const dow = new Date(utcMidnight).getUTCDay();
  return dow !== 0 && dow !== 6 && !HOLIDAYS.has(isoDate(utcMidnight));
}

/** The business day `n` business days before `utcMidnight` (n >= 1); the day itself is not counted. */
export function businessDaysBefore(utcMidnight: number, n: number): number {
  let day = utcMidnight;
  for (let left = n; left > 0; ) {
    day -= DAY_MS;
    if (isBusinessDay(day)) left -= 1;
  }
  return day;
}

/** The last business day on or before `utcMidnight`. */
export function businessDayOnOrBefore(utcMidnight: number): number {
  let day = utcMidnight;
  while (!isBusinessDay(day)) day -= DAY_MS;
  return day;
}
