// The order-rate rule's counts per account (orders created in the last minute, and today), kept as orders are
// stored rather than counted in the orders table on every alert: at 100 orders a second the minute alone holds
// 6,000 rows, and the day far more. What is kept is loaded from the table on an account's first count, on the first
// count of a day (the risk rules' trading day, any time zone: a day is known by the instant it started), when a count
// asks about a minute older than what is kept (the clock went back), and after any failed transaction (an order
// stored in it was rolled back).

/** Times are milliseconds; ISO strings of the orders table (UTC, `Z`) compare as their times do. */
interface Kept {
  /** Per day (its start, ms): the orders created at or after it, whatever their time. A few days of one account
   *  may be asked about (strategies that set their own trading day). */
  days: Map<number, number>;
  /** Creation times after `since`, ascending. */
  times: number[];
  since: number;
}

export interface RateCounts {
  lastMinute: number;
  today: number;
}

/** Reads an account's orders: how many were created at or after `dayStart`, and the creation times of those created
 *  after `after`, ascending. */
export type LoadRates = (accountId: string, dayStart: string, after: string) => { today: number; times: string[] };

/** Days kept per account beyond this are dropped (and loaded again when asked about). */
const MAX_DAYS = 8;

export class OrderRateTally {
  private readonly kept = new Map<string, Kept>();

  constructor(private readonly load: LoadRates) {}

  /** Orders created in (`minuteStart`, `now`] and in [`dayStart`, `now`]; `dayStart` is the start of the trading day
   *  `now` falls in. */
  count(accountId: string, now: string, minuteStart: string, dayStart: string): RateCounts {
    const nowMs = Date.parse(now);
    const startMs = Date.parse(minuteStart);
    const dayMs = Date.parse(dayStart);
    let k = this.kept.get(accountId);
    let today = k?.days.get(dayMs);
    if (!k || startMs < k.since) {
      const loaded = this.load(accountId, dayStart, minuteStart);
      k = { days: new Map([[dayMs, loaded.today]]), times: loaded.times.map((t) => Date.parse(t)), since: startMs };
      this.kept.set(accountId, k);
      today = loaded.today;
    } else if (today === undefined) {
      // The times after the kept minute's start are already kept: only the day's count is read.
      today = this.load(accountId, dayStart, now).today;
      if (k.days.size >= MAX_DAYS) k.days.delete(k.days.keys().next().value!);
      k.days.set(dayMs, today);
    }
    // What left the minute is not asked about again (an earlier minute reloads, above).
    k.times.splice(0, after(k.times, startMs));
    k.since = startMs;
    const toNow = after(k.times, nowMs);
    // Orders created after `now` (a clock set back since) count in neither figure: every one of them is kept in
    // `times` (they are after the minute's start) and counted in the day's figure.
    const later = k.times.length - toNow;
    return { lastMinute: toNow, today: today - later };
  }

  /** An order was stored (its transaction may still fail: see forget). */
  stored(accountId: string, createdAt: string): void {
    const k = this.kept.get(accountId);
    if (!k) return;
    const t = Date.parse(createdAt);
    for (const [day, n] of k.days) if (t >= day) k.days.set(day, n + 1);
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
