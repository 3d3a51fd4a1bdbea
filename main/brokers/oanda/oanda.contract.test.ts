// The OANDA adapter passes the broker contract against the fake v20 server, fault cases included.
import { runBrokerContract } from '../contract/suite.js';
import { OandaAdapter } from './adapter.js';
import { FakeOanda } from './fake-server.js';

const TOKEN = 'canary-oanda-token-3f9a8b7c6d5e4f3a2b1c-0d9e8f7a6b5c';
const ACCOUNT = '101-001-1234567-001';

runBrokerContract('oanda', async () => {
  const fake = await new FakeOanda({ token: TOKEN, accountId: ACCOUNT, heartbeatMs: 50 }).start();
  const adapter = new OandaAdapter('acct-oanda', { environment: 'practice', accountId: ACCOUNT, baseUrl: fake.baseUrl, timeoutMs: 1500, requestsPerSecond: 5000, pollIntervalMs: 50, streamSilenceMs: 1000 }, { token: TOKEN });
  return {
    adapter,
    faults: fake.faults,
    symbol: 'EUR_USD',
    quantity: '1000',
    price: '1.10000',
    setPrice: (s, p) => fake.setPrice(s, p),
    brokerOrderCount: (id) => fake.countByClientId(id),
    secrets: [TOKEN],
    close: () => fake.close(),
  };
});
