// Alpaca's trailing stop moves its `stop_price` with its high water mark (`hwm`) and says nothing on the stream
// while it does (trade_updates has no such event): the agent learns the level whenever it reads the order (the
// reconciler's lookups, the polling while the stream is down) and keeps it as the order's stopPrice, moving only in
// the trader's favour. Through the fake Alpaca's HTTP + WebSocket path, the real router, lifecycle and database.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { positionsFromFills } from '../../orders/test-support/harness.js';
import { tempDir } from '../../test-support/agent.js';
import { eventually } from '../contract/suite.js';
import { ACC, agent, runCleanups, startFake } from './test-support/agent.js';

afterEach(runCleanups);

const trailing = { clientOrderId: 'vz-trail-1', symbol: 'AAPL', side: 'sell', type: 'trailing_stop', trailAmount: '5', quantity: '5', timeInForce: 'gtc', reduceOnly: true } as const;

describe('the agent tracks an Alpaca trailing stop’s level', () => {
  it('stream up: the reconciler’s lookup reads the raised stop_price; a fall never lowers it; the fill below it is applied with the last level', async () => {
    const fake = await startFake();
    const { h, reconciler } = await agent(fake, path.join(tempDir(), 'orders.db'));
    await reconciler.reconcileAll('startup');
    const entry = await h.router.submit({ clientOrderId: 'vz-in-1', symbol: 'AAPL', side: 'buy', type: 'market', quantity: '5', timeInForce: 'day' }, { accountId: ACC, leg: 'entry' });
    expect((await eventually(() => h.orders.get(entry.id)!, (o) => o.status === 'filled')).status).toBe('filled');

    const stop = await h.router.submit(trailing, { accountId: ACC, leg: 'exit' });
    expect(await eventually(() => h.orders.get(stop.id)!, (o) => o.status === 'accepted')).toMatchObject({ status: 'accepted', stopPrice: '95' }); // from the submit answer

    fake.setPrice('AAPL', '110'); // hwm 110, stop 105 at Alpaca; no stream event
    await new Promise((r) => setTimeout(r, 50));
    expect(h.orders.get(stop.id)!.stopPrice).toBe('95');
    await reconciler.reconcileAll('periodic');
    expect(h.orders.get(stop.id)).toMatchObject({ status: 'accepted', stopPrice: '105' });
    expect(h.orders.list({ accountId: ACC }).items.find((o) => o.id === stop.id)!.stopPrice).toBe('105'); // what /api/orders lists

    fake.setPrice('AAPL', '107'); // down, above the stop: the level stays
    await reconciler.reconcileAll('periodic');
    expect(h.orders.get(stop.id)!.stopPrice).toBe('105');

    fake.setPrice('AAPL', '104'); // crossed: sold at the market
    const filled = await eventually(() => h.orders.get(stop.id)!, (o) => o.status === 'filled');
    expect(filled).toMatchObject({ status: 'filled', filledQuantity: '5', averageFillPrice: '104', stopPrice: '105' });
    expect(h.orders.fills(stop.id)).toEqual([expect.objectContaining({ quantity: '5', price: '104' })]);
    expect(positionsFromFills(h.db, ACC)).toEqual({});
    const [report] = await reconciler.reconcileAll('periodic');
    expect(report).toMatchObject({ externalFills: 0, mismatches: [], halted: false });
  });

  it('stream down: the polling reads the moved level and passes it on (a report that only moves the stop is news)', async () => {
    const fake = await startFake();
    const { h } = await agent(fake, path.join(tempDir(), 'orders.db'), { streaming: false, pollIntervalMs: 30 });
    const entry = await h.router.submit({ clientOrderId: 'vz-in-2', symbol: 'AAPL', side: 'buy', type: 'market', quantity: '5', timeInForce: 'day' }, { accountId: ACC, leg: 'entry' });
    expect((await eventually(() => h.orders.get(entry.id)!, (o) => o.status === 'filled')).status).toBe('filled');
    const stop = await h.router.submit({ ...trailing, clientOrderId: 'vz-trail-2', trailAmount: undefined, trailPercent: '10' }, { accountId: ACC, leg: 'exit' });
    expect(h.orders.get(stop.id)).toMatchObject({ status: 'accepted', stopPrice: '90' });
    fake.setPrice('AAPL', '120');
    expect(await eventually(() => h.orders.get(stop.id)!, (o) => o.stopPrice === '108')).toMatchObject({ status: 'accepted', stopPrice: '108' });
    fake.setPrice('AAPL', '125');
    expect(await eventually(() => h.orders.get(stop.id)!, (o) => o.stopPrice === '112.5')).toMatchObject({ stopPrice: '112.5' });
    fake.setPrice('AAPL', '112');
    expect(await eventually(() => h.orders.get(stop.id)!, (o) => o.status === 'filled')).toMatchObject({ status: 'filled', averageFillPrice: '112', stopPrice: '112.5' });
  });
});
