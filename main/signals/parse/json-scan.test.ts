// A repeated JSON key is refused at every level (never last-wins), and an unquoted number with more digits than a
// double holds is read as written.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { scanJson } from './json-scan.js';
import { parseAlert } from './index.js';
import { checkAlertTemplate } from './check.js';

describe('scanJson', () => {
  it('finds a key repeated in one object, at the top and in nested objects, with its path', () => {
    expect(scanJson('{"ticker":"DK1","action":"buy","quantity":"1","action":"sell"}')).toEqual({ ok: false, key: 'action', path: 'action' });
    expect(scanJson('{"a":{"b":1,"c":{"d":1,"d":2}}}')).toEqual({ ok: false, key: 'd', path: 'a.c.d' });
    expect(scanJson('{"a":[{"x":1},{"x":1,"x":2}]}')).toEqual({ ok: false, key: 'x', path: 'a.1.x' });
    // An escaped spelling is the same key to JSON.parse.
    expect(scanJson('{"action":"buy","\\u0061ction":"sell"}')).toMatchObject({ ok: false, key: 'action' });
  });

  it('accepts the same key in sibling objects, keys that look alike, and strings holding quotes, braces and commas', () => {
    const text = '{"takeProfit":{"percent":"1"},"stopLoss":{"percent":"2"},"comment":"a \\"b\\", {c:1}","Action":"x","action":"buy","l":[1,2,{"a":1}],"a":1}';
    expect(scanJson(text)).toEqual({ ok: true, text });
  });

  it('quotes only the numbers a double would change, so they are read exactly', () => {
    expect(scanJson('{"q":0.123456789012345678,"p":189.42,"n":-1e-7}')).toEqual({ ok: true, text: '{"q":"0.123456789012345678","p":189.42,"n":-1e-7}' });
    expect(scanJson('{"q":1.0000000000000001}')).toEqual({ ok: true, text: '{"q":"1.0000000000000001"}' });
    // A long numeric id (too many digits to be a decimal here) is read as written too.
    expect(scanJson('{"id":12345678901234567891}')).toEqual({ ok: true, text: '{"id":"12345678901234567891"}' });
    // 17 digits that a double holds exactly are left alone.
    expect(scanJson('{"q":1.5000000000000000}')).toEqual({ ok: true, text: '{"q":1.5000000000000000}' });
  });

  it('property: on any JSON object without repeated keys the scan agrees with JSON.parse', () => {
    fc.assert(
      fc.property(fc.object({ maxDepth: 3 }), (o) => {
        const text = JSON.stringify(o);
        const r = scanJson(text);
        expect(r.ok).toBe(true);
        if (r.ok) expect(JSON.parse(r.text)).toEqual(JSON.parse(text));
      }),
    );
  });
});

describe('parseAlert with repeated keys and long numbers', () => {
  it('refuses a repeated key with INVALID_FIELD naming it, instead of trading the last value', () => {
    const r = parseAlert('{"ticker":"DK1","action":"buy","quantity":"1","price":"10","action":"sell","quantity":"100"}', 'application/json');
    expect(r).toMatchObject({ ok: false, code: 'INVALID_FIELD', field: 'action' });
    if (!r.ok) expect(r.message).toMatch(/"action" is given twice/);
    const nested = parseAlert('{"ticker":"AAPL","action":"buy","takeProfit":{"percent":"1","percent":"50"}}');
    expect(nested).toMatchObject({ ok: false, code: 'INVALID_FIELD', field: 'takeProfit.percent' });
    const threeCommas = parseAlert('{"secret":"s","bot_uuid":"u","tv_instrument":"BTCUSDT","action":"enter_long","action":"exit_long"}');
    expect(threeCommas).toMatchObject({ ok: false, code: 'INVALID_FIELD', field: 'action' });
  });

  it('reads an unquoted quantity with 18 significant digits exactly, and refuses one with 19 decimals as a quoted one is', () => {
    const r = parseAlert('{"ticker":"Q","action":"buy","quantity":0.123456789012345678}');
    expect(r).toMatchObject({ ok: true, signal: { quantity: '0.123456789012345678' } });
    expect(parseAlert('{"ticker":"Q","action":"buy","quantity":1.0000000000000001}')).toMatchObject({ ok: true, signal: { quantity: '1.0000000000000001' } });
    expect(parseAlert('{"ticker":"Q","action":"buy","quantity":0.1234567890123456789}')).toMatchObject({ ok: false, code: 'INVALID_QUANTITY' });
  });

  it('the template check reports a repeated key and keeps long numbers exact', () => {
    const c = checkAlertTemplate('{"ticker":"{{ticker}}","action":"buy","action":"sell"}');
    expect(c.problems).toContainEqual(expect.objectContaining({ code: 'INVALID_FIELD', field: 'action' }));
    const exact = checkAlertTemplate('{"ticker":"{{ticker}}","action":"buy","quantity":0.123456789012345678}');
    expect(exact.problems).toEqual([]);
    expect(exact.signal?.quantity).toBe('0.123456789012345678');
  });
});
