// An alert whose orders were stored (and filled) when the agent was killed, before its final status was written, is
// processed again after the restart. That run must make the plan the first run made, from the account as it was
// before the alert's own orders: an entry is not an add to itself, an exit that filled is not "nothing to do", a
// reversal's filled exit is not followed by an entry planned from flat, and no leg is sent or judged a second time.
import { afterEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { openDatabase } from '../store/db.js';
import type { StartOverrides } from '../agent.js';
import { startTestAgent, settledSignal, tempDir, type TestAgent } from '../test-support/agent.js';
import type { OrderView, StrategyView } from '../../shared/api-types.js';

let agent: TestAgent | undefined;
afterEach(async () => {
  await agent?.stop();
  agent = undefined;
});

interface SignalDetail {
  status: string;
  code?: string;
  decisions: { verdict: string; code?: string }[];
}

async function setUp(dataDir: string) {
  agent = await startTestAgent({ dataDir });
  const account = await agent.api<{ id: string }>('POST', '/api/accounts', { name: 'Resume', broker: 'paper', environment: 'paper', config: { risk: { duplicateWindowSeconds: 0 } } });
  const strategy = await agent.api<StrategyView>('POST', '/api/strategies', { name: 'Resume strategy', accountIds: [account.body.id] });
  return { accountId: account.body.id, hook: new URL(strategy.body.webhookUrl).pathname };
}

async function send(hook: string, alert: Record<string, unknown>): Promise<string> {
  const res = await agent!.post(hook, JSON.stringify(alert));
  expect(res.status).toBe(202);
  const id = res.body.signalId as string;
  expect((await settledSignal(agent!, id)).status).toBe('done');
  return id;
}

/** Stops the agent and leaves `signalId` as a SIGKILL right before its final commit would: `processing`, with its
 *  orders and their decisions stored. Then starts the agent again on the same data. */
async function crashBeforeFinishing(dataDir: string, signalId: string, overrides: StartOverrides = {}): Promise<void> {
  await agent!.stop();
  const db = openDatabase({ file: path.join(dataDir, 'viewzenix.db') });
  db.prepare("UPDATE signals SET status = 'processing', code = NULL, message = NULL, processed_at = NULL WHERE id = ?").run(signalId);
  db.close();
  agent = await startTestAgent({ dataDir }, overrides);
}

const ordersOf = async (signalId: string) => (await agent!.api<{ items: OrderView[] }>('GET', `/api/orders?signalId=${signalId}&sort=created_at&direction=asc`)).body.items;
const position = async (accountId: string, symbol: string) =>
  (await agent!.api<{ items: { accountId: string; symbol: string; quantity: string }[] }>('GET', '/api/positions')).body.items.find((p) => p.accountId === accountId && p.symbol === symbol)?.quantity ?? '0';

async function resumed(signalId: string): Promise<SignalDetail> {
  await settledSignal(agent!, signalId, 15_000);
  return (await agent!.api<SignalDetail>('GET', `/api/signals/${signalId}`)).body;
}

describe('an alert resumed after its orders filled', () => {
  it('an entry that filled is not judged an add to itself: done, one order, the position unchanged', async () => {
    const dataDir = tempDir();
    const { accountId, hook } = await setUp(dataDir);
    const entry = await send(hook, { ticker: 'RSM1', action: 'buy', quantity: 3, price: '100' });
    await crashBeforeFinishing(dataDir, entry);
    const s = await resumed(entry);
    expect(s.status, JSON.stringify(s)).toBe('done');
    expect(s.decisions.filter((d) => d.verdict === 'denied')).toEqual([]);
    expect((await ordersOf(entry)).map((o) => [o.side, o.quantity, o.status])).toEqual([['buy', '3', 'filled']]);
    expect(await position(accountId, 'RSM1')).toBe('3');
  });

  it('an exit that filled is still the exit it was: done, nothing more sent', async () => {
    const dataDir = tempDir();
    const { accountId, hook } = await setUp(dataDir);
    await send(hook, { ticker: 'RSM2', action: 'buy', quantity: 3, price: '100' });
    const exit = await send(hook, { ticker: 'RSM2', action: 'exit', price: '101' });
    expect(await position(accountId, 'RSM2')).toBe('0');
    await crashBeforeFinishing(dataDir, exit);
    const s = await resumed(exit);
    expect(s.status, JSON.stringify(s)).toBe('done');
    expect((await ordersOf(exit)).map((o) => [o.side, o.quantity, o.status])).toEqual([['sell', '3', 'filled']]);
    expect(await position(accountId, 'RSM2')).toBe('0');
  });

  it('a reversal whose exit and entry both filled sends nothing more', async () => {
    const dataDir = tempDir();
    const { accountId, hook } = await setUp(dataDir);
    await send(hook, { ticker: 'RSM3', action: 'buy', quantity: 5, price: '100' });
    const reversal = await send(hook, { ticker: 'RSM3', action: 'sell', quantity: 3, price: '99', sentiment: 'short' });
    const legs = (await ordersOf(reversal)).map((o) => [o.side, o.quantity, o.status]);
    expect(legs).toEqual([
      ['sell', '5', 'filled'],
      ['sell', '3', 'filled'],
    ]);
    await crashBeforeFinishing(dataDir, reversal);
    const s = await resumed(reversal);
    expect(s.status, JSON.stringify(s)).toBe('done');
    expect((await ordersOf(reversal)).map((o) => [o.side, o.quantity, o.status])).toEqual(legs);
    expect(await position(accountId, 'RSM3')).toBe('-3');
  });

  it('an entry that filled, resumed while its account cannot be connected, is still done: its order stays filled', async () => {
    const dataDir = tempDir();
    const { accountId, hook } = await setUp(dataDir);
    const entry = await send(hook, { ticker: 'RSM4', action: 'buy', quantity: 2, price: '100' });
    // The restart cannot connect the account (as when its keys are not available at start).
    await crashBeforeFinishing(dataDir, entry, {
      adapterFactory: (account) => {
        if (account.id === accountId) throw new Error('the keychain is locked');
        return undefined;
      },
    });
    const s = await resumed(entry);
    expect(s.status, JSON.stringify(s)).toBe('done');
    expect(s.decisions.map((d) => [d.verdict, d.code])).toEqual([['order', undefined], ['denied', 'ACCOUNT_UNAVAILABLE']]);
    expect((await ordersOf(entry)).map((o) => [o.side, o.quantity, o.status])).toEqual([['buy', '2', 'filled']]);
  });
});
