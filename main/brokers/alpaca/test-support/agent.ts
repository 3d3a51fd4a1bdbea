// The agent around the fake Alpaca for tests: the real router, lifecycle, reconciler and database with an Alpaca
// adapter talking HTTP + WebSocket to a FakeAlpaca. Each test file runs `runCleanups` after each test.
import { harness } from '../../../orders/test-support/harness.js';
import { Reconciler } from '../../../orders/reconciler.js';
import { AlpacaAdapter, type AlpacaConfig } from '../adapter.js';
import { FakeAlpaca } from '../fake-server.js';

export const KEYS = { keyId: 'PKCANARYKEYID0000003', secretKey: 'canary-secret-Legs4Brackets9Xy' };
export const ACC = 'acc-alp';
/** The name the trader gave the account: the agent's messages name it so (`Account "Alpaca main" (acc-alp)`). */
export const ACC_NAME = 'Alpaca main';
const cleanups: (() => Promise<void> | void)[] = [];

export async function runCleanups(): Promise<void> {
  for (const c of cleanups.splice(0).reverse()) await c();
}

export async function startFake(prices: Record<string, string> = { AAPL: '100' }): Promise<FakeAlpaca> {
  const fake = await new FakeAlpaca({ ...KEYS, prices }).start();
  cleanups.push(() => fake.close());
  return fake;
}

export function newAdapter(fake: FakeAlpaca, config: Partial<AlpacaConfig> = {}): AlpacaAdapter {
  const adapter = new AlpacaAdapter(ACC, { environment: 'paper', baseUrl: fake.baseUrl, timeoutMs: 2000, requestsPerMinute: 60_000, burst: 1000, pollIntervalMs: 3_600_000, cancelWaitMs: 1000, ...config }, KEYS);
  cleanups.push(() => adapter.disconnect());
  return adapter;
}

/** One run of the agent on a database file: router, lifecycle and reconciler around an Alpaca adapter. */
export async function agent(fake: FakeAlpaca, file: string, config: Partial<AlpacaConfig> = {}) {
  const h = harness({ requestTimeoutMs: 2000, resolveBaseMs: 20, resolveMaxMs: 100, absentGraceMs: 100 }, file);
  if (!h.accounts.get(ACC)) h.nameAccount(ACC, ACC_NAME); // stored once per database file
  const adapter = newAdapter(fake, config);
  await adapter.connect();
  h.router.register(ACC, adapter);
  const reconciler = new Reconciler(h.orders, h.lifecycle, h.router, h.tradingState, h.log, { fillsOverlapMs: 60_000 });
  let closed = false;
  const stop = async () => {
    if (closed) return;
    closed = true;
    await adapter.disconnect();
    h.close();
  };
  cleanups.push(stop);
  return { h, adapter, reconciler, stop };
}
