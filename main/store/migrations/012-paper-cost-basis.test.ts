import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { openDatabase, type Db } from '../db.js';
import { PaperRepo } from '../paper.js';
import { MIGRATIONS } from './index.js';
import { tempDir } from '../../test-support/agent.js';
import { PaperBroker } from '../../brokers/paper/paper-broker.js';

const oldPosition = (db: Db, symbol: string, quantity: string, averagePrice: string, lastPrice: string | null) =>
  db.prepare('INSERT INTO paper_positions (account_id, symbol, quantity, average_price, last_price) VALUES (?, ?, ?, ?, ?)').run('acc1', symbol, quantity, averagePrice, lastPrice);

describe('migration 012', () => {
  it('gives each paper position a cost basis from its stored average × quantity, recovering the exact cost of a rounded average', async () => {
    const file = path.join(tempDir(), 'm12.db');
    const before = openDatabase({ file, migrations: MIGRATIONS.filter((m) => m.version < 12) });
    before.prepare("INSERT INTO paper_accounts (account_id, currency, cash) VALUES ('acc1', 'USD', '98781.5')").run();
    // What the old broker stored for buy 10 @100, 1 @110, 1 @108.5 (a 20-digit quotient), a short, and an exact one.
    oldPosition(before, 'TR', '12', '101.54166666666666667', '108.5');
    oldPosition(before, 'SH', '-3', '33.333333333333333333', null);
    oldPosition(before, 'EX', '0.5', '250.25', '251');
    before.close();

    const db = openDatabase({ file, migrations: MIGRATIONS });
    const stored = db.prepare('SELECT symbol, cost_basis FROM paper_positions ORDER BY symbol').all();
    expect(stored).toEqual([
      { symbol: 'EX', cost_basis: '125.125' },
      { symbol: 'SH', cost_basis: '-100' },
      { symbol: 'TR', cost_basis: '1218.5' },
    ]);
    // The broker on the migrated books: exact P&L, and selling the rest realises the exact round trip.
    const repo = new PaperRepo(db);
    const p = new PaperBroker('acc1', repo);
    expect((await p.positions()).find((x) => x.symbol === 'TR')).toEqual({ symbol: 'TR', quantity: '12', averagePrice: '101.54166667', marketPrice: '108.5', unrealizedPnl: '83.5' });
    await p.submit({ clientOrderId: 'x', symbol: 'TR', side: 'sell', type: 'market', quantity: '12', timeInForce: 'day', referencePrice: '110' });
    expect(repo.account('acc1')).toMatchObject({ cash: '100101.5', realizedPnl: '101.5' });
    db.close();
  });

  it('a position row written without a cost basis (by a tool that knows only the old columns) reads with one derived the same way', () => {
    const db = openDatabase({ file: path.join(tempDir(), 'm12-tool.db') });
    db.prepare("INSERT INTO paper_accounts (account_id, currency, cash) VALUES ('acc1', 'USD', '1000')").run();
    oldPosition(db, 'TR', '12', '101.54166666666666667', '108.5');
    expect(new PaperRepo(db).position('acc1', 'TR')).toEqual({ symbol: 'TR', quantity: '12', costBasis: '1218.5', averagePrice: '101.54166666666666667', lastPrice: '108.5' });
    db.close();
  });
});
