import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { openDatabase } from '../db.js';
import { MIGRATIONS } from './index.js';
import { AccountDayRepo } from '../account-days.js';
import { tempDir } from '../../test-support/agent.js';
import { tradingDayAt } from '../../risk/trading-day.js';

describe('migration 015 trading day', () => {
  it('keys the UTC days stored before by the instant they started: the day running at the upgrade keeps its start and high', () => {
    const file = path.join(tempDir(), 'm15.db');
    const before = openDatabase({ file, migrations: MIGRATIONS.filter((m) => m.version < 15) });
    const row = before.prepare('INSERT INTO account_day (account_id, day, start_equity, high_equity) VALUES (?, ?, ?, ?)');
    row.run('acc1', '2026-11-28', '90000', '91000');
    row.run('acc1', '2026-11-29', '100000', '100500');
    before.close();

    const db = openDatabase({ file, migrations: MIGRATIONS });
    expect(db.prepare('SELECT day, day_end, start_read_at, carried_from FROM account_day ORDER BY day').all()).toEqual([
      { day: '2026-11-28T00:00:00.000Z', day_end: '2026-11-29T00:00:00.000Z', start_read_at: null, carried_from: null },
      { day: '2026-11-29T00:00:00.000Z', day_end: '2026-11-30T00:00:00.000Z', start_read_at: null, carried_from: null },
    ]);
    // The first alert after the upgrade, the same UTC day: its loss and high are not forgiven.
    const now = '2026-11-29T18:00:00.000Z';
    const days = new AccountDayRepo(db);
    expect(days.observe({ accountId: 'acc1', scope: 'account', day: tradingDayAt(now), equity: '99000', now })).toEqual({ start: '100000', high: '100500', startFrom: 'first_reading' });
    expect(days.prune('2026-11-29T00:00:00.000Z')).toBe(1);
    db.close();
  });
});
