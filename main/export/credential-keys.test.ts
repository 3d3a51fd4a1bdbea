import { describe, expect, it } from 'vitest';
import { credentialKeyIssues, hideCredentialValues, isCredentialKey, stripCredentialKeys, urlUserinfoIssue } from './credential-keys.js';

describe('credential-named keys', () => {
  it('recognises credential names in any case and style, and leaves ordinary setting names alone', () => {
    const credentials = ['apiKey', 'APIKEY', 'api_key', 'api-key', 'secret', 'apiSecret', 'password', 'PassWord', 'token', 'accessToken', 'passphrase', 'privateKey', 'auth', 'authKey', 'basicAuth', 'auth_header', 'AUTH', 'pass', 'userPass', 'Authorization', 'x-auth', 'credentials'];
    const settings = ['bypass', 'author', 'compass', 'authority', 'exchange', 'accountId', 'streaming', 'paper', 'risk', 'symbolMapping', 'startingCash', 'options', 'defaultType', 'passive'];
    expect(credentials.filter((k) => !isCredentialKey(k))).toEqual([]);
    expect(settings.filter((k) => isCredentialKey(k))).toEqual([]);
  });

  it('finds them at any depth, names the path, never echoes the value, and skips maps keyed by symbol', () => {
    const issues = credentialKeyIssues({ exchange: 'binance', options: { nested: [{ Secret: 'CANARYnested' }] }, apiKey: 'CANARYtop', risk: { maxPositionBySymbol: { TOKEN: '5' } } }, '/config', 'use credentials');
    expect(issues.map((i) => i.path).sort()).toEqual(['/config/apiKey', '/config/options/nested/0/Secret']);
    expect(issues[0]!.message).toMatch(/credential.*use credentials/);
    expect(JSON.stringify(issues)).not.toMatch(/CANARY/);
  });

  it('refuses a URL with user:password@ without echoing it', () => {
    const issue = urlUserinfoIssue('https://user:CANARYpw@relay.example.com/', '/baseUrl', 'keep it in the vault');
    expect(issue).toEqual({ path: '/baseUrl', message: expect.stringMatching(/user name or password/) });
    expect(JSON.stringify(issue)).not.toMatch(/CANARY/);
    expect(urlUserinfoIssue('https://relay.example.com/', '/baseUrl', 'x')).toBeUndefined();
  });

  it('refuses a URL whose query carries a credential-named parameter, naming the parameter and not its value', () => {
    const issue = urlUserinfoIssue('https://relay.example.com/v2?region=eu&access_token=CANARYq', '/baseUrl', 'x');
    expect(issue).toEqual({ path: '/baseUrl', message: expect.stringMatching(/credential in its query \("access_token="\)/) });
    expect(JSON.stringify(issue)).not.toMatch(/CANARY/);
    expect(urlUserinfoIssue('https://relay.example.com/v2?region=eu&author=me', '/baseUrl', 'x')).toBeUndefined();
  });

  it('hides credential values for display', () => {
    expect(hideCredentialValues({ a: 1, apiKey: 'CANARY', n: { password: 'x', keep: 'y' } })).toEqual({ a: 1, apiKey: '(hidden)', n: { password: '(hidden)', keep: 'y' } });
  });
});

describe('stripping credential keys for an export', () => {
  it('drops credential-named keys at any depth and keeps maps keyed by symbol whole', () => {
    expect(stripCredentialKeys({ paper: { startingCash: '1' }, apiKey: 'x', options: { secret: 'y', keep: 1 }, risk: { maxPositionBySymbol: { TOKEN: '5' } } })).toEqual({ paper: { startingCash: '1' }, options: { keep: 1 }, risk: { maxPositionBySymbol: { TOKEN: '5' } } });
  });
});
