import { describe, expect, it } from 'vitest';
import { brokerSpec } from './brokers.js';
import { createAccountBody, missingFields, replaceKeysBody } from './account-form.js';

const alpaca = brokerSpec('alpaca')!;
const oanda = brokerSpec('oanda')!;
const ccxt = brokerSpec('ccxt')!;

describe('adding an account', () => {
  it('a real account with no key typed is sent without a credentials object, so the agent needs no keychain', () => {
    const body = createAccountBody(alpaca, { name: ' Alpaca paper ', broker: 'alpaca', environment: 'paper', baseUrl: '', values: {} });
    expect(body).toEqual({ name: 'Alpaca paper', broker: 'alpaca', environment: 'paper' });
    expect('credentials' in body).toBe(false);
    expect(missingFields(alpaca, {})).toEqual([]);
  });

  it('"add without keys" drops keys that were typed (after the agent said it cannot store them)', () => {
    const body = createAccountBody(alpaca, { name: 'A', broker: 'alpaca', environment: 'live', baseUrl: ' https://proxy.example/ ', values: { keyId: 'PK1', secretKey: 'S3CR3T' } }, { withKeys: false });
    expect(body).toEqual({ name: 'A', broker: 'alpaca', environment: 'live', baseUrl: 'https://proxy.example/' });
    expect(JSON.stringify(body)).not.toContain('S3CR3T');
  });

  it('typed keys are sent exactly as typed, and empty optional fields are left out rather than sent as ""', () => {
    const body = createAccountBody(ccxt, { name: 'K', broker: 'ccxt', environment: 'testnet', baseUrl: '', values: { exchange: ' kraken ', apiKey: 'k ', secret: 's', password: '' } });
    expect(body).toEqual({ name: 'K', broker: 'ccxt', environment: 'testnet', config: { exchange: 'kraken' }, credentials: { apiKey: 'k ', secret: 's' } });
  });

  it('a required setting always blocks; the keys block only once one of them is typed', () => {
    expect(missingFields(oanda, {})).toEqual(['Account ID']);
    expect(missingFields(oanda, { accountId: '101-004-1-001' })).toEqual([]);
    expect(missingFields(alpaca, { keyId: 'PK1' })).toEqual(['Secret key']);
    expect(missingFields(ccxt, { exchange: 'okx', apiKey: 'a', secret: 'b' })).toEqual([]);
  });
});

describe('replacing keys', () => {
  it('sends every required field of the broker and names the ones still empty', () => {
    expect(replaceKeysBody(alpaca, { keyId: 'PK2' })).toEqual({ credentials: { keyId: 'PK2' }, missing: ['Secret key'] });
    expect(replaceKeysBody(alpaca, { keyId: 'PK2', secretKey: 'new' })).toEqual({ credentials: { keyId: 'PK2', secretKey: 'new' }, missing: [] });
    expect(replaceKeysBody(ccxt, { apiKey: 'a', secret: 'b', password: '' })).toEqual({ credentials: { apiKey: 'a', secret: 'b' }, missing: [] });
    expect(replaceKeysBody(oanda, {})).toEqual({ credentials: {}, missing: ['Personal access token'] });
  });
});
