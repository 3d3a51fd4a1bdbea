// The risk rules' day (RiskRules.tradingDay): when the day of the daily loss limit, the drawdown from the day's high
// and the orders per day began, and when the next one begins. Wall-clock time in an IANA zone, read through the
// trading windows' localTime (Intl, so daylight saving follows the platform's tz database). Pure: the instant is an
// input. Left out, the day is the UTC day, as before the setting existed.
import type { TradingDay } from '../../shared/risk-rules.js';
import { localTime } from '../strategy/trading-window.js';

export interface TradingDayWindow {
  /** When the day began (ISO, UTC, milliseconds): also the day's key in account_day. */
  start: string;
  /** When the next day begins (23, 24 or 25 hours later, as daylight saving makes the local day). */
  end: string;
  /** The setting as "Zone HH:MM": "UTC 00:00" when it is left out. */
  definition: string;
  timeZone: string;
  startsAt: string;
  /** True when the setting is left out: the broker's own day-start equity is used where it reports one (as before
   *  the setting existed). A set day is measured from the agent's own first reading in it. */
  brokerStart: boolean;
  /** The zone is not in this platform's tz database (a setting saved on another machine): the UTC day is used. */
  unknownZone?: true;
}

const MINUTE = 60_000;
const DAY = 86_400_000;
export const DEFAULT_DAY_DEFINITION = 'UTC 00:00';

/** The window last computed per setting: every alert of a day reuses it. */
const kept = new Map<string, { start: number; end: number; window: TradingDayWindow }>();

/** The trading day `now` falls in: [start, end). */
export function tradingDayAt(now: string, day?: TradingDay): TradingDayWindow {
  const t = Date.parse(now);
  if (Number.isNaN(t)) throw new RangeError(`Not an instant: ${now}`);
  const definition = day ? `${day.timeZone} ${day.startsAt}` : DEFAULT_DAY_DEFINITION;
  const key = day ? definition : '';
  const last = kept.get(key);
  if (last && t >= last.start && t < last.end) return last.window;
  const [start, end, unknownZone] = day ? zonedDay(t, day) : utcDay(t);
  const window: TradingDayWindow = {
    start: new Date(start).toISOString(),
    end: new Date(end).toISOString(),
    definition,
    timeZone: day?.timeZone ?? 'UTC',
    startsAt: day?.startsAt ?? '00:00',
    brokerStart: day === undefined,
    ...(unknownZone ? { unknownZone: true as const } : {}),
  };
  kept.set(key, { start, end, window });
  return window;
}

function utcDay(t: number): [number, number, boolean] {
  const start = Math.floor(t / DAY) * DAY;
  return [start, start + DAY, false];
}

function zonedDay(t: number, day: TradingDay): [number, number, boolean] {
  const local = localTime(new Date(t).toISOString(), day.timeZone);
  if (!local) {
    const [start, end] = utcDay(t);
    return [start, end, true];
  }
  const [h, m] = day.startsAt.split(':');
  // The day's start on the local date of `now`, as wall-clock milliseconds (a local date and time written as if UTC).
  const wall = Date.parse(`${local.date}T00:00:00.000Z`) + (Number(h) * 60 + Number(m)) * MINUTE;
  const at = (w: number) => firstInstantAtOrAfter(w, day.timeZone);
  const today = at(wall);
  if (t < today) return [at(wall - DAY), today, false];
  const tomorrow = at(wall + DAY);
  // A clock set back over midnight (a zone that repeats the last hour of a day) can put `now` on the earlier local
  // date after the next day began.
  if (t >= tomorrow) return [tomorrow, at(wall + 2 * DAY), false];
  return [today, tomorrow, false];
}

/** The wall-clock time (as milliseconds of a UTC date) at the instant `t` (a whole minute) in `zone`. */
function wallAt(t: number, zone: string): number {
  const l = localTime(new Date(t).toISOString(), zone)!;
  return Date.parse(`${l.date}T00:00:00.000Z`) + l.minutes * MINUTE;
}

/**
 * The first instant whose wall-clock time in `zone` is `wall` or later: the instant itself on an ordinary day; the
 * first of the two on a day whose clocks repeat that time; the moment the clocks jump past it on a day they skip it.
 * Every zone's offset is a whole number of minutes, and none changes twice within a day of another change.
 */
function firstInstantAtOrAfter(wall: number, zone: string): number {
  const offsets = new Set([wall - DAY, wall, wall + DAY].map((x) => wallAt(x, zone) - x));
  const candidates = [...offsets].map((o) => wall - o);
  const exact = candidates.filter((c) => wallAt(c, zone) === wall);
  if (exact.length > 0) return Math.min(...exact);
  // The time is skipped: the clocks jump past it between the candidates; find the first minute after the jump.
  let lo = Math.min(...candidates);
  let hi = Math.max(...candidates);
  if (wallAt(lo, zone) >= wall || wallAt(hi, zone) < wall) return hi;
  while (hi - lo > MINUTE) {
    const mid = lo + Math.floor((hi - lo) / MINUTE / 2) * MINUTE;
    if (wallAt(mid, zone) >= wall) hi = mid;
    else lo = mid;
  }
  return hi;
}
