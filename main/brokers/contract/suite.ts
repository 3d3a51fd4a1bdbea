// The broker contract: one written spec with stable ids (BC-xx) that every adapter passes against a fake
// server of its broker, fault cases included. Call runBrokerContract() from the adapter's test file.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inspect } from 'node:util';
import { Decimal } from 'decimal.js';
import { BrokerError, type BrokerOrder, type OrderRequest, type OrderUpdate } from '../port.js';
import type { Harness } from './harness.js';
import { codeForBrokerError } from '../http/codes.js';

let counter = 0;
/** Short, unique and valid for every broker's client id rules (Binance: [.A-Za-z0-9:/_-]{1,36}). */
export function newClientId(test: string): string {
  counter += 1;
  return `${test}-${process.pid.toString(36)}${Date.now().toString(36)}${counter}`;
}

/** Waits for `read` to satisfy `check`, polling a bounded number of times (not a timing assertion). */
export async function eventually<T>(read: () => Promise<T> | T, check: (value: T) => boolean, tries = 200, intervalMs = 15): Promise<T> {
  let value = await read();
  for (let i = 0; i < tries && !check(value); i++) {
    await new Promise((r) => setTimeout(r, intervalMs));
    value = await read();
  }
  return value;
}

async function caught(promise: Promise<unknown>): Promise<BrokerError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(BrokerError);
    return err as BrokerError;
  }
  throw new Error('expected a BrokerError, the call succeeded');
}

function market(h: Harness, clientOrderId: string, side: 'buy' | 'sell' = 'buy', quantity = h.quantity): OrderRequest {
  return { clientOrderId, symbol: h.symbol, side, type: 'market', quantity, timeInForce: 'gtc' };
}

function restingLimit(h: Harness, clientOrderId: string): OrderRequest {
  const limitPrice = new Decimal(h.price).mul('0.9').toDecimalPlaces(2).toString();
  return { clientOrderId, symbol: h.symbol, side: 'buy', type: 'limit', quantity: h.quantity, timeInForce: 'gtc', limitPrice };
}

const same = (a: string | undefined, b: string): boolean => a !== undefined && new Decimal(a).eq(b);

export function runBrokerContract(name: string, makeHarness: () => Promise<Harness>): void {
  describe(`broker contract: ${name}`, () => {
    let h: Harness;
    beforeEach(async () => {
      h = await makeHarness();
      await h.adapter.connect();
    });
    afterEach(async () => {
      await h.adapter.disconnect();
      await h.close();
    });

    const settled = (id: string, status: BrokerOrder['status']) =>
      eventually(() => h.adapter.orderByClientId(id), (o) => o?.status === status);

    it('BC-01 a market order is accepted and fills completely at the market price', async () => {
      const id = newClientId('bc01');
      const placed = await h.adapter.submit(market(h, id));
      expect(placed.clientOrderId).toBe(id);
      expect(placed.brokerOrderId).not.toBe('');
      const done = await settled(id, 'filled');
      expect(done?.status).toBe('filled');
      expect(same(done?.filledQuantity, h.quantity)).toBe(true);
      expect(same(done?.averageFillPrice, h.price)).toBe(true);
    });

    it('BC-02 a limit order below the market rests, then fills when the price crosses it', async () => {
      const id = newClientId('bc02');
      const req = restingLimit(h, id);
      const placed = await h.adapter.submit(req);
      expect(['accepted', 'submitting']).toContain(placed.status);
      const open = await h.adapter.openOrders();
      expect(open.map((o) => o.clientOrderId)).toContain(id);
      h.setPrice(h.symbol, new Decimal(req.limitPrice!).mul('0.99').toDecimalPlaces(2).toString());
      const done = await settled(id, 'filled');
      expect(done?.status).toBe('filled');
      expect(new Decimal(done!.averageFillPrice!).lte(req.limitPrice!)).toBe(true);
    });

    it('BC-03 cancel moves a resting order to canceled and out of the open orders', async () => {
      const id = newClientId('bc03');
      await h.adapter.submit(restingLimit(h, id));
      const answer = await h.adapter.cancel(id);
      expect(['canceled', 'cancel_pending']).toContain(answer.status);
      const done = await settled(id, 'canceled');
      expect(done?.status).toBe('canceled');
      expect((await h.adapter.openOrders()).map((o) => o.clientOrderId)).not.toContain(id);
    });

    it('BC-04 orderByClientId finds a submitted order and returns undefined for an unknown id', async () => {
      const id = newClientId('bc04');
      const placed = await h.adapter.submit(restingLimit(h, id));
      const found = await h.adapter.orderByClientId(id);
      expect(found?.brokerOrderId).toBe(placed.brokerOrderId);
      expect(found?.symbol).toBe(h.symbol);
      expect(found?.side).toBe('buy');
      expect(await h.adapter.orderByClientId(newClientId('never'))).toBeUndefined();
    });

    it('BC-05 a second submit with the same clientOrderId is refused and creates no second order', async () => {
      const id = newClientId('bc05');
      await h.adapter.submit(restingLimit(h, id));
      const err = await caught(h.adapter.submit(restingLimit(h, id)));
      expect(err.outcomeUnknown).toBe(false);
      expect(h.brokerOrderCount(id)).toBe(1);
    });

    it('BC-06 a submit whose answer is lost (timeout) is outcome-unknown, and orderByClientId finds the one order', async () => {
      const id = newClientId('bc06');
      h.faults.failNext('lost_answer_timeout', { on: 'submit' });
      const err = await caught(h.adapter.submit(market(h, id)));
      expect(err.kind).toBe('timeout');
      expect(err.outcomeUnknown).toBe(true);
      expect(codeForBrokerError(err)).toBe('BROKER_OUTCOME_UNKNOWN');
      const found = await h.adapter.orderByClientId(id);
      expect(found?.clientOrderId).toBe(id);
      expect(h.brokerOrderCount(id)).toBe(1);
    });

    it('BC-06b a submit whose connection is reset after acceptance is outcome-unknown; the order exists once', async () => {
      const id = newClientId('bc06b');
      h.faults.failNext('lost_answer_reset', { on: 'submit' });
      const err = await caught(h.adapter.submit(market(h, id)));
      expect(err.outcomeUnknown).toBe(true);
      expect((await h.adapter.orderByClientId(id))?.clientOrderId).toBe(id);
      expect(h.brokerOrderCount(id)).toBe(1);
    });

    it('BC-06c a submit that times out before the broker processed it is outcome-unknown and leaves no order', async () => {
      const id = newClientId('bc06c');
      h.faults.failNext('timeout', { on: 'submit' });
      const err = await caught(h.adapter.submit(market(h, id)));
      expect(err.outcomeUnknown).toBe(true);
      expect(await h.adapter.orderByClientId(id)).toBeUndefined();
      expect(h.brokerOrderCount(id)).toBe(0);
    });

    it('BC-07 a 429 with Retry-After maps to rate_limited carrying retryAfterMs', async () => {
      h.faults.failNext('rate_limit', { on: 'account', retryAfterSeconds: 2 });
      const err = await caught(h.adapter.account());
      expect(err.kind).toBe('rate_limited');
      expect(err.retryAfterMs).toBe(2000);
      expect(codeForBrokerError(err)).toBe('BROKER_RATE_LIMITED');
    });

    it('BC-08 a 5xx on a submit is outcome-unknown (never "rejected"); on a read it is unreachable', async () => {
      const id = newClientId('bc08');
      h.faults.failNext('server_error', { on: 'submit', status: 502 });
      const err = await caught(h.adapter.submit(market(h, id)));
      expect(err.outcomeUnknown).toBe(true);
      expect(await h.adapter.orderByClientId(id)).toBeUndefined();
      h.faults.failNext('server_error', { on: 'account', status: 503 });
      const readErr = await caught(h.adapter.account());
      expect(readErr.kind).toBe('unreachable');
      expect(codeForBrokerError(readErr)).toBe('BROKER_UNREACHABLE');
    });

    it('BC-09 positions equal the signed sum of fills, partial fills included', async () => {
      h.faults.partialFills = true;
      const a = newClientId('bc09a');
      const b = newClientId('bc09b');
      const since = new Date(Date.now() - 1000).toISOString();
      await h.adapter.submit(market(h, a, 'buy', new Decimal(h.quantity).mul(3).toString()));
      await settled(a, 'filled');
      await h.adapter.submit(market(h, b, 'sell', h.quantity));
      await settled(b, 'filled');
      const fills = (await h.adapter.fillsSince(since)).filter((f) => f.clientOrderId === a || f.clientOrderId === b);
      expect(fills.filter((f) => f.clientOrderId === a).length).toBeGreaterThan(1);
      const net = fills.reduce((sum, f) => (f.side === 'buy' ? sum.plus(f.quantity) : sum.minus(f.quantity)), new Decimal(0));
      expect(net.eq(new Decimal(h.quantity).mul(2))).toBe(true);
      const position = (await h.adapter.positions()).find((p) => p.symbol === h.symbol);
      expect(position && new Decimal(position.quantity).eq(net)).toBe(true);
    });

    it('BC-10 fillsSince returns each fill once, with ids, and nothing from before `since`', async () => {
      const early = newClientId('bc10a');
      await h.adapter.submit(market(h, early));
      await settled(early, 'filled');
      const earlyFills = await h.adapter.fillsSince(new Date(Date.now() - 60_000).toISOString());
      const lastEarly = earlyFills.filter((f) => f.clientOrderId === early).map((f) => f.time).sort().at(-1);
      expect(lastEarly).toBeDefined();
      await new Promise((r) => setTimeout(r, 20));
      const since = new Date(new Date(lastEarly!).getTime() + 5).toISOString();
      const late = newClientId('bc10b');
      await h.adapter.submit(market(h, late));
      await settled(late, 'filled');
      const fills = await h.adapter.fillsSince(since);
      expect(fills.some((f) => f.clientOrderId === early)).toBe(false);
      const lateFills = fills.filter((f) => f.clientOrderId === late);
      expect(lateFills.length).toBeGreaterThan(0);
      expect(new Set(fills.map((f) => f.tradeId)).size).toBe(fills.length);
      const total = lateFills.reduce((s, f) => s.plus(f.quantity), new Decimal(0));
      expect(total.eq(h.quantity)).toBe(true);
      for (const f of lateFills) expect(same(f.price, h.price)).toBe(true);
    });

    it('BC-11 stream updates arrive; duplicated and reordered updates never double a fill or move an order back', async (ctx) => {
      ctx.skip(!h.adapter.capabilities.streaming, 'adapter does not stream (capability streaming=false)');
      h.faults.duplicateUpdates = true;
      h.faults.outOfOrderUpdates = true;
      h.faults.partialFills = true;
      const seen: OrderUpdate[] = [];
      const off = h.adapter.onUpdate((u) => seen.push(u));
      const id = newClientId('bc11');
      await h.adapter.submit(market(h, id));
      const mine = () => seen.filter((u) => u.order.clientOrderId === id);
      await eventually(mine, (list) => list.some((u) => u.order.status === 'filled'));
      // Let late duplicates arrive before judging.
      await new Promise((r) => setTimeout(r, 100));
      off();
      const list = mine();
      const fills = list.flatMap((u) => (u.kind === 'fill' ? [u.fill] : []));
      expect(new Set(fills.map((f) => f.tradeId)).size).toBe(fills.length);
      expect(fills.reduce((s, f) => s.plus(f.quantity), new Decimal(0)).eq(h.quantity)).toBe(true);
      const filledAt = list.findIndex((u) => u.order.status === 'filled');
      expect(filledAt).toBeGreaterThanOrEqual(0);
      for (const later of list.slice(filledAt + 1)) expect(later.order.status).toBe('filled');
      let prev = new Decimal(0);
      for (const u of list) {
        expect(new Decimal(u.order.filledQuantity).gte(prev)).toBe(true);
        prev = new Decimal(u.order.filledQuantity);
      }
    });

    it('BC-12 capability-gated: a bracket is accepted when brackets=true, refused before the network when false', async () => {
      const id = newClientId('bc12');
      const entry = restingLimit(h, id);
      const px = new Decimal(entry.limitPrice!);
      const req: OrderRequest = {
        ...entry,
        timeInForce: 'gtc',
        takeProfit: { limitPrice: px.mul('1.2').toDecimalPlaces(2).toString() },
        stopLoss: { stopPrice: px.mul('0.8').toDecimalPlaces(2).toString() },
      };
      if (h.adapter.capabilities.brackets) {
        const placed = await h.adapter.submit(req);
        expect(placed.clientOrderId).toBe(id);
        expect(h.brokerOrderCount(id)).toBe(1);
      } else {
        const err = await caught(h.adapter.submit(req));
        expect(err.kind).toBe('invalid');
        expect(h.brokerOrderCount(id)).toBe(0);
      }
    });

    it('BC-13 an order type outside capabilities.orderTypes is refused before the network', async (ctx) => {
      const unsupported = (['trailing_stop', 'stop_limit', 'stop'] as const).find((t) => !h.adapter.capabilities.orderTypes.includes(t));
      ctx.skip(unsupported === undefined, 'adapter supports every order type');
      const id = newClientId('bc13');
      const err = await caught(h.adapter.submit({ ...market(h, id), type: unsupported!, stopPrice: h.price, limitPrice: h.price, trailPercent: '1' }));
      expect(err.kind).toBe('invalid');
      expect(h.brokerOrderCount(id)).toBe(0);
    });

    it('BC-14 no credential value appears in any error (401, 429, 5xx, timeout, reject)', async () => {
      const errors: BrokerError[] = [];
      h.faults.failNext('auth_error', { on: 'account' });
      errors.push(await caught(h.adapter.account()));
      h.faults.failNext('rate_limit', { on: 'query' });
      errors.push(await caught(h.adapter.openOrders()));
      h.faults.failNext('server_error', { on: 'account', status: 500 });
      errors.push(await caught(h.adapter.account()));
      h.faults.failNext('timeout', { on: 'submit' });
      errors.push(await caught(h.adapter.submit(market(h, newClientId('bc14a')))));
      const dup = newClientId('bc14b');
      await h.adapter.submit(restingLimit(h, dup));
      errors.push(await caught(h.adapter.submit(restingLimit(h, dup))));
      expect(errors[0]!.kind).toBe('auth');
      for (const err of errors) {
        const text = [err.message, err.stack ?? '', JSON.stringify(err), inspect(err, { depth: 5 })].join('\n');
        for (const secret of h.secrets) expect(text).not.toContain(secret);
      }
      expect(JSON.stringify(h.adapter)).not.toContain(h.secrets[0]!);
    });

    it('BC-15 account reports decimal equity, cash and buying power', async () => {
      const acct = await h.adapter.account();
      expect(acct.currency).toMatch(/^[A-Z]{3,5}$/);
      for (const v of [acct.equity, acct.cash, acct.buyingPower]) expect(new Decimal(v).isFinite()).toBe(true);
    });

    it('BC-16 instrument info gives positive lot and tick sizes for the symbol', async () => {
      const info = await h.adapter.instrument(h.symbol);
      expect(info.symbol).toBe(h.symbol);
      expect(info.tradable).toBe(true);
      expect(new Decimal(info.lotSize).gt(0)).toBe(true);
      expect(new Decimal(info.tickSize).gt(0)).toBe(true);
    });

    it('BC-18 a slow broker (latency below the timeout) still answers correctly, with no duplicate', async () => {
      h.faults.latencyMs = 100;
      const id = newClientId('bc18');
      const placed = await h.adapter.submit(market(h, id));
      expect(placed.clientOrderId).toBe(id);
      expect((await settled(id, 'filled'))?.status).toBe('filled');
      expect(h.brokerOrderCount(id)).toBe(1);
    });

    it('BC-18b one slow order request (the `slow` fault, answered late but within the timeout) is placed once and answered', async () => {
      h.faults.chooseEach((op) => (op === 'submit' ? { fault: 'slow', options: { delayMs: 250 } } : undefined));
      const id = newClientId('bc18b');
      const t0 = Date.now();
      try {
        const placed = await h.adapter.submit(market(h, id));
        expect(Date.now() - t0).toBeGreaterThanOrEqual(240);
        expect(placed.clientOrderId).toBe(id);
      } finally {
        h.faults.chooseEach(undefined);
      }
      expect((await settled(id, 'filled'))?.status).toBe('filled');
      expect(h.brokerOrderCount(id)).toBe(1);
    });

    it('BC-17 cancelAll cancels every resting order of the symbol', async () => {
      const a = newClientId('bc17a');
      const b = newClientId('bc17b');
      await h.adapter.submit(restingLimit(h, a));
      await h.adapter.submit(restingLimit(h, b));
      await h.adapter.cancelAll(h.symbol);
      const open = await eventually(() => h.adapter.openOrders(), (list) => list.length === 0);
      expect(open).toEqual([]);
      expect((await h.adapter.orderByClientId(a))?.status).toBe('canceled');
    });
  });
}
