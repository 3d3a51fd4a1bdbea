// `viewzenix trading-state` through the CLI against a running agent: one account's state is set and shown beside
// the global one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAgent, type TestAgent } from './test-support/agent.js';
import { CLI_TEST_TIMEOUT_MS, runCli } from './test-support/cli.js';
import type { TradingStateView } from '../shared/api-types.js';

let agent: TestAgent;
beforeAll(async () => {
  agent = await startTestAgent();
});
afterAll(async () => agent.stop());

describe('viewzenix trading-state', { timeout: CLI_TEST_TIMEOUT_MS }, () => {
  it('sets one account\'s state with its reason, and shows it under the global state', async () => {
    const accountId = (await agent.api<{ items: { id: string }[] }>('GET', '/api/accounts')).body.items[0]!.id;
    const set = await runCli(agent, 'trading-state', 'halted', '--account', accountId, '--reason', 'earnings tonight');
    expect(set.stderr).toBe('');
    expect(set.code).toBe(0);
    const api = (await agent.api<TradingStateView>('GET', '/api/trading-state')).body;
    expect(api.state).toBe('active');
    expect(api.accounts[accountId]).toEqual({ state: 'halted', reason: 'earnings tonight' });

    const shown = await runCli(agent, 'trading-state');
    expect(shown.code).toBe(0);
    expect(shown.stdout).toBe(`active since ${api.updatedAt}\n  account ${accountId}: halted (earnings tonight)\n`);
  });

  it('refuses --reason without a state to set (exit 2), and changes nothing', async () => {
    const before = (await agent.api<TradingStateView>('GET', '/api/trading-state')).body;
    const run = await runCli(agent, 'trading-state', '--reason', 'why');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--account and --reason go with a new state/);
    expect((await agent.api<TradingStateView>('GET', '/api/trading-state')).body).toEqual(before);
  });
});
