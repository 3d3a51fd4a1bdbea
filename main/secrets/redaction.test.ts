import { afterEach, describe, expect, it } from 'vitest';
import { registerRedactionHook, registerSecretValue, SecretRedactor } from './redaction.js';

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((f) => f()));

describe('redaction hooks', () => {
  it('passes every registered value to the hook, which a redactor then hides in text', () => {
    const redactor = new SecretRedactor();
    cleanups.push(registerRedactionHook(redactor.add));
    registerSecretValue('CANARY-key-0001');
    registerSecretValue('CANARY-key-0001-longer');
    expect(redactor.redact('a=CANARY-key-0001 b=CANARY-key-0001-longer c=ok')).toBe('a=[redacted] b=[redacted] c=ok');
  });

  it('ignores values too short to redact safely', () => {
    const seen: string[] = [];
    cleanups.push(registerRedactionHook((v) => seen.push(v)));
    registerSecretValue('abc');
    registerSecretValue('abcdef');
    expect(seen).toEqual(['abcdef']);
  });

  it('stops calling a hook after it unsubscribes, and survives a hook that throws', () => {
    const seen: string[] = [];
    const off = registerRedactionHook((v) => seen.push(v));
    cleanups.push(
      registerRedactionHook(() => {
        throw new Error('logger broke');
      }),
    );
    registerSecretValue('first-value');
    off();
    registerSecretValue('second-value');
    expect(seen).toEqual(['first-value']);
  });

  it('treats regular-expression characters in a value literally', () => {
    const redactor = new SecretRedactor('***');
    redactor.add('a.b*c+d?e(f)');
    expect(redactor.redact('x a.b*c+d?e(f) aXbbbcd')).toBe('x *** aXbbbcd');
  });
});
