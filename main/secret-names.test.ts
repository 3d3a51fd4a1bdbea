import { describe, expect, it } from 'vitest';
import { isSecretName, withoutBearerTokens } from './secret-names.js';
import { NATIVE_FIELDS } from '../shared/schemas/alert.js';

describe('secret-named fields and settings (one rule)', () => {
  it('recognises credential names in any spelling: stems anywhere, short words only as whole words', () => {
    const secrets = [
      'passphrase', 'Pass_Phrase', 'pass phrase', 'password', 'passwd', 'secret', 'apiSecret', 'token', 'email_token', 'accessToken',
      'api_key', 'apiKey', 'api-key', 'x-api-key', 'Api Key', 'APIKEY', 'privateKey', 'private_key', 'accessKey', 'access_key',
      'credential', 'credentials', 'signature', 'pass', 'userPass', 'pin', 'auth', 'basicAuth', 'x-auth', 'HTTPAuth', 'authorization',
      'bearer', 'key', 'pwd', 'sig', 'hmac', 'webhook_url', 'webhookUrl', 'discordWebhook', 'slack-webhook', 'cookie',
    ];
    expect(secrets.filter((n) => !isSecretName(n))).toEqual([]);
  });

  it('leaves ordinary alert fields and setting names alone', () => {
    const ordinary = [
      'ticker', 'action', 'comment', 'strategy', 'passthrough', 'pass_through', 'interval', 'exchange', 'close', 'volume', 'timenow',
      'signal', 'signals', 'shipping', 'author', 'authority', 'bypass', 'compass', 'passive', 'keyboard', 'hotkey', 'monkey', 'sortKey',
      'webhookId', 'webhookPort', 'baseUrl', 'accountId', 'startingCash', 'symbolMapping', 'maxPositionBySymbol', 'design', 'pinned',
    ];
    expect(ordinary.filter(isSecretName)).toEqual([]);
    // The native alert's own fields, passphrase aside (taken out of the alert before extras), are never secret.
    expect(NATIVE_FIELDS.filter((f) => f !== 'passphrase').filter(isSecretName)).toEqual([]);
  });

  it('replaces Bearer tokens in free text, and leaves ordinary words after "bearer" shorter than a token', () => {
    expect(withoutBearerTokens('auth was Bearer eyJhbGciOi.CANARY-123 ok', '[X]')).toBe('auth was Bearer [X] ok');
    expect(withoutBearerTokens('a bearer trend', '[X]')).toBe('a bearer trend');
  });
});
