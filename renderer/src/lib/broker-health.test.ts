import { describe, expect, it } from 'vitest';
import { brokerHealth } from './broker-health.js';
import type { AccountWithHealth } from '../api/types.js';

const account = (id: string, extra: Partial<AccountWithHealth>): AccountWithHealth => ({ id, name: `Acc ${id}`, broker: 'alpaca', environment: 'paper', credentials: {}, config: {}, createdAt: '2026-01-01T00:00:00.000Z', ...extra });

describe('broker health for the header', () => {
  it('comes from each account\'s connected flag: a failed one shows its code and reason, one without keys shows disconnected', () => {
    const rows = brokerHealth(
      [
        account('a', { connected: true }),
        account('b', { connected: false, connectionError: { code: 'BROKER_UNREACHABLE', message: 'The broker could not be reached.', at: '2026-01-01T00:01:00.000Z' } }),
        account('c', { connected: false, credentialVariables: { keyId: 'VIEWZENIX_SECRET_BROKER_C_KEYID' } }),
      ],
      undefined,
    );
    expect(rows).toEqual([
      { name: 'Acc a', health: { state: 'connected' } },
      { name: 'Acc b', health: { state: 'error', message: 'BROKER_UNREACHABLE: The broker could not be reached.', checkedAt: '2026-01-01T00:01:00.000Z' } },
      { name: 'Acc c', health: { state: 'disconnected', message: 'keys not set' } },
    ]);
  });

  it('prefers what status.brokers or account.connection report, and is unknown only when the agent says nothing', () => {
    const rows = brokerHealth(
      [account('a', { connected: true }), account('b', { connected: true, connection: { state: 'connecting' } }), account('c', {})],
      { a: { state: 'disconnected', message: 'stream closed' } },
    );
    expect(rows.map((r) => r.health)).toEqual([{ state: 'disconnected', message: 'stream closed' }, { state: 'connecting' }, undefined]);
  });
});
