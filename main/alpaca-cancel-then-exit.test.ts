// An alert that cancels the symbol's working orders before its exit (cancel: true) meets a working exit order that
// fills as its cancel arrives (Alpaca answers 422 "order is already in filled state"). Alpaca has no reduce-only
// orders: an exit sized on the position from before the cancels would sell what is no longer held, a short sale.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeAlpaca } from './brokers/alpaca/fake-server.js';

import { memoryVault } from './test-support/memory-secret-store.js';
import { startTestAgent, eventually, settledSignal, type TestAgent } from './test-support/agent.js';
import type { AccountView, OrderView, StrategyView } from '../shared/api-types.js';

const KEYS = { keyId: 'PKCANCELEXIT00000001', secretKey: 'cancel-exit-secret-Zx9Cv8Bn7' };
let fake: FakeAlpaca;
let agent: TestAgent;

beforeAll(async () => {
  fake = await new FakeAlpaca({ ...KEYS, prices: { AAPL: '190' } }).start();
  agent = await startTestAgent({}, { vault: memoryVault() });
});
afterAll(async () => {
  await agent.stop();
  await fake.close();
});

const ordersOf = async (signalId: string) => (await agent.api<{ items: OrderView[] }>('GET', `/api/orders?signalId=${signalId}`)).body.items;

describe('an exit after the working orders it cancels first', () => {
  it('is sized on the position the cancels left: a take-profit that filled as its cancel arrived is not sold again', async () => {
    const account = await agent.api<AccountView>('POST', '/api/accounts', {
      name: 'Alpaca paper',
      broker: 'alpaca',
      environment: 'paper',
      baseUrl: fake.baseUrl,
      credentials: KEYS,
      config: { risk: { enforceMarketHours: false } },
    });
    const strategy = await agent.api<StrategyView>('POST', '/api/strategies', { name: 'Cancel then exit', accountIds: [account.body.id] });
    const hook = new URL(strategy.body.webhookUrl).pathname;

    const buy = await agent.post(hook, '{"ticker":"AAPL","action":"buy","quantity":"10","price":"190"}');
    await eventually(() => ordersOf(buy.body.signalId as string), (o) => o.length === 1 && o[0]!.status === 'filled', 10_000);
    // A working take-profit: sell the 10 at 200.
    const tp = await agent.post(hook, '{"ticker":"AAPL","action":"exit","orderType":"limit","limitPrice":"200","price":"190"}');
    const [working] = await eventually(() => ordersOf(tp.body.signalId as string), (o) => o.length === 1 && o[0]!.status === 'accepted', 10_000);
    expect(working).toMatchObject({ side: 'sell', quantity: '10', type: 'limit' });

    fake.cancelRace = 'fill_first'; // the take-profit fills just as the exit's cancel of it arrives
    const exit = await agent.post(hook, '{"ticker":"AAPL","action":"exit","cancel":true,"price":"200"}');
    expect(exit.status).toBe(202);
    // Planned again after the cancel on the position now: there is none left to exit.
    expect(await settledSignal(agent, exit.body.signalId as string)).toMatchObject({ status: 'denied', code: 'NO_POSITION' });
    await eventually(() => ordersOf(tp.body.signalId as string), (o) => o[0]!.status === 'filled', 10_000);

    // The take-profit closed the position; the exit sells nothing more, and Alpaca holds no short.
    expect(await ordersOf(exit.body.signalId as string)).toEqual([]);
    expect(fake.positions.get('AAPL')?.qty.toString() ?? '0').toBe('0');
  });
});
