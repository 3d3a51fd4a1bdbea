import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { openDatabase, type Db } from '../db.js';
import { PaperRepo } from '../paper.js';
import { MIGRATIONS } from './index.js';
import { tempDir } from '../../test-support/agent.js';
import { PaperBroker } from '../../brokers/paper/paper-broker.js';

const oldPosition = (db: Db, account: string, symbol: string, quantity: string, costBasis: string, averagePrice: string, lastPrice: string) =>
  db.prepare('INSERT INTO paper_positions (account_id, symbol, quantity, cost_basis, average_price, last_price) VALUES (?, ?, ?, ?, ?, ?)').run(account, symbol, quantity, costBasis, averagePrice, lastPrice);

describe('migration 014', () => {
  it('keeps with each paper position the terms it is counted with, and gives back to cash what the old books took for a margin position', async () => {
    const file = path.join(tempDir(), 'm14.db');
    const before = openDatabase({ file, migrations: MIGRATIONS.filter((m) => m.version < 14) });
    // The old books paid every position from cash: 100000 − 2000 − 5000 − 150000 − 850 + 900 (a short paid in).
    before.prepare("INSERT INTO paper_accounts (account_id, currency, cash, realized_pnl) VALUES ('acc1', 'USD', '-56950', '0')").run();
    oldPosition(before, 'acc1', 'AAPL', '10', '2000', '200', '210');
    oldPosition(before, 'acc1', 'ESZ2026', '1', '5000', '5000', '5010');
    oldPosition(before, 'acc1', 'USDJPY', '1000', '150000', '150', '151');
    oldPosition(before, 'acc1', 'EURGBP', '1000', '850', '0.85', '0.86');
    oldPosition(before, 'acc1', 'ZCZ2026', '-2', '-900', '450', '440');
    before.prepare("INSERT INTO paper_accounts (account_id, currency, cash) VALUES ('eur', 'EUR', '8900')").run();
    oldPosition(before, 'eur', 'EURUSD', '1000', '1100', '1.1', '1.1');
    before.prepare("INSERT INTO paper_accounts (account_id, currency, cash) VALUES ('flat', 'USD', '12345.67')").run();
    before.close();

    const db = openDatabase({ file, migrations: MIGRATIONS });
    expect(db.prepare('SELECT account_id, symbol, contract_size, quote_currency, base_currency, settlement FROM paper_positions ORDER BY account_id, symbol').all()).toEqual([
      { account_id: 'acc1', symbol: 'AAPL', contract_size: '1', quote_currency: 'USD', base_currency: null, settlement: 'cash' },
      { account_id: 'acc1', symbol: 'ESZ2026', contract_size: '50', quote_currency: 'USD', base_currency: null, settlement: 'margin' },
      { account_id: 'acc1', symbol: 'EURGBP', contract_size: '1', quote_currency: 'GBP', base_currency: 'EUR', settlement: 'margin' },
      { account_id: 'acc1', symbol: 'USDJPY', contract_size: '1', quote_currency: 'JPY', base_currency: 'USD', settlement: 'margin' },
      { account_id: 'acc1', symbol: 'ZCZ2026', contract_size: null, quote_currency: 'USD', base_currency: null, settlement: 'margin' },
      { account_id: 'eur', symbol: 'EURUSD', contract_size: '1', quote_currency: 'USD', base_currency: 'EUR', settlement: 'margin' },
    ]);
    // Cash is the starting cash less what the stock cost: the margin positions' cost is back.
    expect(db.prepare('SELECT account_id, cash FROM paper_accounts ORDER BY account_id').all()).toEqual([
      { account_id: 'acc1', cash: '98000' },
      { account_id: 'eur', cash: '10000' },
      { account_id: 'flat', cash: '12345.67' },
    ]);

    // The broker on the migrated books: P&L in dollars at the contract size, none for what it cannot value.
    const repo = new PaperRepo(db);
    const p = new PaperBroker('acc1', repo);
    expect(await p.positions()).toEqual([
      { symbol: 'AAPL', quantity: '10', averagePrice: '200', marketPrice: '210', unrealizedPnl: '100' },
      { symbol: 'ESZ2026', quantity: '1', averagePrice: '5000', marketPrice: '5010', unrealizedPnl: '500' },
      { symbol: 'EURGBP', quantity: '1000', averagePrice: '0.85', marketPrice: '0.86' },
      { symbol: 'USDJPY', quantity: '1000', averagePrice: '150', marketPrice: '151', unrealizedPnl: '6.622516556291' },
      { symbol: 'ZCZ2026', quantity: '-2', averagePrice: '450', marketPrice: '440' },
    ]);
    expect(await p.account()).toEqual({ currency: 'USD', cash: '98000', equity: '100606.622516556291', buyingPower: '98506.622516556291' });
    await p.submit({ clientOrderId: 'x', symbol: 'ESZ2026', side: 'sell', type: 'market', quantity: '1', timeInForce: 'day', referencePrice: '5020', reduceOnly: true });
    await p.submit({ clientOrderId: 'z', symbol: 'ZCZ2026', side: 'buy', type: 'market', quantity: '2', timeInForce: 'day', referencePrice: '430', reduceOnly: true });
    expect(repo.account('acc1')).toMatchObject({ cash: '99000', realizedPnl: '1000' });
    db.close();
  });
});
