// The factory builds each real adapter from an account row and vault credentials, refuses bad settings
// in the trader's words, and never puts a credential value into an error or the adapter's JSON.
import { describe, expect, it } from 'vitest';
import { BrokerError } from './port.js';
import { createAdapter } from './factory.js';
import { AlpacaAdapter } from './alpaca/adapter.js';
import { OandaAdapter } from './oanda/adapter.js';
import { CcxtAdapter } from './ccxt/adapter.js';

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
