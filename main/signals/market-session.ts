// The equity market's session as the broker reports it (Alpaca's /v2/clock), for the risk engine's market-hours
// rule. Adapters without a clock report nothing, and then the rule does not apply (crypto, forex, paper).
import type { BrokerAdapter } from '../brokers/port.js';
import type { MarketSession } from '../risk/types.js';

interface Clock {
  is_open: boolean;
  next_open: string;
  next_close: string;
}
type WithClock = BrokerAdapter & { clock(): Promise<Clock> };
const hasClock = (a: BrokerAdapter): a is WithClock => typeof (a as Partial<WithClock>).clock === 'function';

const cache = new WeakMap<BrokerAdapter, { at: number; clock: Clock }>();
const PRE_MARKET_MS = 5.5 * 3600_000; // 04:00 to the 09:30 open, US Eastern
/** Built once: constructing an Intl.DateTimeFormat costs far more than formatting with it (every alert asks). */
const NEW_YORK = new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', hour: 'numeric', hourCycle: 'h23', weekday: 'short' });

/** 'open' in regular hours; 'extended' in the pre-market (before the next open) or after hours (16:00–20:00
 *  New York time on a trading day); 'closed' otherwise. */
export function sessionFromClock(clock: Clock, now: Date): MarketSession {
  if (clock.is_open) return 'open';
  if (Date.parse(clock.next_open) - now.getTime() <= PRE_MARKET_MS) return 'extended';
  const { hour, weekday } = newYorkHour(now);
  return !['Sat', 'Sun'].includes(weekday) && hour >= 16 && hour < 20 ? 'extended' : 'closed';
}

let lastHour: { utcHour: number; hour: number; weekday: string } | undefined;

/** The hour and weekday in New York. Its offset from UTC is a whole number of hours, so both hold for a whole UTC
 *  hour: formatted once per hour, not for every alert. */
function newYorkHour(now: Date): { hour: number; weekday: string } {
  const utcHour = Math.floor(now.getTime() / 3_600_000);
  if (lastHour?.utcHour !== utcHour) {
    const parts = NEW_YORK.formatToParts(now);
    lastHour = { utcHour, hour: Number(parts.find((p) => p.type === 'hour')?.value), weekday: parts.find((p) => p.type === 'weekday')?.value ?? '' };
  }
  return lastHour;
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
