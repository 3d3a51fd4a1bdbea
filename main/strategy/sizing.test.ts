import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Decimal } from 'decimal.js';
import { computeQuantity } from './sizing.js';
import type { SizingInput } from './sizing.js';
import { valuationOf } from './valuation.js';

/** An instrument priced in the account's currency, one unit per contract (a US stock on a USD account). */
const usd = valuationOf({ symbol: 'AAPL', quoteCurrency: 'USD', contractSize: '1' }, 'USD');

const base = { lotSize: '1', minQuantity: '1', valuation: usd };

describe('computeQuantity', () => {
  it.each<[string, SizingInput, string]>([
    ['fixed quantity passes through', { ...base, method: 'fixed_quantity', amount: '5' }, '5'],
    ['fixed quantity rounds down to the lot', { ...base, method: 'fixed_quantity', amount: '5.9' }, '5'],
    ['dollar amount divides by the price', { ...base, method: 'dollar_amount', amount: '1000', price: '100' }, '10'],
    ['dollar amount rounds down, never up', { ...base, method: 'dollar_amount', amount: '1000', price: '101' }, '9'],
    ['percent of equity', { ...base, method: 'percent_of_equity', amount: '1', equity: '100000', price: '100' }, '10'],
    ['risk dollar amount divides by the stop distance', { ...base, method: 'risk_dollar_amount', amount: '100', stopDistance: '10' }, '10'],
    ['percent of position', { ...base, method: 'percent_of_position', amount: '20', positionQuantity: '-50' }, '10'],
    ['fractional lot (crypto)', { lotSize: '0.0001', minQuantity: '0.0001', valuation: usd, method: 'dollar_amount', amount: '100', price: '64321.5' }, '0.0015'],
    ['forex units of 1', { lotSize: '1', minQuantity: '1', valuation: valuationOf({ symbol: 'EUR_USD', baseCurrency: 'EUR', quoteCurrency: 'USD', contractSize: '1' }, 'USD'), method: 'percent_of_equity', amount: '50', equity: '10000', price: '1.0832' }, '4615'],
  ])('%s', (_name, input, expected) => {
    const result = computeQuantity(input);
    expect(result).toMatchObject({ ok: true, quantity: expected });
  });

  it('a size that rounds to zero is QUANTITY_ROUNDS_TO_ZERO', () => {
    expect(computeQuantity({ ...base, method: 'dollar_amount', amount: '50', price: '189.42' })).toMatchObject({ ok: false, code: 'QUANTITY_ROUNDS_TO_ZERO' });
  });

  it('a size under the instrument minimum is QUANTITY_BELOW_MIN', () => {
    expect(computeQuantity({ lotSize: '1', minQuantity: '10', method: 'fixed_quantity', amount: '5' })).toMatchObject({ ok: false, code: 'QUANTITY_BELOW_MIN', values: { min: '10' } });
  });

  it('dollar sizing without a price is PRICE_UNAVAILABLE, risk sizing without a stop is STOP_LOSS_REQUIRED', () => {
    expect(computeQuantity({ ...base, method: 'dollar_amount', amount: '1000' })).toMatchObject({ ok: false, code: 'PRICE_UNAVAILABLE' });
    expect(computeQuantity({ ...base, method: 'risk_dollar_amount', amount: '100', stopDistance: '0' })).toMatchObject({ ok: false, code: 'STOP_LOSS_REQUIRED' });
  });

  it('property: a returned quantity is always on the lot grid, at least the minimum, and never above the raw size', () => {
    const decimalString = (min: number, max: number, scale: number) =>
      fc.integer({ min: min * scale, max: max * scale }).map((n) => new Decimal(n).div(scale).toFixed());
    const lots = fc.constantFrom('1', '0.1', '0.01', '0.001', '0.0001', '0.00000001', '5', '100', '0.25');
    fc.assert(
      fc.property(
        fc.constantFrom('fixed_quantity', 'dollar_amount', 'percent_of_equity', 'risk_dollar_amount', 'percent_of_position' as const),
        decimalString(0, 100000, 1000),
        decimalString(1, 100000, 100),
        decimalString(0, 1000000, 100),
        decimalString(1, 500, 100),
        decimalString(0, 10000, 10),
        lots,
        (method, amount, price, equity, stopDistance, positionQuantity, lot) => {
          const result = computeQuantity({ method, amount, price, equity, stopDistance, positionQuantity, lotSize: lot, minQuantity: lot, valuation: usd });
          if (!result.ok) return true;
          const q = new Decimal(result.quantity);
          return q.mod(lot).isZero() && q.gte(lot) && q.lte(result.raw);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
