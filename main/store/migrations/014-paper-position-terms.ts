import { Decimal } from 'decimal.js';
import type { Migration } from './index.js';
import { paperInstrument, termsOf } from '../../brokers/paper/paper-valuation.js';
import { costFromAverage } from './012-paper-cost-basis.js';

// Enough digits that sums of stored decimal strings are exact.
const Wide = Decimal.clone({ precision: 200 });

/**
 * The paper broker counted every instrument as one unit of a stock priced in the account's currency: a futures
 * contract's P&L without its point value, a USD_JPY position's in yen as if dollars, and the full notional of a
 * future, a forex pair or a CFD taken out of cash. It now counts them as sizing values them, and keeps with each
 * position the terms it is counted with: contract size, quote and base currency, and settlement (cash: paid for;
 * margin: only the P&L moves cash). See main/brokers/paper/paper-valuation.ts.
 *
 * Each open position gets the terms of its instrument as the broker now reports it. A position that settles on
 * margin (a future, a forex pair, a CFD) gets back into cash the cost the old books had taken out for it, so cash is
 * again the starting cash plus what was realised (minus commissions), and its P&L counts from now on in the
 * account's currency at the contract size. P&L realised before this migration stays as it was booked: the fills do
 * not say what the account's cash was set to, so the history is not rewritten.
 */
export const m014: Migration = {
  version: 14,
  name: 'paper-position-terms',
  up(db) {
    db.exec(`
      ALTER TABLE paper_positions ADD COLUMN contract_size TEXT;
      ALTER TABLE paper_positions ADD COLUMN quote_currency TEXT;
      ALTER TABLE paper_positions ADD COLUMN base_currency TEXT;
      ALTER TABLE paper_positions ADD COLUMN settlement TEXT;
    `);
    const accounts = db.prepare('SELECT account_id, currency, cash FROM paper_accounts').all() as { account_id: string; currency: string; cash: string }[];
    const positions = db.prepare('SELECT symbol, quantity, cost_basis, average_price FROM paper_positions WHERE account_id = ?');
    const setTerms = db.prepare('UPDATE paper_positions SET contract_size = ?, quote_currency = ?, base_currency = ?, settlement = ? WHERE account_id = ? AND symbol = ?');
    const setCash = db.prepare('UPDATE paper_accounts SET cash = ? WHERE account_id = ?');
    for (const a of accounts) {
      let cash = new Wide(a.cash);
      for (const p of positions.all(a.account_id) as { symbol: string; quantity: string; cost_basis: string | null; average_price: string }[]) {
        // Lot sizes and shorting do not change how a position is counted.
        const terms = termsOf(paperInstrument(p.symbol, a.currency, { fractional: true, allowShort: true }));
        setTerms.run(terms.contractSize ?? null, terms.quoteCurrency ?? null, terms.baseCurrency ?? null, terms.settlement, a.account_id, p.symbol);
        // A row without a cost basis (written by a tool) has it from its average, as the books read it.
        if (terms.settlement === 'margin') cash = cash.plus(p.cost_basis ?? costFromAverage(p.average_price, p.quantity));
      }
      if (!cash.eq(a.cash)) setCash.run(cash.toString(), a.account_id);
    }
  },
};
