// The CCXT adapter (binance class) passes the broker contract against the fake Binance spot API.
import { runBrokerContract } from '../contract/suite.js';
import { CcxtAdapter } from './adapter.js';
import { FakeBinance } from './fake-binance.js';

const KEYS = { apiKey: 'canaryBinanceApiKey0123456789abcdefABCDEF', secret: 'canaryBinanceSecret9876543210fedcbaFEDCBA' };

runBrokerContract('ccxt binance', async () => {
  const fake = await new FakeBinance({ ...KEYS }).start();
  const adapter = new CcxtAdapter('acct-binance', { exchange: 'binance', environment: 'live', baseUrl: fake.baseUrl, timeoutMs: 1000, rateLimitMs: 1, symbols: ['BTC/USDT'] }, KEYS);
  return {
    adapter,
    faults: fake.faults,
    symbol: 'BTC/USDT',
    quantity: '0.01',
    price: '30000',
    setPrice: (s, p) => fake.setPrice(s, p),
    brokerOrderCount: (id) => fake.countByClientId(id),
    secrets: [KEYS.apiKey, KEYS.secret],
    close: () => fake.close(),
  };
});
