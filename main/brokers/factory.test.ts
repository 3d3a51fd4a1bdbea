// The factory builds each real adapter from an account row and vault credentials, refuses bad settings
// in the trader's words, and never puts a credential value into an error or the adapter's JSON.
import { describe, expect, it } from 'vitest';
import { BrokerError } from './port.js';
import { createAdapter } from './factory.js';
import { AlpacaAdapter } from './alpaca/adapter.js';
import { OandaAdapter } from './oanda/adapter.js';
import { CcxtAdapter } from './ccxt/adapter.js';
import { FakeAlpaca } from './alpaca/fake-server.js';

const CANARY = 'canary-factory-secret-7a7a7a7a';

function fails(fn: () => unknown): BrokerError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(BrokerError);
    return err as BrokerError;
  }
  throw new Error('expected a BrokerError');
}

describe('createAdapter', () => {
  it('builds Alpaca, OANDA and CCXT adapters with their capability flags', () => {
    const alpaca = createAdapter({ id: 'a', broker: 'alpaca', environment: 'paper', config: {} }, { keyId: 'PKKEY123', secretKey: CANARY });
    expect(alpaca).toBeInstanceOf(AlpacaAdapter);
    expect(alpaca.capabilities.brackets).toBe(true);
    const oanda = createAdapter({ id: 'o', broker: 'oanda', environment: 'practice', config: { accountId: '101-001-1-001' } }, { token: CANARY });
    expect(oanda).toBeInstanceOf(OandaAdapter);
    expect(oanda.capabilities.orderTypes).not.toContain('trailing_stop');
    const ccxt = createAdapter({ id: 'c', broker: 'ccxt', environment: 'testnet', config: { exchange: 'kraken' } }, { apiKey: 'k', secret: CANARY });
    expect(ccxt).toBeInstanceOf(CcxtAdapter);
    expect(ccxt.broker).toBe('ccxt:kraken');
    expect(ccxt.capabilities.streaming).toBe(false);
    for (const a of [alpaca, oanda, ccxt]) expect(JSON.stringify(a)).not.toContain(CANARY);
  });

  it("paces the router by the account's own request rate (capabilities.requestsPerMinute), else the broker's published one", () => {
    const alpaca = (config: Record<string, unknown>) => createAdapter({ id: 'a', broker: 'alpaca', environment: 'paper', config }, { keyId: 'PKKEY123', secretKey: CANARY });
    const oanda = (config: Record<string, unknown>) => createAdapter({ id: 'o', broker: 'oanda', environment: 'practice', config: { accountId: '101-001-1-001', ...config } }, { token: CANARY });
    expect(alpaca({}).capabilities.requestsPerMinute).toBe(200);
    expect(alpaca({ requestsPerMinute: 1000 }).capabilities.requestsPerMinute).toBe(1000); // a plan with a higher limit
    expect(alpaca({ requestsPerMinute: 0 }).capabilities.requestsPerMinute).toBe(200); // not a rate: the default
    expect(alpaca({ requestsPerMinute: -5 }).capabilities.requestsPerMinute).toBe(200);
    expect(oanda({}).capabilities.requestsPerMinute).toBe(7200);
    expect(oanda({ requestsPerSecond: 20 }).capabilities.requestsPerMinute).toBe(1200);
  });

  it("Alpaca's cancelWaitMs setting: a cancel the venue has not confirmed is answered after that long (2 s by default)", async () => {
    const keys = { keyId: 'PKFACTORY0000000001', secretKey: CANARY };
    const fake = await new FakeAlpaca({ ...keys, prices: { AAPL: '100' } }).start();
    const adapter = createAdapter({ id: 'a', broker: 'alpaca', environment: 'paper', baseUrl: fake.baseUrl, config: { cancelWaitMs: 150, streaming: false } }, keys);
    try {
      await adapter.connect?.();
      await adapter.submit({ clientOrderId: 'vz-factory-cw', symbol: 'AAPL', side: 'buy', type: 'limit', limitPrice: '90', quantity: '1', timeInForce: 'gtc' });
      fake.cancelRace = 'pending'; // the venue never confirms on its own
      const t0 = Date.now();
      const answer = await adapter.cancel('vz-factory-cw');
      const waited = Date.now() - t0;
      expect(answer.status).toBe('cancel_pending');
      expect(waited).toBeGreaterThanOrEqual(140);
      expect(waited).toBeLessThan(1500); // the default would have waited 2 s
    } finally {
      await adapter.disconnect?.();
      await fake.close();
    }
  });

  it('refuses missing credentials by name, never by value', () => {
    const err = fails(() => createAdapter({ id: 'a', broker: 'alpaca', environment: 'live', config: {} }, { keyId: CANARY }));
    expect(err.kind).toBe('auth');
    expect(err.message).toContain('secretKey');
    expect(err.message).not.toContain(CANARY);
  });

  it('refuses an environment the broker does not have, a missing OANDA account id and a missing exchange', () => {
    expect(fails(() => createAdapter({ id: 'a', broker: 'alpaca', environment: 'practice', config: {} }, { keyId: 'k', secretKey: 's' })).kind).toBe('invalid');
    expect(fails(() => createAdapter({ id: 'o', broker: 'oanda', environment: 'live', config: {} }, { token: 't' })).message).toMatch(/account id/);
    expect(fails(() => createAdapter({ id: 'c', broker: 'ccxt', environment: 'live', config: {} }, { apiKey: 'k', secret: 's' })).message).toMatch(/exchange/);
  });
});
