import { describe, expect, it } from 'vitest';
import { brokerSpec } from './brokers.js';
import { addAccountErrors, createAccountBody, replaceKeysBody } from './account-form.js';

const alpaca = brokerSpec('alpaca')!;
const oanda = brokerSpec('oanda')!;
const ccxt = brokerSpec('ccxt')!;

describe('adding an account', () => {
  it('a real account with no key typed is sent without a credentials object, so the agent needs no keychain', () => {
    const body = createAccountBody(alpaca, { name: ' Alpaca paper ', broker: 'alpaca', environment: 'paper', baseUrl: '', values: {} });
    expect(body).toEqual({ name: 'Alpaca paper', broker: 'alpaca', environment: 'paper' });
    expect('credentials' in body).toBe(false);
    expect(addAccountErrors(alpaca, { name: 'Alpaca paper', values: {} })).toEqual([]);
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

  it('the name and a required setting always block; the keys block only once one of them is typed and they are sent; each beside its field', () => {
    const keys = 'is required with the other keys (or leave every key empty to add the account without keys)';
    expect(addAccountErrors(oanda, { name: ' ', values: {} })).toEqual([
      { path: '/name', message: 'is required' },
      { path: '/config/accountId', message: 'is required' },
    ]);
    expect(addAccountErrors(oanda, { name: 'O', values: { accountId: '101-004-1-001' } })).toEqual([]);
    expect(addAccountErrors(alpaca, { name: 'A', values: { keyId: 'PK1' } })).toEqual([{ path: '/credentials/secretKey', message: keys }]);
    expect(addAccountErrors(alpaca, { name: 'A', values: { keyId: 'PK1' } }, { withKeys: false })).toEqual([]);
    expect(addAccountErrors(ccxt, { name: 'C', values: { exchange: 'okx', apiKey: 'a', secret: 'b' } })).toEqual([]);
  });
});

describe('replacing keys', () => {
  it('sends every required field of the broker and names the ones still empty, beside each', () => {
    const together = 'is required: the new keys are tested together';
    expect(replaceKeysBody(alpaca, { keyId: 'PK2' })).toEqual({ credentials: { keyId: 'PK2' }, errors: [{ path: '/credentials/secretKey', message: together }] });
    expect(replaceKeysBody(alpaca, { keyId: 'PK2', secretKey: 'new' })).toEqual({ credentials: { keyId: 'PK2', secretKey: 'new' }, errors: [] });
    expect(replaceKeysBody(ccxt, { apiKey: 'a', secret: 'b', password: '' })).toEqual({ credentials: { apiKey: 'a', secret: 'b' }, errors: [] });
    expect(replaceKeysBody(oanda, {})).toEqual({ credentials: {}, errors: [{ path: '/credentials/token', message: together }] });
  });
});
