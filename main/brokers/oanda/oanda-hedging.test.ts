// A hedging account (v20 Account.hedgingEnabled, offered outside the US): an instrument can be held long and short at
// once, and positionFill DEFAULT opens (OPEN_ONLY) instead of reducing. The fake models it with `hedging: true`.
import { afterEach, describe, expect, it } from 'vitest';
import { FakeOanda } from './fake-server.js';

const TOKEN = 'canary-oanda-token-hedge-0011223344556677';
const ACCOUNT = '101-004-7654321-001';
let fake: FakeOanda | undefined;

afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function setup(hedging: boolean) {
  fake = await new FakeOanda({ token: TOKEN, accountId: ACCOUNT, heartbeatMs: 50, hedging }).start();
  return { fake };
}

type Json = Record<string, unknown>;

async function api(method: string, p: string, body?: unknown): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${fake!.baseUrl}/v3/accounts/${ACCOUNT}${p}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Json };
}

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
