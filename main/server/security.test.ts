import { describe, expect, it } from 'vitest';
import { bearerToken, hashPassphrase, isAllowedOrigin, isLoopbackHost, safeEqual, verifyPassphrase } from './security.js';

describe('security checks', () => {
  it('compares tokens exactly', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
  });
  it('reads a bearer token', () => {
    expect(bearerToken('Bearer xyz')).toBe('xyz');
    expect(bearerToken('Basic xyz')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
  it('accepts only loopback hosts on our port', () => {
    expect(isLoopbackHost('127.0.0.1:4781', 4781)).toBe(true);
    expect(isLoopbackHost('localhost:4781', 4781)).toBe(true);
    expect(isLoopbackHost('127.0.0.1:4782', 4781)).toBe(false);
    expect(isLoopbackHost('attacker.com:4781', 4781)).toBe(false);
    expect(isLoopbackHost(undefined, 4781)).toBe(false);
  });
  it('accepts only our own origin', () => {
    expect(isAllowedOrigin(undefined, 1)).toBe(true);
    expect(isAllowedOrigin('http://127.0.0.1:1', 1)).toBe(true);
    expect(isAllowedOrigin('http://127.0.0.1.evil.com:1', 1)).toBe(false);
    expect(isAllowedOrigin('null', 1)).toBe(false);
  });
  it('stores passphrases as salted hashes', () => {
    const h = hashPassphrase('secret-phrase');
    expect(h).not.toContain('secret-phrase');
    expect(verifyPassphrase('secret-phrase', h)).toBe(true);
    expect(verifyPassphrase('secret-phrasE', h)).toBe(false);
    expect(hashPassphrase('secret-phrase')).not.toBe(h);
  });
});
