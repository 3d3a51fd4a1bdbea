// The loss limits and cooldowns through the webhook, on paper accounts of their own: what starts a cooldown (an
// exit that filled, at a loss or not; never a stop-loss that was only placed), and the day's loss measured from the
// day's starting equity.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAgent, settledSignal, type TestAgent } from '../test-support/agent.js';
import type { StrategyView } from '../../shared/api-types.js';

let agent: TestAgent;
beforeAll(async () => {
  agent = await startTestAgent();
});
afterAll(async () => agent.stop());

/** A paper account with these risk rules, and a strategy trading it; returns a function posting an alert and
 *  waiting until it is processed. */
async function accountWith(name: string, risk: Record<string, unknown>) {
  const account = await agent.api<{ id: string }>('POST', '/api/accounts', { name, broker: 'paper', environment: 'paper', config: { risk: { duplicateWindowSeconds: 0, ...risk } } });
  expect(account.status).toBe(201);
  const strategy = await agent.api<StrategyView>('POST', '/api/strategies', { name: `${name} strategy`, accountIds: [account.body.id] });
  expect(strategy.status).toBe(201);
  const hook = new URL(strategy.body.webhookUrl).pathname;
  return async (alert: Record<string, unknown>) => {
    const res = await agent.post(hook, JSON.stringify(alert));
    expect(res.status).toBe(202);
    const s = await settledSignal(agent, res.body.signalId as string);
    return { status: s.status, code: s.code, message: s.message };
  };
}

describe('cooldowns', () => {
  it('an exit filled at a loss starts the cooldown after a loss; one at a profit does not', async () => {
    const send = await accountWith('Loss cooldown', { cooldownAfterLossSeconds: 3600 });
    expect(await send({ ticker: 'WINX', action: 'buy', quantity: 10, price: '100' })).toEqual({ status: 'done', code: undefined, message: undefined });
    expect(await send({ ticker: 'WINX', action: 'exit', price: '110' })).toEqual({ status: 'done', code: undefined, message: undefined });
    expect(await send({ ticker: 'WINX', action: 'buy', quantity: 10, price: '110' })).toEqual({ status: 'done', code: undefined, message: undefined });
    expect(await send({ ticker: 'WINX', action: 'exit', price: '99' })).toEqual({ status: 'done', code: undefined, message: undefined }); // 11 below the entry
    const after = await send({ ticker: 'OTHER', action: 'buy', quantity: 1, price: '50' });
    expect(after).toMatchObject({ status: 'denied', code: 'COOLDOWN_ACTIVE' });
    expect(after.message).toMatch(/after=loss/);
  });

  it('a short covered above its entry is a loss too', async () => {
    const send = await accountWith('Short loss cooldown', { cooldownAfterLossSeconds: 600 });
    expect(await send({ ticker: 'SHRT', action: 'sell', quantity: 5, price: '40' })).toEqual({ status: 'done', code: undefined, message: undefined });
    expect(await send({ ticker: 'SHRT', action: 'exit', price: '42' })).toEqual({ status: 'done', code: undefined, message: undefined });
    expect(await send({ ticker: 'SHRT', action: 'sell', quantity: 5, price: '42' })).toMatchObject({ status: 'denied', code: 'COOLDOWN_ACTIVE' });
  });

  it('a stop-loss that was only placed starts no cooldown after an exit; a stop-loss that filled does', async () => {
    const send = await accountWith('Exit cooldown', { cooldownAfterExitSeconds: 600 });
    expect(await send({ ticker: 'PROTC', action: 'buy', quantity: 10, price: '100', stopLoss: { stopPrice: '90' } })).toEqual({ status: 'done', code: undefined, message: undefined });
    expect(await send({ ticker: 'NAKED', action: 'buy', quantity: 1, price: '10' })).toEqual({ status: 'done', code: undefined, message: undefined });
    // The price falls through the stop: the stop-loss child fills, an exit.
    expect(await send({ ticker: 'PROTC', action: 'buy', quantity: 1, price: '89' })).toMatchObject({ status: 'denied', code: 'COOLDOWN_ACTIVE' });
    expect(await send({ ticker: 'NAKED2', action: 'buy', quantity: 1, price: '10' })).toMatchObject({ status: 'denied', code: 'COOLDOWN_ACTIVE' });
  });
});

describe('daily loss', () => {
  it('is the fall of equity since the day started: a realised loss still counts once the position is closed', async () => {
    const send = await accountWith('Daily loss', { maxDailyLoss: '500', lossLimitAction: 'reduce' });
    expect(await send({ ticker: 'DLX', action: 'buy', quantity: 10, price: '100' })).toEqual({ status: 'done', code: undefined, message: undefined });
    // The exit passes (reduce lets exits through) and realises -600: the position is gone, the loss is not.
    expect(await send({ ticker: 'DLX', action: 'exit', price: '40' })).toEqual({ status: 'done', code: undefined, message: undefined });
    const accountId = (await agent.api<{ items: { id: string; name: string }[] }>('GET', '/api/accounts')).body.items.find((a) => a.name === 'Daily loss')!.id;
    const state = (await agent.api<{ accounts: Record<string, { state: string; reason: string }> }>('GET', '/api/trading-state')).body.accounts[accountId];
    expect(state).toEqual({ state: 'reducing', reason: 'DAILY_LOSS_LIMIT: loss=600, max=500' });
    // The trader resumes; the position is closed, but the day's loss is still 600.
    expect((await agent.api('PUT', '/api/trading-state', { state: 'active', accountId })).status).toBe(200);
    const next = await send({ ticker: 'DLY', action: 'buy', quantity: 1, price: '10' });
    expect(next).toMatchObject({ status: 'denied', code: 'DAILY_LOSS_LIMIT' });
    expect(next.message).toMatch(/loss=600, max=500/);
  });
});
