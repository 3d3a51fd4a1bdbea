import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Decimal } from 'decimal.js';
import path from 'node:path';
import { openDatabase } from './db.js';
import { PaperRepo, type PaperOrderRow } from './paper.js';
import { tempDir } from '../test-support/agent.js';

const SYMBOLS = ['AAPL', 'MSFT', 'BTC/USD'];
const STATUSES = ['accepted', 'partially_filled', 'filled', 'canceled', 'rejected'];

type Op =
  | { kind: 'position'; account: number; symbol: number; quantity: string; lastPrice?: string }
  | { kind: 'insert'; account: number; symbol: number; status: number }
  | { kind: 'update'; pick: number; status: number; stop?: string }
  | { kind: 'failed'; then: 'position' | 'insert' | 'update'; account: number; pick: number }
  | { kind: 'read'; account: number; symbol?: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('position' as const), account: fc.nat(1), symbol: fc.nat(2), quantity: fc.constantFrom('0', '1', '2.5', '-3'), lastPrice: fc.option(fc.constantFrom('10', '11.5'), { nil: undefined }) }),
  fc.record({ kind: fc.constant('insert' as const), account: fc.nat(1), symbol: fc.nat(2), status: fc.nat(4) }),
  fc.record({ kind: fc.constant('update' as const), pick: fc.nat(50), status: fc.nat(4), stop: fc.option(fc.constantFrom('9', '9.5'), { nil: undefined }) }),
  fc.record({ kind: fc.constant('failed' as const), then: fc.constantFrom('position' as const, 'insert' as const, 'update' as const), account: fc.nat(1), pick: fc.nat(50) }),
  fc.record({ kind: fc.constant('read' as const), account: fc.nat(1), symbol: fc.option(fc.nat(2), { nil: undefined }) }),
);

describe('the paper books kept in memory', () => {
  it('always read as the tables do: positions, working orders and one position, across writes and rolled-back transactions', () => {
    const db = openDatabase({ file: path.join(tempDir(), 'paper-books.db') });
    const repo = new PaperRepo(db);
    let run = 0;
    let n = 0;
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 40 }), (ops) => {
        const accounts = [`p${run}-a`, `p${run}-b`];
        run++;
        for (const a of accounts) repo.ensureAccount(a, 'USD', '1000');
        const placed: PaperOrderRow[] = [];
        const insert = (account: number, symbol: number, status: number): void => {
          const o: PaperOrderRow = {
            accountId: accounts[account]!,
            clientOrderId: `c${n}`,
            brokerOrderId: `b${n++}`,
            symbol: SYMBOLS[symbol]!,
            side: 'buy',
            type: 'limit',
            quantity: '1',
            filledQuantity: '0',
            status: STATUSES[status]!,
            limitPrice: '10',
            request: '{}',
            updatedAt: '2026-01-05T15:00:00.000Z',
          };
          repo.insertOrder(o);
          placed.push(o);
        };
        const update = (pick: number, status: number, stop?: string): void => {
          const o = placed[pick % Math.max(placed.length, 1)];
          if (o) repo.updateOrder({ ...o, status: STATUSES[status]!, stopPrice: stop, filledQuantity: status === 1 ? '0.5' : o.filledQuantity });
        };
        const expectSameAsTables = (account: string, symbol?: string): void => {
          const positions = db.prepare('SELECT symbol, quantity, cost_basis AS costBasis, average_price AS averagePrice, last_price AS lastPrice FROM paper_positions WHERE account_id = ? ORDER BY symbol').all(account) as Record<string, string | null>[];
          const strip = (r: object) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== null && v !== undefined));
          expect(repo.positions(account).map(strip)).toEqual(positions.map(strip));
          for (const s of SYMBOLS) expect(strip(repo.position(account, s) ?? {})).toEqual(strip(positions.find((p) => p.symbol === s) ?? {}));
          const open = db
            .prepare(`SELECT client_order_id AS id, status, stop_price AS stop, filled_quantity AS filled FROM paper_orders WHERE account_id = ? AND status IN ('accepted', 'partially_filled')${symbol ? ' AND symbol = ?' : ''} ORDER BY rowid`)
            .all(...(symbol ? [account, symbol] : [account])) as { id: string; status: string; stop: string | null; filled: string }[];
          expect(repo.openOrders(account, symbol).map((o) => ({ id: o.clientOrderId, status: o.status, stop: o.stopPrice ?? null, filled: o.filledQuantity }))).toEqual(open);
        };
        for (const o of ops) {
          if (o.kind === 'position') repo.setPosition(accounts[o.account]!, { symbol: SYMBOLS[o.symbol]!, quantity: o.quantity, costBasis: new Decimal(o.quantity).times(10).toString(), averagePrice: '10', lastPrice: o.lastPrice });
          else if (o.kind === 'insert') insert(o.account, o.symbol, o.status);
          else if (o.kind === 'update') update(o.pick, o.status, o.stop);
          else if (o.kind === 'failed') {
            const before = placed.length;
            expect(() =>
              repo.transaction(() => {
                if (o.then === 'position') repo.setPosition(accounts[o.account]!, { symbol: 'AAPL', quantity: '7', costBasis: '7', averagePrice: '1' });
                else if (o.then === 'insert') insert(o.account, 0, 0);
                else update(o.pick, 0, '1');
                throw new Error('rolled back');
              }),
            ).toThrow('rolled back');
            placed.length = before;
          } else expectSameAsTables(accounts[o.account]!, o.symbol === undefined ? undefined : SYMBOLS[o.symbol]);
        }
        for (const a of accounts) expectSameAsTables(a);
      }),
      { numRuns: 500 },
    );
    db.close();
  });

  it('a commit by another connection is read, not the books kept from before it', () => {
    const file = path.join(tempDir(), 'paper-other.db');
    const db = openDatabase({ file });
    const repo = new PaperRepo(db);
    repo.ensureAccount('acc', 'USD', '1000');
    repo.setPosition('acc', { symbol: 'AAPL', quantity: '5', costBasis: '50', averagePrice: '10' });
    expect(repo.positions('acc').map((p) => p.quantity)).toEqual(['5']);
    const other = openDatabase({ file });
    other.prepare("UPDATE paper_positions SET quantity = '6' WHERE symbol = 'AAPL'").run();
    other.prepare("INSERT INTO paper_orders (account_id, client_order_id, broker_order_id, symbol, side, type, quantity, filled_quantity, status, request, updated_at) VALUES ('acc', 'x', 'bx', 'AAPL', 'buy', 'limit', '1', '0', 'accepted', '{}', 't')").run();
    other.close();
    expect(repo.positions('acc').map((p) => p.quantity)).toEqual(['6']);
    expect(repo.position('acc', 'AAPL')?.quantity).toBe('6');
    expect(repo.openOrders('acc').map((o) => o.clientOrderId)).toEqual(['x']);
    db.close();
  });

  it('an order working again keeps its place among the working ones', () => {
    const db = openDatabase({ file: path.join(tempDir(), 'paper-order.db') });
    const repo = new PaperRepo(db);
    repo.ensureAccount('acc', 'USD', '1000');
    const o = (id: string, status: string): PaperOrderRow => ({ accountId: 'acc', clientOrderId: id, brokerOrderId: `b-${id}`, symbol: 'AAPL', side: 'buy', type: 'limit', quantity: '1', filledQuantity: '0', status, limitPrice: '10', request: '{}', updatedAt: 't' });
    repo.insertOrder(o('c1', 'accepted'));
    repo.insertOrder(o('c2', 'accepted'));
    expect(repo.openOrders('acc').map((x) => x.clientOrderId)).toEqual(['c1', 'c2']);
    repo.updateOrder(o('c1', 'canceled'));
    repo.updateOrder(o('c1', 'accepted'));
    expect(repo.openOrders('acc').map((x) => x.clientOrderId)).toEqual(['c1', 'c2']);
    db.close();
  });

  it('a copy handed out cannot change the books', () => {
    const db = openDatabase({ file: path.join(tempDir(), 'paper-copy.db') });
    const repo = new PaperRepo(db);
    repo.ensureAccount('acc', 'USD', '1000');
    repo.setPosition('acc', { symbol: 'AAPL', quantity: '5', costBasis: '50', averagePrice: '10' });
    repo.positions('acc')[0]!.quantity = '99';
    repo.position('acc', 'AAPL')!.quantity = '98';
    expect(repo.positions('acc')[0]!.quantity).toBe('5');
    db.close();
  });
});
