import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAgent, eventually, listenEvents, settledSignal, type TestAgent } from '../test-support/agent.js';
import type { OrderView, PositionView } from '../../shared/api-types.js';

let agent: TestAgent;
let hook: string;
beforeAll(async () => {
  agent = await startTestAgent();
  hook = new URL(agent.demoWebhookUrl!).pathname;
});
afterAll(async () => agent.stop());

const positions = async () => (await agent.api<{ items: PositionView[] }>('GET', '/api/positions')).body.items;
const orders = async (signalId: string) => (await agent.api<{ items: OrderView[] }>('GET', `/api/orders?signalId=${signalId}&sort=created_at&direction=asc`)).body.items;

describe('signal worker through the engines', () => {
  it('a sell while long exits first, then reverses short once the exit has filled (two legs, in order)', async () => {
    const buy = await agent.post(hook, '{"ticker":"AMD","action":"buy","quantity":2,"price":100}');
    await eventually(positions, (p) => p.some((x) => x.symbol === 'AMD' && x.quantity === '2'));
    const sell = await agent.post(hook, '{"ticker":"AMD","action":"sell","quantity":2,"price":101}');
    const legs = await eventually(() => orders(sell.body.signalId as string), (o) => o.length === 2 && o.every((x) => x.status === 'filled'));
    expect(legs.map((o) => [o.side, o.quantity, o.status])).toEqual([
      ['sell', '2', 'filled'],
      ['sell', '2', 'filled'],
    ]);
    expect(legs[0]!.createdAt <= legs[1]!.createdAt).toBe(true);
    // Each leg's 'order' decision was stored with it: one per order, in the order the legs were placed.
    const detail = (await agent.api<{ decisions: { verdict: string; data?: { intent?: { leg?: string } } }[] }>('GET', `/api/signals/${sell.body.signalId as string}`)).body;
    expect(detail.decisions.filter((d) => d.verdict === 'order').map((d) => d.data?.intent?.leg)).toEqual(['exit', 'entry']);
    const amd = (await positions()).find((p) => p.symbol === 'AMD');
    expect(amd?.quantity).toBe('-2');
    expect(buy.status).toBe(202);
  });

  it('an exit with percent_of_position closes that share of the position', async () => {
    await agent.post(hook, '{"ticker":"INTC","action":"buy","quantity":10,"price":30}');
    await eventually(positions, (p) => p.some((x) => x.symbol === 'INTC' && x.quantity === '10'));
    const exit = await agent.post(hook, '{"ticker":"INTC","action":"exit","quantityType":"percent_of_position","quantity":50,"price":31}');
    const legs = await eventually(() => orders(exit.body.signalId as string), (o) => o.length === 1 && o[0]!.status === 'filled');
    expect(legs[0]).toMatchObject({ side: 'sell', quantity: '5' });
    expect((await positions()).find((p) => p.symbol === 'INTC')?.quantity).toBe('5');
  });

  it('an exit with no position is denied NO_POSITION and stored with its reason', async () => {
    const exit = await agent.post(hook, '{"ticker":"QQQ","action":"exit","price":400}');
    const signal = await eventually(
      async () => (await agent.api<{ status: string; code?: string; decisions: { verdict: string; code?: string }[] }>('GET', `/api/signals/${exit.body.signalId as string}`)).body,
      (s) => s.status === 'denied' || s.status === 'done',
    );
    expect(signal.status).toBe('denied');
    expect(signal.code).toBe('NO_POSITION');
    expect(signal.decisions[0]).toMatchObject({ verdict: 'denied', code: 'NO_POSITION' });
  });

  it('a long whose take profit is below and stop above the entry price is denied BRACKET_WRONG_SIDE and places no order', async () => {
    const alert = await agent.post(hook, '{"ticker":"BRX","action":"buy","quantity":"10","price":"100","takeProfit":{"limitPrice":"90"},"stopLoss":{"stopPrice":"110"}}');
    expect(alert.status).toBe(202);
    const signal = await eventually(
      async () => (await agent.api<{ status: string; code?: string; decisions: { verdict: string; code?: string; detail?: string }[] }>('GET', `/api/signals/${alert.body.signalId as string}`)).body,
      (s) => s.status === 'denied' || s.status === 'done',
    );
    expect(signal.status).toBe('denied');
    expect(signal.code).toBe('BRACKET_WRONG_SIDE');
    const denial = signal.decisions.find((d) => d.code === 'BRACKET_WRONG_SIDE');
    expect(denial?.detail).toContain('field=takeProfit.limitPrice, side=long, entryPrice=100, price=90, need=above 100');
    expect(await orders(alert.body.signalId as string)).toEqual([]);
    expect((await positions()).some((p) => p.symbol === 'BRX')).toBe(false);
  });

  it('a target-position alert re-sent with a new id changes nothing (NOTHING_TO_DO)', async () => {
    const body = (id: string) => JSON.stringify({ ticker: 'SPY', action: 'buy', price: 500, id, positionSize: '3', marketPosition: 'long', marketPositionSize: '3' });
    const first = await agent.post(hook, body('t1'));
    await eventually(() => orders(first.body.signalId as string), (o) => o.length === 1 && o[0]!.status === 'filled');
    const again = await agent.post(hook, body('t2'));
    const signal = await eventually(
      async () => (await agent.api<{ status: string; code?: string }>('GET', `/api/signals/${again.body.signalId as string}`)).body,
      (s) => s.status === 'denied' || s.status === 'done',
    );
    expect(signal.code).toBe('NOTHING_TO_DO');
    expect((await positions()).find((p) => p.symbol === 'SPY')?.quantity).toBe('3');
  });
  it('an exit denied by the risk check cancels nothing: the position keeps its stop-loss and take-profit', async () => {
    const buy = await agent.post(hook, '{"ticker":"ORCL","action":"buy","quantity":2,"price":"150","stopLoss":{"type":"stop","percent":5},"takeProfit":{"percent":10},"id":"br-1"}');
    const working = (o: OrderView[]) => o.filter((x) => x.status === 'accepted');
    const legs = await eventually(() => orders(buy.body.signalId as string), (o) => o.some((x) => x.status === 'filled') && working(o).length === 2);
    expect(working(legs).map((o) => o.type).sort()).toEqual(['limit', 'stop']);
    const held = (await positions()).find((p) => p.symbol === 'ORCL')!.quantity;
    try {
      expect((await agent.api('PUT', '/api/trading-state', { state: 'halted', reason: 'test' })).status).toBe(200);
      const halted = await agent.post(hook, '{"ticker":"ORCL","action":"exit","price":"151","id":"br-exit-halted"}');
      const denied = await eventually(
        async () => (await agent.api<{ status: string; code?: string }>('GET', `/api/signals/${halted.body.signalId as string}`)).body,
        (s) => s.status !== 'queued' && s.status !== 'processing',
      );
      expect(denied).toMatchObject({ status: 'denied', code: 'TRADING_HALTED' });
    } finally {
      expect((await agent.api('PUT', '/api/trading-state', { state: 'active' })).status).toBe(200);
    }
    // Denied while active too (a limit exit far from the market): still nothing canceled.
    const far = await agent.post(hook, '{"ticker":"ORCL","action":"exit","orderType":"limit","limitPrice":"1","price":"151","id":"br-exit-far"}');
    const refused = await eventually(
      async () => (await agent.api<{ status: string; code?: string }>('GET', `/api/signals/${far.body.signalId as string}`)).body,
      (s) => s.status !== 'queued' && s.status !== 'processing',
    );
    expect(refused).toMatchObject({ status: 'denied', code: 'PRICE_OUT_OF_BAND' });
    expect(working(await orders(buy.body.signalId as string)).map((o) => o.id).sort()).toEqual(working(legs).map((o) => o.id).sort());
    expect((await positions()).find((p) => p.symbol === 'ORCL')!.quantity).toBe(held);
  });
});

describe('exits of a position protected by a stop-loss', () => {
  // An agent of its own: the demo account's order-rate limit is shared with the tests above.
  let own: TestAgent;
  let ownHook: string;
  beforeAll(async () => {
    own = await startTestAgent();
    ownHook = new URL(own.demoWebhookUrl!).pathname;
  });
  afterAll(async () => own.stop());
  const positions = async () => (await own.api<{ items: PositionView[] }>('GET', '/api/positions')).body.items;
  const orders = async (signalId: string) => (await own.api<{ items: OrderView[] }>('GET', `/api/orders?signalId=${signalId}&sort=created_at&direction=asc`)).body.items;
  const settled = (signalId: string) => settledSignal(own, signalId);

  it('pass while reducing: the stop the exit cancels first is not counted as a second sell that would reverse the position', async () => {
    const buy = await own.post(ownHook, '{"ticker":"PROTX","action":"buy","quantity":10,"price":"50","stopLoss":{"stopPrice":"45"},"takeProfit":{"limitPrice":"60"},"id":"prot-entry"}');
    const legs = await eventually(() => orders(buy.body.signalId as string), (o) => o.some((x) => x.status === 'filled') && o.filter((x) => x.status === 'accepted').length === 2);
    expect(legs.filter((o) => o.status === 'accepted').map((o) => o.type).sort()).toEqual(['limit', 'stop']);
    try {
      expect((await own.api('PUT', '/api/trading-state', { state: 'reducing', reason: 'test' })).status).toBe(200);
      const partial = await own.post(ownHook, '{"ticker":"PROTX","action":"exit","quantity":4,"price":"50.5","id":"prot-partial"}');
      expect(await settled(partial.body.signalId as string)).toMatchObject({ status: 'done' });
      expect((await positions()).find((p) => p.symbol === 'PROTX')?.quantity).toBe('6');
      // The 6 left lost their stop-loss and take-profit: the decision says so.
      const decided = (await own.api<{ decisions: { verdict: string; data?: { warnings?: string[] } }[] }>('GET', `/api/signals/${partial.body.signalId as string}`)).body;
      expect(decided.decisions.find((d) => d.verdict === 'order')?.data?.warnings?.join(' ')).toMatch(/2 working order\(s\) of PROTX were canceled first .* the 6 left open keeps none of them/);
      await new Promise((r) => setTimeout(r, 2100)); // past the duplicate guard's window (2 s) for a second sell
      const exit = await own.post(ownHook, '{"ticker":"PROTX","action":"exit","price":"50.5","id":"prot-exit"}');
      expect(await settled(exit.body.signalId as string)).toMatchObject({ status: 'done' });
      const sold = await eventually(() => orders(exit.body.signalId as string), (o) => o.length === 1 && o[0]!.status === 'filled');
      expect(sold[0]).toMatchObject({ side: 'sell', quantity: '6' });
      expect((await positions()).find((p) => p.symbol === 'PROTX')).toBeUndefined();
      expect((await orders(buy.body.signalId as string)).filter((o) => o.status === 'accepted')).toEqual([]);
    } finally {
      expect((await own.api('PUT', '/api/trading-state', { state: 'active' })).status).toBe(200);
    }
  });

  it('a PineConnector closelong with a size closes that size (in lots: 0.1 lot of gold is 10 oz), not the whole long', async () => {
    const buy = await own.post(ownHook, '{"ticker":"XAUUSD","action":"buy","quantity":40,"price":"20"}');
    await settled(buy.body.signalId as string);
    const close = await own.post(ownHook, '60123456789,closelong,XAUUSD,vol_lots=0.1,price=20.5', 'text/plain');
    expect(close.status).toBe(202);
    expect(await settled(close.body.signalId as string)).toMatchObject({ status: 'done' });
    expect((await positions()).find((p) => p.symbol === 'XAUUSD')?.quantity).toBe('30');
  });

  it('a PineConnector size in lots on a stock is denied LOT_SIZE_UNKNOWN, never traded as shares', async () => {
    const buy = await own.post(ownHook, '{"ticker":"PCY","action":"buy","quantity":4,"price":"20"}');
    await settled(buy.body.signalId as string);
    const close = await own.post(ownHook, '60123456789,closelong,PCY,vol_lots=1,price=20.5', 'text/plain');
    expect(await settled(close.body.signalId as string)).toMatchObject({ status: 'denied', code: 'LOT_SIZE_UNKNOWN' });
    expect((await positions()).find((p) => p.symbol === 'PCY')?.quantity).toBe('4');
  });
});

describe('paper limit and stop orders through the webhook', () => {
  const settled = (signalId: string) => settledSignal(agent, signalId);
  const post = async (body: Record<string, unknown>) => {
    const res = await agent.post(hook, JSON.stringify(body));
    expect(res.status).toBe(202);
    const id = res.body.signalId as string;
    return { id, signal: await settled(id) };
  };

  it('a buy limit below the alert\'s price rests, and fills only when a later alert\'s price reaches it, at that price', async () => {
    const entry = await post({ ticker: 'TSLA', action: 'buy', quantity: 1, orderType: 'limit', limitPrice: '240', price: '250', id: 'flat-3' });
    expect(entry.signal.status).toBe('done');
    expect(await orders(entry.id)).toMatchObject([{ symbol: 'TSLA', side: 'buy', type: 'limit', limitPrice: '240', status: 'accepted', filledQuantity: '0' }]);
    expect((await positions()).find((p) => p.symbol === 'TSLA')).toBeUndefined();
    // A later alert above the limit: still resting (the exit has no position to close).
    expect(await post({ ticker: 'TSLA', action: 'exit', price: '245' })).toMatchObject({ signal: { status: 'denied', code: 'NO_POSITION' } });
    expect((await orders(entry.id))[0]).toMatchObject({ status: 'accepted' });
    // Its price reaches the limit: the resting order fills (at 239, better than the limit) before the exit is planned.
    const exit = await post({ ticker: 'TSLA', action: 'exit', price: '239' });
    expect((await orders(entry.id))[0]).toMatchObject({ status: 'filled', averageFillPrice: '239' });
    expect(await eventually(() => orders(exit.id), (o) => o[0]?.status === 'filled')).toMatchObject([{ side: 'sell', quantity: '1', status: 'filled', averageFillPrice: '239' }]);
  });

  it('a limit order whose alert carries no price rests until a price is seen', async () => {
    const entry = await post({ ticker: 'MSFT', action: 'buy', quantity: 1, orderType: 'limit', limitPrice: '410.5', takeProfit: { limitPrice: '430' }, stopLoss: { stopPrice: '400' } });
    expect(await orders(entry.id)).toMatchObject([{ symbol: 'MSFT', type: 'limit', status: 'accepted', filledQuantity: '0' }]);
    expect((await positions()).find((p) => p.symbol === 'MSFT')).toBeUndefined();
    await post({ ticker: 'MSFT', action: 'exit', price: '410' });
    expect((await orders(entry.id))[0]).toMatchObject({ status: 'filled', averageFillPrice: '410' });
  });

  it('a marketable buy limit fills at once at the alert\'s price, below its limit', async () => {
    const entry = await post({ ticker: 'NFLX', action: 'buy', quantity: 1, orderType: 'limit', limitPrice: '260', price: '250' });
    expect(await eventually(() => orders(entry.id), (o) => o[0]?.status === 'filled')).toMatchObject([{ status: 'filled', averageFillPrice: '250' }]);
  });

  it('a buy stop above the alert\'s price does not trigger before a later price reaches it', async () => {
    const entry = await post({ ticker: 'NVDA', action: 'buy', quantity: 1, orderType: 'stop', stopPrice: '130', price: '120' });
    expect(await orders(entry.id)).toMatchObject([{ type: 'stop', stopPrice: '130', status: 'accepted' }]);
    await post({ ticker: 'NVDA', action: 'exit', price: '129' });
    expect((await orders(entry.id))[0]).toMatchObject({ status: 'accepted' });
    await post({ ticker: 'NVDA', action: 'exit', price: '131' });
    expect((await orders(entry.id))[0]).toMatchObject({ status: 'filled', averageFillPrice: '131' });
  });

  it('an exit with "cancel": false that flattens a short cancels its take-profit and stop-loss: a later price crossing the take-profit opens nothing', async () => {
    const entry = await post({ ticker: 'UBER', action: 'sell', quantity: 10, price: '100', takeProfit: { limitPrice: '90' }, stopLoss: { stopPrice: '110' }, id: 'ro-1' });
    const children = (o: OrderView[]) => o.filter((x) => x.type !== 'market');
    const legs = await eventually(() => orders(entry.id), (o) => children(o).length === 2 && children(o).every((x) => x.status === 'accepted'));
    expect(children(legs).map((o) => [o.side, o.quantity]).sort()).toEqual([['buy', '10'], ['buy', '10']]);
    const exit = await post({ ticker: 'UBER', action: 'exit', price: '100', cancel: false, id: 'ro-2' });
    expect(await eventually(() => orders(exit.id), (o) => o[0]?.status === 'filled')).toMatchObject([{ side: 'buy', quantity: '10' }]);
    const after = await eventually(() => orders(entry.id), (o) => children(o).every((x) => x.status === 'canceled'));
    expect(children(after).map((o) => o.status)).toEqual(['canceled', 'canceled']);
    expect((await positions()).find((p) => p.symbol === 'UBER')).toBeUndefined();
    // A later alert's price crosses the take-profit's limit: nothing fills, the account stays flat.
    expect(await post({ ticker: 'UBER', action: 'exit', price: '89', id: 'ro-3' })).toMatchObject({ signal: { status: 'denied', code: 'NO_POSITION' } });
    expect(children(await orders(entry.id)).map((o) => [o.status, o.filledQuantity])).toEqual([['canceled', '0'], ['canceled', '0']]);
    expect((await positions()).find((p) => p.symbol === 'UBER')).toBeUndefined();
  });

  it('the alert\'s price reaches orders on a mapped symbol (a continuous future rolled to its contract)', async () => {
    const entry = await post({ ticker: 'ES1!', action: 'buy', quantity: 1, orderType: 'limit', limitPrice: '5000', price: '5010' });
    const [order] = await orders(entry.id);
    expect(order).toMatchObject({ status: 'accepted' });
    expect(order!.symbol).not.toBe('ES1!');
    await post({ ticker: 'ES1!', action: 'exit', price: '4990' });
    expect((await orders(entry.id))[0]).toMatchObject({ symbol: order!.symbol, status: 'filled', averageFillPrice: '4990' });
  });
  it("keeps the parser's warnings with the signal (a PineConnector sl/tp it does not apply is not silently dropped)", async () => {
    const res = await agent.post(hook, '60123456789,buy,EURUSD,risk=1,sl=1.0800,tp=1.0950,price=1.0850', 'text/plain');
    expect(res.status).toBe(202);
    const signal = (await agent.api<{ parsed?: { warnings?: string[] } }>('GET', `/api/signals/${res.body.signalId as string}`)).body;
    expect(signal.parsed?.warnings?.length).toBeGreaterThan(0);
    expect(signal.parsed!.warnings!.join(' ')).toMatch(/sl/);
    const plain = await agent.post(hook, '{"ticker":"WARN","action":"buy","quantity":1,"price":10}');
    expect((await agent.api<{ parsed?: { warnings?: string[] } }>('GET', `/api/signals/${plain.body.signalId as string}`)).body.parsed?.warnings).toBeUndefined();
  });
  it('keeps the drift with the decision when a strategy alert says the position was not what the account holds', async () => {
    // The account holds no DRFT; the alert says the strategy was long 10 and is now long 15: one alert was missed.
    const stream = await listenEvents(agent);
    const res = await agent.post(hook, JSON.stringify({ ticker: 'DRFT', action: 'buy', quantity: '5', price: '20', positionSize: '15', marketPosition: 'long', marketPositionSize: '15', prevMarketPosition: 'long', prevMarketPositionSize: '10' }));
    const signal = await eventually(
      async () => (await agent.api<{ status: string; decisions: { verdict: string; data?: { drift?: { expected: string; actual: string; differs: string[] } } }[] }>('GET', `/api/signals/${res.body.signalId as string}`)).body,
      (s) => s.status === 'done' || s.status === 'denied',
    );
    expect(signal.status).toBe('done');
    const order = signal.decisions.find((d) => d.verdict === 'order');
    expect(order?.data?.drift).toMatchObject({ expected: '10', actual: '0' });
    expect((await positions()).find((p) => p.symbol === 'DRFT')?.quantity).toBe('15');
    // The trader is told which account, named as every message names it, with its id for the window and the app.
    const accounts = (await agent.api<{ items: { id: string; name: string }[] }>('GET', '/api/accounts')).body.items;
    const notice = stream.events.find((e) => e.type === 'notice' && e.code === 'DRIFT');
    stream.close();
    expect(notice).toMatchObject({ accountId: accounts[0]!.id });
    expect(notice && 'message' in notice ? notice.message : '').toMatch(new RegExp(`^Account "${accounts[0]!.name}" \\(${accounts[0]!.id}\\): `));
  });
});
