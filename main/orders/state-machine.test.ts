import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decideReport, decideStatus, nextStatus, InvalidTransitionError } from './state-machine.js';
import { ORDER_STATUSES, canTransition, isStaleReport, isTerminal, type OrderStatus } from '../../shared/order-status.js';

describe('order state table, real-world cases', () => {
  it('a fill that wins the race against our cancel request is applied', () => {
    expect(decideStatus('cancel_pending', 'filled')).toEqual({ action: 'apply', status: 'filled' });
    expect(decideStatus('cancel_pending', 'partially_filled')).toEqual({ action: 'apply', status: 'partially_filled' });
  });

  it('a cancel the broker refuses because the order already filled leaves it filled', () => {
    expect(decideStatus('filled', 'canceled')).toEqual({ action: 'conflict' });
    expect(decideStatus('cancel_pending', 'accepted')).toEqual({ action: 'apply', status: 'accepted' });
  });

  it('a broker report that the order works (a late new / accepted, a part filled) never undoes a cancel request; its final answers end it', () => {
    expect(decideReport('cancel_pending', 'accepted')).toEqual({ action: 'stale' });
    expect(decideReport('cancel_pending', 'partially_filled')).toEqual({ action: 'stale' }); // its quantity is kept (lifecycle)
    for (const end of ['canceled', 'filled', 'expired', 'rejected'] as const) expect(decideReport('cancel_pending', end)).toEqual({ action: 'apply', status: end });
    // Everywhere else a report is judged as any move is.
    for (const from of ORDER_STATUSES) {
      for (const to of ORDER_STATUSES) {
        if (from === 'cancel_pending' && (to === 'accepted' || to === 'partially_filled')) continue;
        expect(decideReport(from, to)).toEqual(decideStatus(from, to));
      }
    }
  });

  it('a late fill of an UNKNOWN order is applied, and the re-send with the same id is allowed', () => {
    expect(decideStatus('unknown', 'filled')).toEqual({ action: 'apply', status: 'filled' });
    expect(decideStatus('unknown', 'submitting')).toEqual({ action: 'apply', status: 'submitting' });
  });

  it('a venue fill reported after the cancel took effect is applied (the money moved)', () => {
    expect(decideStatus('canceled', 'filled')).toEqual({ action: 'apply', status: 'filled' });
    expect(decideStatus('expired', 'filled')).toEqual({ action: 'apply', status: 'filled' });
  });

  it('a stale accepted after filled, or accepted after partially filled, is ignored as stale, not an error', () => {
    expect(decideStatus('filled', 'accepted')).toEqual({ action: 'stale' });
    expect(decideStatus('partially_filled', 'accepted')).toEqual({ action: 'stale' });
    expect(decideStatus('accepted', 'submitting')).toEqual({ action: 'stale' });
    expect(decideStatus('filled', 'filled')).toEqual({ action: 'stale' });
  });

  it('a rejection of an order we hold as filled is a conflict, never applied', () => {
    expect(decideStatus('filled', 'rejected')).toEqual({ action: 'conflict' });
    expect(decideStatus('rejected', 'filled')).toEqual({ action: 'conflict' });
    expect(() => nextStatus('filled', 'rejected')).toThrow(InvalidTransitionError);
  });

  it('repeated partial fills move partially_filled to itself (the quantity changes)', () => {
    expect(decideStatus('partially_filled', 'partially_filled')).toEqual({ action: 'apply', status: 'partially_filled' });
  });
});

const status = fc.constantFrom(...ORDER_STATUSES);

describe('order state machine properties', () => {
  it('any sequence of reports only ever moves along the table, and filled or rejected never change again', () => {
    fc.assert(
      fc.property(fc.array(status, { maxLength: 40 }), (reports) => {
        let current: OrderStatus = 'created';
        for (const r of reports) {
          const d = decideStatus(current, r);
          if (d.action === 'apply') {
            expect(canTransition(current, d.status) || current === d.status).toBe(true);
            if (current === 'filled' || current === 'rejected') throw new Error(`${current} moved to ${d.status}`);
            current = d.status;
          }
          expect(ORDER_STATUSES).toContain(current);
        }
      }),
      { numRuns: 5000 },
    );
  });

  it('every pair is exactly one of: allowed, stale, conflict', () => {
    for (const from of ORDER_STATUSES) {
      for (const to of ORDER_STATUSES) {
        const d = decideStatus(from, to);
        if (d.action === 'apply') expect(canTransition(from, to) || from === to).toBe(true);
        if (d.action === 'stale') expect(isStaleReport(from, to)).toBe(true);
        if (d.action === 'conflict') expect(canTransition(from, to) || isStaleReport(from, to)).toBe(false);
      }
    }
    expect(isTerminal('canceled')).toBe(true);
  });
});
