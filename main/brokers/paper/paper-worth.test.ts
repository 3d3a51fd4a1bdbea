import { describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { harness } from '../../orders/test-support/harness.js';
import type * as valuation from './paper-valuation.js';
import { positionMoney } from './paper-valuation.js';

// Counts the valuations the broker makes, computing each as before.
vi.mock('./paper-valuation.js', async (importOriginal) => {
  const m = await importOriginal<typeof valuation>();
  return { ...m, positionMoney: vi.fn(m.positionMoney) };
});
const valuations = vi.mocked(positionMoney);

// Stocks and spot crypto (cash), a forex pair quoted in another currency than the account's (margin), a future.
const SYMBOLS = ['AAPL', 'BTCUSD', 'USDJPY', 'EURUSD', 'ESZ2026'];

describe("paper broker: each position's worth", () => {
  it('is valued again only for the position that changed', async () => {
    const h = harness();
    const p = h.paper('acc1', { startingCash: '1000000' });
    for (const [i, s] of SYMBOLS.entries()) await p.submit({ clientOrderId: `o${i}`, symbol: s, side: 'buy', type: 'market', quantity: '2', timeInForce: 'day', referencePrice: String(100 + i) });
    await p.account();
    valuations.mockClear();
    p.observePrice('AAPL', '123.45');
    const account = await p.account();
    const positions = await p.positions();
    // One valuation for AAPL, shared by the account and its positions; the other four are as they were.
    expect(valuations).toHaveBeenCalledTimes(1);
    expect(positions.find((x) => x.symbol === 'AAPL')).toMatchObject({ marketPrice: '123.45', unrealizedPnl: '46.9' });
    // The same figures as a broker that has valued nothing yet.
    const fresh = h.paper('acc1');
    expect(await fresh.account()).toEqual(account);
    expect(await fresh.positions()).toEqual(positions);
    h.close();
  });

  it('is what a broker valuing every position afresh reports, after any prices and fills', async () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('price' as const), symbol: fc.constantFrom(...SYMBOLS), price: fc.integer({ min: 50, max: 200 }) }),
      fc.record({ kind: fc.constant('order' as const), symbol: fc.constantFrom(...SYMBOLS), side: fc.constantFrom('buy' as const, 'sell' as const), quantity: fc.integer({ min: 1, max: 5 }), price: fc.integer({ min: 50, max: 200 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), async (ops) => {
        const h = harness();
        const p = h.paper('acc1', { startingCash: '1000000' });
        try {
          for (const [i, o] of ops.entries()) {
            if (o.kind === 'price') p.observePrice(o.symbol, String(o.price));
            else await p.submit({ clientOrderId: `c${i}`, symbol: o.symbol, side: o.side, type: 'market', quantity: String(o.quantity), timeInForce: 'day', referencePrice: String(o.price) });
            const fresh = h.paper('acc1');
            expect(await p.account()).toEqual(await fresh.account());
            expect(await p.positions()).toEqual(await fresh.positions());
          }
        } finally {
          h.close();
        }
      }),
      { numRuns: 40 },
    );
  });
});
