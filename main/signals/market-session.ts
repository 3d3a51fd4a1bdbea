// The equity market's session as the broker reports it (Alpaca's /v2/clock), for the risk engine's market-hours
// rule. Adapters without a clock report nothing, and then the rule does not apply (crypto, forex, paper).
import type { BrokerAdapter } from '../brokers/port.js';
import type { MarketSession } from '../risk/types.js';
import { localTime } from '../strategy/trading-window.js';

interface Clock {
  is_open: boolean;
  next_open: string;
  next_close: string;
}
type WithClock = BrokerAdapter & { clock(): Promise<Clock> };
const hasClock = (a: BrokerAdapter): a is WithClock => typeof (a as Partial<WithClock>).clock === 'function';

const cache = new WeakMap<BrokerAdapter, { at: number; clock: Clock }>();
const PRE_MARKET_MS = 5.5 * 3600_000; // 04:00 to the 09:30 open, US Eastern
const AFTER_HOURS = { from: 16 * 60, to: 20 * 60 }; // minutes of the day, New York time

/** 'open' in regular hours; 'extended' in the pre-market (before the next open) or after hours (16:00–20:00
 *  New York time on a trading day); 'closed' otherwise. */
export function sessionFromClock(clock: Clock, now: Date): MarketSession {
  if (clock.is_open) return 'open';
  if (Date.parse(clock.next_open) - now.getTime() <= PRE_MARKET_MS) return 'extended';
  // Formatted once per minute, not for every alert (localTime keeps its answer for the minute).
  const local = localTime(now.toISOString(), 'America/New_York')!;
  return local.weekday !== 'sat' && local.weekday !== 'sun' && local.minutes >= AFTER_HOURS.from && local.minutes < AFTER_HOURS.to ? 'extended' : 'closed';
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
