import { afterEach, describe, expect, it, vi } from 'vitest';
import path from 'node:path';
import { openDatabase } from './db.js';
import { BUSY_CHECKPOINT_BYTES, QUIET_BACKSTOP_BYTES, QUIET_CHECKPOINT_BYTES, paceCheckpoints } from './checkpoint-pace.js';
import { builtWebhookThreadEntry, eventually, startTestAgent, tempDir } from '../test-support/agent.js';

type Db = ReturnType<typeof openDatabase>;
/** Frames in the WAL not yet copied back into the database file. */
const waiting = (db: Db): number => {
  const r = (db.pragma('wal_checkpoint(NOOP)') as { log: number; checkpointed: number }[])[0]!;
  return r.log - r.checkpointed;
};
/** Writes `pages` rows of about a page each (`page` bytes): about as many frames of WAL. */
const write = (db: Db, pages: number, page = 1024): void => {
  db.exec('CREATE TABLE IF NOT EXISTS filler (x BLOB)');
  db.transaction(() => {
    for (let i = 0; i < pages; i++) db.prepare('INSERT INTO filler VALUES (randomblob(?))').run(page - 124);
  })();
};

describe('checkpoint pacing of viewzenix.db', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('while quiet, checkpoints after a signal once 1 MB of WAL waits, and not before', () => {
    vi.useFakeTimers();
    const db = openDatabase({ file: path.join(tempDir(), 'pace.db') }); // 1 KB pages
    const pacer = paceCheckpoints(db, () => false, 100);
    expect(pacer.bytes).toBe(QUIET_CHECKPOINT_BYTES);
    write(db, 600);
    pacer.signalDone();
    expect(waiting(db)).toBeGreaterThan(500); // under 1 MB: left to wait
    write(db, 600);
    pacer.signalDone();
    expect(waiting(db)).toBe(0); // past 1 MB: copied back
    // SQLite's own threshold is 16 MB meanwhile: the backstop, should no signal finish (or a checkpoint thread
    // never find a pause to let the WAL start over).
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(QUIET_BACKSTOP_BYTES / 1024);
    pacer.stop();
    db.close();
  });

  it('while busy, leaves checkpoints to SQLite’s own 4 MB threshold; quiet again, checkpoints after signals again', () => {
    vi.useFakeTimers();
    const db = openDatabase({ file: path.join(tempDir(), 'busy.db') });
    let busy = true;
    const pacer = paceCheckpoints(db, () => busy, 100);
    vi.advanceTimersByTime(100);
    expect(pacer.bytes).toBe(BUSY_CHECKPOINT_BYTES);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(BUSY_CHECKPOINT_BYTES / 1024);
    write(db, 1500);
    pacer.signalDone();
    expect(waiting(db)).toBeGreaterThan(1400);
    busy = false;
    vi.advanceTimersByTime(100);
    expect(pacer.bytes).toBe(QUIET_CHECKPOINT_BYTES);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(QUIET_BACKSTOP_BYTES / 1024);
    pacer.signalDone();
    expect(waiting(db)).toBe(0);
    pacer.stop();
    busy = true;
    vi.advanceTimersByTime(500);
    expect(pacer.bytes).toBe(QUIET_CHECKPOINT_BYTES); // stopped: no longer follows
    db.close();
  });

  it('while quiet, hands the checkpoint to another thread when one takes it, and makes it itself when none can', () => {
    vi.useFakeTimers();
    const db = openDatabase({ file: path.join(tempDir(), 'elsewhere.db') });
    let takes = true;
    let asked = 0;
    const pacer = paceCheckpoints(db, () => false, 100, () => (asked++, takes));
    write(db, 600);
    pacer.signalDone();
    expect(asked).toBe(0); // under 1 MB: nobody is asked
    write(db, 600);
    pacer.signalDone();
    expect(asked).toBe(1);
    expect(waiting(db)).toBeGreaterThan(1100); // taken elsewhere: this thread did not copy a frame
    takes = false;
    pacer.signalDone();
    expect(asked).toBe(2);
    expect(waiting(db)).toBe(0);
    pacer.stop();
    db.close();
  });

  it('counts in the file’s own pages (an older 4 KB-page file), and leaves a closed connection alone', () => {
    vi.useFakeTimers();
    const db = openDatabase({ file: path.join(tempDir(), 'old.db'), pageSize: 4096 });
    const pacer = paceCheckpoints(db, () => false, 100);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(QUIET_BACKSTOP_BYTES / 4096);
    write(db, 100, 4096); // under 1 MB of 4 KB frames
    pacer.signalDone();
    expect(waiting(db)).toBeGreaterThan(100);
    write(db, 100, 4096);
    pacer.signalDone();
    expect(waiting(db)).toBe(0);
    db.close();
    expect(() => pacer.signalDone()).not.toThrow();
    pacer.stop();
  });

  it('in the agent, a processed alert is the moment: the WAL its commits left is copied back after it', async () => {
    const agent = await startTestAgent({}, { webhookThread: false });
    try {
      write(agent.db, 1100); // the WAL of the moments before
      expect(waiting(agent.db)).toBeGreaterThan(1000);
      const hook = new URL(agent.demoWebhookUrl!).pathname;
      const res = await agent.post(hook, '{"ticker":"AAPL","action":"buy","quantity":1,"price":190}');
      const done = await eventually(
        async () => (await agent.api<{ status: string }>('GET', `/api/signals/${res.body.signalId as string}`)).body.status,
        (status) => status === 'done',
      );
      expect(done).toBe('done');
      expect(waiting(agent.db)).toBeLessThan(100); // copied back after the signal; what followed is small
    } finally {
      await agent.stop();
    }
  });

  it('in the agent with its checkpoint thread, that copy is made there: the pipeline’s connection makes none', async () => {
    const threads = path.dirname(builtWebhookThreadEntry());
    const agent = await startTestAgent({}, { webhookThreadEntry: builtWebhookThreadEntry(), checkpointThreadEntry: path.join(threads, '..', 'store', 'checkpoint-thread.js') });
    try {
      const made: string[] = [];
      const pragma = agent.db.pragma.bind(agent.db);
      agent.db.pragma = ((source: string, options?: { simple?: boolean }) => {
        if (/wal_checkpoint\((PASSIVE|FULL|RESTART|TRUNCATE)\)/i.test(source)) made.push(source);
        return pragma(source, options);
      }) as typeof agent.db.pragma;
      write(agent.db, 1100);
      const hook = new URL(agent.demoWebhookUrl!).pathname;
      const res = await agent.post(hook, '{"ticker":"AAPL","action":"buy","quantity":1,"price":190}');
      await eventually(
        async () => (await agent.api<{ status: string }>('GET', `/api/signals/${res.body.signalId as string}`)).body.status,
        (status) => status === 'done',
      );
      await eventually(() => waiting(agent.db), (n) => n < 100);
      expect(made).toEqual([]);
    } finally {
      await agent.stop();
    }
  });
});
