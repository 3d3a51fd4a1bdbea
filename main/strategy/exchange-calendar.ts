// US exchange calendar: the NYSE's full-day holidays and 13:00 early closes, computed from the exchange's rules
// (NYSE Rule 7.2) for any year from RULES_FIRST_YEAR on; before it only weekends are known. The market-hours rule
// uses it to know that a weekday was not a trading day, and the futures roll rules use it to count business days
// (CME's holidays for the products rolled here are the same days). One-off closures the rules cannot know (a
// national day of mourning) are listed in SPECIAL_CLOSURES when the NYSE announces them.
// See docs/strategy-and-risk.md.

/** Closures the NYSE announced outside its rules, New York calendar dates. */
const SPECIAL_CLOSURES = [
  '2025-01-09', // national day of mourning for President Carter
];

/** The first year the rules describe completely (Juneteenth became a market holiday in 2022). */
export const RULES_FIRST_YEAR = 2022;

const DAY_MS = 86_400_000;
const isoDate = (utcMidnight: number) => new Date(utcMidnight).toISOString().slice(0, 10);
const weekday = (utcMidnight: number) => new Date(utcMidnight).getUTCDay();

/** The n-th `weekday` (0 = Sunday) of a month (1..12), as UTC midnight (ms). */
export function nthWeekday(year: number, month: number, day: number, n: number): number {
  const firstDow = weekday(Date.UTC(year, month - 1, 1));
  return Date.UTC(year, month - 1, 1 + ((day - firstDow + 7) % 7) + 7 * (n - 1));
}

/** The last `weekday` (0 = Sunday) of a month (1..12), as UTC midnight (ms). */
function lastWeekday(year: number, month: number, day: number): number {
  const last = Date.UTC(year, month, 0);
  return last - ((weekday(last) - day + 7) % 7) * DAY_MS;
}

/** Easter Sunday of the Gregorian calendar (the anonymous Gregorian algorithm), as UTC midnight (ms). */
function easter(year: number): number {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return Date.UTC(year, month - 1, day);
}

/** A fixed-date holiday falling on a Saturday is observed the Friday before, on a Sunday the Monday after. */
function observed(utcMidnight: number): number {
  const dow = weekday(utcMidnight);
  return dow === 6 ? utcMidnight - DAY_MS : dow === 0 ? utcMidnight + DAY_MS : utcMidnight;
}

interface YearCalendar {
  holidays: Set<string>;
  earlyCloses: Set<string>;
}

function computeYear(year: number): YearCalendar {
  const fixed = (month: number, day: number) => Date.UTC(year, month - 1, day);
  const thanksgiving = nthWeekday(year, 11, 4, 4); // fourth Thursday of November
  const days = [
    nthWeekday(year, 1, 1, 3), // Martin Luther King, Jr. Day: third Monday of January
    nthWeekday(year, 2, 1, 3), // Washington's Birthday: third Monday of February
    easter(year) - 2 * DAY_MS, // Good Friday
    lastWeekday(year, 5, 1), // Memorial Day: last Monday of May
    observed(fixed(7, 4)), // Independence Day
    nthWeekday(year, 9, 1, 1), // Labor Day: first Monday of September
    thanksgiving,
    observed(fixed(12, 25)), // Christmas Day
    observed(fixed(6, 19)), // Juneteenth National Independence Day (since 2022)
  ];
  // New Year's Day: on a Sunday the Monday after; on a Saturday no holiday is observed, since the Friday before
  // ends a yearly accounting period (Rule 7.2's exception): 1 January 2028 closes nothing.
  if (weekday(fixed(1, 1)) !== 6) days.push(observed(fixed(1, 1)));
  const holidays = new Set(days.map(isoDate));
  for (const d of SPECIAL_CLOSURES) if (d.startsWith(`${year}-`)) holidays.add(d);

  const tradingWeekday = (t: number) => weekday(t) !== 0 && weekday(t) !== 6 && !holidays.has(isoDate(t));
  // 13:00 closes: the day after Thanksgiving, and 3 July and 24 December when each is itself a trading weekday
  // (3 July is the observed Independence Day when 4 July is a Saturday, and 24 December Christmas when the 25th is).
  const earlyCloses = new Set([thanksgiving + DAY_MS, fixed(7, 3), fixed(12, 24)].filter(tradingWeekday).map(isoDate));
  return { holidays, earlyCloses };
}

const years = new Map<number, YearCalendar>();
function calendarOf(date: string): YearCalendar | undefined {
  const year = Number(date.slice(0, 4));
  if (!Number.isInteger(year) || year < RULES_FIRST_YEAR) return undefined; // earlier years: weekends only
  let cal = years.get(year);
  if (!cal) {
    cal = computeYear(year);
    years.set(year, cal);
  }
  return cal;
}

/** `date` is a calendar date `YYYY-MM-DD` (New York for the equity market). */
export function isHoliday(date: string): boolean {
  return calendarOf(date)?.holidays.has(date) ?? false;
}

/** The regular session ends at 13:00 New York time and the late session at 17:00. */
export function isEarlyClose(date: string): boolean {
  return calendarOf(date)?.earlyCloses.has(date) ?? false;
}

/**
 * True when the calendar knows the holidays of the date's year: from RULES_FIRST_YEAR on, for as long as the NYSE
 * keeps its rules. A closure the NYSE announces outside them is known once it is added to SPECIAL_CLOSURES.
 */
export function isCovered(date: string): boolean {
  const year = Number(date.slice(0, 4));
  return Number.isInteger(year) && year >= RULES_FIRST_YEAR;
}

/** A weekday that is not an exchange holiday. `utcMidnight` is a calendar date as UTC midnight (ms). */
export function isBusinessDay(utcMidnight: number): boolean {
  const dow = weekday(utcMidnight);
  return dow !== 0 && dow !== 6 && !isHoliday(isoDate(utcMidnight));
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
