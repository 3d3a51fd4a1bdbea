// The order-rate rule's counts per account (orders created in the last minute, and today), kept as orders are
// stored rather than counted in the orders table on every alert: at 100 orders a second the minute alone holds
// 6,000 rows, and the day far more. What is kept is loaded from the table on an account's first count, and again
// when the UTC day changes, when a count asks about a minute older than what is kept (the clock went back), and
// after any failed transaction (an order stored in it was rolled back).

/** Times are milliseconds; ISO strings of the orders table (UTC, `Z`) compare as their times do. */
interface Kept {
  /** The UTC day (YYYY-MM-DD) `today` counts. */
  day: string;
  /** Orders created on `day`, whatever their time. */
  today: number;
  /** Creation times after `since`, ascending. */
  times: number[];
  since: number;
}

export interface RateCounts {
  lastMinute: number;
  today: number;
}

/** Reads an account's orders: how many were created on the UTC day starting at `dayStart` (until `dayEnd`,
 *  excluded), and the creation times of those created after `after`, ascending. */
export type LoadRates = (accountId: string, dayStart: string, dayEnd: string, after: string) => { today: number; times: string[] };

const DAY_MS = 86_400_000;

export class OrderRateTally {
  private readonly kept = new Map<string, Kept>();

  constructor(private readonly load: LoadRates) {}

  /** Orders created in (`minuteStart`, `now`] and in [`dayStart`, `now`]; `dayStart` is the UTC midnight of `now`. */
  count(accountId: string, now: string, minuteStart: string, dayStart: string): RateCounts {
    const nowMs = Date.parse(now);
    const startMs = Date.parse(minuteStart);
    const day = dayStart.slice(0, 10);
    let k = this.kept.get(accountId);
    if (!k || k.day !== day || startMs < k.since) {
      const loaded = this.load(accountId, dayStart, new Date(Date.parse(dayStart) + DAY_MS).toISOString(), minuteStart);
      k = { day, today: loaded.today, times: loaded.times.map((t) => Date.parse(t)), since: startMs };
      this.kept.set(accountId, k);
    }
    // What left the minute is not asked about again (an earlier minute reloads, above).
    k.times.splice(0, after(k.times, startMs));
    k.since = startMs;
    const toNow = after(k.times, nowMs);
    // Orders created after `now` (a clock set back since) count in neither figure.
    const laterToday = after(k.times, Date.parse(dayStart) + DAY_MS - 1) - toNow;
    return { lastMinute: toNow, today: k.today - laterToday };
  }

  /** An order was stored (its transaction may still fail: see forget). */
  stored(accountId: string, createdAt: string): void {
    const k = this.kept.get(accountId);
    if (!k) return;
    if (createdAt.slice(0, 10) === k.day) k.today++;
    const t = Date.parse(createdAt);
    if (t > k.since) k.times.splice(after(k.times, t), 0, t);
  }

  /** Forgets every account's counts: they are loaded again at the next count. */
  forget(): void {
    this.kept.clear();
  }
}

/** How many of the ascending `times` are at or before `t` (the index of the first one after it). */
function after(times: readonly number[], t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
