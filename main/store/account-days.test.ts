import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { openDatabase } from './db.js';
import { AccountDayRepo } from './account-days.js';
import { tempDir } from '../test-support/agent.js';

describe('AccountDayRepo: the day the loss limits measure from', () => {
  it('starts the day at the first equity read, raises the high, and keeps both across a restart', () => {
    const file = path.join(tempDir(), 'days.db');
    const db = openDatabase({ file });
    const days = new AccountDayRepo(db);
    expect(days.observe('a1', '2026-11-29', '100000')).toEqual({ start: '100000', high: '100000' });
    expect(days.observe('a1', '2026-11-29', '100500')).toEqual({ start: '100000', high: '100500' });
    expect(days.observe('a1', '2026-11-29', '99100')).toEqual({ start: '100000', high: '100500' });
    db.close();

    const again = openDatabase({ file }); // a restart: the day's loss and high are not forgiven
    const after = new AccountDayRepo(again);
    expect(after.observe('a1', '2026-11-29', '99000')).toEqual({ start: '100000', high: '100500' });
    // The next day starts from its own first reading; yesterday's loss is not today's.
    expect(after.observe('a1', '2026-11-30', '99000')).toEqual({ start: '99000', high: '99000' });
    expect(after.observe('a2', '2026-11-30', '5000')).toEqual({ start: '5000', high: '5000' });
    again.close();
  });

  it('uses the broker\'s own start of day when it reports one (Alpaca last_equity), and counts it toward the high', () => {
    const db = openDatabase({ file: path.join(tempDir(), 'days-broker.db') });
    const days = new AccountDayRepo(db);
    expect(days.observe('a1', '2026-11-29', '99000', '101000')).toEqual({ start: '101000', high: '101000' });
    expect(days.observe('a1', '2026-11-29', '102000', '101000')).toEqual({ start: '101000', high: '102000' });
    db.close();
  });

  it('prunes days before a given day', () => {
    const db = openDatabase({ file: path.join(tempDir(), 'days-prune.db') });
    const days = new AccountDayRepo(db);
    days.observe('a1', '2026-11-01', '1');
    days.observe('a1', '2026-11-29', '2');
    expect(days.prune('2026-11-22')).toBe(1);
    expect(db.prepare('SELECT day FROM account_day').all()).toEqual([{ day: '2026-11-29' }]);
    db.close();
  });

  it('reads an account\'s exit fills through the (account_id, time) index (migration 013)', () => {
    const db = openDatabase({ file: path.join(tempDir(), 'days-plan.db') });
    const plan = (db.prepare("EXPLAIN QUERY PLAN SELECT time FROM fills WHERE account_id = 'a' AND time >= '2026' ORDER BY time DESC").all() as { detail: string }[]).map((r) => r.detail).join('; ');
    expect(plan).toMatch(/fills_account_time/);
    db.close();
  });
});
