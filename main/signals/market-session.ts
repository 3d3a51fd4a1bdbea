// The equity market's session as the broker reports it (Alpaca's /v2/clock), for the risk engine's market-hours
// rule. Adapters without a clock report nothing, and then the rule does not apply (crypto, forex, paper).
import type { BrokerAdapter } from '../brokers/port.js';
import type { MarketSession } from '../risk/types.js';
import { isEarlyClose, isHoliday } from '../strategy/exchange-calendar.js';

interface Clock {
  is_open: boolean;
  next_open: string;
  next_close: string;
}
type WithClock = BrokerAdapter & { clock(): Promise<Clock> };
const hasClock = (a: BrokerAdapter): a is WithClock => typeof (a as Partial<WithClock>).clock === 'function';

const cache = new WeakMap<BrokerAdapter, { at: number; clock: Clock }>();
const PRE_MARKET_MS = 5.5 * 3600_000; // 04:00 to the 09:30 open, US Eastern
// Minutes of the day, New York time: the regular close and the end of the after-hours session. On an early-close
// day the NYSE closes at 13:00 and the late session ends at 17:00.
const AFTER_HOURS = { from: 16 * 60, to: 20 * 60 };
const AFTER_HOURS_EARLY_CLOSE = { from: 13 * 60, to: 17 * 60 };

interface NewYorkDay {
  date: string;
  weekend: boolean;
  minutes: number;
}
const newYork = new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', year: 'numeric', month: '2-digit', day: '2-digit', weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
let lastDay: { minute: number; day: NewYorkDay } | undefined;

/** The New York calendar date and time of `now`, formatted once per UTC minute (not for every alert). */
function newYorkDay(now: Date): NewYorkDay {
  const minute = Math.floor(now.getTime() / 60_000);
  if (lastDay?.minute === minute) return lastDay.day;
  const parts = newYork.formatToParts(now);
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  const weekday = get('weekday');
  const day = { date: `${get('year')}-${get('month')}-${get('day')}`, weekend: weekday === 'Sat' || weekday === 'Sun', minutes: Number(get('hour')) * 60 + Number(get('minute')) };
  lastDay = { minute, day };
  return day;
}

/**
 * 'open' in regular hours (the broker's clock says so); 'extended' in the pre-market (04:00 until the next open)
 * or after hours (16:00–20:00 New York time, 13:00–17:00 on an NYSE early-close day) of a trading day; 'closed'
 * otherwise. A weekend or an NYSE full holiday (exchange-calendar.ts, from the exchange's rules) is closed all day:
 * no session runs then.
 */
export function sessionFromClock(clock: Clock, now: Date): MarketSession {
  if (clock.is_open) return 'open';
  const day = newYorkDay(now);
  if (day.weekend || isHoliday(day.date)) return 'closed';
  if (Date.parse(clock.next_open) - now.getTime() <= PRE_MARKET_MS) return 'extended';
  const after = isEarlyClose(day.date) ? AFTER_HOURS_EARLY_CLOSE : AFTER_HOURS;
  return day.minutes >= after.from && day.minutes < after.to ? 'extended' : 'closed';
}

export async function equitySession(adapter: BrokerAdapter, now: Date, maxAgeMs = 30_000): Promise<MarketSession | undefined> {
  if (!hasClock(adapter)) return undefined;
  let entry = cache.get(adapter);
  if (!entry || now.getTime() - entry.at > maxAgeMs) {
    try {
      entry = { at: now.getTime(), clock: await adapter.clock() };
      cache.set(adapter, entry);
    } catch {
      return entry ? sessionFromClock(entry.clock, now) : undefined; // the broker itself refuses closed-market orders
    }
  }
  return sessionFromClock(entry.clock, now);
}
