// Orders Alpaca refuses on their merits, over the real HTTP path of the fake Alpaca and the real router: a quantity
// other open orders hold ("insufficient qty available for order"), a stop-loss too close to (or past) its base price,
// a trailing stop sent for extended hours. Each is a clear rejection that keeps Alpaca's words and figures, sent once
// and never again; and a plain stop order on the far side of the market is not refused: it triggers at once.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BrokerError, type OrderRequest } from '../port.js';
import { codeForBrokerError } from '../http/codes.js';
import { tempDir } from '../../test-support/agent.js';
import type { Harness } from '../../orders/test-support/harness.js';
import type { FakeAlpaca } from './fake-server.js';
import { readAlpacaError } from './errors.js';
import { eventually } from '../contract/suite.js';
import { ACC, KEYS, agent, runCleanups, startFake } from './test-support/agent.js';

afterEach(runCleanups);

async function post(fake: FakeAlpaca, body: Record<string, unknown>) {
  const res = await fetch(`${fake.baseUrl}/v2/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'APCA-API-KEY-ID': KEYS.keyId, 'APCA-API-SECRET-KEY': KEYS.secretKey },
    body: JSON.stringify({ time_in_force: 'gtc', ...body }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const attempts = (fake: FakeAlpaca, clientOrderId: string) => fake.submitAttempts.filter((id) => id === clientOrderId).length;
const settle = (ms = 300) => new Promise((r) => setTimeout(r, ms));

/** Buys 10 AAPL at the market and leaves a sell limit for 5 of them working at 120. */
async function longTenWithFiveHeld(h: Harness) {
  const buy = await h.router.submit({ clientOrderId: 'vz-buy', symbol: 'AAPL', side: 'buy', type: 'market', quantity: '10', timeInForce: 'day', referencePrice: '100' }, { accountId: ACC, leg: 'entry' });
  await eventually(() => h.orders.get(buy.id)!, (o) => o.status === 'filled');
  const exit = await h.router.submit({ clientOrderId: 'vz-tp', symbol: 'AAPL', side: 'sell', type: 'limit', limitPrice: '120', quantity: '5', timeInForce: 'gtc', reduceOnly: true }, { accountId: ACC, leg: 'exit' });
  await eventually(() => h.orders.get(exit.id)!, (o) => o.status === 'accepted');
  return exit;
}

describe('insufficient qty: other open orders hold what the order would sell (403, 40310000)', () => {
  it('the fake answers as Alpaca does, with the figures in the body; the group of a bracket holds its quantity once', async () => {
    const fake = await startFake();
    await post(fake, { symbol: 'AAPL', qty: '10', side: 'buy', type: 'market', client_order_id: 'in' });
    await settle(50);
    expect((await post(fake, { symbol: 'AAPL', qty: '4', side: 'sell', type: 'limit', limit_price: '120', client_order_id: 'tp' })).status).toBe(200);
    const refused = await post(fake, { symbol: 'AAPL', qty: '10', side: 'sell', type: 'market', time_in_force: 'day', client_order_id: 'out' });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 40310000, message: 'insufficient qty available for order (requested: 10, available: 6)', available: '6', existing_qty: '10', held_for_orders: '4', symbol: 'AAPL' });
    expect((refused.body.related_orders as string[]).length).toBe(1);
    // What is free can still be sold.
    expect((await post(fake, { symbol: 'AAPL', qty: '6', side: 'sell', type: 'limit', limit_price: '130', client_order_id: 'rest' })).status).toBe(200);

    // A bracket's two working legs hold the 10 it bought once, not twice.
    const other = await startFake({ MSFT: '100' });
    await post(other, { symbol: 'MSFT', qty: '10', side: 'buy', type: 'market', order_class: 'bracket', take_profit: { limit_price: '120' }, stop_loss: { stop_price: '90' }, client_order_id: 'br' });
    await settle(50);
    const more = await post(other, { symbol: 'MSFT', qty: '1', side: 'sell', type: 'market', time_in_force: 'day', client_order_id: 'x' });
    expect(more.body).toMatchObject({ code: 40310000, available: '0', existing_qty: '10', held_for_orders: '10' });
  });

  it('the adapter reports a rejection (not "insufficient buying power") that keeps Alpaca\'s numbers and says what holds the shares', async () => {
    const fake = await startFake();
    const { h, adapter } = await agent(fake, path.join(tempDir(), 'orders.db'));
    await longTenWithFiveHeld(h);
    const err = (await adapter.submit({ clientOrderId: 'vz-sell-10', symbol: 'AAPL', side: 'sell', type: 'market', quantity: '10', timeInForce: 'day', reduceOnly: true }).catch((e: unknown) => e)) as BrokerError;
    expect(err).toBeInstanceOf(BrokerError);
    expect(err.kind).toBe('rejected');
    expect(err.outcomeUnknown).toBe(false);
    expect(codeForBrokerError(err)).toBe('BROKER_REJECTED');
    expect(err.message).toContain('insufficient qty available for order (requested: 10, available: 5) (code 40310000)');
    expect(err.message).toContain('the position is 10 and open orders (1) hold 5 of it, so 5 is free');
    expect(err.message).toMatch(/Cancel those orders .* or lower the quantity; the order was not placed/);
  });

  it('through the router: the exit is rejected with BROKER_REJECTED and Alpaca\'s figures, sent once and never again', async () => {
    const fake = await startFake();
    const { h } = await agent(fake, path.join(tempDir(), 'orders.db'));
    await longTenWithFiveHeld(h);
    const exit = await h.router.submit({ clientOrderId: 'vz-exit-10', symbol: 'AAPL', side: 'sell', type: 'market', quantity: '10', timeInForce: 'day', reduceOnly: true }, { accountId: ACC, leg: 'exit' });
    expect(exit.status).toBe('rejected');
    expect(exit.reason).toMatch(/^BROKER_REJECTED: Alpaca paper: HTTP 403: insufficient qty available for order \(requested: 10, available: 5\)/);
    await settle(); // the router's lookups and re-sends would have run by now (100 ms grace in this harness)
    expect(h.orders.get(exit.id)!.status).toBe('rejected');
    expect(attempts(fake, 'vz-exit-10')).toBe(1);
    expect(fake.countByClientId('vz-exit-10')).toBe(0);
  });

  it('a 403 insufficient qty read on its own is a rejection; insufficient buying power stays insufficient_funds', () => {
    const body = { available: '0', code: 40310000, existing_qty: '23', held_for_orders: '23', message: 'insufficient qty available for order (requested: 23, available: 0)', related_orders: ['47448ebc'], symbol: 'TSLA' };
    const read = readAlpacaError(403, body, '');
    expect(read.kind).toBe('rejected');
    expect(read.message).toContain('(requested: 23, available: 0) (code 40310000)');
    expect(read.message).toContain('the position is 23 and open orders (1) hold 23 of it, so 0 is free');
    expect(readAlpacaError(403, { code: 40310000, message: 'insufficient buying power' }, '').kind).toBe('insufficient_funds');
  });
});

describe('the stop-loss threshold of brackets, OTO and OCO (422 "stop price must be less than base_price - 0.01")', () => {
  it('the fake refuses a stop-loss not 0.01 beyond the base price: the entry\'s limit, the take-profit\'s limit for an OCO, the market', async () => {
    const fake = await startFake();
    const bracket = { symbol: 'AAPL', qty: '1', side: 'buy', order_class: 'bracket', take_profit: { limit_price: '120' } };
    // Market entry: the base is the market price (100).
    expect(await post(fake, { ...bracket, type: 'market', stop_loss: { stop_price: '99.995' }, client_order_id: 'a' })).toEqual({ status: 422, body: { code: 42210000, message: 'stop price must be less than base_price - 0.01' } });
    expect((await post(fake, { ...bracket, type: 'market', stop_loss: { stop_price: '99.99' }, client_order_id: 'b' })).status).toBe(200);
    // Limit entry: the entry's limit price too.
    expect((await post(fake, { ...bracket, type: 'limit', limit_price: '95', stop_loss: { stop_price: '95' }, client_order_id: 'c' })).status).toBe(422);
    // A sell bracket's stop-loss is a buy stop: above the base.
    expect((await post(fake, { symbol: 'AAPL', qty: '1', side: 'sell', type: 'market', order_class: 'bracket', take_profit: { limit_price: '80' }, stop_loss: { stop_price: '100' }, client_order_id: 'd' })).body).toEqual({ code: 42210000, message: 'stop price must be greater than base_price + 0.01' });
    // A sell bracket's take-profit must be below its stop-loss ("and vice versa for a sell").
    expect((await post(fake, { symbol: 'AAPL', qty: '1', side: 'sell', type: 'market', order_class: 'bracket', take_profit: { limit_price: '120' }, stop_loss: { stop_price: '110' }, client_order_id: 'e' })).body).toMatchObject({ message: 'take_profit.limit_price must be < stop_loss.stop_price' });
    // OCO: the take-profit's limit and the market are the bases.
    fake.setPrice('AAPL', '85');
    expect((await post(fake, { symbol: 'AAPL', qty: '1', side: 'sell', type: 'limit', order_class: 'oco', take_profit: { limit_price: '120' }, stop_loss: { stop_price: '90' }, client_order_id: 'f' })).status).toBe(422);
  });

  it('a protective OCO whose stop the market has already passed is rejected clearly (BROKER_REJECTED, what base price means), sent once', async () => {
    const fake = await startFake();
    const { h, adapter } = await agent(fake, path.join(tempDir(), 'orders.db'));
    const buy = await h.router.submit({ clientOrderId: 'vz-in', symbol: 'AAPL', side: 'buy', type: 'market', quantity: '10', timeInForce: 'day', referencePrice: '100' }, { accountId: ACC, leg: 'entry' });
    await eventually(() => h.orders.get(buy.id)!, (o) => o.status === 'filled');
    fake.setPrice('AAPL', '85'); // below the stop-loss the exits are about to carry
    const oco: OrderRequest = { clientOrderId: 'vz-oco', symbol: 'AAPL', side: 'sell', type: 'limit', limitPrice: '120', quantity: '10', timeInForce: 'gtc', reduceOnly: true, takeProfit: { limitPrice: '120' }, stopLoss: { stopPrice: '90' } };
    const err = (await adapter.submit({ ...oco, clientOrderId: 'vz-oco-direct' }).catch((e: unknown) => e)) as BrokerError;
    expect([err.kind, codeForBrokerError(err)]).toEqual(['rejected', 'BROKER_REJECTED']);
    expect(err.message).toContain('stop price must be less than base_price - 0.01 (code 42210000)');
    expect(err.message).toContain('the current market price. The market is at or past the stop, so the order was not placed');

    const order = await h.router.submit(oco, { accountId: ACC, leg: 'exit' });
    expect(order.status).toBe('rejected');
    expect(order.reason).toMatch(/^BROKER_REJECTED: .*stop price must be less than base_price - 0\.01/);
    await settle();
    expect(attempts(fake, 'vz-oco')).toBe(1);
  });
});

describe('a trailing stop sent for extended hours (Alpaca triggers trailing stops only in regular hours)', () => {
  it('the fake refuses it (422: extended hours takes limit orders only); the adapter refuses it before sending, saying why', async () => {
    const fake = await startFake();
    const direct = await post(fake, { symbol: 'AAPL', qty: '1', side: 'sell', type: 'trailing_stop', trail_percent: '2', time_in_force: 'day', extended_hours: true, client_order_id: 'ts' });
    expect(direct).toEqual({ status: 422, body: { code: 40010001, message: 'extended hours order must be DAY or GTC limit orders' } });

    const { h } = await agent(fake, path.join(tempDir(), 'orders.db'));
    const order = await h.router.submit({ clientOrderId: 'vz-trail-eh', symbol: 'AAPL', side: 'sell', type: 'trailing_stop', trailPercent: '2', quantity: '1', timeInForce: 'day', extendedHours: true }, { accountId: ACC, leg: 'exit' });
    expect(order.status).toBe('rejected');
    expect(order.reason).toContain('a trailing stop cannot be sent with extended hours: Alpaca triggers trailing stops only in regular market hours');
    expect(order.reason).toContain('send it without extendedHours');
    await settle();
    expect(attempts(fake, 'vz-trail-eh')).toBe(0); // refused before the network, and never sent later
  });
});

describe('a plain stop order on the far side of the market is not refused: it triggers at once', () => {
  it('a sell stop at 105 with the market at 100 sells at the market, and the agent records the fill', async () => {
    const fake = await startFake();
    const { h } = await agent(fake, path.join(tempDir(), 'orders.db'));
    const buy = await h.router.submit({ clientOrderId: 'vz-long', symbol: 'AAPL', side: 'buy', type: 'market', quantity: '3', timeInForce: 'day', referencePrice: '100' }, { accountId: ACC, leg: 'entry' });
    await eventually(() => h.orders.get(buy.id)!, (o) => o.status === 'filled');
    const stop = await h.router.submit({ clientOrderId: 'vz-stop', symbol: 'AAPL', side: 'sell', type: 'stop', stopPrice: '105', quantity: '3', timeInForce: 'gtc', reduceOnly: true }, { accountId: ACC, leg: 'exit' });
    const filled = await eventually(() => h.orders.get(stop.id)!, (o) => o.status === 'filled');
    expect(filled).toMatchObject({ status: 'filled', filledQuantity: '3', averageFillPrice: '100' });
    expect(h.orders.fills(stop.id)).toMatchObject([{ quantity: '3', price: '100' }]);
  });
});
