import { describe, expect, it } from 'vitest';
import type { SignalView } from '../../../shared/api-types.js';
import { attentionSignals, MAX_LIST_LIMIT, nextLimit, todayCount, truncationNotice } from './list-window.js';

const NOW = new Date(2026, 10, 29, 15, 0, 0);
const at = (h: number, m = 0, dayOffset = 0) => new Date(2026, 10, 29 + dayOffset, h, m, 0).toISOString();

function sig(id: string, status: SignalView['status'], receivedAt: string, code?: string): SignalView {
  return { id, strategyId: 'str_1', receivedAt, status, rawBody: '{}', ...(code ? { code } : {}) };
}

describe('todayCount', () => {
  it('is exact when the list holds every row, or reaches back before today', () => {
    expect(todayCount([at(14), at(13), at(9)], false, NOW)).toEqual({ count: 3, label: '3', complete: true });
    expect(todayCount([at(14), at(13), at(23, 0, -1)], true, NOW)).toEqual({ count: 2, label: '2', complete: true });
  });
  it('says "200+" when a cut list is still inside today: the total is not known', () => {
    const times = Array.from({ length: 200 }, (_, i) => at(14, 59 - (i % 60)));
    expect(todayCount(times, true, NOW)).toEqual({ count: 200, label: '200+', complete: false });
  });
  it('is 0 for an empty list', () => {
    expect(todayCount([], true, NOW)).toEqual({ count: 0, label: '0', complete: true });
  });
});

describe('attentionSignals keeps today\'s rejections visible after many denials', () => {
  it('lists every rejection and failure of today, however many denials came after them', () => {
    const denied = Array.from({ length: 50 }, (_, i) => sig(`d${i}`, 'denied', at(14, 59 - i), 'ADD_NOT_ALLOWED'));
    const rejected = [sig('r1', 'rejected', at(9), 'PASSPHRASE_INVALID'), sig('r2', 'rejected', at(8), 'TRUNCATED_JSON'), sig('rOld', 'rejected', at(9, 0, -1), 'INVALID_FIELD')];
    const failed = [sig('f1', 'failed', at(10), 'BROKER_ERROR')];
    const r = attentionSignals({ rejected: { items: rejected }, failed: { items: failed }, denied: { items: denied, truncated: true } }, 10, NOW);
    expect(r.urgent.map((s) => s.id)).toEqual(['f1', 'r1', 'r2']);
    expect(r.denied.map((s) => s.id)).toEqual(denied.slice(0, 10).map((s) => s.id));
    expect(r.deniedHidden).toBe(40);
    expect(r.deniedMore).toBe(true);
    expect(r.urgentMore).toBe(false);
  });
  it('counts hidden denials exactly when the denial list reaches back before today', () => {
    const denied = [sig('d1', 'denied', at(14)), sig('d2', 'denied', at(13)), sig('d0', 'denied', at(13, 0, -1))];
    const r = attentionSignals({ denied: { items: denied, truncated: true } }, 1, NOW);
    expect(r.denied.map((s) => s.id)).toEqual(['d1']);
    expect(r.deniedHidden).toBe(1);
    expect(r.deniedMore).toBe(false);
    expect(r.urgent).toEqual([]);
  });
});

describe('the signals list says when it is cut', () => {
  it('offers a larger window up to the maximum, then only filters', () => {
    expect(nextLimit(500)).toBe(2000);
    expect(nextLimit(2000)).toBe(4000);
    expect(nextLimit(4000)).toBe(MAX_LIST_LIMIT);
    expect(nextLimit(MAX_LIST_LIMIT)).toBeUndefined();
  });
  it('says nothing when the list holds every match', () => {
    expect(truncationNotice(120, 500, false, false)).toBeUndefined();
  });
  it('names the count shown and offers more when truncated', () => {
    const n = truncationNotice(500, 500, true, false)!;
    expect(n.text).toContain('newest 500 signals only: more match');
    expect(n.more).toBe(2000);
    const max = truncationNotice(5000, 5000, true, true)!;
    expect(max.more).toBeUndefined();
    expect(max.text).toContain('Narrow the filters further');
  });
});
