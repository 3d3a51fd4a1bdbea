// Trading windows in the strategy's own time zone (IANA, via Intl, so daylight saving is handled by the
// platform's tz database). Pure: the instant is an input.
import type { TradingWindowsConfig, Weekday } from '../../shared/strategy-config.js';

const WEEKDAY_BY_SHORT: Record<string, Weekday> = { Mon: 'mon', Tue: 'tue', Wed: 'wed', Thu: 'thu', Fri: 'fri', Sat: 'sat', Sun: 'sun' };
const ORDER: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

export interface LocalTime {
  /** The local calendar date, "YYYY-MM-DD". */
  date: string;
  weekday: Weekday;
  /** Minutes since the local midnight. */
  minutes: number;
  /** "Fri 09:31" in the zone, for messages. */
  label: string;
}

const formatters = new Map<string, { format: Intl.DateTimeFormat; last?: { minute: number; local: LocalTime } }>();

/**
 * The local date, weekday and time, or undefined when the time zone is not a known IANA zone. Every zone's offset from
 * UTC is a whole number of minutes, so the answer holds for a whole UTC minute: formatting (Intl, the costly part)
 * runs once per minute and zone, not for every alert.
 */
export function localTime(now: string, timezone: string): LocalTime | undefined {
  let f = formatters.get(timezone);
  if (!f) {
    try {
      f = { format: new Intl.DateTimeFormat('en-US', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit', weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }) };
    } catch {
      return undefined;
    }
    formatters.set(timezone, f);
  }
  const at = new Date(now);
  const minute = Math.floor(at.getTime() / 60_000);
  if (f.last?.minute === minute) return f.last.local;
  const local = format(f.format, at);
  if (!Number.isNaN(minute)) f.last = { minute, local };
  return local;
}

function format(f: Intl.DateTimeFormat, at: Date): LocalTime {
  const parts = f.formatToParts(at);
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  const weekdayShort = get('weekday');
  const hour = Number(get('hour'));
  const minute = Number(get('minute'));
  const weekday = WEEKDAY_BY_SHORT[weekdayShort] ?? 'mon';
  return { date: `${get('year')}-${get('month')}-${get('day')}`, weekday, minutes: hour * 60 + minute, label: `${weekdayShort} ${get('hour')}:${get('minute')}` };
}

function toMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
}

/** True when no windows are configured or `now` falls inside one. A window whose end is before its start
 *  runs past midnight, and counts for the day it started on. */
export function insideTradingWindow(now: string, config: TradingWindowsConfig): boolean {
  if (config.windows.length === 0) return true;
  const local = localTime(now, config.timezone);
  // An unknown time zone cannot be placed in any window: treat it as outside (exits still run by default).
  if (!local) return false;
  const previousDay = ORDER[(ORDER.indexOf(local.weekday) + 6) % 7] ?? 'sun';
  for (const window of config.windows) {
    const start = toMinutes(window.start);
    const end = toMinutes(window.end);
    if (start < end) {
      if (window.days.includes(local.weekday) && local.minutes >= start && local.minutes < end) return true;
    } else if (start > end) {
      if (window.days.includes(local.weekday) && local.minutes >= start) return true;
      if (window.days.includes(previousDay) && local.minutes < end) return true;
    } else if (window.days.includes(local.weekday)) {
      return true; // start == end: the whole day
    }
  }
  return false;
}
