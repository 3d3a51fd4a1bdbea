// Flatten on an OANDA hedging account (the fake with `hedging: true`), end to end through the agent: an instrument the
// trader holds long and short at once (opened at OANDA, never by the agent) is closed whole, both sides, by OANDA's
// close-position request, whether its net is 600 or 0; nothing is left at the broker, the answer and the CLI count
// it, and reconciliation books the broker's closing fills as trades the agent did not place (no mismatch, no halt).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeOanda } from './brokers/oanda/fake-server.js';
import { addOandaAccount } from './brokers/oanda/test-support/fake-api.js';
import { memoryVault } from './test-support/memory-secret-store.js';
import { eventually, startTestAgent, type TestAgent } from './test-support/agent.js';
import { CLI_TEST_TIMEOUT_MS, runCli } from './test-support/cli.js';
import type { OrderView, PositionsView, TradingStateView } from '../shared/api-types.js';
import type { FlattenResult } from './orders/flatten.js';
import type { ReconcileReport } from './orders/reconciler.js';

const TOKEN = 'flatten-hedging-oanda-token-0042';
const ACCOUNT = '101-004-1111111-001';
let fake: FakeOanda;
let agent: TestAgent;
let accountId: string;

/** A market order sent to the fake directly: a trade made at OANDA, outside the agent. */
async function byHand(instrument: string, units: string): Promise<void> {
  const res = await fetch(`${fake.baseUrl}/v3/accounts/${ACCOUNT}/orders`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ order: { type: 'MARKET', instrument, units, timeInForce: 'FOK' } }),
  });
  expect(res.status).toBe(201);
}

const openAtBroker = () => fake.tradedInstruments().flatMap((i) => fake.openTrades(i).map((t) => `${i} ${t.currentUnits.toString()}`));
const held = async () => (await agent.api<PositionsView>('GET', '/api/positions')).body.items.filter((p) => p.accountId === accountId).map((p) => [p.symbol, p.quantity]);

async function reconcile(): Promise<ReconcileReport> {
  const res = await agent.api<{ reports: ReconcileReport[] }>('POST', '/api/reconcile', {});
  return res.body.reports.find((r) => r.accountId === accountId)!;
}

beforeAll(async () => {
  fake = await new FakeOanda({ token: TOKEN, accountId: ACCOUNT, hedging: true }).start();
  agent = await startTestAgent({}, { vault: memoryVault() });
  accountId = (await addOandaAccount(agent, fake, TOKEN, ACCOUNT, 'OANDA hedging')).id;
  // The first reconciliation: from here on, a trade made at OANDA is counted as one the agent did not place.
  expect((await reconcile()).mismatches).toEqual([]);
});
afterAll(async () => {
  await agent.stop();
  await fake.close();
});

describe('Flatten on an OANDA hedging account', () => {
  it('long 1000 / short 400 (net 600) is closed whole by OANDA, a one-sided position by an order; nothing is left', async () => {
    await byHand('EUR_USD', '1000');
    await byHand('EUR_USD', '-400');
    await byHand('USD_JPY', '200');
    expect((await reconcile()).mismatches).toEqual([]);
    expect(await held()).toEqual([
      ['EUR_USD', '600'],
      ['USD_JPY', '200'],
    ]);

    const res = await agent.api<FlattenResult>('POST', '/api/flatten', { accountId });
    expect(res.status).toBe(200);
    expect(res.body.errors).toEqual([]);
    expect(res.body.closed).toEqual([{ accountId, symbol: 'EUR_USD', long: '1000', short: '400' }]);
    expect(res.body.closing.map((o: OrderView) => [o.symbol, o.side, o.quantity])).toEqual([['USD_JPY', 'sell', '200']]);

    expect(await eventually(openAtBroker, (o) => o.length === 0)).toEqual([]);
    expect(await eventually(held, (h) => h.length === 0)).toEqual([]);
    // The closing fills of OANDA's orders are booked as trades the agent did not place: nothing unexplained.
    const after = await reconcile();
    expect(after).toMatchObject({ mismatches: [], halted: false });
    expect(after.externalFills).toBe(2);
    expect((await agent.api<TradingStateView>('GET', '/api/trading-state')).body.accounts[accountId]).toBeUndefined();
  });

  it('long 500 / short 500 (net 0, no position to the agent) is closed too, and `viewzenix flatten` counts it', { timeout: CLI_TEST_TIMEOUT_MS }, async () => {
    await byHand('EUR_USD', '500');
    await byHand('EUR_USD', '-500');
    expect((await reconcile()).mismatches).toEqual([]);
    expect(await held()).toEqual([]);
    expect(openAtBroker()).toHaveLength(2);

    const run = await runCli(agent, 'flatten', '--account', accountId);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')[0]).toBe(`account ${accountId}: canceled 0 order(s); closing 1 position(s)`);
    expect(run.stdout).toContain(`  ${accountId} closed EUR_USD at the broker: long 500 and short 500 (held both ways)`);

    expect(openAtBroker()).toEqual([]);
    const after = await reconcile();
    expect(after).toMatchObject({ mismatches: [], halted: false, externalFills: 2 });
  });
});
