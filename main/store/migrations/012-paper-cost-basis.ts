import { Decimal } from 'decimal.js';
import type { Migration } from './index.js';

/** Decimal places a cost basis derived from a stored average is rounded to (see below). */
export const DERIVED_COST_DECIMALS = 12;

/**
 * The paper broker kept a position's average price as a rounded quotient (20 significant digits) and multiplied it
 * back, so P&L and cash drifted by artefacts such as 83.49999999999999996. It now keeps the position's cost basis
 * (the signed total cost of the open quantity: positive for a long, negative for a short) and derives the average
 * from it for display only. Existing positions get their cost basis once, as stored average × quantity. The stored
 * average is off the true one by less than one unit of its 20th significant digit, so the product is rounded to 12
 * decimal places: that recovers the exact cost of any position bought at prices and quantities with up to 12
 * decimal places between them (prices of 4 and quantities of 6 places are the paper broker's ticks and lots).
 */
export const m012: Migration = {
  version: 12,
  name: 'paper-cost-basis',
  up(db) {
    db.exec('ALTER TABLE paper_positions ADD COLUMN cost_basis TEXT');
    const rows = db.prepare('SELECT account_id, symbol, quantity, average_price FROM paper_positions').all() as { account_id: string; symbol: string; quantity: string; average_price: string }[];
    const set = db.prepare('UPDATE paper_positions SET cost_basis = ? WHERE account_id = ? AND symbol = ?');
    for (const r of rows) set.run(costFromAverage(r.average_price, r.quantity), r.account_id, r.symbol);
  },
};

// Enough digits that the product of two stored decimal strings is never rounded before toDecimalPlaces().
const Wide = Decimal.clone({ precision: 200 });

/** A position's signed cost basis from its stored (rounded) average price and signed quantity. */
export function costFromAverage(averagePrice: string, quantity: string): string {
  return new Wide(averagePrice).times(quantity).toDecimalPlaces(DERIVED_COST_DECIMALS, Decimal.ROUND_HALF_EVEN).toString();
}
