// The CCXT adapter (okx class) passes the broker contract against the fake OKX v5 API, with the agent's own
// client order ids (`vz-` + 32 hex), which OKX only takes in their 32-hex form.
import { runBrokerContract } from '../contract/suite.js';
import { CcxtAdapter } from './adapter.js';
import { FakeOkx } from './fake-okx.js';
import { clientIdRule } from './client-id.js';

const KEYS = { apiKey: 'canaryOkxApiKey0123456789abcdef', secret: 'canaryOkxSecret9876543210FEDCBA', password: 'canaryOkxPassphrase42' };

runBrokerContract('ccxt okx', async () => {
  const fake = await new FakeOkx({ apiKey: KEYS.apiKey, secret: KEYS.secret, passphrase: KEYS.password }).start();
  const adapter = new CcxtAdapter('acct-okx', { exchange: 'okx', environment: 'live', baseUrl: fake.baseUrl, timeoutMs: 1000, rateLimitMs: 1, symbols: ['BTC/USDT'] }, KEYS);
  return {
    adapter,
    faults: fake.faults,
    symbol: 'BTC/USDT',
    quantity: '0.01',
    price: '30000',
    setPrice: (s, p) => fake.setPrice(s, p),
    // The fake holds the id as OKX received it.
    brokerOrderCount: (id) => fake.countByClOrdId(clientIdRule('okx').toExchange(id)),
    secrets: [KEYS.apiKey, KEYS.secret, KEYS.password],
    close: () => fake.close(),
  };
});
