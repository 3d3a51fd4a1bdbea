// Alerts as traders paste them from TradersPost, OctoBot and Autoview, through the webhook route to the paper
// broker: the orders placed are the ones those tools' own documentation describes, never a reversal or a real
// order the alert did not ask for.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrderView, SignalView } from '../../shared/api-types.js';
import { eventually, settledSignal, startTestAgent, type TestAgent } from '../test-support/agent.js';

let agent: TestAgent;
let hook: string;
beforeAll(async () => {
  agent = await startTestAgent();
  hook = new URL(agent.demoWebhookUrl!).pathname;
});
afterAll(async () => agent.stop());

async function ordersOf(signalId: string): Promise<OrderView[]> {
  await settledSignal(agent, signalId);
  return eventually(
    async () => (await agent.api<{ items: OrderView[] }>('GET', `/api/orders?signalId=${signalId}`)).body.items,
    (items) => items.every((o) => o.status === 'filled' || o.status === 'rejected' || o.status === 'canceled'),
  );
}

async function send(body: string, contentType = 'application/json'): Promise<{ signalId: string; orders: OrderView[] }> {
  const res = await agent.post(hook, body, contentType);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  const signalId = res.body.signalId as string;
  return { signalId, orders: await ordersOf(signalId) };
}

async function position(symbol: string): Promise<string> {
  const positions = (await agent.api<{ items: Array<{ symbol: string; quantity: string }> }>('GET', '/api/positions')).body.items;
  return positions.find((p) => p.symbol === symbol)?.quantity ?? '0';
}

describe('dialect alerts place the orders their own tools describe', () => {
  it('TradersPost "sell 50% of the open position" sells half of the long and opens no short', async () => {
    await send('{"ticker":"AAPL","action":"buy","quantity":"10","price":"100"}');
    expect(await position('AAPL')).toBe('10');
    const half = await send('{"ticker":"AAPL","action":"sell","quantityType":"percent_of_position","quantity":50,"price":"100"}');
    expect(half.orders.map((o) => [o.side, o.quantity, o.status])).toEqual([['sell', '5', 'filled']]);
    expect(await position('AAPL')).toBe('5');
  });

  it('OctoBot REDUCE_ONLY=true sells part of a long, never more than it, and never opens a short', async () => {
    await send('EXCHANGE=binance\nSYMBOL=ETHUSDT\nSIGNAL=BUY\nVOLUME=0.02\nORDER_TYPE=MARKET\nPRICE=3000', 'text/plain');
    const part = await send('EXCHANGE=binance\nSYMBOL=ETHUSDT\nSIGNAL=SELL\nVOLUME=0.005\nREDUCE_ONLY=true', 'text/plain');
    expect(part.orders.map((o) => [o.side, o.quantity])).toEqual([['sell', '0.005']]);
    const rest = await send('EXCHANGE=binance\nSYMBOL=ETHUSDT\nSIGNAL=SELL\nVOLUME=1\nREDUCE_ONLY=true', 'text/plain');
    expect(rest.orders.map((o) => [o.side, o.quantity])).toEqual([['sell', '0.015']]);
    expect(await position('ETHUSDT')).toBe('0');
    const none = await send('EXCHANGE=binance\nSYMBOL=ETHUSDT\nSIGNAL=SELL\nVOLUME=0.5\nREDUCE_ONLY=true\nTAG=again', 'text/plain');
    expect(none.orders).toEqual([]);
    const stored = await agent.api<SignalView>('GET', `/api/signals/${none.signalId}`);
    expect(stored.body).toMatchObject({ status: 'denied', code: 'NO_POSITION' });
  });

  it('Autoview c=position b=long closes the long, and with a short held closes nothing (never buys it back)', async () => {
    await send('e=binance s=SOLUSDT b=buy q=3 t=market price=150', 'text/plain');
    expect(await position('SOLUSDT')).toBe('3');
    const close = await send('e=binance s=SOLUSDT c=position b=long', 'text/plain');
    expect(close.orders.map((o) => [o.side, o.quantity, o.status])).toEqual([['sell', '3', 'filled']]);
    expect(await position('SOLUSDT')).toBe('0');
    await send('e=binance s=SOLUSDT b=short q=2 t=market price=150', 'text/plain');
    expect(await position('SOLUSDT')).toBe('-2');
    const wrongSide = await send('e=binance s=SOLUSDT c=position b=long delay=1', 'text/plain');
    expect(wrongSide.orders).toEqual([]);
    expect(await position('SOLUSDT')).toBe('-2');
    const stored = await agent.api<SignalView>('GET', `/api/signals/${wrongSide.signalId}`);
    expect(stored.body).toMatchObject({ status: 'denied', code: 'NO_POSITION' });
  });

  it.each([
    ['an Autoview dry run (d=1)', 'e=binance s=BTCUSDT b=buy q=0.01 d=1', 'text/plain', 'd'],
    ['a TradersPost options alert', '{"ticker":"SPY","action":"buy","quantity":"1","optionType":"call","expiration":"+1 month"}', 'application/json', 'optionType'],
    ['a trailing stop with nothing to trail by', '{"ticker":"NKE","action":"buy","quantity":"1","price":"90","orderType":"trailing_stop"}', 'application/json', 'orderType'],
  ])('%s is refused at the webhook and places no order', async (_name, body, contentType, field) => {
    const res = await agent.post(hook, body, contentType);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: 'rejected', code: 'INVALID_FIELD', field });
    const stored = await agent.api<SignalView>('GET', `/api/signals/${res.body.signalId as string}`);
    expect(stored.body).toMatchObject({ status: 'rejected', code: 'INVALID_FIELD' });
    expect((await agent.api<{ items: OrderView[] }>('GET', `/api/orders?signalId=${res.body.signalId as string}`)).body.items).toEqual([]);
  });
});
