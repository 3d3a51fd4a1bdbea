// An alert whose processing meets a database that refuses writes (a full disk) waits and is tried again: it is not
// counted as one of its attempts, never set aside for it, and the failure never ends the agent (a write that fails
// while the failure itself is recorded included).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SignalWorker, type WorkerDeps } from './worker.js';
import type { QueuedSignal } from '../store/signals.js';
import { isStorageError } from '../store/db.js';

const full = (): Error => Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });

function harness(o: { markFails?: boolean } = {}) {
  const markFails = o.markFails ?? true;
  const counted: boolean[] = [];
  const row: QueuedSignal = { seq: 1, id: 'sig_1', strategyId: 'str_1', receivedAt: '2026-11-30T00:00:00.000Z', parsed: { symbol: 'AAPL' } as QueuedSignal['parsed'], attempts: 0 };
  let diskFull = true;
  let done = false;
  const calls: string[] = [];
  const errors: { msg: string; count: number }[] = [];
  const write = (what: string) => {
    calls.push(what);
    if (diskFull) throw full();
  };
  const signals = {
    pending: (_limit: number, after = 0) => (done || row.seq <= after ? [] : [{ ...row }]),
    markProcessing: (_id: string, _withIt?: () => void, count = true) => {
      if (markFails) write('mark');
      else calls.push('mark');
      counted.push(count);
      if (count) row.attempts++; // as the row's `attempts`, read back by the next try
    },
    recordError: () => write('recordError'),
    finish: (_id: string, status: string) => {
      write(`finish:${status}`);
      done = true;
    },
  };
  const log = {
    error: (_o: unknown, msg: string) => {
      const seen = errors.find((e) => e.msg === msg);
      if (seen) seen.count++;
      else errors.push({ msg, count: 1 });
    },
    warn: () => undefined,
    info: () => undefined,
  };
  const deps = {
    signals,
    strategies: { get: () => undefined }, // a deleted strategy: the mark, then the denial
    bus: { subscribe: () => () => undefined, publish: () => undefined },
    log,
    maxAttempts: 3,
  } as unknown as WorkerDeps;
  return { worker: new SignalWorker(deps), calls, errors, counted, row, free: () => (diskFull = false), isDone: () => done };
}

describe('an alert meeting a database that refuses writes', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('waits and is tried again every 5 s, not counted as an attempt nor set aside, told once, and is processed once the disk has room', async () => {
    const h = harness();
    h.worker.kick();
    await vi.advanceTimersByTimeAsync(0);
    for (let i = 0; i < 6; i++) await vi.advanceTimersByTimeAsync(5_000); // six more tries: past maxAttempts (3)
    expect(h.calls.filter((c) => c === 'mark')).toHaveLength(7);
    expect(h.calls).not.toContain('finish:failed');
    expect(h.calls).not.toContain('recordError'); // nothing to count: the database refused, not the alert
    expect(h.errors).toHaveLength(1);
    expect(h.errors[0]!.msg).toContain('could not be written (SQLITE_FULL)');
    expect(h.errors[0]!.count).toBe(1); // told once, not at every try
    h.free();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(h.isDone()).toBe(true);
    expect(h.calls.at(-1)).toBe('finish:denied');
  });

  it('a start that got past its mark and then met the full disk is not counted again by its retries (never set aside as a crash loop)', async () => {
    const h = harness({ markFails: false }); // the mark is written; the denial after it meets the full disk
    h.worker.kick();
    await vi.advanceTimersByTimeAsync(0);
    for (let i = 0; i < 8; i++) await vi.advanceTimersByTimeAsync(5_000); // past MAX_STARTS (5) tries
    expect(h.counted).toEqual([true, false, false, false, false, false, false, false, false]);
    expect(h.row.attempts).toBe(1);
    expect(h.calls).not.toContain('finish:failed');
    h.free();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(h.isDone()).toBe(true);
    expect(h.calls.at(-1)).toBe('finish:denied');
  });

  it('a failure of another kind whose record the database refuses waits too, without ending the agent', async () => {
    const h = harness();
    // The mark fails for a reason of the alert's own; recording that failure meets the full disk.
    let first = true;
    const deps = (h.worker as unknown as { d: { signals: { markProcessing: () => void } } }).d;
    const original = deps.signals.markProcessing;
    deps.signals.markProcessing = () => {
      if (first) {
        first = false;
        throw new Error('a bug of this alert');
      }
      original();
    };
    h.worker.kick();
    await vi.advanceTimersByTimeAsync(0);
    expect(h.calls).toEqual(['recordError']);
    expect(h.errors.map((e) => e.msg)).toEqual(['processing a signal failed', expect.stringContaining('could not be written (SQLITE_FULL)')]);
    h.free();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(h.isDone()).toBe(true);
  });

  it('knows the codes of a database that cannot be written just now', () => {
    for (const code of ['SQLITE_FULL', 'SQLITE_IOERR', 'SQLITE_IOERR_WRITE', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_READONLY_DBMOVED', 'SQLITE_CANTOPEN', 'SQLITE_LOCKED']) {
      expect(isStorageError({ code })).toBe(true);
    }
    for (const err of [new Error('x'), { code: 'SQLITE_CONSTRAINT_UNIQUE' }, { code: 'SQLITE_FULLX' }, { code: 42 }, null, undefined]) expect(isStorageError(err)).toBe(false);
  });
});
