import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { openDatabase } from './db.js';
import { MIGRATIONS } from './migrations/index.js';
import { ApprovalRepo, type NewApproval } from './approvals.js';
import { tempDir } from '../test-support/agent.js';

function item(id: string, leg = 'entry', expiresAt = '2026-01-01T00:01:00.000Z'): NewApproval {
  return {
    id,
    signalId: 'sig_1',
    strategyId: 'str_1',
    accountId: 'acc_1',
    leg,
    request: { clientOrderId: `vz-${leg}`, symbol: 'AAPL', side: 'buy', quantity: '2', type: 'market', timeInForce: 'day' },
    intent: { leg, symbol: 'AAPL' },
    verdict: { allowed: true, rules: [] },
    cancelOpenOrders: false,
    createdAt: '2026-01-01T00:00:00.000Z',
    expiresAt,
  };
}
const decision = { signalId: 'sig_1', accountId: 'acc_1', detail: 'pending approval', at: '2026-01-01T00:00:00.000Z' };

function repo() {
  const db = openDatabase({ file: path.join(tempDir(), 'approvals.db'), migrations: MIGRATIONS });
  return { db, repo: new ApprovalRepo(db) };
}

describe('ApprovalRepo', () => {
  it('holding a signal again (a resumed crash) keeps the first rows and records the pending decision once', () => {
    const { db, repo: r } = repo();
    const first = r.hold([item('apr_a')], decision);
    const again = r.hold([item('apr_b')], decision);
    expect(again.map((x) => x.id)).toEqual(first.map((x) => x.id));
    expect(r.list()).toHaveLength(1);
    expect(db.prepare("SELECT count(*) AS n FROM signal_decisions WHERE verdict = 'pending_approval'").get()).toEqual({ n: 1 });
    expect(first[0]).toMatchObject({ status: 'pending', symbol: 'AAPL', side: 'buy', quantity: '2', clientOrderId: 'vz-entry', type: 'market' });
    db.close();
  });

  it('a row is claimed for approval once; rejecting or expiring it afterwards changes nothing', () => {
    const { db, repo: r } = repo();
    r.hold([item('apr_a')], decision);
    const at = '2026-01-01T00:00:30.000Z';
    expect(r.claimApproval('apr_a', { at, by: 'api' })).toBe(true);
    expect(r.claimApproval('apr_a', { at, by: 'cli' })).toBe(false);
    expect(r.reject('apr_a', { at, reason: 'late' })).toBe(false);
    expect(r.expireDue('2026-01-01T00:05:00.000Z')).toEqual([]);
    expect(r.get('apr_a')).toMatchObject({ status: 'approved', decidedBy: 'api', decidedAt: at });
    db.close();
  });

  it('a pending row past its expiry cannot be approved and is expired by the sweep with APPROVAL_EXPIRED', () => {
    const { db, repo: r } = repo();
    r.hold([item('apr_a', 'exit', '2026-01-01T00:01:00.000Z'), item('apr_b', 'entry', '2026-01-01T00:09:00.000Z')], decision);
    expect(r.nextExpiry()).toBe('2026-01-01T00:01:00.000Z');
    expect(r.claimApproval('apr_a', { at: '2026-01-01T00:01:00.000Z' })).toBe(false);
    expect(r.expireDue('2026-01-01T00:02:00.000Z')).toEqual(['apr_a']);
    expect(r.get('apr_a')).toMatchObject({ status: 'expired', code: 'APPROVAL_EXPIRED' });
    expect(r.get('apr_b')?.status).toBe('pending');
    expect(r.countPending()).toBe(1);
    expect(r.nextExpiry()).toBe('2026-01-01T00:09:00.000Z');
    db.close();
  });

  it('reject stores who and why and records a denial on the signal', () => {
    const { db, repo: r } = repo();
    r.hold([item('apr_a')], decision);
    expect(r.reject('apr_a', { at: '2026-01-01T00:00:10.000Z', by: 'api', reason: 'too big' })).toBe(true);
    expect(r.get('apr_a')).toMatchObject({ status: 'rejected', reason: 'too big', decidedBy: 'api', code: 'APPROVAL_REJECTED' });
    const d = db.prepare("SELECT verdict, code, detail, json_extract(data, '$.approvalId') AS approvalId FROM signal_decisions WHERE verdict = 'denied'").get();
    expect(d).toEqual({ verdict: 'denied', code: 'APPROVAL_REJECTED', detail: 'too big', approvalId: 'apr_a' });
    db.close();
  });
});
