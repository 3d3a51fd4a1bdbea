// Secret-named alert fields: the stored body and the stored signal (signals.parsed, /api/signals) keep neither
// their values nor the passphrase's value, under one rule for names (main/secret-names.ts).
import { describe, expect, it } from 'vitest';
import { parseAlert } from './index.js';
import { redactBody } from './redact-body.js';

const stored = (body: string) => {
  const r = parseAlert(body, 'application/json');
  return { result: r, rawBody: redactBody(body, r.ok ? r.passphrase : undefined), parsed: r.ok ? JSON.stringify(r.signal) : '' };
};

describe('secret-named alert fields', () => {
  it.each(['api-key', 'x-api-key', 'Api Key', 'API_KEY'])('"%s" is dropped from extras as it is redacted in the raw body', (name) => {
    const { result, rawBody, parsed } = stored(JSON.stringify({ ticker: 'ZZZZ', action: 'cancel', id: 'k-1', [name]: 'APIKEYCANARY42', note: 'keep me' }));
    expect(result.ok).toBe(true);
    expect(rawBody).not.toContain('APIKEYCANARY42');
    expect(parsed).not.toContain('APIKEYCANARY42');
    expect(result.ok && result.signal.extras).toEqual({ note: 'keep me' });
  });

  it.each([
    'privateKey', 'private_key', 'accessKey', 'access_key', 'credential', 'credentials', 'signature', 'pass', 'pin', 'x-api-key', 'auth',
    'authorization', 'bearer', 'key', 'pwd', 'sig', 'hmac', 'webhook_url', 'discordWebhook',
  ])('a credential-like field "%s" is redacted in the raw body and dropped from extras', (name) => {
    const canary = `CAN_${name}_7f3`;
    const { result, rawBody, parsed } = stored(JSON.stringify({ ticker: 'ZZZZ', action: 'cancel', id: `k-${name}`, [name]: canary }));
    expect(result.ok).toBe(true);
    expect(rawBody).toContain('[REDACTED]');
    expect(rawBody).not.toContain(canary);
    expect(parsed).not.toContain(canary);
  });

  it('ordinary alert fields survive in extras and in the raw body', () => {
    const fields = { strategy: 'Trend v2', comment: 'Long entry', passthrough: { note: 'n1' }, pass_through: 'p2', interval: '15', close: '189.4', author: 'me', signal: 'up' };
    const body = JSON.stringify({ ticker: 'NASDAQ:AAPL', action: 'buy', quantity: 1, ...fields });
    const { result, rawBody } = stored(body);
    expect(result.ok && result.signal.extras).toEqual(fields);
    expect(rawBody).toBe(body);
  });

  it("the passphrase's value pasted into another field is scrubbed from the parsed signal, as from the raw body", () => {
    const { result, rawBody, parsed } = stored('{"ticker":"AAPL","action":"buy","quantity":1,"price":100,"Pass_Phrase":"PASSCANARY555","note":"PASSCANARY555","id":"x-PASSCANARY555","deep":{"list":["PASSCANARY555 again"]}}');
    expect(result.ok).toBe(true);
    expect(rawBody).not.toContain('PASSCANARY555');
    expect(parsed).not.toContain('PASSCANARY555');
    expect(result.ok && result.signal.extras).toEqual({ note: '[REDACTED]', deep: { list: ['[REDACTED] again'] } });
    expect(result.ok && result.signal.id).toBe('x-[REDACTED]');
  });

  it("a secret field's value pasted into another field is scrubbed from the parsed signal too", () => {
    const { parsed } = stored('{"ticker":"ZZZZ","action":"cancel","api-key":"APIKEYCANARY42","note":"copy APIKEYCANARY42"}');
    expect(parsed).toContain('copy [REDACTED]');
    expect(parsed).not.toContain('APIKEYCANARY42');
  });

  it('a Bearer token in an ordinary field is replaced in the raw body and in the parsed signal', () => {
    const { result, rawBody, parsed } = stored('{"ticker":"ZZZZ","action":"cancel","x":"Bearer BEARERCANARY.abc-123"}');
    expect(result.ok).toBe(true);
    expect(rawBody).toBe('{"ticker":"ZZZZ","action":"cancel","x":"Bearer [REDACTED]"}');
    expect(parsed).not.toContain('BEARERCANARY');
  });

  it.each([
    ['a list', '{"ticker":"AAPL","action":"buy","quantity":1,"passphrase":["PASSWRONG_CANARY_I"]}', '{"ticker":"AAPL","action":"buy","quantity":1,"passphrase":[REDACTED]}'],
    ['an object', '{"ticker":"AAPL","action":"buy","quantity":1,"passphrase":{"v":"PASSWRONG_CANARY_H"}}', '{"ticker":"AAPL","action":"buy","quantity":1,"passphrase":[REDACTED]}'],
    ['nested brackets and a bracket in a string', '{"passphrase":[["a]b"],{"x":"PASSWRONG_CANARY_N"}],"ticker":"AAPL","action":"buy"}', '{"passphrase":[REDACTED],"ticker":"AAPL","action":"buy"}'],
    ['a list cut off', '{"ticker":"AAPL","action":"buy","passphrase":["PASSWRONG_CANARY_C"', '{"ticker":"AAPL","action":"buy","passphrase":[REDACTED]'],
  ])('a passphrase sent as %s is redacted in the stored body, and its words wherever else they appear', (_what, body, expected) => {
    const r = parseAlert(body, 'application/json');
    expect(r.ok).toBe(false);
    expect(redactBody(body)).toBe(expected);
    expect(redactBody(body.replace('"ticker":"AAPL"', '"ticker":"AAPL","note":"PASSWRONG_CANARY_X"').replace(/PASSWRONG_CANARY_[A-Z]/g, 'PASSWRONG_CANARY_X'))).not.toContain('PASSWRONG_CANARY_X');
    expect(JSON.stringify(r)).not.toMatch(/PASSWRONG_CANARY/);
  });
});
