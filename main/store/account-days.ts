// What the loss limits remember of an account's day (migration 012): its equity at the start of the UTC day and the
// day's highest equity. Kept in the database so a restart (or a crash) does not forgive the day's loss or forget
// its high; written only when a day starts or the high rises.
import { Decimal } from 'decimal.js';
import type { Db } from './db.js';

export interface AccountDay {
  /** The equity the day is measured from. */
  start: string;
  /** The day's highest equity seen. */
  high: string;
}

export class AccountDayRepo {
  private readonly cache = new Map<string, AccountDay & { day: string }>();

  constructor(private readonly db: Db) {}

  /**
   * Records the equity read now and answers the day's start and high. The start is `brokerStart` when the broker
   * reports the day's starting equity (Alpaca's `last_equity`), else the first equity recorded this `day`.
   */
  observe(accountId: string, day: string, equity: string, brokerStart?: string): AccountDay {
    let known = this.cache.get(accountId);
    if (known?.day !== day) {
      const row = this.db.prepare('SELECT start_equity AS start, high_equity AS high FROM account_day WHERE account_id = ? AND day = ?').get(accountId, day) as AccountDay | undefined;
      if (row) known = { day, ...row };
      else {
        known = { day, start: equity, high: equity };
        this.db.prepare('INSERT INTO account_day (account_id, day, start_equity, high_equity) VALUES (?, ?, ?, ?)').run(accountId, day, equity, equity);
      }
      this.cache.set(accountId, known);
    }
    const high = Decimal.max(known.high, equity, brokerStart ?? equity);
    if (!high.eq(known.high)) {
      known.high = high.toString();
      this.db.prepare('UPDATE account_day SET high_equity = ? WHERE account_id = ? AND day = ?').run(known.high, accountId, day);
    }
    return { start: brokerStart ?? known.start, high: known.high };
  }

  /** Days older than `beforeDay` are no longer needed. */
  prune(beforeDay: string): number {
    this.cache.clear();
    return this.db.prepare('DELETE FROM account_day WHERE day < ?').run(beforeDay).changes;
  }
}
