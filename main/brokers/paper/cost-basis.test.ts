import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Decimal } from 'decimal.js';
import { harness } from '../../orders/test-support/harness.js';
import type { OrderRequest } from '../port.js';
import { applyFill, averagePriceOf, unrealizedPnlOf } from './cost-basis.js';

// The test's own exact arithmetic, independent of the broker's.
const Exact = Decimal.clone({ precision: 500 });
const START = '100000';

/** A decimal price with up to 4 places (the paper tick), 0.0001 .. 5000. */
const price = fc.integer({ min: 1, max: 50_000_000 }).map((n) => new Exact(n).div(10_000).toString());
/** A decimal quantity with up to 6 places (the paper lot), 0.000001 .. 200. */
const quantity = fc.integer({ min: 1, max: 200_000_000 }).map((n) => new Exact(n).div(1_000_000).toString());
const side = fc.constantFrom('buy' as const, 'sell' as const);
const commission = fc.constantFrom('0', '1.25', '0.0007');

const market = (id: string, symbol: string, s: 'buy' | 'sell', qty: string, px: string): OrderRequest => ({ clientOrderId: id, symbol, side: s, type: 'market', quantity: qty, timeInForce: 'day', referencePrice: px });
const sum = (xs: Decimal.Value[]): Decimal => xs.reduce<Decimal>((s, x) => s.plus(x), new Exact(0));

describe('paper broker accounting on the cost basis', () => {
  it('shows the audit case exactly: buy 10 @100, 1 @110, 1 @108.5 has unrealised P&L 83.5 and an average rounded to 8 places', async () => {
    const h = harness();
    const p = h.paper();
    await p.submit(market('a', 'TR', 'buy', '10', '100'));
    await p.submit(market('b', 'TR', 'buy', '1', '110'));
    await p.submit(market('c', 'TR', 'buy', '1', '108.5'));
    expect(await p.positions()).toEqual([{ symbol: 'TR', quantity: '12', averagePrice: '101.54166667', marketPrice: '108.5', unrealizedPnl: '83.5' }]);
    expect(h.paperRepo.position('acc1', 'TR')!.costBasis).toBe('1218.5');
    // A partial exit of a third at 110 realises 4 × 110 − 1218.5 × 4/12 (406.1666…, to 12 places), the rest keeps
    // the remainder of the basis; closing the rest at 110 makes the round trip exact: 12 × 110 − 1218.5 = 101.5.
    await p.submit(market('d', 'TR', 'sell', '4', '110'));
    expect(h.paperRepo.account('acc1').realizedPnl).toBe('33.833333333333');
    expect(h.paperRepo.position('acc1', 'TR')!.costBasis).toBe('812.333333333333');
    await p.submit(market('e', 'TR', 'sell', '8', '110'));
    expect(h.paperRepo.account('acc1').realizedPnl).toBe('101.5');
    expect(await p.positions()).toEqual([]);
    expect((await p.account()).cash).toBe('100101.5');
    h.close();
  });

  it('for random fills at decimal prices (adds, partial closes, reversals, commissions), cash + positions at cost = starting cash + realised P&L exactly, after every fill', async () => {
    const h = harness();
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        commission,
        fc.array(fc.record({ symbol: fc.constantFrom('AAA', 'BBB'), side, qty: quantity, px: price }), { minLength: 1, maxLength: 20 }),
        async (fee, fills) => {
          const account = `inv${run++}`;
          const p = h.paper(account, { commissionPerOrder: fee, startingCash: START });
          let i = 0;
          let cashFlow = new Exact(0);
          for (const f of fills) {
            await p.submit(market(`o${i++}`, f.symbol, f.side, f.qty, f.px));
            cashFlow = cashFlow.minus(new Exact(f.qty).times(f.px).times(f.side === 'buy' ? 1 : -1)).minus(fee);
            const books = h.paperRepo.account(account);
            const atCost = sum(h.paperRepo.positions(account).map((x) => x.costBasis));
            expect(new Exact(books.cash).eq(new Exact(START).plus(cashFlow))).toBe(true); // no drift in cash
            expect(new Exact(books.cash).plus(atCost).eq(new Exact(START).plus(books.realizedPnl))).toBe(true);
            // The same through the public surface: equity minus unrealised P&L is cash + positions at cost.
            const acct = await p.account();
            const unrealized = sum((await p.positions()).map((x) => x.unrealizedPnl!));
            expect(new Exact(acct.equity).minus(unrealized).eq(new Exact(START).plus(books.realizedPnl))).toBe(true);
          }
          // Flatten everything: all the money the fills moved is now realised, to the last digit.
          for (const pos of await p.positions()) {
            const q = new Exact(pos.quantity);
            await p.submit(market(`o${i++}`, pos.symbol, q.isNegative() ? 'buy' : 'sell', q.abs().toString(), '1.2345'));
            cashFlow = cashFlow.plus(q.times('1.2345')).minus(fee);
          }
          expect(await p.positions()).toEqual([]);
          expect(h.paperRepo.account(account).realizedPnl).toBe(cashFlow.toString());
          expect(h.paperRepo.account(account).cash).toBe(new Exact(START).plus(cashFlow).toString());
        },
      ),
      { numRuns: 60 },
    );
    h.close();
  });

  it('a round trip (one entry, one exit, long or short) realises exactly (exit − entry) × quantity', async () => {
    const h = harness();
    let run = 0;
    await fc.assert(
      fc.asyncProperty(side, quantity, price, price, async (entrySide, qty, entry, exit) => {
        const account = `rt${run++}`;
        const p = h.paper(account);
        await p.submit(market('in', 'AAA', entrySide, qty, entry));
        await p.submit(market('out', 'AAA', entrySide === 'buy' ? 'sell' : 'buy', qty, exit));
        const perUnit = entrySide === 'buy' ? new Exact(exit).minus(entry) : new Exact(entry).minus(exit);
        expect(h.paperRepo.account(account).realizedPnl).toBe(perUnit.times(qty).toString());
        expect(await p.positions()).toEqual([]);
      }),
      { numRuns: 80 },
    );
    h.close();
  });

  it('a round trip built from several entries and closed in several parts realises exactly the exit proceeds minus the entry cost', async () => {
    const h = harness();
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ qty: quantity, px: price }), { minLength: 1, maxLength: 4 }),
        fc.array(fc.record({ weight: fc.integer({ min: 1, max: 7 }), px: price }), { minLength: 1, maxLength: 4 }),
        async (entries, exits) => {
          const account = `parts${run++}`;
          const p = h.paper(account);
          let i = 0;
          for (const e of entries) await p.submit(market(`in${i++}`, 'AAA', 'buy', e.qty, e.px));
          const total = sum(entries.map((e) => e.qty));
          // Exit parts in proportion to the weights, on the lot (6 places); the last part takes the rest.
          const weights = sum(exits.map((x) => x.weight));
          let left = total;
          const parts = exits.map((x, k) => {
            const q = k === exits.length - 1 ? left : Exact.min(left, total.times(x.weight).div(weights).toDecimalPlaces(6, Decimal.ROUND_DOWN));
            left = left.minus(q);
            return { qty: q, px: x.px };
          });
          for (const x of parts) if (x.qty.gt(0)) await p.submit(market(`out${i++}`, 'AAA', 'sell', x.qty.toString(), x.px));
          const proceeds = sum(parts.map((x) => x.qty.times(x.px)));
          const cost = sum(entries.map((e) => new Exact(e.qty).times(e.px)));
          expect(await p.positions()).toEqual([]);
          expect(h.paperRepo.account(account).realizedPnl).toBe(proceeds.minus(cost).toString());
        },
      ),
      { numRuns: 60 },
    );
    h.close();
  });
});

describe('cost-basis arithmetic', () => {
  it('an add adds its cost; a partial close takes the basis out pro rata (12 places); a reversal opens the rest at the fill price', () => {
    const added = applyFill({ quantity: '10', costBasis: '1000' }, '2', '109.25');
    expect([added.quantity.toString(), added.costBasis.toString(), added.realized.toString()]).toEqual(['12', '1218.5', '0']);
    const partial = applyFill({ quantity: '12', costBasis: '1218.5' }, '-5', '110');
    // 5/12 of 1218.5 = 507.7083333…: realised 550 − 507.708333333333, the rest stays in the basis.
    expect([partial.quantity.toString(), partial.costBasis.toString(), partial.realized.toString()]).toEqual(['7', '710.791666666667', '42.291666666667']);
    const reversed = applyFill({ quantity: '7', costBasis: '710.791666666667' }, '-10', '100');
    expect([reversed.quantity.toString(), reversed.costBasis.toString(), reversed.realized.toString()]).toEqual(['-3', '-300', '-10.791666666667']);
    const shortClosed = applyFill({ quantity: '-3', costBasis: '-300' }, '3', '90.5');
    expect([shortClosed.quantity.toString(), shortClosed.costBasis.toString(), shortClosed.realized.toString()]).toEqual(['0', '0', '28.5']);
  });

  it('the average price is for display, rounded half up to 8 places, and the unrealised P&L does not use it', () => {
    expect(averagePriceOf({ quantity: '12', costBasis: '1218.5' })).toBe('101.54166667');
    expect(averagePriceOf({ quantity: '-3', costBasis: '-300.00000001' })).toBe('100');
    expect(averagePriceOf({ quantity: '0', costBasis: '0' })).toBe('0');
    expect(unrealizedPnlOf({ quantity: '12', costBasis: '1218.5' }, '108.5').toString()).toBe('83.5');
    expect(unrealizedPnlOf({ quantity: '-3', costBasis: '-300' }, '90').toString()).toBe('30');
  });

  it('sums of large balances and many decimal places are not rounded to 20 significant digits', () => {
    const big = applyFill({ quantity: '0', costBasis: '0' }, '123456.123456', '98765.4321');
    expect(big.costBasis.toString()).toBe(new Exact('123456.123456').times('98765.4321').toString());
    expect(big.costBasis.toString()).toBe('12193197378.5227853376');
    expect(new Decimal('123456.123456').times('98765.4321').toString()).not.toBe('12193197378.5227853376'); // default precision would round
  });
});
