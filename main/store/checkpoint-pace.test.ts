import { afterEach, describe, expect, it, vi } from 'vitest';
import path from 'node:path';
import { openDatabase } from './db.js';
import { BUSY_CHECKPOINT_BYTES, QUIET_CHECKPOINT_BYTES, paceCheckpoints } from './checkpoint-pace.js';
import { tempDir } from '../test-support/agent.js';

const threshold = (db: ReturnType<typeof openDatabase>): number => db.pragma('wal_autocheckpoint', { simple: true }) as number;

describe('checkpoint pacing of viewzenix.db', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('checkpoints at 1 MB while quiet and at 4 MB while busy, in pages of the file, and stops following when stopped', () => {
    vi.useFakeTimers();
    const db = openDatabase({ file: path.join(tempDir(), 'pace.db') }); // 1 KB pages
    let busy = false;
    const pacer = paceCheckpoints(db, () => busy, 100);
    expect(pacer.bytes).toBe(QUIET_CHECKPOINT_BYTES);
    expect(threshold(db)).toBe(1024);
    busy = true;
    vi.advanceTimersByTime(100);
    expect(pacer.bytes).toBe(BUSY_CHECKPOINT_BYTES);
    expect(threshold(db)).toBe(4096);
    vi.advanceTimersByTime(300); // still busy: unchanged
    expect(threshold(db)).toBe(4096);
    busy = false;
    vi.advanceTimersByTime(100);
    expect(threshold(db)).toBe(1024);
    pacer.stop();
    busy = true;
    vi.advanceTimersByTime(500);
    expect(threshold(db)).toBe(1024);
    db.close();
  });

  it('counts the threshold in the file’s own pages (an older 4 KB-page file) and leaves a closed connection alone', () => {
    vi.useFakeTimers();
    const db = openDatabase({ file: path.join(tempDir(), 'old.db'), pageSize: 4096 });
    let busy = true;
    const pacer = paceCheckpoints(db, () => busy, 100);
    expect(threshold(db)).toBe(256);
    vi.advanceTimersByTime(100);
    expect(threshold(db)).toBe(1024);
    db.close();
    busy = false;
    expect(() => vi.advanceTimersByTime(100)).not.toThrow();
    expect(pacer.bytes).toBe(BUSY_CHECKPOINT_BYTES);
    pacer.stop();
  });
});
