// The window's API client (renderer/src/api/client.ts) against a real agent: the delete calls reach the routes,
// a refusal arrives as an ApiHttpError with the agent's code and message, and only a refusal for positions that
// could not be read counts as one `force` may override.
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient, ApiHttpError, isPositionsUnreadable } from '../renderer/src/api/client.js';
import { startTestAgent, type TestAgent } from './test-support/agent.js';

import { memoryVault } from './test-support/memory-secret-store.js';

/** An agent whose vault is in memory: deleting an account removes its keys there, never from this machine's keychain. */
const start = () => startTestAgent({}, { vault: memoryVault() });

let agent: TestAgent | undefined;
afterEach(async () => {
  await agent?.stop();
  agent = undefined;
});

async function refusal(p: Promise<unknown>): Promise<ApiHttpError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiHttpError);
  return err as ApiHttpError;
}

describe('the window deletes through the API client', () => {
  it('a refused account delete carries the 409 message; after the strategy is deleted the account is deleted', async () => {
    agent = await start();
    const api = new ApiClient(agent.token, agent.controlBase);
    const [account] = (await api.accounts()).items;
    const [strategy] = (await api.strategies()).items;

    const inUse = await refusal(api.deleteAccount(account!.id));
    expect([inUse.status, inUse.code]).toEqual([409, 'CONFLICT']);
    expect(inUse.message).toContain('"Demo strategy"');
    expect(isPositionsUnreadable(inUse)).toBe(false); // force would not help: the strategy must go first

    expect(await api.deleteStrategy(strategy!.id)).toEqual({ id: strategy!.id, deleted: true });
    expect((await api.strategies()).items).toEqual([]);
    expect(await api.deleteAccount(account!.id)).toEqual({ id: account!.id, deleted: true });
    expect((await api.accounts()).items).toEqual([]);

    const gone = await refusal(api.deleteStrategy(strategy!.id));
    expect([gone.status, gone.code]).toEqual([404, 'NOT_FOUND']);
  });

  it('an account that is not connected is refused ACCOUNT_UNAVAILABLE, which force overrides', async () => {
    agent = await start();
    const api = new ApiClient(agent.token, agent.controlBase);
    const created = await api.createAccount({ name: 'No keys', broker: 'alpaca', environment: 'paper', baseUrl: 'http://127.0.0.1:9' });
    const unreadable = await refusal(api.deleteAccount(created.id));
    expect([unreadable.status, unreadable.code]).toEqual([409, 'ACCOUNT_UNAVAILABLE']);
    expect(isPositionsUnreadable(unreadable)).toBe(true);
    expect(await api.deleteAccount(created.id, { force: true })).toEqual({ id: created.id, deleted: true });
    expect((await api.accounts()).items.map((a) => a.id)).not.toContain(created.id);
  });
});
