// End to end with the built-in paper broker: futures alerts posted to the webhook are counted in dollars at the
// contract's point value, in the position's P&L (GET /api/positions), the account's balance
// (GET /api/accounts/:id/balance) and the daily-loss limit that reads the equity.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAgent, eventually, settledSignal, type TestAgent } from './test-support/agent.js';
import type { AccountBalanceView, AccountView, OrderView, PositionView, StrategyView } from '../shared/api-types.js';

let agent: TestAgent;
beforeAll(async () => {
  agent = await startTestAgent({ seedDemo: false });
});
afterAll(async () => agent.stop());

/** A paper account with `risk` rules and a strategy that may add to a position, trading only it. */
async function paperStrategy(name: string, risk: Record<string, unknown> = {}): Promise<{ accountId: string; webhook: string }> {
  const account = await agent.api<AccountView>('POST', '/api/accounts', { name, broker: 'paper', environment: 'paper', config: { paper: { startingCash: '100000' }, risk } });
  expect(account.status).toBe(201);
  const strategy = await agent.api<StrategyView>('POST', '/api/strategies', { name, accountIds: [account.body.id], config: { strategy: { allowAdd: true } } });
  expect(strategy.status).toBe(201);
  return { accountId: account.body.id, webhook: new URL(strategy.body.webhookUrl).pathname };
}

async function alert(webhook: string, body: Record<string, unknown>) {
  const sent = await agent.post(webhook, JSON.stringify(body));
  expect(sent.status).toBe(202);
  const id = sent.body.signalId as string;
  const signal = await settledSignal<{ status: string; code?: string }>(agent, id, 10_000);
  const orders = await eventually(
    async () => (await agent.api<{ items: OrderView[] }>('GET', `/api/orders?signalId=${id}`)).body.items,
    (o) => o.every((x) => x.status === 'filled' || x.status === 'rejected' || x.status === 'canceled'),
  );
  return { signal, orders };
}

const positionOf = async (accountId: string) => (await agent.api<{ items: PositionView[] }>('GET', '/api/positions')).body.items.filter((p) => p.accountId === accountId);
const balanceOf = async (accountId: string) => {
  const res = await agent.api<AccountBalanceView>('GET', `/api/accounts/${accountId}/balance`);
  expect(res.status).toBe(200);
  return res.body;
};

describe('paper futures through the webhook', () => {
  it('ES alerts: the position shows its P&L at $50 a point, equity moves by it, and the exit realises it into cash', async () => {
    const { accountId, webhook } = await paperStrategy('Paper futures');
    const first = await alert(webhook, { ticker: 'ES1!', action: 'buy', quantity: 1, price: '5000' });
    expect(first.orders).toHaveLength(1);
    const contract = first.orders[0]!.symbol; // the front contract ES1! rolled to, e.g. ESH2027
    expect(contract).toMatch(/^ES[HMUZ]20\d\d$/);
    expect(first.orders[0]).toMatchObject({ side: 'buy', quantity: '1', status: 'filled', averageFillPrice: '5000' });
    // A futures contract is not paid for: the $250,000 notional does not leave cash.
    expect(await balanceOf(accountId)).toEqual({ accountId, currency: 'USD', cash: '100000', equity: '100000', buyingPower: '100000' });

    await alert(webhook, { ticker: 'ES1!', action: 'buy', quantity: 1, price: '5010' });
    // 2 contracts at 5005 on average, marked at 5010: 5 points × 2 × $50.
    expect(await positionOf(accountId)).toEqual([{ accountId, symbol: contract, quantity: '2', averagePrice: '5005', marketPrice: '5010', unrealizedPnl: '500' }]);
    expect(await balanceOf(accountId)).toMatchObject({ cash: '100000', equity: '100500' });

    const exit = await alert(webhook, { ticker: 'ES1!', action: 'exit', price: '5020' });
    expect(exit.orders[0]).toMatchObject({ side: 'sell', quantity: '2', status: 'filled', averageFillPrice: '5020' });
    expect(await positionOf(accountId)).toEqual([]);
    // 15 points × 2 × $50 = $1,500 realised.
    expect(await balanceOf(accountId)).toEqual({ accountId, currency: 'USD', cash: '101500', equity: '101500', buyingPower: '101500' });
  });

  it('the daily-loss limit sees a 10-point ES drop as the $500 it is', async () => {
    const { accountId, webhook } = await paperStrategy('Paper futures, loss limit', { maxDailyLoss: '400', lossLimitAction: 'reduce' });
    expect((await alert(webhook, { ticker: 'ES1!', action: 'buy', quantity: 1, price: '5000' })).orders[0]).toMatchObject({ status: 'filled' });
    const add = await alert(webhook, { ticker: 'ES1!', action: 'buy', quantity: 1, price: '4990' });
    expect(add.signal).toMatchObject({ status: 'denied', code: 'DAILY_LOSS_LIMIT' });
    expect(add.orders).toEqual([]);
    expect(await balanceOf(accountId)).toMatchObject({ cash: '100000', equity: '99500' });
    expect((await positionOf(accountId))[0]).toMatchObject({ quantity: '1', unrealizedPnl: '-500' });
  });

  it('futures trade in whole contracts: a fraction is denied, money-based sizing rounds down to whole contracts', async () => {
    const { accountId, webhook } = await paperStrategy('Paper futures, whole contracts');
    // Half a contract rounds to zero at the contract's lot of 1: denied, nothing reaches the books.
    const half = await alert(webhook, { ticker: 'ES1!', action: 'buy', quantity: '0.5', price: '5000' });
    expect(half.signal).toMatchObject({ status: 'denied', code: 'QUANTITY_ROUNDS_TO_ZERO' });
    expect(half.orders).toEqual([]);
    // 1.5 contracts are rounded down to the lot: 1 is bought.
    const oneAndHalf = await alert(webhook, { ticker: 'ES1!', action: 'buy', quantity: '1.5', price: '5000' });
    expect(oneAndHalf.orders.map((o) => [o.quantity, o.status])).toEqual([['1', 'filled']]);
    // $600,000 of ES at 5000 is 2.4 contracts of $250,000: 2 are bought.
    const dollars = await alert(webhook, { ticker: 'ES1!', action: 'buy', quantity: '600000', quantityType: 'dollar_amount', price: '5000' });
    expect(dollars.orders).toHaveLength(1);
    expect(dollars.orders[0]).toMatchObject({ side: 'buy', quantity: '2', status: 'filled' });
    expect((await positionOf(accountId))[0]).toMatchObject({ quantity: '3' });
    // 300 % of the $100,000 equity is 1.2 contracts: 1 more.
    const percent = await alert(webhook, { ticker: 'ES1!', action: 'buy', quantity: '300', quantityType: 'percent_of_equity', price: '5000' });
    expect(percent.orders[0]).toMatchObject({ quantity: '1', status: 'filled' });
    // $100,000 is 0.4 of a contract: denied.
    const small = await alert(webhook, { ticker: 'ES1!', action: 'buy', quantity: '100000', quantityType: 'dollar_amount', price: '5000' });
    expect(small.signal).toMatchObject({ status: 'denied', code: 'QUANTITY_ROUNDS_TO_ZERO' });
    expect(small.orders).toEqual([]);
    expect((await positionOf(accountId))[0]).toMatchObject({ quantity: '4' });
  });

  it('the balance of an unknown account is 404 NOT_FOUND', async () => {
    const res = await agent.api<{ code: string }>('GET', '/api/accounts/acc_nope/balance');
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('NOT_FOUND');
  });
});
