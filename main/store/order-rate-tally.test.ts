import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import path from 'node:path';
import { openDatabase } from './db.js';
import { OrderRepo } from './orders.js';
import { tempDir } from '../test-support/agent.js';
import { tradingDayAt } from '../risk/trading-day.js';

const request = (clientOrderId: string) => ({ clientOrderId, symbol: 'AAPL', side: 'buy' as const, type: 'market' as const, quantity: '1', timeInForce: 'day' as const });

type Op = { kind: 'store'; account: number; offsetMs: number } | { kind: 'clock'; byMs: number } | { kind: 'failed'; account: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('store' as const), account: fc.integer({ min: 0, max: 1 }), offsetMs: fc.integer({ min: -90_000, max: 5_000 }) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('clock' as const),
      // Mostly forward by up to a minute and a half; now and then back (a clock set back), or hours ahead.
      byMs: fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 0, max: 90_000 }) }, { weight: 1, arbitrary: fc.integer({ min: -120_000, max: 0 }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 14 * 3_600_000 }) }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('failed' as const), account: fc.integer({ min: 0, max: 1 }) }) },
);

describe('the order-rate counts kept as orders are stored', () => {
  it('always equal the counts in the orders table: across minutes, day boundaries (UTC and 17:00 New York, over daylight-saving changes), a clock set back and failed transactions', () => {
    const db = openDatabase({ file: path.join(tempDir(), 'rates.db') });
    const orders = new OrderRepo(db);
    let n = 0;
    let run = 0;
    fc.assert(
      // Just before the UTC midnight, and just before 17:00 New York on the days the US clocks change.
      fc.property(fc.array(op, { minLength: 1, maxLength: 60 }), fc.constantFrom('2026-01-06T23:57:30.000Z', '2026-03-08T20:57:30.000Z', '2026-11-01T21:57:30.000Z'), (ops, from) => {
        const accounts = [`r${run}-acc0`, `r${run}-acc1`]; // orders are append-only: each run has its own accounts
        run++;
        let clock = Date.parse(from);
        for (const o of ops) {
          if (o.kind === 'clock') clock += o.byMs;
          else {
            const id = `o${n++}`;
            const order = { id, accountId: accounts[o.account]!, leg: 'main', createdAt: new Date(clock + (o.kind === 'store' ? o.offsetMs : 0)).toISOString(), request: request(`c-${id}`) };
            if (o.kind === 'store') orders.insertIfAbsent(order);
            else
              expect(() =>
                orders.transaction(() => {
                  orders.insertIfAbsent(order);
                  throw new Error('rolled back');
                }),
              ).toThrow('rolled back');
          }
          const now = new Date(clock).toISOString();
          const minuteStart = new Date(clock - 60_000).toISOString();
          // Both days asked about in turn, as for an account whose strategies set different trading days.
          for (const dayStart of [tradingDayAt(now).start, tradingDayAt(now, { timeZone: 'America/New_York', startsAt: '17:00' }).start]) {
            for (const account of accounts) {
              expect(orders.countRecent(account, now, minuteStart, dayStart)).toEqual(orders.countRecentInTable(account, now, minuteStart, dayStart));
            }
          }
        }
      }),
      { numRuns: 300 },
    );
    db.close();
  });

  it('are counted in memory: a count reads nothing from the table once loaded', () => {
    const db = openDatabase({ file: path.join(tempDir(), 'rates2.db') });
    const orders = new OrderRepo(db);
    const at = (s: number) => new Date(Date.parse('2026-01-06T10:00:00.000Z') + s * 1000).toISOString();
    for (let i = 0; i < 50; i++) orders.insertIfAbsent({ id: `a${i}`, accountId: 'acc', leg: 'main', createdAt: at(i), request: request(`c-a${i}`) });
    const count = (s: number) => orders.countRecent('acc', at(s), at(s - 60), '2026-01-06T00:00:00.000Z');
    expect(count(49)).toEqual({ lastMinute: 50, today: 50 });
    // The table changed behind the repository's back (never done by the agent): the kept counts do not see it.
    db.exec("UPDATE orders SET created_at = '2026-01-05T10:00:00.000Z' WHERE id = 'a49'");
    orders.insertIfAbsent({ id: 'b', accountId: 'acc', leg: 'main', createdAt: at(50), request: request('c-b') });
    expect(count(50)).toEqual({ lastMinute: 51, today: 51 });
    expect(orders.countRecentInTable('acc', at(50), at(-10), '2026-01-06T00:00:00.000Z')).toEqual({ lastMinute: 50, today: 50 });
    db.close();
  });
});
