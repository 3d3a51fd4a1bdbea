// `viewzenix flatten` through the real CLI against a running agent, and POST /api/flatten, GET /api/positions and
// the positions export beside it: --account flattens (and halts) that account only; an unknown account is 404 and
// changes nothing; an account that is not connected (its keys were not available) is reported, never skipped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { memoryVault } from './test-support/memory-secret-store.js';
import { eventually, startTestAgent, type TestAgent } from './test-support/agent.js';
import { CLI_TEST_TIMEOUT_MS, runCli } from './test-support/cli.js';
import { PaperBroker } from './brokers/paper/paper-broker.js';
import { BrokerError } from './brokers/port.js';
import type { AccountView, PositionsView, StrategyView, TradingStateView } from '../shared/api-types.js';

let agent: TestAgent;
let demoAccount: string;
let second: string;

const positions = async () => (await agent.api<PositionsView>('GET', '/api/positions')).body;
const held = (p: PositionsView) => p.items.map((i) => [i.accountId, i.symbol, i.quantity]).sort();

beforeAll(async () => {
  agent = await startTestAgent(
    {},
    {
      vault: memoryVault(),
      // A paper account named "Broker down" whose broker cannot be reached when its positions are read.
      adapterFactory: (account, _credentials, { paperRepo }) =>
        account.name === 'Broker down' ? Object.assign(new PaperBroker(account.id, paperRepo), { positions: () => Promise.reject(new BrokerError('unreachable', 'GET /positions: connect ECONNREFUSED')) }) : undefined,
    },
  );
  demoAccount = (await agent.api<{ items: AccountView[] }>('GET', '/api/accounts')).body.items[0]!.id;
  second = (await agent.api<AccountView>('POST', '/api/accounts', { name: 'Paper two', broker: 'paper', environment: 'paper' })).body.id;
  const strategy = (await agent.api<StrategyView>('POST', '/api/strategies', { name: 'Second', accountIds: [second] })).body;
  await agent.post(new URL(agent.demoWebhookUrl!).pathname, '{"ticker":"TSLA","action":"buy","quantity":1,"price":200}');
  await agent.post(`/webhook/${strategy.webhookId}`, '{"ticker":"NVDA","action":"buy","quantity":3,"price":50}');
  const p = await eventually(positions, (v) => v.items.length === 2);
  expect(held(p)).toEqual([[demoAccount, 'TSLA', '1'], [second, 'NVDA', '3']].sort());
});
afterAll(async () => agent.stop());

describe('viewzenix flatten --account', { timeout: CLI_TEST_TIMEOUT_MS }, () => {
  it('closes and halts only that account, says so, and leaves the other account\'s position and state alone', async () => {
    const run = await runCli(agent, 'flatten', '--account', second, '--halt');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')[0]).toBe(`account ${second}: canceled 0 order(s); closing 1 position(s); account halted`);
    expect(run.stdout).toContain(`${second} sell 3 NVDA`);
    expect(run.stdout).not.toContain(demoAccount);

    const after = await eventually(positions, (v) => !v.items.some((i) => i.accountId === second));
    expect(held(after)).toEqual([[demoAccount, 'TSLA', '1']]);
    const state = (await agent.api<TradingStateView>('GET', '/api/trading-state')).body;
    expect(state.state).toBe('active');
    expect(state.accounts[demoAccount]).toBeUndefined();
    expect(state.accounts[second]).toEqual({ state: 'halted', reason: `flatten of account "Paper two" (${second}) by the trader` });
  });

  it('an unknown account is 404 NOT_FOUND through the API and the CLI, and nothing is halted or closed', async () => {
    const before = (await agent.api<TradingStateView>('GET', '/api/trading-state')).body;
    const api = await agent.api<{ code: string; message: string }>('POST', '/api/flatten', { accountId: 'acc_nope', halt: true });
    expect([api.status, api.body.code]).toEqual([404, 'NOT_FOUND']);
    const run = await runCli(agent, 'flatten', '--account', 'acc_nope', '--halt');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/NOT_FOUND/);
    expect((await agent.api<TradingStateView>('GET', '/api/trading-state')).body).toEqual(before);
    expect(held(await positions())).toEqual([[demoAccount, 'TSLA', '1']]);
  });
});

describe('an account that is not connected (its keys were not available)', { timeout: CLI_TEST_TIMEOUT_MS }, () => {
  it('is in the errors of positions, the positions export and flatten with ACCOUNT_UNAVAILABLE naming it; the CLI exits 1', async () => {
    // Created without keys: it has no adapter, as an account whose keychain was locked at start has none.
    const created = await agent.api<AccountView>('POST', '/api/accounts', { name: 'Alpaca locked', broker: 'alpaca', environment: 'paper', baseUrl: 'http://127.0.0.1:9', config: { streaming: false } });
    expect(created.body).toMatchObject({ connected: false });
    const locked = created.body.id;

    const p = await positions();
    expect(held(p)).toEqual([[demoAccount, 'TSLA', '1']]);
    expect(p.errors).toEqual([{ accountId: locked, code: 'ACCOUNT_UNAVAILABLE', message: expect.stringContaining(`"Alpaca locked" (${locked})`) }]);

    const exported = await fetch(`${agent.controlBase}/api/export/positions`, { headers: { authorization: `Bearer ${agent.token}` } });
    expect(exported.status).toBe(409);
    // The message names the account once, as the positions' error does.
    expect((await exported.json()) as { code: string; message: string }).toMatchObject({ code: 'ACCOUNT_UNAVAILABLE', message: `${p.errors[0]!.message} The export would be incomplete, so none was made.` });

    const run = await runCli(agent, 'flatten');
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^canceled 0 order\(s\); closing 1 position\(s\); 1 error\(s\)\n/);
    expect(run.stdout).toContain(`  error ACCOUNT_UNAVAILABLE: Account "Alpaca locked" (${locked}) is not connected`);
    const after = await eventually(positions, (v) => v.items.length === 0);
    expect(after.items).toEqual([]);
    expect(after.errors.map((e) => e.accountId)).toEqual([locked]);
  });
});

describe('an account whose broker fails while it is flattened', { timeout: CLI_TEST_TIMEOUT_MS }, () => {
  it('is in the errors under its name (the id in brackets), through the API and the CLI', async () => {
    const broken = (await agent.api<AccountView>('POST', '/api/accounts', { name: 'Broker down', broker: 'paper', environment: 'paper' })).body.id;
    const message = `Account "Broker down" (${broken}) could not be flattened, so its positions at the broker may still be open: GET /positions: connect ECONNREFUSED`;
    const api = await agent.api<{ errors: { accountId: string; code: string; message: string }[] }>('POST', '/api/flatten', { accountId: broken });
    expect(api.status).toBe(200);
    expect(api.body.errors).toEqual([{ accountId: broken, code: 'BROKER_UNREACHABLE', message }]);

    const run = await runCli(agent, 'flatten', '--account', broken);
    expect(run.code).toBe(1);
    expect(run.stdout.split('\n')).toContain(`  error BROKER_UNREACHABLE: ${message}`);
  });
});
