import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { openDatabase } from './db.js';
import { AccountDayRepo } from './account-days.js';
import { tempDir } from '../test-support/agent.js';
import { tradingDayAt } from '../risk/trading-day.js';
import type { TradingDay } from '../../shared/risk-rules.js';

const ny17: TradingDay = { timeZone: 'America/New_York', startsAt: '17:00' };

/** One reading of an account's equity at `now`, under the trading day `setting` (the UTC day when left out). */
function reader(days: AccountDayRepo, accountId = 'a1', scope = 'account') {
  return (now: string, equity: string, setting?: TradingDay, brokerStart?: string) => days.observe({ accountId, scope, day: tradingDayAt(now, setting), equity, brokerStart, now });
}

describe('AccountDayRepo: the day the loss limits measure from', () => {
  it('starts the day at the first equity read, raises the high, and keeps both across a restart', () => {
    const file = path.join(tempDir(), 'days.db');
    const db = openDatabase({ file });
    const read = reader(new AccountDayRepo(db));
    expect(read('2026-11-29T09:00:00.000Z', '100000')).toEqual({ start: '100000', high: '100000', startFrom: 'first_reading', startReadAt: '2026-11-29T09:00:00.000Z' });
    expect(read('2026-11-29T10:00:00.000Z', '100500')).toMatchObject({ start: '100000', high: '100500' });
    expect(read('2026-11-29T11:00:00.000Z', '99100')).toMatchObject({ start: '100000', high: '100500' });
    db.close();

    const again = openDatabase({ file }); // a restart: the day's loss and high are not forgiven
    const after = reader(new AccountDayRepo(again));
    expect(after('2026-11-29T23:59:59.999Z', '99000')).toEqual({ start: '100000', high: '100500', startFrom: 'first_reading', startReadAt: '2026-11-29T09:00:00.000Z' });
    // The next day starts from its own first reading; yesterday's loss is not today's.
    expect(after('2026-11-30T00:00:00.000Z', '99000')).toMatchObject({ start: '99000', high: '99000' });
    expect(reader(new AccountDayRepo(again), 'a2')('2026-11-30T01:00:00.000Z', '5000')).toMatchObject({ start: '5000', high: '5000' });
    expect(again.prepare('SELECT day, day_end FROM account_day WHERE account_id = ? ORDER BY day').all('a1')).toEqual([
      { day: '2026-11-29T00:00:00.000Z', day_end: '2026-11-30T00:00:00.000Z' },
      { day: '2026-11-30T00:00:00.000Z', day_end: '2026-12-01T00:00:00.000Z' },
    ]);
    again.close();
  });

  it('uses the broker\'s own start of day (Alpaca last_equity) only while the setting is left out', () => {
    const db = openDatabase({ file: path.join(tempDir(), 'days-broker.db') });
    const read = reader(new AccountDayRepo(db));
    expect(read('2026-11-29T15:00:00.000Z', '99000', undefined, '101000')).toEqual({ start: '101000', high: '101000', startFrom: 'broker' });
    expect(read('2026-11-29T16:00:00.000Z', '102000', undefined, '101000')).toMatchObject({ start: '101000', high: '102000' });
    // A set day (even the same UTC midnight) is measured from the agent's first reading in it: Alpaca's figure is the
    // equity at the previous trading day's 16:00 New York close, not at this day's start.
    const set = reader(new AccountDayRepo(db), 'a2');
    expect(set('2026-11-29T15:00:00.000Z', '99000', { timeZone: 'UTC', startsAt: '00:00' }, '101000')).toEqual({ start: '99000', high: '99000', startFrom: 'first_reading', startReadAt: '2026-11-29T15:00:00.000Z' });
    expect(reader(new AccountDayRepo(db), 'a3')('2026-11-29T23:00:00.000Z', '98000', ny17, '101000')).toMatchObject({ start: '98000', high: '98000', startFrom: 'first_reading' });
    db.close();
  });

  it('a New York day is one day across the UTC midnight and a restart, and the next begins at 17:00 New York', () => {
    const file = path.join(tempDir(), 'days-ny.db');
    const db = openDatabase({ file });
    const read = reader(new AccountDayRepo(db));
    expect(read('2026-01-06T23:00:00.000Z', '50000', ny17)).toMatchObject({ start: '50000', high: '50000' }); // 18:00 New York
    expect(read('2026-01-06T23:30:00.000Z', '50400', ny17)).toMatchObject({ start: '50000', high: '50400' });
    db.close();
    const again = openDatabase({ file });
    const after = reader(new AccountDayRepo(again));
    // 20:00 New York: the UTC day turned an hour ago, the trading day did not.
    expect(after('2026-01-07T01:00:00.000Z', '49500', ny17)).toMatchObject({ start: '50000', high: '50400' });
    expect(after('2026-01-07T21:59:59.999Z', '49000', ny17)).toMatchObject({ start: '50000', high: '50400' });
    expect(after('2026-01-07T22:00:00.000Z', '49000', ny17)).toMatchObject({ start: '49000', high: '49000', startFrom: 'first_reading' });
    expect(again.prepare('SELECT day FROM account_day ORDER BY day').all()).toEqual([{ day: '2026-01-06T22:00:00.000Z' }, { day: '2026-01-07T22:00:00.000Z' }]);
    again.close();
  });

  it('a change of the setting during a day goes on measuring from the running day\'s start and high, across a restart', () => {
    const file = path.join(tempDir(), 'days-change.db');
    const db = openDatabase({ file });
    const read = reader(new AccountDayRepo(db));
    read('2026-01-06T10:00:00.000Z', '100000'); // the UTC day
    read('2026-01-06T11:00:00.000Z', '100800');
    expect(read('2026-01-06T12:00:00.000Z', '99000')).toMatchObject({ start: '100000', high: '100800' });
    // 10:00 New York: the trader sets 17:00 New York. Its day began yesterday at 22:00 UTC and the agent read nothing
    // of it: the UTC day's start and high go on, so the 1,000 already lost is not forgiven.
    expect(read('2026-01-06T15:00:00.000Z', '98500', ny17)).toEqual({ start: '100000', high: '100800', startFrom: 'carried', startReadAt: '2026-01-06T10:00:00.000Z', carriedFrom: '2026-01-06T00:00:00.000Z' });
    db.close();
    const again = openDatabase({ file });
    const after = reader(new AccountDayRepo(again));
    expect(after('2026-01-06T16:00:00.000Z', '98000', ny17)).toMatchObject({ start: '100000', high: '100800', startFrom: 'carried' });
    // Set back to the UTC day before it ends: its own row, start and high are still there.
    expect(after('2026-01-06T17:00:00.000Z', '98000')).toMatchObject({ start: '100000', high: '100800', startFrom: 'first_reading' });
    expect(after('2026-01-06T18:00:00.000Z', '98000', ny17)).toMatchObject({ start: '100000', startFrom: 'carried' });
    // The next New York day is its own: it starts from its first reading.
    expect(after('2026-01-06T22:05:00.000Z', '97000', ny17)).toMatchObject({ start: '97000', high: '97000', startFrom: 'first_reading' });
    again.close();
  });

  it('a setting changed after its day ended carries nothing: there is no running day to forgive', () => {
    const db = openDatabase({ file: path.join(tempDir(), 'days-change-later.db') });
    const read = reader(new AccountDayRepo(db));
    read('2026-01-05T10:00:00.000Z', '100000');
    expect(read('2026-01-06T15:00:00.000Z', '90000', ny17)).toMatchObject({ start: '90000', startFrom: 'first_reading' });
    db.close();
  });

  it('a strategy with its own trading day keeps its own days beside the account\'s, neither carried into the other', () => {
    const db = openDatabase({ file: path.join(tempDir(), 'days-scopes.db') });
    const days = new AccountDayRepo(db);
    const account = reader(days, 'a1', 'account');
    const strategy = reader(days, 'a1', 'strategy:s1');
    for (const [d, next, base] of [['2026-01-06', '2026-01-07', 1000], ['2026-01-07', '2026-01-08', 2000], ['2026-01-08', '2026-01-09', 3000]] as const) {
      // The account's UTC day and the strategy's New York day (from 17:00, 22:00 UTC) overlap every evening.
      expect(account(`${d}T03:00:00.000Z`, String(base))).toMatchObject({ start: String(base), startFrom: 'first_reading' });
      expect(strategy(`${d}T22:30:00.000Z`, String(base + 1), ny17)).toMatchObject({ start: String(base + 1), startFrom: 'first_reading' });
      expect(account(`${d}T23:00:00.000Z`, String(base + 2))).toMatchObject({ start: String(base) });
      expect(strategy(`${next}T03:30:00.000Z`, String(base + 3), ny17)).toMatchObject({ start: String(base + 1), startFrom: 'first_reading' });
    }
    db.close();
  });

  it('two settings that start a day at the same instant share its row, and one never lowers the other\'s high', () => {
    const db = openDatabase({ file: path.join(tempDir(), 'days-shared.db') });
    const days = new AccountDayRepo(db);
    const chicago16 = { timeZone: 'America/Chicago', startsAt: '16:00' }; // 17:00 New York, always
    const a = reader(days, 'a1', 'strategy:a');
    const b = reader(days, 'a1', 'strategy:b');
    a('2026-01-06T23:00:00.000Z', '100', ny17);
    expect(b('2026-01-06T23:01:00.000Z', '120', chicago16)).toMatchObject({ start: '100', high: '120' });
    expect(a('2026-01-06T23:02:00.000Z', '110', ny17)).toMatchObject({ start: '100', high: '120' });
    expect(db.prepare('SELECT high_equity AS high FROM account_day').all()).toEqual([{ high: '120' }]);
    db.close();
  });

  it('prunes days that started before a given instant', () => {
    const db = openDatabase({ file: path.join(tempDir(), 'days-prune.db') });
    const read = reader(new AccountDayRepo(db));
    read('2026-11-01T10:00:00.000Z', '1');
    read('2026-11-29T10:00:00.000Z', '2', ny17);
    expect(new AccountDayRepo(db).prune('2026-11-22T00:00:00.000Z')).toBe(1);
    expect(db.prepare('SELECT day FROM account_day').all()).toEqual([{ day: '2026-11-28T22:00:00.000Z' }]);
    db.close();
  });

  it('reads an account\'s exit fills through the (account_id, time) index (migration 013)', () => {
    const db = openDatabase({ file: path.join(tempDir(), 'days-plan.db') });
    const plan = (db.prepare("EXPLAIN QUERY PLAN SELECT time FROM fills WHERE account_id = 'a' AND time >= '2026' ORDER BY time DESC").all() as { detail: string }[]).map((r) => r.detail).join('; ');
    expect(plan).toMatch(/fills_account_time/);
    db.close();
  });
});
