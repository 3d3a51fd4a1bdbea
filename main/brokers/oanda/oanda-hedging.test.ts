// A hedging account (v20 Account.hedgingEnabled, offered outside the US): an instrument can be held long and short at
// once, and positionFill DEFAULT opens (OPEN_ONLY) instead of reducing. The fake models it with `hedging: true`; the
// adapter sends REDUCE_FIRST / REDUCE_ONLY so that its orders net as the agent expects, reports a pair opened
// outside the agent as its net (with both sides, and a warning), and closes both sides with v20's close-position
// request (closePosition, for Flatten), which the fake serves.
import { afterEach, describe, expect, it } from 'vitest';
import type { OandaAdapter } from './adapter.js';
import type { FakeOanda } from './fake-server.js';
import { fakeOandaApi, startOanda, type Json } from './test-support/fake-api.js';
import { createAdapter } from '../factory.js';
import { readOandaError } from './mapping.js';

const TOKEN = 'canary-oanda-token-hedge-0011223344556677';
const ACCOUNT = '101-004-7654321-001';
let fake: FakeOanda | undefined;
let adapter: OandaAdapter | undefined;

afterEach(async () => {
  await adapter?.disconnect();
  await fake?.close();
  adapter = undefined;
  fake = undefined;
});

async function setup(hedging: boolean) {
  const warnings: string[] = [];
  ({ fake, adapter } = await startOanda({ token: TOKEN, accountId: ACCOUNT, fake: { hedging }, config: { onWarning: (m) => warnings.push(m) } }));
  return { fake, adapter, warnings };
}

const api = fakeOandaApi(() => fake!, TOKEN, ACCOUNT);

/** A market order sent to the fake directly: a trade made outside the agent (OANDA's platform, another tool). */
const market = (units: string, positionFill?: string) => api('POST', '/orders', { order: { type: 'MARKET', instrument: 'EUR_USD', units, timeInForce: 'FOK', ...(positionFill ? { positionFill } : {}) } });

async function sides(): Promise<{ long: string; short: string } | undefined> {
  const positions = (await api('GET', '/openPositions')).body.positions as { instrument: string; long: { units: string }; short: { units: string } }[];
  const p = positions.find((x) => x.instrument === 'EUR_USD');
  return p && { long: p.long.units, short: p.short.units };
}

describe('fake OANDA hedging account (hedging: true)', () => {
  it('says hedgingEnabled, and positionFill DEFAULT / OPEN_ONLY opens the other side beside the held one', async () => {
    await setup(true);
    expect(((await api('GET', '/summary')).body.account as Json).hedgingEnabled).toBe(true);
    await market('1000');
    const sell = await market('-400');
    expect(sell.body.orderFillTransaction).toMatchObject({ units: '-400', tradeOpened: { units: '-400' } });
    expect((sell.body.orderFillTransaction as Json).tradesClosed).toBeUndefined();
    await market('-100', 'OPEN_ONLY');
    expect(await sides()).toEqual({ long: '1000', short: '-500' });
    expect(fake!.openTrades('EUR_USD')).toHaveLength(3);
  });

  it('REDUCE_FIRST reduces the other side before opening, REDUCE_ONLY only reduces and is cancelled with nothing to reduce', async () => {
    await setup(true);
    await market('1000');
    await market('-400');
    const first = await market('-1200', 'REDUCE_FIRST');
    expect(first.body.orderFillTransaction).toMatchObject({ tradesClosed: [{ units: '-1000' }], tradeOpened: { units: '-200' } });
    expect(await sides()).toEqual({ long: '0', short: '-600' });
    const only = await market('600', 'REDUCE_ONLY');
    expect(only.body.orderFillTransaction).toMatchObject({ units: '600' });
    expect(await sides()).toBeUndefined();
    const nothing = await market('100', 'REDUCE_ONLY');
    expect((nothing.body.orderCancelTransaction as Json).reason).toBe('REDUCE_ONLY_NOT_REDUCING');
  });

  it('books realised P&L of the trades closed into the balance', async () => {
    await setup(true);
    await market('1000');
    fake!.setPrice('EUR_USD', '1.10100');
    await market('-1000', 'REDUCE_FIRST');
    expect(((await api('GET', '/summary')).body.account as Json).balance).toBe('100001.0000');
  });

  it('without hedging (the default) a DEFAULT order against the position reduces it, as before', async () => {
    await setup(false);
    expect(((await api('GET', '/summary')).body.account as Json).hedgingEnabled).toBe(false);
    await market('1000');
    await market('-400');
    expect(await sides()).toEqual({ long: '600', short: '0' });
  });
});

describe('OANDA adapter on a hedging account', () => {
  it('an order against the held side reduces it, and one larger reverses into the rest, never opening a hedge beside it', async () => {
    const { adapter, fake } = await setup(true);
    await adapter.submit({ clientOrderId: 'h1', symbol: 'EURUSD', side: 'buy', type: 'market', quantity: '1000', timeInForce: 'fok' });
    await adapter.submit({ clientOrderId: 'h2', symbol: 'EURUSD', side: 'sell', type: 'market', quantity: '400', timeInForce: 'fok' });
    expect(await sides()).toEqual({ long: '600', short: '0' });
    await adapter.submit({ clientOrderId: 'h3', symbol: 'EURUSD', side: 'sell', type: 'market', quantity: '1000', timeInForce: 'fok' });
    expect(await sides()).toEqual({ long: '0', short: '-400' });
    expect(fake.openTrades('EUR_USD').map((t) => t.currentUnits.toString())).toEqual(['-400']);
    expect(await adapter.positions()).toMatchObject([{ symbol: 'EUR_USD', quantity: '-400' }]);
  });

  it('an exit (reduceOnly) closes the held side, and one with nothing left to reduce is refused, not opened', async () => {
    const { adapter } = await setup(true);
    await adapter.submit({ clientOrderId: 'e1', symbol: 'EURUSD', side: 'sell', type: 'market', quantity: '700', timeInForce: 'fok' });
    const exit = await adapter.submit({ clientOrderId: 'e2', symbol: 'EURUSD', side: 'buy', type: 'market', quantity: '700', timeInForce: 'fok', reduceOnly: true });
    expect(exit.status).toBe('filled');
    expect(await sides()).toBeUndefined();
    expect(await adapter.positions()).toEqual([]);
    const again = await adapter.submit({ clientOrderId: 'e3', symbol: 'EURUSD', side: 'buy', type: 'market', quantity: '700', timeInForce: 'fok', reduceOnly: true }).catch((e: unknown) => e);
    expect(again).toMatchObject({ kind: 'rejected', message: expect.stringContaining('REDUCE_ONLY_NOT_REDUCING') });
    expect(await sides()).toBeUndefined();
  });

  it('a long and a short held at once (opened outside the agent) are reported as their net, with a warning once per change', async () => {
    const { adapter, warnings } = await setup(true);
    await market('1000');
    await market('-400');
    expect(await adapter.positions()).toMatchObject([{ symbol: 'EUR_USD', quantity: '600', averagePrice: '1.1' }]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/EUR_USD is held long 1000 and short 400 at once/);
    expect(warnings[0]).toMatch(/is long 600/);
    expect(warnings[0]).toMatch(/400 units long and 400 short stay open at OANDA/);
    expect(warnings[0]).toMatch(/Flatten closes both sides\./);
    await adapter.positions();
    expect(warnings).toHaveLength(1);
    // The exit of the net reduces the long side; the pair left is flat to the agent, and said so.
    await adapter.submit({ clientOrderId: 'x1', symbol: 'EURUSD', side: 'sell', type: 'market', quantity: '600', timeInForce: 'fok', reduceOnly: true });
    expect(await sides()).toEqual({ long: '400', short: '-400' });
    expect(await adapter.positions()).toEqual([]);
    expect(warnings).toHaveLength(2);
    expect(warnings[1]).toMatch(/is flat \(0\), so it sees no position/);
    expect(warnings.join(' ')).not.toContain(TOKEN);
  });

  it('the adapter the agent builds (createAdapter) hands the warning to the hook it is given: the agent logs it', async () => {
    await setup(true);
    await market('500');
    await market('-500');
    const told: string[] = [];
    const built = createAdapter({ id: 'o9', broker: 'oanda', environment: 'practice', baseUrl: fake!.baseUrl, config: { accountId: ACCOUNT } }, { token: TOKEN }, { warn: (m) => told.push(m) });
    expect(await built.positions()).toEqual([]);
    expect(told).toEqual([expect.stringMatching(/EUR_USD is held long 500 and short 500 at once/)]);
  });

  it('testConnection says that hedging is enabled on the account, and says nothing of it without', async () => {
    const { adapter } = await setup(true);
    expect((await adapter.testConnection()).message).toMatch(/Hedging is enabled on it: the agent trades each instrument's net position/);
    await fake!.close();
    fake = undefined;
    const plain = await setup(false);
    expect((await plain.adapter.testConnection()).message).not.toMatch(/[Hh]edging/);
  });
});

describe('fake OANDA: closing a position (PUT /positions/{instrument}/close)', () => {
  it('closes each side asked for with a MARKET order of its own (POSITION_CLOSEOUT) and its fill, against that side only', async () => {
    await setup(true);
    await market('1000');
    await market('-400');
    const closed = await api('PUT', '/positions/EUR_USD/close', { longUnits: 'ALL', shortUnits: 'ALL' });
    expect(closed.status).toBe(200);
    expect(closed.body.longOrderCreateTransaction).toMatchObject({ type: 'MARKET_ORDER', instrument: 'EUR_USD', units: '-1000', reason: 'POSITION_CLOSEOUT', longPositionCloseout: { instrument: 'EUR_USD', units: 'ALL' } });
    expect(closed.body.longOrderFillTransaction).toMatchObject({ type: 'ORDER_FILL', units: '-1000', reason: 'MARKET_ORDER_POSITION_CLOSEOUT', tradesClosed: [{ units: '-1000' }] });
    expect(closed.body.shortOrderCreateTransaction).toMatchObject({ type: 'MARKET_ORDER', units: '400', reason: 'POSITION_CLOSEOUT', shortPositionCloseout: { instrument: 'EUR_USD', units: 'ALL' } });
    expect(closed.body.shortOrderFillTransaction).toMatchObject({ units: '400', reason: 'MARKET_ORDER_POSITION_CLOSEOUT', tradesClosed: [{ units: '400' }] });
    expect((closed.body.longOrderFillTransaction as Json).tradeOpened).toBeUndefined();
    expect(await sides()).toBeUndefined();
    expect(fake!.openTrades('EUR_USD')).toEqual([]);
    // The orders are there to be read, FILLED, as v20 keeps them; their fills are in the transactions.
    const id = (closed.body.longOrderCreateTransaction as Json).id as string;
    expect(((await api('GET', `/orders/${id}`)).body.order as Json)).toMatchObject({ type: 'MARKET', state: 'FILLED', reason: 'POSITION_CLOSEOUT' });
    expect(closed.body.relatedTransactionIDs).toEqual(expect.arrayContaining([id, (closed.body.shortOrderFillTransaction as Json).id]));
  });

  it('refuses a side that is not held (400) and a close with nothing held (404): CLOSEOUT_POSITION_DOESNT_EXIST, nothing closed', async () => {
    await setup(true);
    await market('-300');
    const wrong = await api('PUT', '/positions/EUR_USD/close', { longUnits: 'ALL', shortUnits: 'ALL' });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toMatchObject({ errorCode: 'CLOSEOUT_POSITION_DOESNT_EXIST', longOrderRejectTransaction: { type: 'MARKET_ORDER_REJECT', rejectReason: 'CLOSEOUT_POSITION_DOESNT_EXIST' } });
    expect(wrong.body.shortOrderFillTransaction).toBeUndefined();
    expect(await sides()).toEqual({ long: '0', short: '-300' });
    // A side left out means ALL (v20's default), so the long side must be named NONE.
    expect((await api('PUT', '/positions/EUR_USD/close', { shortUnits: 'ALL' })).status).toBe(400);
    const ok = await api('PUT', '/positions/EUR_USD/close', { longUnits: 'NONE', shortUnits: 'ALL' });
    expect(ok.status).toBe(200);
    expect(ok.body.longOrderCreateTransaction).toBeUndefined();
    const nothing = await api('PUT', '/positions/EUR_USD/close', { longUnits: 'NONE', shortUnits: 'ALL' });
    expect(nothing.status).toBe(404);
    expect(nothing.body).toMatchObject({ errorCode: 'CLOSEOUT_POSITION_DOESNT_EXIST', shortOrderRejectTransaction: { rejectReason: 'CLOSEOUT_POSITION_DOESNT_EXIST' } });
  });

  it('without hedging it closes the net position on its side', async () => {
    await setup(false);
    await market('700');
    const closed = await api('PUT', '/positions/EUR_USD/close', { longUnits: 'ALL', shortUnits: 'NONE' });
    expect(closed.status).toBe(200);
    expect(closed.body.longOrderFillTransaction).toMatchObject({ units: '-700', reason: 'MARKET_ORDER_POSITION_CLOSEOUT' });
    expect(await sides()).toBeUndefined();
  });
});

describe('OANDA adapter: both sides of a pair', () => {
  it('positions() names both sides of a pair, and lists a flat pair only when asked (includeFlatPairs)', async () => {
    const { adapter } = await setup(true);
    await market('1000');
    await market('-400');
    await api('POST', '/orders', { order: { type: 'MARKET', instrument: 'USD_JPY', units: '500', timeInForce: 'FOK' } });
    await api('POST', '/orders', { order: { type: 'MARKET', instrument: 'USD_JPY', units: '-500', timeInForce: 'FOK' } });
    await api('POST', '/orders', { order: { type: 'MARKET', instrument: 'XAU_USD', units: '2', timeInForce: 'FOK' } });
    expect(await adapter.positions()).toEqual([
      expect.objectContaining({ symbol: 'EUR_USD', quantity: '600', long: '1000', short: '400' }),
      expect.not.objectContaining({ long: expect.anything() }),
    ]);
    const all = await adapter.positions({ includeFlatPairs: true });
    expect(all.map((p) => [p.symbol, p.quantity, p.long, p.short])).toEqual([
      ['EUR_USD', '600', '1000', '400'],
      ['USD_JPY', '0', '500', '500'],
      ['XAU_USD', '2', undefined, undefined],
    ]);
  });

  it('closePosition closes both sides in one request, and only the side held of a one-sided position; nothing held sends nothing', async () => {
    const { adapter, fake } = await setup(true);
    await market('1000');
    await market('-400');
    const both = await adapter.closePosition('EURUSD');
    expect(both).toMatchObject({ symbol: 'EUR_USD', long: '1000', short: '400' });
    expect(both.orders.map((o) => [o.side, o.quantity, o.filledQuantity, o.status, o.clientOrderId.startsWith('@')])).toEqual([
      ['sell', '1000', '1000', 'filled', true],
      ['buy', '400', '400', 'filled', true],
    ]);
    expect(fake.openTrades('EUR_USD')).toEqual([]);
    await market('-700');
    expect(await adapter.closePosition('EUR_USD')).toMatchObject({ long: '0', short: '700' });
    expect(await sides()).toBeUndefined();
    const before = fake.seq;
    expect(await adapter.closePosition('EUR_USD')).toEqual({ symbol: 'EUR_USD', long: '0', short: '0', orders: [] });
    expect(fake.seq).toBe(before);
  });

  it('the closes are reported as fills of orders that are not the agent\'s (no client id: "@<order id>"), as a trade made at OANDA', async () => {
    const { adapter } = await setup(true);
    const since = new Date(Date.now() - 1000).toISOString();
    await market('500');
    await market('-500');
    const closed = await adapter.closePosition('EUR_USD');
    const fills = (await adapter.fillsSince(since)).filter((f) => closed.orders.some((o) => o.brokerOrderId === f.brokerOrderId));
    expect(fills.map((f) => [f.side, f.quantity, f.clientOrderId])).toEqual(closed.orders.map((o) => [o.side, '500', `@${o.brokerOrderId}`]));
    const read = await adapter.orderByClientId(closed.orders[0]!.clientOrderId);
    expect(read).toMatchObject({ status: 'filled', filledQuantity: '500' });
    expect(read!.parentClientOrderId).toBeUndefined(); // no bracket child of an order of the agent's either
  });

  it('a close v20 refuses (the position closed by someone else after the read) is a rejection naming CLOSEOUT_POSITION_DOESNT_EXIST', async () => {
    const { adapter, fake } = await setup(true);
    await market('300');
    await market('-200');
    // Another tool closes the long side between the adapter's read and its close request.
    const real = fake.closePosition.bind(fake);
    fake.closePosition = (instrument, body) => {
      real(instrument, { longUnits: 'ALL', shortUnits: 'NONE' });
      return real(instrument, body);
    };
    const err = await adapter.closePosition('EUR_USD').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ kind: 'rejected', message: expect.stringContaining('CLOSEOUT_POSITION_DOESNT_EXIST') });
    expect(await sides()).toEqual({ long: '0', short: '-200' });
  });

  it('reads the code of a refused close from its side\'s reject transaction when the answer has no errorCode (v20: "may not be returned")', () => {
    const body = { longOrderRejectTransaction: { id: '7', type: 'MARKET_ORDER_REJECT', rejectReason: 'CLOSEOUT_POSITION_DOESNT_EXIST' }, errorMessage: 'The Position requested to be closed out does not exist' };
    expect(readOandaError(400, body, '')).toEqual({ kind: 'rejected', message: 'The Position requested to be closed out does not exist (CLOSEOUT_POSITION_DOESNT_EXIST)' });
    expect(readOandaError(404, { shortOrderRejectTransaction: body.longOrderRejectTransaction, errorMessage: 'x' }, '').message).toBe('x (CLOSEOUT_POSITION_DOESNT_EXIST)');
  });
});
