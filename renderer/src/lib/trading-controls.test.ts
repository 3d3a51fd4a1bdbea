import { describe, expect, it } from 'vitest';
import { accountResumeNote, globalActions, heldAccounts, heldDescription } from './trading-controls.js';

describe('globalActions', () => {
  it('offers Halt and Reduce only while active, and no Resume', () => {
    expect(globalActions('active')).toEqual({ halt: true, resume: false, reduceOnly: true });
  });
  it('offers Halt and Resume while reducing (no need to halt first to resume)', () => {
    expect(globalActions('reducing')).toEqual({ halt: true, resume: true, reduceOnly: false });
  });
  it('offers only Resume while halted', () => {
    expect(globalActions('halted')).toEqual({ halt: false, resume: true, reduceOnly: false });
  });
  it('offers nothing before the state is known', () => {
    expect(globalActions(undefined)).toEqual({ halt: false, resume: false, reduceOnly: false });
  });
});

describe('heldAccounts', () => {
  const accounts = [
    { id: 'acc_1', name: 'Paper' },
    { id: 'acc_2', name: 'Alpaca live' },
    { id: 'acc_3', name: 'Binance' },
  ];
  it('lists the halted and reducing accounts with their name and reason, halted first, then by name', () => {
    const view = {
      accounts: {
        acc_3: { state: 'reducing' as const, reason: 'DAILY_LOSS_LIMIT' },
        acc_1: { state: 'halted' as const, reason: 'BROKER_CIRCUIT_OPEN' },
        acc_2: { state: 'halted' as const, reason: null },
      },
    };
    expect(heldAccounts(view, accounts)).toEqual([
      { id: 'acc_2', name: 'Alpaca live', state: 'halted', reason: null },
      { id: 'acc_1', name: 'Paper', state: 'halted', reason: 'BROKER_CIRCUIT_OPEN' },
      { id: 'acc_3', name: 'Binance', state: 'reducing', reason: 'DAILY_LOSS_LIMIT' },
    ]);
  });
  it('leaves out accounts whose own state is active', () => {
    expect(heldAccounts({ accounts: { acc_1: { state: 'active', reason: 'resumed' } } }, accounts)).toEqual([]);
  });
  it('names an account the list does not know by its id', () => {
    expect(heldAccounts({ accounts: { acc_9: { state: 'halted', reason: 'x' } } }, accounts)).toEqual([{ id: 'acc_9', name: 'acc_9', state: 'halted', reason: 'x' }]);
  });
  it('is empty before the state is known', () => {
    expect(heldAccounts(undefined, accounts)).toEqual([]);
  });
});

describe('accountResumeNote', () => {
  it('warns that a global halt or reduce still applies to a resumed account', () => {
    expect(accountResumeNote('halted')).toMatch(/stays halted/);
    expect(accountResumeNote('reducing')).toMatch(/only reduces/);
    expect(accountResumeNote('active')).toBeUndefined();
  });
});

describe('heldDescription', () => {
  it('gives the whole name, the state in words and the reason', () => {
    expect(heldDescription({ name: 'Swing futures paper account for the morning session', state: 'halted', reason: 'daily loss limit reached' })).toBe(
      'Swing futures paper account for the morning session: halted because: daily loss limit reached',
    );
    expect(heldDescription({ name: 'Binance', state: 'reducing', reason: 'DAILY_LOSS_LIMIT' })).toBe('Binance: reduce-only because: DAILY_LOSS_LIMIT');
  });
  it('says no "because" when no reason was given', () => {
    expect(heldDescription({ name: 'Alpaca live', state: 'halted', reason: null })).toBe('Alpaca live: halted');
  });
});
