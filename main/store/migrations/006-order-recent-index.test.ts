import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { openDatabase } from '../db.js';
import { MIGRATIONS } from './index.js';
import { OrderRepo } from '../orders.js';
import { tempDir } from '../../test-support/agent.js';

describe('migration 006 order recent index', () => {
  it('serves the recent-orders read of one account from the (account_id, created_at) index, not a table scan', () => {
    const db = openDatabase({ file: path.join(tempDir(), 'm6.db'), migrations: MIGRATIONS });
    const plan = db
      .prepare("EXPLAIN QUERY PLAN SELECT created_at AS time, symbol, side FROM orders WHERE account_id = 'a' AND created_at >= 't' ORDER BY created_at DESC LIMIT 10")
      .all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' | ')).toMatch(/USING INDEX orders_account_created/);
    db.close();
  });

  it('recentForAccount returns only that account, only since the given time, newest first, at most the limit', () => {
    const db = openDatabase({ file: path.join(tempDir(), 'm6b.db'), migrations: MIGRATIONS });
    const orders = new OrderRepo(db);
    const add = (id: string, accountId: string, createdAt: string, side: 'buy' | 'sell') =>
      orders.insertIfAbsent({ id, accountId, leg: 'main', createdAt, request: { clientOrderId: `c-${id}`, symbol: 'AAPL', side, type: 'market', quantity: '1', timeInForce: 'day' } });
    add('o1', 'acc1', '2026-01-05T23:59:59.000Z', 'buy');
    add('o2', 'acc1', '2026-01-06T09:00:00.000Z', 'sell');
    add('o3', 'acc2', '2026-01-06T09:30:00.000Z', 'buy');
    add('o4', 'acc1', '2026-01-06T10:00:00.000Z', 'buy');
    orders.insertIfAbsent({ id: 'o5', accountId: 'acc1', leg: 'exit', createdAt: '2026-01-06T11:00:00.000Z', request: { clientOrderId: 'c-o5', symbol: 'AAPL', side: 'sell', type: 'market', quantity: '1', timeInForce: 'day', reduceOnly: true } });
    expect(orders.recentForAccount('acc1', '2026-01-06T00:00:00.000Z')).toEqual([
      { time: '2026-01-06T11:00:00.000Z', symbol: 'AAPL', side: 'sell', reducing: true },
      { time: '2026-01-06T10:00:00.000Z', symbol: 'AAPL', side: 'buy', reducing: false },
      { time: '2026-01-06T09:00:00.000Z', symbol: 'AAPL', side: 'sell', reducing: false },
    ]);
    expect(orders.recentForAccount('acc1', '2026-01-06T00:00:00.000Z', 1)).toEqual([{ time: '2026-01-06T11:00:00.000Z', symbol: 'AAPL', side: 'sell', reducing: true }]);
    // An order the broker (or the agent) rejected never traded: not a recent order for the duplicate and cooldown rules.
    db.prepare("UPDATE orders SET status = 'rejected' WHERE id IN ('o4', 'o5')").run();
    expect(orders.recentForAccount('acc1', '2026-01-06T00:00:00.000Z')).toEqual([{ time: '2026-01-06T09:00:00.000Z', symbol: 'AAPL', side: 'sell', reducing: false }]);
    db.close();
  });

  it('countRecent counts one account through the same index: the last minute (start excluded) and the day, nothing after now', () => {
    const db = openDatabase({ file: path.join(tempDir(), 'm6c.db'), migrations: MIGRATIONS });
    const orders = new OrderRepo(db);
    const add = (id: string, accountId: string, createdAt: string) =>
      orders.insertIfAbsent({ id, accountId, leg: 'main', createdAt, request: { clientOrderId: `c-${id}`, symbol: 'AAPL', side: 'buy', type: 'market', quantity: '1', timeInForce: 'day' } });
    add('y', 'acc1', '2026-01-05T23:59:59.999Z'); // yesterday
    add('d1', 'acc1', '2026-01-06T08:00:00.000Z');
    add('m0', 'acc1', '2026-01-06T09:59:00.000Z'); // exactly one minute before now: outside the minute
    add('m1', 'acc1', '2026-01-06T09:59:00.001Z');
    add('m2', 'acc1', '2026-01-06T10:00:00.000Z'); // at now
    add('f', 'acc1', '2026-01-06T10:00:00.001Z'); // after now
    add('x', 'acc2', '2026-01-06T09:59:30.000Z'); // another account
    expect(orders.countRecent('acc1', '2026-01-06T10:00:00.000Z', '2026-01-06T09:59:00.000Z', '2026-01-06T00:00:00.000Z')).toEqual({ lastMinute: 2, today: 4 });
    expect(orders.countRecent('acc3', '2026-01-06T10:00:00.000Z', '2026-01-06T09:59:00.000Z', '2026-01-06T00:00:00.000Z')).toEqual({ lastMinute: 0, today: 0 });
    const plan = db
      .prepare("EXPLAIN QUERY PLAN SELECT count(*) FROM orders WHERE account_id = 'a' AND created_at >= 's' AND created_at <= 'n'")
      .all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' | ')).toMatch(/USING (COVERING )?INDEX orders_account_created/);
    db.close();
  });
});

