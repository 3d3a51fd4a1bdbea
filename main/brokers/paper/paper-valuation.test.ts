import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Decimal } from 'decimal.js';
import { harness } from '../../orders/test-support/harness.js';
import { BrokerError, type OrderRequest } from '../port.js';
import { PaperBroker } from './paper-broker.js';
import { openDatabase } from '../../store/db.js';
import { PaperRepo } from '../../store/paper.js';
import { REDUCE_ONLY_NOTHING_LEFT } from './paper-matching.js';

const Exact = Decimal.clone({ precision: 200 });
const order = (id: string, symbol: string, side: 'buy' | 'sell', quantity: string, price: string, extra: Partial<OrderRequest> = {}): OrderRequest => ({
  clientOrderId: id,
  symbol,
  side,
  type: 'market',
  quantity,
  timeInForce: 'day',
  referencePrice: price,
  ...extra,
});
const ES = 'ESZ2026';

describe('paper books in the account currency: futures', () => {
  it('1 ES bought at 5000 and sold at 5010 makes +500 USD; while open, cash keeps the notional and equity moves by the P&L', async () => {
    const h = harness();
    const p = h.paper('acc1', { startingCash: '100000' });
    expect(await p.submit(order('b', ES, 'buy', '1', '5000'))).toMatchObject({ status: 'filled', averageFillPrice: '5000' });
    // A futures contract is not paid for: no cash moves when it opens.
    expect(await p.account()).toEqual({ currency: 'USD', cash: '100000', equity: '100000', buyingPower: '100000' });
    p.observePrice(ES, '5010');
    expect(await p.positions()).toEqual([{ symbol: ES, quantity: '1', averagePrice: '5000', marketPrice: '5010', unrealizedPnl: '500' }]);
    expect(await p.account()).toEqual({ currency: 'USD', cash: '100000', equity: '100500', buyingPower: '100500' });
    p.observePrice(ES, '4990');
    expect((await p.positions())[0]!.unrealizedPnl).toBe('-500');
    expect((await p.account()).equity).toBe('99500');
    await p.submit(order('s', ES, 'sell', '1', '5010'));
    expect(await p.positions()).toEqual([]);
    expect(h.paperRepo.account('acc1')).toMatchObject({ cash: '100500', realizedPnl: '500' });
    expect(await p.account()).toEqual({ currency: 'USD', cash: '100500', equity: '100500', buyingPower: '100500' });
    h.close();
  });

  it('a partial close realises its share at the point value and leaves the rest open at its cost; commissions come off cash and P&L', async () => {
    const h = harness();
    const p = h.paper('acc1', { commissionPerOrder: '2.5' });
    await p.submit(order('b', ES, 'buy', '3', '5000'));
    await p.submit(order('s1', ES, 'sell', '1', '5020'));
    // (5020 − 5000) × 1 × 50 = 1000, minus two commissions.
    expect(h.paperRepo.account('acc1')).toMatchObject({ cash: '100995', realizedPnl: '995' });
    expect(await p.positions()).toEqual([{ symbol: ES, quantity: '2', averagePrice: '5000', marketPrice: '5020', unrealizedPnl: '2000' }]);
    expect((await p.account()).equity).toBe('102995');
    await p.submit(order('s2', ES, 'sell', '2', '4995'));
    // (4995 − 5000) × 2 × 50 = −500.
    expect(h.paperRepo.account('acc1')).toMatchObject({ cash: '100492.5', realizedPnl: '492.5' });
    expect(await p.account()).toMatchObject({ cash: '100492.5', equity: '100492.5' });
    h.close();
  });

  it('a short NQ and a reversal of an ES long are counted at their own point values', async () => {
    const h = harness();
    const p = h.paper();
    await p.submit(order('n1', 'NQZ2026', 'sell', '1', '20000'));
    await p.submit(order('n2', 'NQZ2026', 'buy', '1', '19900'));
    expect(h.paperRepo.account('acc1').realizedPnl).toBe('2000'); // 100 points × 20
    await p.submit(order('e1', ES, 'buy', '1', '5000'));
    await p.submit(order('e2', ES, 'sell', '3', '5010')); // closes the long (+500), opens 2 short at 5010
    expect(h.paperRepo.account('acc1')).toMatchObject({ cash: '102500', realizedPnl: '2500' });
    p.observePrice(ES, '5000');
    expect(await p.positions()).toEqual([{ symbol: ES, quantity: '-2', averagePrice: '5010', marketPrice: '5000', unrealizedPnl: '1000' }]);
    expect((await p.account()).equity).toBe('103500');
    h.close();
  });

  it('the books and the terms each position is counted with survive a restart', async () => {
    const h = harness();
    const p = h.paper();
    await p.submit(order('b', ES, 'buy', '2', '5000'));
    await p.submit(order('u', 'USDJPY', 'buy', '100000', '150'));
    p.observePrice(ES, '5010');
    const before = { account: await p.account(), positions: await p.positions() };
    h.close();
    const db = openDatabase({ file: h.file });
    const again = new PaperBroker('acc1', new PaperRepo(db));
    expect({ account: await again.account(), positions: await again.positions() }).toEqual(before);
    expect(before.account.equity).toBe('101000');
    await again.submit(order('s', ES, 'sell', '2', '5010'));
    expect(new PaperRepo(db).account('acc1')).toMatchObject({ cash: '101000', realizedPnl: '1000' });
    db.close();
  });
});

describe('paper futures trade in whole contracts', () => {
  /** The BrokerError `p.submit(o)` is refused with. */
  const refusal = async (p: PaperBroker, o: OrderRequest): Promise<BrokerError> => {
    const err: unknown = await p.submit(o).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(BrokerError);
    return err as BrokerError;
  };

  it('a contract is whole whatever the account\'s fractional setting: lot and minimum 1, not fractionable', async () => {
    const h = harness();
    for (const p of [h.paper('frac'), h.paper('whole', { fractional: false })]) {
      expect(await p.instrument(ES)).toMatchObject({ assetClass: 'future', lotSize: '1', minQuantity: '1', fractionable: false });
    }
    // Stocks on a fractional account stay fractional.
    expect(await h.paper('frac').instrument('AAPL')).toMatchObject({ lotSize: '0.000001', fractionable: true });
    h.close();
  });

  it('an order for a fraction of a contract is refused with QUANTITY_NOT_WHOLE before it reaches the books', async () => {
    const h = harness();
    const p = h.paper();
    const half = await refusal(p, order('half', ES, 'buy', '0.5', '5000'));
    expect(half).toMatchObject({ kind: 'invalid', code: 'QUANTITY_NOT_WHOLE' });
    expect(half.message).toBe('ESZ2026 is a futures contract and trades in whole contracts: 0.5 is not a whole number of contracts. Send at least 1.');
    const more = await refusal(p, { ...order('more', 'NQH2027', 'sell', '1.5', '20000'), type: 'limit', limitPrice: '20000', timeInForce: 'gtc' });
    expect(more.message).toBe('NQH2027 is a futures contract and trades in whole contracts: 1.5 is not a whole number of contracts. Send 1 or 2.');
    // Nothing was booked: no order row (the client order id is still free), no position, no cash moved.
    expect(h.paperRepo.order('acc1', 'half')).toBeUndefined();
    expect(h.paperRepo.order('acc1', 'more')).toBeUndefined();
    expect(await p.positions()).toEqual([]);
    expect(await p.account()).toEqual({ currency: 'USD', cash: '100000', equity: '100000', buyingPower: '100000' });
    expect(await p.submit(order('half', ES, 'buy', '1', '5000'))).toMatchObject({ status: 'filled', quantity: '1' });
    // A fractional stock on the same account is still accepted.
    expect(await p.submit(order('aapl', 'AAPL', 'buy', '0.5', '200'))).toMatchObject({ status: 'filled', quantity: '0.5' });
    h.close();
  });

  it('a split market fill is split in whole contracts', async () => {
    const h = harness();
    const p = h.paper('acc1', { partialFills: true });
    const fills: string[] = [];
    p.onUpdate((u) => u.kind === 'fill' && fills.push(u.fill.quantity));
    expect(await p.submit(order('b', ES, 'buy', '3', '5000'))).toMatchObject({ status: 'filled', filledQuantity: '3' });
    expect(fills).toEqual(['1', '2']);
    h.close();
  });

  it('an exit may close a fraction the books kept from before, but never leave one', async () => {
    const h = harness();
    const p = h.paper();
    // A position of 1.5 ES as the books could hold it before whole contracts were enforced.
    h.paperRepo.setPosition('acc1', { symbol: ES, quantity: '1.5', costBasis: '7500', averagePrice: '5000', lastPrice: '5000', contractSize: '50', quoteCurrency: 'USD', settlement: 'margin' });
    // An exit of 0.5 closes the fraction; one of 0.25 would leave another, and is refused.
    expect(await refusal(p, order('x1', ES, 'sell', '0.25', '5010', { reduceOnly: true }))).toMatchObject({ code: 'QUANTITY_NOT_WHOLE' });
    expect(await p.submit(order('x2', ES, 'sell', '0.5', '5010', { reduceOnly: true }))).toMatchObject({ status: 'filled', filledQuantity: '0.5' });
    expect(await p.positions()).toMatchObject([{ symbol: ES, quantity: '1' }]);
    // Holding a whole contract, a reduce-only half is refused: it would leave half of one. Only an exit may carry
    // a fraction: the same half without reduce-only is refused too.
    expect(await refusal(p, order('x3', ES, 'sell', '0.5', '5010', { reduceOnly: true }))).toMatchObject({ code: 'QUANTITY_NOT_WHOLE' });
    expect(await refusal(p, order('x4', ES, 'sell', '0.5', '5010'))).toMatchObject({ code: 'QUANTITY_NOT_WHOLE' });
    // An exit larger than a kept fraction fills at most the position, leaving nothing.
    h.paperRepo.setPosition('acc1', { symbol: ES, quantity: '1.5', costBasis: '7500', averagePrice: '5000', lastPrice: '5000', contractSize: '50', quoteCurrency: 'USD', settlement: 'margin' });
    expect(await p.submit(order('x5', ES, 'sell', '2.5', '5010', { reduceOnly: true }))).toMatchObject({ filledQuantity: '1.5' });
    expect(await p.positions()).toEqual([]);
    h.close();
  });

  it('an account with fractional quantities off refuses a fraction of a share with the same code', async () => {
    const h = harness();
    const err = await refusal(h.paper('strict', { fractional: false }), order('f', 'AAPL', 'buy', '2.5', '200'));
    expect(err).toMatchObject({ kind: 'invalid', code: 'QUANTITY_NOT_WHOLE' });
    expect(err.message).toBe("fractional quantities are not enabled for this paper account: 2.5 AAPL is not a whole number. Send 2 or 3, or enable fractional quantities in the account's paper settings.");
    h.close();
  });
});

describe('paper books in the account currency: forex', () => {
  it('a pair quoted in the account currency (EURUSD on USD) counts its P&L as it is', async () => {
    const h = harness();
    const p = h.paper();
    await p.submit(order('b', 'EURUSD', 'buy', '10000', '1.085'));
    expect((await p.account()).cash).toBe('100000'); // a forex position is not paid for
    p.observePrice('EURUSD', '1.0912');
    expect((await p.positions())[0]).toMatchObject({ quantity: '10000', unrealizedPnl: '62' });
    expect((await p.account()).equity).toBe('100062');
    await p.submit(order('s', 'EURUSD', 'sell', '10000', '1.0912'));
    expect(h.paperRepo.account('acc1')).toMatchObject({ cash: '100062', realizedPnl: '62' });
    h.close();
  });

  it('a pair whose base is the account currency (USDJPY on USD) counts its yen P&L in dollars at the rate of the moment', async () => {
    const h = harness();
    const p = h.paper();
    await p.submit(order('b', 'USDJPY', 'buy', '100000', '150'));
    p.observePrice('USDJPY', '151');
    // 100,000 × 1 JPY = 100,000 JPY, at 151 JPY per USD: 662.251655629139 USD (12 places), not 100,000.
    expect((await p.positions())[0]).toMatchObject({ unrealizedPnl: '662.251655629139' });
    expect((await p.account()).equity).toBe('100662.251655629139');
    await p.submit(order('s', 'USDJPY', 'sell', '40000', '152'));
    // 40,000 × 2 JPY = 80,000 JPY at 152: 526.315789473684 USD.
    expect(h.paperRepo.account('acc1')).toMatchObject({ cash: '100526.315789473684', realizedPnl: '526.315789473684' });
    // The rest (60,000 at 150) at the mark 152: 120,000 JPY = 789.473684210526 USD.
    expect((await p.positions())[0]).toMatchObject({ quantity: '60000', unrealizedPnl: '789.473684210526' });
    expect((await p.account()).equity).toBe('101315.78947368421');
    h.close();
  });

  it('a stock or a coin priced in the account currency is still paid for from cash and counted at its market value', async () => {
    const h = harness();
    const p = h.paper();
    await p.submit(order('b', 'AAPL', 'buy', '10', '200'));
    p.observePrice('AAPL', '210');
    expect(await p.account()).toEqual({ currency: 'USD', cash: '98000', equity: '100100', buyingPower: '98000' });
    expect((await p.positions())[0]).toMatchObject({ unrealizedPnl: '100' });
    h.close();
  });
});

describe('paper books: an instrument they cannot value in the account currency', () => {
  it('an order in a cross (EURGBP on USD) or a future of unknown size is refused with the code sizing gives; nothing moves', async () => {
    const h = harness();
    const p = h.paper();
    const cross = await p.submit(order('x', 'EURGBP', 'buy', '10000', '0.85'));
    expect(cross.status).toBe('rejected');
    expect(cross.reason).toMatch(/^SIZING_NEEDS_CONVERSION: symbol=EURGBP, quote=GBP, base=EUR, account=USD: /);
    const corn = await p.submit(order('c', 'ZCZ2026', 'sell', '1', '450'));
    expect(corn.status).toBe('rejected');
    expect(corn.reason).toMatch(/^CONTRACT_SIZE_UNKNOWN: symbol=ZCZ2026: /);
    // A resting order is refused as well: it would open the position when it fills.
    const limit = await p.submit({ ...order('l', 'EURGBP', 'buy', '1', '0.85'), type: 'limit', limitPrice: '0.84', timeInForce: 'gtc' });
    expect(limit.status).toBe('rejected');
    expect(await p.positions()).toEqual([]);
    expect(await p.account()).toEqual({ currency: 'USD', cash: '100000', equity: '100000', buyingPower: '100000' });
    expect(h.paperRepo.fillsSince('acc1', '')).toEqual([]);
    h.close();
  });

  it('a resting order placed before the books could tell is canceled with the code when a price would fill it', async () => {
    const h = harness();
    const p = h.paper();
    // As the old books left it: a buy limit on EURGBP working on a USD account.
    h.paperRepo.insertOrder({ accountId: 'acc1', clientOrderId: 'old', brokerOrderId: 'paper-acc1-old', symbol: 'EURGBP', side: 'buy', type: 'limit', quantity: '1000', filledQuantity: '0', status: 'accepted', limitPrice: '0.85', request: JSON.stringify(order('old', 'EURGBP', 'buy', '1000', '0.85')), updatedAt: '2026-01-05T15:00:00.000Z' });
    const updates: string[] = [];
    p.onUpdate((u) => updates.push(`${u.kind} ${u.order.status}`));
    p.observePrice('EURGBP', '0.84');
    const o = await p.orderByClientId('old');
    expect(o).toMatchObject({ status: 'canceled', filledQuantity: '0' });
    expect(o!.reason).toMatch(/^SIZING_NEEDS_CONVERSION: symbol=EURGBP, /);
    expect(updates).toEqual(['order canceled']);
    expect(await p.positions()).toEqual([]);
    h.close();
  });

  it('a cross is counted on an account in its quote currency (EURGBP on GBP)', async () => {
    const h = harness();
    const p = h.paper('gbp', { currency: 'GBP' });
    await p.submit(order('b', 'EURGBP', 'buy', '10000', '0.85'));
    await p.submit(order('s', 'EURGBP', 'sell', '10000', '0.86'));
    expect(h.paperRepo.account('gbp')).toMatchObject({ currency: 'GBP', cash: '100100', realizedPnl: '100' });
    h.close();
  });

  it('a position kept from before the books could tell can still be closed by an exit: held at no value, it realises nothing', async () => {
    const h = harness();
    const p = h.paper();
    // As migration 014 leaves a EURGBP position the old books opened on a USD account (its cost back in cash).
    h.paperRepo.setPosition('acc1', { symbol: 'EURGBP', quantity: '10000', costBasis: '8500', averagePrice: '0.85', lastPrice: '0.86', contractSize: '1', quoteCurrency: 'GBP', baseCurrency: 'EUR', settlement: 'margin' });
    // No P&L is shown or counted in equity: in USD it is not known.
    expect(await p.positions()).toEqual([{ symbol: 'EURGBP', quantity: '10000', averagePrice: '0.85', marketPrice: '0.86' }]);
    expect((await p.account()).equity).toBe('100000');
    const add = await p.submit(order('add', 'EURGBP', 'buy', '1000', '0.86'));
    expect(add).toMatchObject({ status: 'rejected' });
    expect(add.reason).toMatch(/^SIZING_NEEDS_CONVERSION: .*Only exits \(reduce-only\) are accepted for it\.$/);
    expect(await p.submit(order('part', 'EURGBP', 'sell', '4000', '0.87', { reduceOnly: true }))).toMatchObject({ status: 'filled', filledQuantity: '4000' });
    expect(await p.submit(order('rest', 'EURGBP', 'sell', '9000', '0.87', { reduceOnly: true }))).toMatchObject({ status: 'canceled', filledQuantity: '6000', reason: REDUCE_ONLY_NOTHING_LEFT });
    expect(await p.positions()).toEqual([]);
    expect(h.paperRepo.account('acc1')).toMatchObject({ cash: '100000', realizedPnl: '0' });
    h.close();
  });
});

describe('paper books: futures accounting for any fills', () => {
  it('cash is the starting cash plus the realised P&L, and equity adds (quantity × mark − cost) × 50, after every fill', async () => {
    const qty = fc.integer({ min: -4, max: 4 }).filter((q) => q !== 0);
    const px = fc.integer({ min: 400000, max: 600000 }).map((c) => new Exact(c).div(100).toString()); // ES, in 0.01
    const h = harness();
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.record({ qty, px }), { minLength: 1, maxLength: 8 }), async (fills) => {
        const account = `prop${run++}`;
        const p = h.paper(account, { commissionPerOrder: '1.25' });
        let held = new Exact(0);
        let cost = new Exact(0);
        let realized = new Exact(0);
        let i = 0;
        for (const f of fills) {
          await p.submit(order(`f${i++}`, ES, f.qty > 0 ? 'buy' : 'sell', String(Math.abs(f.qty)), f.px));
          // Average cost, by hand: a close realises (price − average) × closed × 50.
          const q = new Exact(f.qty);
          if (!held.isZero() && held.isNegative() !== q.isNegative()) {
            const closed = Exact.min(held.abs(), q.abs());
            const avg = cost.div(held);
            realized = realized.plus(new Exact(f.px).minus(avg).times(closed).times(held.isNegative() ? -1 : 1).times(50));
            cost = cost.minus(avg.times(closed).times(held.isNegative() ? -1 : 1));
            held = held.plus(closed.times(q.isNegative() ? -1 : 1));
            const rest = q.abs().minus(closed).times(q.isNegative() ? -1 : 1);
            held = held.plus(rest);
            cost = cost.plus(rest.times(f.px));
          } else {
            held = held.plus(q);
            cost = cost.plus(q.times(f.px));
          }
          realized = realized.minus('1.25');
          const books = h.paperRepo.account(account);
          expect(new Exact(books.realizedPnl).minus(realized).abs().lt('1e-9')).toBe(true);
          expect(new Exact(books.cash).minus(100000).eq(books.realizedPnl)).toBe(true);
          const unrealized = held.times(f.px).minus(cost).times(50);
          expect(new Exact((await p.account()).equity).minus(new Exact(books.cash).plus(unrealized)).abs().lt('1e-9')).toBe(true);
        }
      }),
      { numRuns: 40 },
    );
    h.close();
  });
});
