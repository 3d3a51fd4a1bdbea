// The Alpaca adapter passes the broker contract against the fake Alpaca server, fault cases included.
import { runBrokerContract } from '../contract/suite.js';
import { AlpacaAdapter } from './adapter.js';
import { FakeAlpaca } from './fake-server.js';

export const ALPACA_CANARY = { keyId: 'PKCANARYKEYID0000001', secretKey: 'canary-secret-Zx9Qw7Lm3Np5Rt8Vb2' };

runBrokerContract('alpaca', async () => {
  const fake = await new FakeAlpaca({ ...ALPACA_CANARY, prices: { AAPL: '100', 'BTC/USD': '30000' } }).start();
  const adapter = new AlpacaAdapter('acct-alpaca', { environment: 'paper', baseUrl: fake.baseUrl, timeoutMs: 1500, requestsPerMinute: 60_000, burst: 1000, pollIntervalMs: 50 }, ALPACA_CANARY);
  return {
    adapter,
    faults: fake.faults,
    symbol: 'AAPL',
    quantity: '2',
    price: '100',
    setPrice: (s, p) => fake.setPrice(s, p),
    brokerOrderCount: (id) => fake.countByClientId(id),
    secrets: [ALPACA_CANARY.keyId, ALPACA_CANARY.secretKey],
    close: () => fake.close(),
  };
});
