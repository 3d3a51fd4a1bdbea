// Shared by the OANDA tests: the fake v20 API called directly (a trade made at OANDA, outside the agent, or a read of
// what the fake holds), a fake with an adapter on it, and an OANDA account on the fake added to a test agent.
import { OandaAdapter, type OandaConfig } from '../adapter.js';
import { FakeOanda, type FakeOandaOptions } from '../fake-server.js';
import type { TestAgent } from '../../../test-support/agent.js';
import type { AccountView } from '../../../../shared/api-types.js';

export type Json = Record<string, unknown>;

/** `api(method, path, body)` on the fake's account, `path` after /v3/accounts/<id>. */
export function fakeOandaApi(fake: () => FakeOanda, token: string, accountId: string) {
  return async (method: string, p: string, body?: unknown): Promise<{ status: number; body: Json }> => {
    const res = await fetch(`${fake().baseUrl}/v3/accounts/${accountId}${p}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Json };
  };
}

/** A started fake and an adapter on it (practice, 1 s timeout, no pacing to speak of); `token` is the adapter's. */
export async function startOanda(
  o: { token: string; accountId: string; fake?: Partial<FakeOandaOptions>; config?: Partial<OandaConfig>; adapterToken?: string },
): Promise<{ fake: FakeOanda; adapter: OandaAdapter }> {
  const fake = await new FakeOanda({ token: o.token, accountId: o.accountId, heartbeatMs: 50, ...o.fake }).start();
  const adapter = new OandaAdapter('o1', { environment: 'practice', accountId: o.accountId, baseUrl: fake.baseUrl, timeoutMs: 1000, requestsPerSecond: 5000, ...o.config }, { token: o.adapterToken ?? o.token });
  return { fake, adapter };
}

/** An OANDA practice account on the fake, added through the agent's API (its token to the test vault). */
export async function addOandaAccount(agent: TestAgent, fake: FakeOanda, token: string, accountId: string, name: string, config: Json = {}): Promise<AccountView> {
  const account = await agent.api<AccountView>('POST', '/api/accounts', {
    name,
    broker: 'oanda',
    environment: 'practice',
    baseUrl: fake.baseUrl,
    credentials: { token },
    config: { accountId, streaming: false, pollIntervalMs: 600_000, ...config },
  });
  if (account.status !== 201) throw new Error(`adding the OANDA account failed: ${account.status} ${JSON.stringify(account.body)}`);
  return account.body;
}
