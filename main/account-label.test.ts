import { describe, expect, it } from 'vitest';
import { accountLabel, accountName } from './account-label.js';

const store = { get: (id: string) => (id === 'acc_1' ? { name: 'Alpaca live' } : undefined) };

describe('how a message names an account', () => {
  it('by the name the trader gave it, the id in brackets', () => {
    expect(accountLabel(store, 'acc_1')).toBe('Account "Alpaca live" (acc_1)');
    expect(accountName(store, 'acc_1')).toBe('"Alpaca live" (acc_1)');
  });

  it('by its id when the store does not know it (deleted), or there is no store', () => {
    expect(accountLabel(store, 'acc_gone')).toBe('Account acc_gone');
    expect(accountName(store, 'acc_gone')).toBe('acc_gone');
    expect(accountLabel(undefined, 'acc_1')).toBe('Account acc_1');
  });
});
