import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.js';
import { healthProbeEcho } from './health-echo.js';
import { normalizePublicUrl } from './manual-provider.js';

describe('reconnect backoff', () => {
  it('starts at the initial delay, doubles, and stops at the cap', () => {
    const opts = { initialMs: 1000, maxMs: 60_000, factor: 2 };
    expect([0, 1, 2, 3, 5, 6, 7, 100, 10_000].map((n) => backoffDelay(n, opts))).toEqual([1000, 2000, 4000, 8000, 32_000, 60_000, 60_000, 60_000, 60_000]);
  });

  it('never decreases and never exceeds the cap, for any attempt count', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 10_000, max: 600_000 }), (n, initialMs, maxMs) => {
        const opts = { initialMs, maxMs, factor: 2 };
        const a = backoffDelay(n, opts);
        const b = backoffDelay(n + 1, opts);
        return a >= Math.min(initialMs, maxMs) && a <= maxMs && b >= a;
      }),
    );
  });
});

describe('manual public URL', () => {
  it('accepts an https address and drops a trailing slash', () => {
    expect(normalizePublicUrl('https://alerts.example.com/')).toBe('https://alerts.example.com');
    expect(normalizePublicUrl('https://desk.tail1234.ts.net')).toBe('https://desk.tail1234.ts.net');
  });

  it('refuses what TradingView cannot call or what would leak', () => {
    expect(() => normalizePublicUrl('https://alerts.example.com:8443')).toThrow(/ports 80 and 443/);
    expect(() => normalizePublicUrl('ftp://alerts.example.com')).toThrow(/https/);
    expect(() => normalizePublicUrl('https://user:pw@alerts.example.com')).toThrow(/credentials/);
    expect(() => normalizePublicUrl('https://alerts.example.com/?token=x')).toThrow(/query/);
    expect(() => normalizePublicUrl('not a url')).toThrow(/not a valid URL/);
  });
});

describe('health probe echo', () => {
  it('echoes only a well-formed nonce', () => {
    expect(healthProbeEcho('abcdefghijklmnopqrstuvwx')).toBe('abcdefghijklmnopqrstuvwx');
    expect(healthProbeEcho('short')).toBeUndefined();
    expect(healthProbeEcho('<script>alert(1)</script>xxxxxxx')).toBeUndefined();
    expect(healthProbeEcho(['abcdefghijklmnopqrstuvwx'])).toBeUndefined();
    expect(healthProbeEcho(undefined)).toBeUndefined();
  });
});
