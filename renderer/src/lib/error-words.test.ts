import { describe, expect, it } from 'vitest';
import { CODES } from '../../../shared/codes.js';
import { errorWords } from './error-words.js';

describe('errorWords', () => {
  it('a refused delete (409 CONFLICT with its own message) shows that message without "Reload and try again"', () => {
    const message = 'The account cannot be deleted: the strategy "Uses alpaca" still trades it: remove the account from that strategy first.';
    const w = errorWords({ code: 'CONFLICT', message, fix: CODES.CONFLICT.fix });
    expect(w).toEqual({ code: 'CONFLICT', message });
    expect(JSON.stringify(w)).not.toContain('Reload');
  });

  it('a generic CONFLICT keeps its generic fix (nothing more specific is known)', () => {
    expect(errorWords({ code: 'CONFLICT', message: CODES.CONFLICT.message, fix: CODES.CONFLICT.fix })).toEqual({ code: 'CONFLICT', message: CODES.CONFLICT.message, fix: CODES.CONFLICT.fix });
  });

  it('approving while halted leads with the plain sentence; the raw detail follows as detail', () => {
    const w = errorWords({ code: 'TRADING_HALTED', message: 'TRADING_HALTED: symbol=APRF, state=halted', fix: CODES.TRADING_HALTED.fix });
    expect(w.message).toBe('Trading is halted.');
    expect(w.detail).toBe('TRADING_HALTED: symbol=APRF, state=halted');
    expect(w.fix).toBe(CODES.TRADING_HALTED.fix);
  });

  it('fills in the fix of a known code when the answer has none', () => {
    expect(errorWords({ code: 'TRADING_HALTED', message: 'TRADING_HALTED' }).fix).toBe(CODES.TRADING_HALTED.fix);
  });

  it('keeps the specific fix of other codes next to their specific message', () => {
    const w = errorWords({ code: 'VAULT_UNAVAILABLE', message: 'Cannot store the alpaca credentials: no D-Bus session.', fix: CODES.VAULT_UNAVAILABLE.fix });
    expect(w).toEqual({ code: 'VAULT_UNAVAILABLE', message: 'Cannot store the alpaca credentials: no D-Bus session.', fix: CODES.VAULT_UNAVAILABLE.fix });
  });

  it('passes an unknown code and its words through unchanged', () => {
    expect(errorWords({ code: 'HTTP_502', message: 'Bad Gateway' })).toEqual({ code: 'HTTP_502', message: 'Bad Gateway' });
    expect(errorWords({ message: 'The agent does not answer.' })).toEqual({ message: 'The agent does not answer.' });
  });
});
