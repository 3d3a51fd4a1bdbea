// A cancel that meets a fill, at Alpaca, over the real HTTP + WebSocket path of the fake Alpaca with the real router,
// lifecycle and database. Alpaca ("Cancel an Order by ID"): "If the order is no longer cancelable (example: status =
// filled), the server will respond with status 422, and reject the request. Upon acceptance of the cancel request, it
// returns status 204" — the order is then `pending_cancel` and may still fill before the venue cancels it. Whatever
// the race, the agent's record must end as Alpaca's: filled with its fill when the fill won, never `canceled`.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Decimal } from 'decimal.js';
import { positionsFromFills, type Harness } from '../../orders/test-support/harness.js';
import { flatten } from '../../orders/flatten.js';
import { tempDir } from '../../test-support/agent.js';
import type { OrderRequest } from '../port.js';
import type { FakeAlpaca } from './fake-server.js';
import { eventually } from '../contract/suite.js';
import { ACC, agent, runCleanups, startFake } from './test-support/agent.js';

afterEach(runCleanups);

/** A buy limit at 95 with the market at 100: it rests until a trade reaches 95. */
const resting: OrderRequest = { clientOrderId: 'vz-race-1', symbol: 'AAPL', side: 'buy', type: 'limit', limitPrice: '95', quantity: '10', timeInForce: 'gtc', referencePrice: '95' };

function atFake(fake: FakeAlpaca, clientOrderId: string) {
  return [...fake.orders.values()].find((o) => o.client_order_id === clientOrderId);
}

/** Every status the order was ever stored with. */
function statusesOf(h: Harness, orderId: string): string[] {
  return h.orders.events(orderId).map((e) => e.toStatus ?? '');
}

async function working(h: Harness, request: OrderRequest) {
  const order = await h.router.submit(request, { accountId: ACC, leg: 'entry' });
  return eventually(() => h.orders.get(order.id)!, (o) => o.status === 'accepted');
}

describe('Alpaca refuses the cancel because the order filled first (422 "order is already in \\"filled\\" state")', () => {
  for (const streaming of [true, false]) {
    it(`the order ends filled with its fill recorded, never canceled (${streaming ? 'stream' : 'no stream: polling'})`, async () => {
      const fake = await startFake();
      const { h } = await agent(fake, path.join(tempDir(), 'orders.db'), streaming ? {} : { streaming: false, pollIntervalMs: 50 });
      const order = await working(h, resting);
      fake.cancelRace = 'fill_first'; // a trade at 95 fills the order just as the DELETE arrives

      const answer = await h.router.cancel(order.id);
      expect(answer.status).toBe('filled');
      expect(atFake(fake, resting.clientOrderId)).toMatchObject({ status: 'filled', filled_qty: '10' });
      const done = await eventually(() => h.orders.fills(order.id), (f) => f.length === 1);
      expect(done).toMatchObject([{ quantity: '10', price: '95' }]);
      expect(h.orders.get(order.id)).toMatchObject({ status: 'filled', filledQuantity: '10', averageFillPrice: '95' });
      expect(statusesOf(h, order.id)).not.toContain('canceled');
      expect(positionsFromFills(h.db, ACC)).toEqual({ AAPL: '10' });
    });
  }
});

describe('Alpaca accepts the cancel (204, pending_cancel) and the order fills before the venue cancels it', () => {
  it('the order ends filled with its fill, never canceled; the cancel answer waits for the race to end', async () => {
    const fake = await startFake();
    const { h } = await agent(fake, path.join(tempDir(), 'orders.db'));
    const order = await working(h, resting);
    fake.cancelRace = 'pending';

    const canceling = h.router.cancel(order.id);
    await eventually(() => atFake(fake, resting.clientOrderId)!, (o) => o.status === 'pending_cancel');
    fake.setPrice('AAPL', '95'); // the trade reaches the order before its cancel does

    expect((await canceling).status).toBe('filled');
    const fills = await eventually(() => h.orders.fills(order.id), (f) => f.length === 1);
    expect(fills).toMatchObject([{ quantity: '10', price: '95' }]);
    expect(h.orders.get(order.id)).toMatchObject({ status: 'filled', filledQuantity: '10' });
    expect(statusesOf(h, order.id)).toContain('cancel_pending');
    expect(statusesOf(h, order.id)).not.toContain('canceled');
  });

  it('a part fills while the cancel is pending, then the venue cancels the rest: canceled with the part that filled', async () => {
    const fake = await startFake();
    const { h } = await agent(fake, path.join(tempDir(), 'orders.db'));
    const order = await working(h, resting);
    fake.cancelRace = 'pending';

    const canceling = h.router.cancel(order.id);
    await eventually(() => atFake(fake, resting.clientOrderId)!, (o) => o.status === 'pending_cancel');
    fake.setPrice('AAPL', '95', { volume: '4' });
    await eventually(() => h.orders.fills(order.id), (f) => f.length === 1);
    expect(atFake(fake, resting.clientOrderId)).toMatchObject({ status: 'pending_cancel', filled_qty: '4' }); // still pending
    fake.settleCancels();

    expect((await canceling).status).toBe('canceled');
    expect(await eventually(() => h.orders.get(order.id)!, (o) => o.status === 'canceled')).toMatchObject({ status: 'canceled', filledQuantity: '4' });
    expect(positionsFromFills(h.db, ACC)).toEqual({ AAPL: '4' });
  });

  it('the venue confirms the cancel a moment later: the cancel answers canceled', async () => {
    const fake = await startFake();
    const { h } = await agent(fake, path.join(tempDir(), 'orders.db'));
    const order = await working(h, resting);
    fake.cancelRace = 'pending';
    fake.cancelConfirmMs = 150;

    expect((await h.router.cancel(order.id)).status).toBe('canceled');
    expect(h.orders.get(order.id)).toMatchObject({ status: 'canceled', filledQuantity: '0' });
  });
});

describe('Alpaca does not know the order (404 "order not found")', () => {
  it('an order whose submit never reached Alpaca, canceled while its outcome is unknown, ends canceled and is never sent again', async () => {
    const fake = await startFake();
    const { h } = await agent(fake, path.join(tempDir(), 'orders.db'));
    fake.faults.failNext('connection_reset', { on: 'submit' }); // the socket breaks before Alpaca reads the order
    const order = await h.router.submit(resting, { accountId: ACC, leg: 'entry' });
    expect(order.status).toBe('unknown');

    await h.router.cancel(order.id); // DELETE cannot be sent: the lookup by client id answers 404
    const ended = await eventually(() => h.orders.get(order.id)!, (o) => o.status === 'canceled', 100, 20);
    expect(ended.status).toBe('canceled');
    await new Promise((r) => setTimeout(r, 300)); // the lookups' grace and backoff (100 ms in this harness) run out
    expect(h.orders.get(order.id)!.status).toBe('canceled');
    expect(fake.countByClientId(resting.clientOrderId)).toBe(0);
    expect(fake.submitAttempts.filter((id) => id === resting.clientOrderId)).toEqual([]); // the reset came before Alpaca read it
  });
});

describe('flatten while Alpaca still holds the shares for an order whose cancel is pending', () => {
  async function longWithExit(fake: FakeAlpaca, h: Harness) {
    const entry = await h.router.submit({ clientOrderId: 'vz-long', symbol: 'AAPL', side: 'buy', type: 'market', quantity: '10', timeInForce: 'day', referencePrice: '100' }, { accountId: ACC, leg: 'entry' });
    await eventually(() => h.orders.get(entry.id)!, (o) => o.status === 'filled');
    const exit = await h.router.submit({ clientOrderId: 'vz-exit', symbol: 'AAPL', side: 'sell', type: 'limit', limitPrice: '120', quantity: '10', timeInForce: 'gtc', reduceOnly: true }, { accountId: ACC, leg: 'exit' });
    await eventually(() => h.orders.get(exit.id)!, (o) => o.status === 'accepted');
    return exit;
  }
  const unavailable = (accountId: string) => ({ accountId, code: 'ACCOUNT_UNAVAILABLE', message: 'unavailable' });

  it('the venue confirms the cancel a moment later: flatten closes the whole position (the closing sell is not refused for shares still held)', async () => {
    const fake = await startFake();
    const { h } = await agent(fake, path.join(tempDir(), 'orders.db'));
    const exit = await longWithExit(fake, h);
    fake.cancelRace = 'pending';
    fake.cancelConfirmMs = 600; // later than the agent's own pacing takes to send the closing order

    const result = await flatten(h.router, h.orders, 'flat-1', [ACC], unavailable, (id) => id);
    expect(result.errors).toEqual([]);
    expect(h.orders.get(exit.id)!.status).toBe('canceled');
    expect(result.closing).toHaveLength(1);
    const closing = await eventually(() => h.orders.get(result.closing[0]!.id)!, (o) => o.status === 'filled');
    expect(closing).toMatchObject({ side: 'sell', quantity: '10', status: 'filled' });
    expect((fake.positions.get('AAPL')?.qty ?? new Decimal(0)).toString()).toBe('0');
    expect(positionsFromFills(h.db, ACC)).toEqual({});
  });

  it('the exit fills while its cancel is pending: flatten places nothing more, the exit is filled, the position flat', async () => {
    const fake = await startFake();
    const { h } = await agent(fake, path.join(tempDir(), 'orders.db'));
    const exit = await longWithExit(fake, h);
    fake.cancelRace = 'pending';

    const flattening = flatten(h.router, h.orders, 'flat-2', [ACC], unavailable, (id) => id);
    await eventually(() => atFake(fake, 'vz-exit')!, (o) => o.status === 'pending_cancel');
    fake.setPrice('AAPL', '120'); // the exit's limit is reached before its cancel
    const result = await flattening;

    expect(result.errors).toEqual([]);
    expect(result.closing).toEqual([]);
    expect(await eventually(() => h.orders.get(exit.id)!, (o) => o.status === 'filled')).toMatchObject({ status: 'filled', filledQuantity: '10' });
    expect(statusesOf(h, exit.id)).not.toContain('canceled');
    expect((fake.positions.get('AAPL')?.qty ?? new Decimal(0)).toString()).toBe('0');
    expect(positionsFromFills(h.db, ACC)).toEqual({});
    expect(fake.submitAttempts.filter((id) => id.includes('flatten'))).toEqual([]);
  });
});

describe('canceling a working bracket leg that has just filled', () => {
  it('the take-profit leg filled as its cancel arrived: the leg is filled, the stop-loss leg canceled with it, the position flat', async () => {
    const fake = await startFake();
    const { h } = await agent(fake, path.join(tempDir(), 'orders.db'));
    const entry = await h.router.submit(
      { clientOrderId: 'vz-bracket', symbol: 'AAPL', side: 'buy', type: 'market', quantity: '10', timeInForce: 'gtc', referencePrice: '100', takeProfit: { limitPrice: '120' }, stopLoss: { stopPrice: '90' } },
      { accountId: ACC, leg: 'entry' },
    );
    await eventually(() => h.orders.get(entry.id)!, (o) => o.status === 'filled');
    const legs = await eventually(
      () => (h.db.prepare('SELECT id FROM orders WHERE parent_order_id = ?').all(entry.id) as { id: string }[]).map((r) => h.orders.get(r.id)!),
      (l) => l.length === 2 && l.every((o) => o.status === 'accepted'),
    );
    const takeProfit = legs.find((o) => o.type === 'limit')!;
    const stopLoss = legs.find((o) => o.type === 'stop')!;
    fake.cancelRace = 'fill_first';

    expect((await h.router.cancel(takeProfit.id)).status).toBe('filled');
    expect(await eventually(() => h.orders.fills(takeProfit.id), (f) => f.length === 1)).toMatchObject([{ quantity: '10', price: '120' }]);
    expect(await eventually(() => h.orders.get(stopLoss.id)!, (o) => o.status === 'canceled')).toMatchObject({ status: 'canceled', filledQuantity: '0' });
    expect(statusesOf(h, takeProfit.id)).not.toContain('canceled');
    expect(positionsFromFills(h.db, ACC)).toEqual({});
  });
});
