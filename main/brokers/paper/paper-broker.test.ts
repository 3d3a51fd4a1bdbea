import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Decimal } from 'decimal.js';
import { harness, paperPositions, positionsFromFills } from '../../orders/test-support/harness.js';
import { BrokerError, type OrderRequest, type OrderUpdate } from '../port.js';
import { PaperBroker } from './paper-broker.js';
import { openDatabase } from '../../store/db.js';
import { PaperRepo } from '../../store/paper.js';

const market = (id: string, side: 'buy' | 'sell', quantity: string, price: string, extra: Partial<OrderRequest> = {}): OrderRequest => ({ clientOrderId: id, symbol: 'AAPL', side, type: 'market', quantity, timeInForce: 'day', referencePrice: price, ...extra });

describe('paper broker: prices, costs and account', () => {
  it('market orders pay the configured slippage against the trader and the commission per fill', async () => {
    const h = harness();
    const p = h.paper('acc1', { slippageBps: '10', commissionPerOrder: '1.5', startingCash: '10000' });
    const buy = await p.submit(market('b1', 'buy', '10', '100'));
    expect(buy).toMatchObject({ status: 'filled', averageFillPrice: '100.1' });
    const sell = await p.submit(market('s1', 'sell', '10', '100'));
    expect(sell.averageFillPrice).toBe('99.9');
    const acct = await p.account();
    // 10000 - 1001 - 1.5 + 999 - 1.5
    expect(acct.cash).toBe('9995');
    expect(acct.equity).toBe('9995'); // flat again: -2 on the round trip through slippage, -3 commission
    h.close();
  });

  it('a limit order rests, then fills at its limit (or better) when a later price crosses it', async () => {
    const h = harness();
    const p = h.paper();
    p.observePrice('AAPL', '100');
    const o = await p.submit({ clientOrderId: 'l1', symbol: 'AAPL', side: 'buy', type: 'limit', limitPrice: '95', quantity: '2', timeInForce: 'gtc' });
    expect(o.status).toBe('accepted');
    p.observePrice('AAPL', '96');
    expect((await p.orderByClientId('l1'))!.status).toBe('accepted');
    p.observePrice('AAPL', '94');
    expect(await p.orderByClientId('l1')).toMatchObject({ status: 'filled', averageFillPrice: '94' });
    h.close();
  });

  it('a stop order fills at the market once the stop is hit, with slippage', async () => {
    const h = harness();
    const p = h.paper('acc1', { slippageBps: '100' });
    await p.submit(market('b', 'buy', '1', '100'));
    await p.submit({ clientOrderId: 's', symbol: 'AAPL', side: 'sell', type: 'stop', stopPrice: '90', quantity: '1', timeInForce: 'gtc' });
    p.observePrice('AAPL', '91');
    expect((await p.orderByClientId('s'))!.status).toBe('accepted');
    p.observePrice('AAPL', '89');
    expect(await p.orderByClientId('s')).toMatchObject({ status: 'filled', averageFillPrice: '88.11' });
    h.close();
  });

  it('a stop-limit triggers at the stop, then rests as a limit and fills only when the limit is reachable; the trigger survives a restart', async () => {
    const h = harness();
    const p = h.paper();
    p.observePrice('AAPL', '100');
    await p.submit({ clientOrderId: 'sl', symbol: 'AAPL', side: 'buy', type: 'stop_limit', stopPrice: '105', limitPrice: '104', quantity: '1', timeInForce: 'gtc' });
    p.observePrice('AAPL', '106'); // stop hit, but above the limit: now a resting limit at 104
    expect((await p.orderByClientId('sl'))!.status).toBe('accepted');
    expect(h.paperRepo.order('acc1', 'sl')!.triggered).toBe(true);
    const file = h.file;
    h.close();
    const db = openDatabase({ file });
    const again = new PaperBroker('acc1', new PaperRepo(db));
    again.observePrice('AAPL', '103.5'); // below the stop now: an untriggered stop-limit would not fill
    expect(await again.orderByClientId('sl')).toMatchObject({ status: 'filled', averageFillPrice: '103.5' });
    db.close();
  });

  it('a trailing stop (amount) follows the high and fills when the price falls the trail behind it', async () => {
    const h = harness();
    const p = h.paper();
    await p.submit(market('b', 'buy', '1', '100'));
    await p.submit({ clientOrderId: 't', symbol: 'AAPL', side: 'sell', type: 'trailing_stop', trailAmount: '5', quantity: '1', timeInForce: 'gtc' });
    expect((await p.orderByClientId('t'))!.stopPrice).toBe('95');
    p.observePrice('AAPL', '110');
    expect((await p.orderByClientId('t'))!.stopPrice).toBe('105');
    p.observePrice('AAPL', '107'); // the stop never moves down
    expect((await p.orderByClientId('t'))!).toMatchObject({ status: 'accepted', stopPrice: '105' });
    p.observePrice('AAPL', '104');
    expect(await p.orderByClientId('t')).toMatchObject({ status: 'filled', averageFillPrice: '104' });
    h.close();
  });

  it('each move of a trailing stop is reported to the listeners with the new stop level (no update when it does not move)', async () => {
    const h = harness();
    const p = h.paper();
    await p.submit(market('b', 'buy', '10', '100'));
    const seen: (string | undefined)[] = [];
    p.onUpdate((u) => {
      if (u.order.clientOrderId === 't') seen.push(u.order.stopPrice);
    });
    await p.submit({ clientOrderId: 't', symbol: 'AAPL', side: 'sell', type: 'trailing_stop', trailPercent: '2', quantity: '10', timeInForce: 'gtc' });
    for (const px of ['105', '110', '108', '107.9']) p.observePrice('AAPL', px);
    expect(seen).toEqual(['98', '102.9', '107.8']);
    p.observePrice('AAPL', '107.7');
    expect(seen).toEqual(['98', '102.9', '107.8', '107.8']); // the fill, at the level it was worked at
    expect(await p.orderByClientId('t')).toMatchObject({ status: 'filled', averageFillPrice: '107.7' });
    h.close();
  });

  it('a trailing stop (percent) for a short trails above the low', async () => {
    const h = harness();
    const p = h.paper();
    await p.submit(market('s', 'sell', '1', '200'));
    await p.submit({ clientOrderId: 't', symbol: 'AAPL', side: 'buy', type: 'trailing_stop', trailPercent: '10', quantity: '1', timeInForce: 'gtc' });
    expect((await p.orderByClientId('t'))!.stopPrice).toBe('220');
    p.observePrice('AAPL', '150');
    expect((await p.orderByClientId('t'))!.stopPrice).toBe('165');
    p.observePrice('AAPL', '166');
    expect((await p.orderByClientId('t'))!.status).toBe('filled');
    expect(await p.positions()).toEqual([]);
    h.close();
  });

  it('a bracket places take-profit and stop-loss only after the entry fills; one filling cancels the other', async () => {
    const h = harness();
    const p = h.paper();
    const updates: OrderUpdate[] = [];
    p.onUpdate((u) => updates.push(u));
    p.observePrice('AAPL', '100');
    await p.submit({ clientOrderId: 'e', symbol: 'AAPL', side: 'buy', type: 'limit', limitPrice: '98', quantity: '3', timeInForce: 'gtc', takeProfit: { limitPrice: '110' }, stopLoss: { stopPrice: '90' } });
    expect(await p.orderByClientId('e:tp')).toBeUndefined();
    p.observePrice('AAPL', '97');
    expect(await p.orderByClientId('e:tp')).toMatchObject({ status: 'accepted', side: 'sell', limitPrice: '110', parentClientOrderId: 'e' });
    expect(await p.orderByClientId('e:sl')).toMatchObject({ status: 'accepted', side: 'sell', stopPrice: '90' });
    p.observePrice('AAPL', '111');
    expect((await p.orderByClientId('e:tp'))!.status).toBe('filled');
    expect(await p.orderByClientId('e:sl')).toMatchObject({ status: 'canceled', reason: 'one-cancels-other: e:tp filled' });
    expect(await p.positions()).toEqual([]);
    expect((await p.account()).equity).toBe('100042'); // flat again, 3 × (111 - 97): a marketable limit fills at the better price
    expect(updates.some((u) => u.kind === 'order' && u.order.clientOrderId === 'e:sl' && u.order.status === 'canceled')).toBe(true);
    h.close();
  });

  it('with partial fills on, a market order fills in two parts, and a bracket entry places its children only once complete', async () => {
    const h = harness();
    const p = h.paper('split', { partialFills: true, fractional: false, startingCash: '10000' });
    const updates: OrderUpdate[] = [];
    p.onUpdate((u) => updates.push(u));
    const done = await p.submit(market('e', 'buy', '5', '100', { takeProfit: { limitPrice: '110' }, stopLoss: { stopPrice: '90' } }));
    expect(done).toMatchObject({ status: 'filled', filledQuantity: '5', averageFillPrice: '100' });
    const fills = updates.flatMap((u) => (u.kind === 'fill' ? [u] : []));
    // Half rounded down to the whole-share lot, then the rest.
    expect(fills.map((u) => [u.fill.quantity, u.order.status, u.order.filledQuantity])).toEqual([
      ['2', 'partially_filled', '2'],
      ['3', 'filled', '5'],
    ]);
    const firstChild = updates.findIndex((u) => u.order.parentClientOrderId === 'e');
    expect(firstChild).toBeGreaterThan(updates.indexOf(fills[1]!));
    expect(await p.orderByClientId('e:tp')).toMatchObject({ status: 'accepted', quantity: '5' });
    expect(await p.positions()).toMatchObject([{ symbol: 'AAPL', quantity: '5', averagePrice: '100' }]);
    expect((await p.account()).cash).toBe('9500');
    // A quantity that cannot be split fills in one piece; switching the mode off restores single fills.
    await p.submit(market('one', 'sell', '1', '100'));
    p.setPartialFills(false);
    await p.submit(market('whole', 'sell', '2', '100'));
    expect(updates.filter((u) => u.kind === 'fill' && (u.order.clientOrderId === 'one' || u.order.clientOrderId === 'whole')).length).toBe(2);
    h.close();
  });

  it('short selling and fractional quantities follow the account config', async () => {
    const h = harness();
    const strict = h.paper('strict', { allowShort: false, fractional: false });
    expect(await strict.submit(market('s1', 'sell', '1', '100'))).toMatchObject({ status: 'rejected', reason: 'short selling is not enabled for this paper account' });
    await expect(strict.submit(market('f1', 'buy', '0.5', '100'))).rejects.toThrow(BrokerError);
    expect(strict.capabilities).toMatchObject({ shortSelling: false, fractional: false });
    const loose = h.paper('loose');
    expect(await loose.submit(market('s1', 'sell', '0.25', '100'))).toMatchObject({ status: 'filled' });
    expect(await loose.positions()).toMatchObject([{ symbol: 'AAPL', quantity: '-0.25' }]);
    h.close();
  });

  it('cash, positions, average price, realised and unrealised P&L and equity survive reopening the database', async () => {
    const h = harness();
    const p = h.paper('acc1', { startingCash: '1000' });
    await p.submit(market('b1', 'buy', '2', '100'));
    await p.submit(market('b2', 'buy', '2', '110'));
    await p.submit(market('s1', 'sell', '1', '120'));
    p.observePrice('AAPL', '130');
    const before = { account: await p.account(), positions: await p.positions() };
    expect(before.positions).toEqual([{ symbol: 'AAPL', quantity: '3', averagePrice: '105', marketPrice: '130', unrealizedPnl: '75' }]);
    expect(before.account).toMatchObject({ cash: '700', equity: '1090' });
    expect(h.paperRepo.account('acc1').realizedPnl).toBe('15');
    const file = h.file;
    h.close();
    const db = openDatabase({ file });
    const again = new PaperBroker('acc1', new PaperRepo(db), { startingCash: '5' });
    expect({ account: await again.account(), positions: await again.positions() }).toEqual(before);
    expect(new PaperRepo(db).account('acc1').realizedPnl).toBe('15');
    await expect(again.submit(market('b1', 'buy', '1', '1'))).rejects.toThrow(/already been used/);
    db.close();
  });
});

// The agent sends a limit or stop order with its limit (or stop) as the reference price it was sized from: the
// paper broker must match it against market prices (observed from alerts, or a market order's price), never
// against the order's own limit or stop.
describe('paper broker: an order\'s own limit or stop is not a market price', () => {
  const order = (id: string, extra: Partial<OrderRequest>): OrderRequest => ({ clientOrderId: id, symbol: 'TSLA', side: 'buy', type: 'limit', quantity: '1', timeInForce: 'gtc', ...extra });

  it('a buy limit below the market rests, and fills at the limit or better only when a later price reaches it', async () => {
    const h = harness();
    const p = h.paper();
    p.observePrice('TSLA', '250');
    expect(await p.submit(order('b', { limitPrice: '240', referencePrice: '240' }))).toMatchObject({ status: 'accepted', filledQuantity: '0' });
    expect(await p.positions()).toEqual([]);
    p.observePrice('TSLA', '245');
    expect((await p.orderByClientId('b'))!.status).toBe('accepted');
    p.observePrice('TSLA', '238');
    expect(await p.orderByClientId('b')).toMatchObject({ status: 'filled', averageFillPrice: '238' });
    expect(await p.positions()).toMatchObject([{ symbol: 'TSLA', quantity: '1', averagePrice: '238' }]);
    h.close();
  });

  it('a sell limit above the market rests, and fills when a later price reaches it', async () => {
    const h = harness();
    const p = h.paper();
    p.observePrice('TSLA', '250');
    expect((await p.submit(order('s', { side: 'sell', limitPrice: '260', referencePrice: '260' }))).status).toBe('accepted');
    p.observePrice('TSLA', '259.99');
    expect((await p.orderByClientId('s'))!.status).toBe('accepted');
    p.observePrice('TSLA', '260');
    expect(await p.orderByClientId('s')).toMatchObject({ status: 'filled', averageFillPrice: '260' });
    h.close();
  });

  it('a limit order with no market price known rests until a price is observed (a bracket places its children only then)', async () => {
    const h = harness();
    const p = h.paper();
    const entry = await p.submit({ clientOrderId: 'tp', symbol: 'MSFT', side: 'buy', type: 'limit', limitPrice: '410.5', referencePrice: '410.5', quantity: '1', timeInForce: 'gtc', takeProfit: { limitPrice: '430' }, stopLoss: { stopPrice: '400' } });
    expect(entry).toMatchObject({ status: 'accepted', filledQuantity: '0' });
    expect(await p.orderByClientId('tp:tp')).toBeUndefined();
    p.observePrice('MSFT', '412');
    expect((await p.orderByClientId('tp'))!.status).toBe('accepted');
    p.observePrice('MSFT', '410');
    expect(await p.orderByClientId('tp')).toMatchObject({ status: 'filled', averageFillPrice: '410' });
    expect(await p.orderByClientId('tp:tp')).toMatchObject({ status: 'accepted', side: 'sell', limitPrice: '430' });
    expect(await p.orderByClientId('tp:sl')).toMatchObject({ status: 'accepted', side: 'sell', stopPrice: '400' });
    h.close();
  });

  it('a marketable limit fills at once at the market price, the better of the two', async () => {
    const h = harness();
    const p = h.paper();
    p.observePrice('TSLA', '250');
    expect(await p.submit(order('b', { limitPrice: '260', referencePrice: '260' }))).toMatchObject({ status: 'filled', averageFillPrice: '250' });
    expect(await p.submit(order('s', { side: 'sell', limitPrice: '240', referencePrice: '240' }))).toMatchObject({ status: 'filled', averageFillPrice: '250' });
    h.close();
  });

  it('a marketable limit fills at once against the price of a market order before it', async () => {
    const h = harness();
    const p = h.paper();
    await p.submit(market('m', 'buy', '1', '100'));
    expect(await p.submit({ clientOrderId: 'l', symbol: 'AAPL', side: 'buy', type: 'limit', limitPrice: '101', referencePrice: '101', quantity: '1', timeInForce: 'gtc' })).toMatchObject({ status: 'filled', averageFillPrice: '100' });
    h.close();
  });

  it('stop and stop-limit orders do not trigger before the price reaches the stop', async () => {
    const h = harness();
    const p = h.paper();
    p.observePrice('TSLA', '250');
    expect((await p.submit(order('bs', { type: 'stop', stopPrice: '260', referencePrice: '260' }))).status).toBe('accepted');
    expect((await p.submit(order('ss', { side: 'sell', type: 'stop', stopPrice: '240', referencePrice: '240' }))).status).toBe('accepted');
    expect((await p.submit(order('bsl', { type: 'stop_limit', stopPrice: '260', limitPrice: '261', referencePrice: '261' }))).status).toBe('accepted');
    expect(h.paperRepo.order('acc1', 'bsl')!.triggered).toBeFalsy();
    p.observePrice('TSLA', '259');
    expect((await p.openOrders()).map((o) => o.clientOrderId).sort()).toEqual(['bs', 'bsl', 'ss']);
    p.observePrice('TSLA', '260.5');
    expect(await p.orderByClientId('bs')).toMatchObject({ status: 'filled', averageFillPrice: '260.5' });
    expect(await p.orderByClientId('bsl')).toMatchObject({ status: 'filled', averageFillPrice: '260.5' });
    expect((await p.orderByClientId('ss'))!.status).toBe('accepted');
    h.close();
  });

  it('an IOC limit that the market does not reach is canceled, not filled at its limit', async () => {
    const h = harness();
    const p = h.paper();
    p.observePrice('TSLA', '250');
    expect(await p.submit(order('ioc', { limitPrice: '240', referencePrice: '240', timeInForce: 'ioc' }))).toMatchObject({ status: 'canceled', filledQuantity: '0' });
    h.close();
  });
});

describe('paper broker: reduce-only orders never open or increase a position', () => {
  const shortWithBracket = async (p: PaperBroker): Promise<void> => {
    await p.submit(market('e', 'sell', '10', '100', { takeProfit: { limitPrice: '90' }, stopLoss: { stopPrice: '110' } }));
    expect(await p.orderByClientId('e:tp')).toMatchObject({ status: 'accepted', side: 'buy', limitPrice: '90' });
    expect(await p.orderByClientId('e:sl')).toMatchObject({ status: 'accepted', side: 'buy', stopPrice: '110' });
  };

  it('an exit that flattens the position cancels the bracket children: a later price crossing the take-profit fills nothing', async () => {
    const h = harness();
    const p = h.paper();
    const updates: OrderUpdate[] = [];
    p.onUpdate((u) => updates.push(u));
    await shortWithBracket(p);
    // The exit leaves the children in place (the alert said "cancel": false).
    expect(await p.submit(market('x', 'buy', '10', '100', { reduceOnly: true }))).toMatchObject({ status: 'filled', filledQuantity: '10' });
    expect(await p.positions()).toEqual([]);
    for (const id of ['e:tp', 'e:sl']) {
      expect(await p.orderByClientId(id)).toMatchObject({ status: 'canceled', filledQuantity: '0', reason: 'reduce-only: no position left to reduce' });
      expect(updates.some((u) => u.kind === 'order' && u.order.clientOrderId === id && u.order.status === 'canceled')).toBe(true);
    }
    p.observePrice('AAPL', '89');
    expect(await p.orderByClientId('e:tp')).toMatchObject({ status: 'canceled', filledQuantity: '0' });
    expect(await p.positions()).toEqual([]);
    expect(updates.filter((u) => u.kind === 'fill').map((u) => u.order.clientOrderId)).toEqual(['e', 'x']);
    h.close();
  });

  it('a resting reduce-only order whose position was closed or reversed by other orders is canceled, not filled', async () => {
    const h = harness();
    const p = h.paper();
    await p.submit(market('b', 'buy', '5', '100'));
    await p.submit({ clientOrderId: 'tp', symbol: 'AAPL', side: 'sell', type: 'limit', limitPrice: '110', quantity: '5', timeInForce: 'gtc', reduceOnly: true });
    await p.submit(market('flip', 'sell', '8', '100')); // long 5 -> short 3: nothing left for a sell to reduce
    expect(await p.orderByClientId('tp')).toMatchObject({ status: 'canceled', reason: 'reduce-only: no position left to reduce' });
    p.observePrice('AAPL', '111');
    expect(await p.positions()).toMatchObject([{ symbol: 'AAPL', quantity: '-3' }]);
    h.close();
  });

  it('a reduce-only order larger than the position fills only the position and the rest is canceled', async () => {
    const h = harness();
    const p = h.paper();
    await p.submit(market('b', 'buy', '5', '100'));
    expect(await p.submit(market('x', 'sell', '8', '100', { reduceOnly: true }))).toMatchObject({ status: 'canceled', filledQuantity: '5', reason: 'reduce-only: no position left to reduce' });
    expect(await p.positions()).toEqual([]);
    // A resting one, sized before the position shrank, fills the position as it is when the price reaches it.
    await p.submit(market('b2', 'buy', '10', '100'));
    await p.submit({ clientOrderId: 'l', symbol: 'AAPL', side: 'sell', type: 'limit', limitPrice: '110', quantity: '10', timeInForce: 'gtc', reduceOnly: true });
    await p.submit(market('s', 'sell', '4', '100'));
    expect((await p.orderByClientId('l'))!.status).toBe('accepted');
    p.observePrice('AAPL', '111');
    expect(await p.orderByClientId('l')).toMatchObject({ status: 'canceled', filledQuantity: '6', averageFillPrice: '111' });
    expect(await p.positions()).toEqual([]);
    h.close();
  });

  it('a reduce-only order with no position to reduce is refused', async () => {
    const h = harness();
    const p = h.paper();
    expect(await p.submit(market('x', 'sell', '1', '100', { reduceOnly: true }))).toMatchObject({ status: 'rejected', reason: 'reduce-only: no position left to reduce' });
    await p.submit(market('b', 'buy', '1', '100'));
    expect(await p.submit(market('y', 'buy', '1', '100', { reduceOnly: true }))).toMatchObject({ status: 'rejected', reason: 'reduce-only: no position left to reduce' });
    expect(await p.positions()).toMatchObject([{ quantity: '1' }]);
    h.close();
  });

  it('a bracket whose take-profit and stop-loss are both marketable at once fills one and cancels the other (one-cancels-other within a pass)', async () => {
    const h = harness();
    const p = h.paper();
    // The entry fills at 100, where the take-profit (sell limit 95) and the stop-loss (sell stop 105) are both crossed.
    await p.submit(market('e', 'buy', '3', '100', { takeProfit: { limitPrice: '95' }, stopLoss: { stopPrice: '105' } }));
    expect(await p.orderByClientId('e:tp')).toMatchObject({ status: 'filled', filledQuantity: '3' });
    expect(await p.orderByClientId('e:sl')).toMatchObject({ status: 'canceled', filledQuantity: '0', reason: 'one-cancels-other: e:tp filled' });
    expect(await p.positions()).toEqual([]);
    h.close();
  });
});

describe('paper broker books against the agent fills', () => {
  it('for random orders and prices through the router, positions always equal the sum of recorded fills', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            kind: fc.constantFrom('market', 'limit', 'stop', 'trail', 'bracket', 'price'),
            side: fc.constantFrom('buy' as const, 'sell' as const),
            qty: fc.integer({ min: 1, max: 5 }),
            px: fc.integer({ min: 80, max: 120 }),
          }),
          { minLength: 1, maxLength: 25 },
        ),
        async (steps) => {
          const h = harness();
          const p = h.paper();
          h.router.register('acc1', p);
          let i = 0;
          for (const s of steps) {
            const id = `r-${i++}`;
            const px = String(s.px);
            const base = { clientOrderId: id, symbol: 'AAPL', side: s.side, quantity: String(s.qty), timeInForce: 'gtc' as const, referencePrice: px };
            if (s.kind === 'price') p.observePrice('AAPL', px);
            else if (s.kind === 'market') await h.router.submit({ ...base, type: 'market' }, { accountId: 'acc1', leg: 'entry' });
            else if (s.kind === 'limit') await h.router.submit({ ...base, type: 'limit', limitPrice: String(s.px - 3) }, { accountId: 'acc1', leg: 'entry' });
            else if (s.kind === 'stop') await h.router.submit({ ...base, type: 'stop', stopPrice: String(s.side === 'buy' ? s.px + 3 : s.px - 3) }, { accountId: 'acc1', leg: 'entry' });
            else if (s.kind === 'trail') await h.router.submit({ ...base, type: 'trailing_stop', trailAmount: '2' }, { accountId: 'acc1', leg: 'entry' });
            else {
              const up = s.side === 'buy' ? 1 : -1;
              await h.router.submit({ ...base, type: 'market', takeProfit: { limitPrice: String(s.px + 5 * up) }, stopLoss: { stopPrice: String(s.px - 5 * up) } }, { accountId: 'acc1', leg: 'entry' });
            }
            expect(positionsFromFills(h.db, 'acc1')).toEqual(paperPositions(h.db, 'acc1'));
          }
          // Every broker order (bracket children included) is known to the agent with the broker's status.
          for (const b of h.paperRepo.allOrders('acc1')) expect(h.orders.byClientId(b.clientOrderId)?.status).toBe(b.status);
          // Cash is the starting cash minus what the fills cost.
          const spent = (h.db.prepare('SELECT side, quantity, price FROM fills').all() as { side: string; quantity: string; price: string }[]).reduce((s, f) => s.plus(new Decimal(f.quantity).times(f.price).times(f.side === 'buy' ? 1 : -1)), new Decimal(0));
          expect((await p.account()).cash).toBe(new Decimal('100000').minus(spent).toString());
          h.close();
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe('paper broker: instrument currencies and contract sizes', () => {
  it('a futures contract is worth its point value in USD; a forex pair or metal is quoted in its quote currency; anything else in the account currency', async () => {
    const h = harness();
    const p = h.paper('acc1', { currency: 'USD' });
    expect(await p.instrument('ESZ2026')).toMatchObject({ assetClass: 'future', quoteCurrency: 'USD', contractSize: '50' });
    expect(await p.instrument('MESZ2026')).toMatchObject({ assetClass: 'future', contractSize: '5' });
    expect(await p.instrument('6EZ2026')).toMatchObject({ assetClass: 'future', contractSize: '125000' });
    expect(await p.instrument('GCG2027')).toMatchObject({ assetClass: 'future', contractSize: '100' });
    // A root without a known point value: a future whose contract size is unknown (money sizing refuses it).
    const unknownRoot = await p.instrument('ZCZ2026');
    expect(unknownRoot.assetClass).toBe('future');
    expect(unknownRoot.contractSize).toBeUndefined();
    expect(await p.instrument('USDJPY')).toMatchObject({ assetClass: 'forex', baseCurrency: 'USD', quoteCurrency: 'JPY', contractSize: '1' });
    expect(await p.instrument('XAUUSD')).toMatchObject({ assetClass: 'cfd', baseCurrency: 'XAU', quoteCurrency: 'USD', contractSize: '1' });
    expect(await p.instrument('AAPL')).toMatchObject({ assetClass: 'other', quoteCurrency: 'USD', contractSize: '1' });
    h.close();
  });
});
