import { describe, expect, it } from 'vitest';
import { flattenErrorText, flattenSummary } from './flatten.js';

const names: Record<string, string> = { acc_1: 'Paper', acc_2: 'Alpaca live' };
const name = (id: string) => names[id];

describe('flatten results name accounts by their name', () => {
  it('shows the agent\'s message as it is when it names the account, never led by the bare id', () => {
    const e = { accountId: 'acc_2', code: 'BROKER_UNREACHABLE', message: 'Account "Alpaca live" (acc_2) could not be flattened, so its positions at the broker may still be open: connect ECONNREFUSED' };
    expect(flattenErrorText(e, name)).toBe(`BROKER_UNREACHABLE: ${e.message}`);
  });

  it('leads a message that does not name the account with its name and id', () => {
    expect(flattenErrorText({ accountId: 'acc_2', code: 'BROKER_UNREACHABLE', message: 'connect ECONNREFUSED' }, name)).toBe('Alpaca live (acc_2): BROKER_UNREACHABLE: connect ECONNREFUSED');
    expect(flattenErrorText({ accountId: 'acc_9', message: 'gone' }, name)).toBe('acc_9: gone');
  });

  it('sums up the closing orders, the cancels and each failure', () => {
    const r = { canceled: 2, closing: [], errors: [{ accountId: 'acc_1', code: 'ACCOUNT_UNAVAILABLE', message: 'Account "Paper" (acc_1) is not connected' }] };
    expect(flattenSummary(r, name)).toBe('Flatten sent: 0 closing order(s), 2 open order(s) canceled; failed: ACCOUNT_UNAVAILABLE: Account "Paper" (acc_1) is not connected.');
    expect(flattenSummary({ canceled: 0, closing: [], errors: [] }, name)).toBe('Flatten sent: 0 closing order(s), 0 open order(s) canceled.');
  });

  it('counts the positions held long and short that the broker closed whole', () => {
    const closed = [{ accountId: 'acc_1', symbol: 'EUR_USD', long: '1000', short: '400' }];
    expect(flattenSummary({ canceled: 0, closing: [], closed, errors: [] }, name)).toBe('Flatten sent: 0 closing order(s), 1 position(s) held long and short closed at the broker, 0 open order(s) canceled.');
  });
});
