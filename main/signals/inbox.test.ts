import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { openDatabase } from '../store/db.js';
import { SignalRepo, type InboxInsert } from '../store/signals.js';
import { createLogger } from '../log.js';
import { tempDir } from '../test-support/agent.js';
import { Inbox } from './inbox.js';

const signal = (i: number): InboxInsert => ({
  id: `s${i}`,
  strategyId: 'st',
  receivedAt: new Date(Date.UTC(2026, 0, 5, 10, 0, i)).toISOString(),
  rawBody: `{"ticker":"AAPL","action":"buy","i":${i}}`,
  bodyHash: `h${i}`,
  dedupeKey: `k${i}`,
  status: 'queued',
  parsed: { symbol: 'AAPL', action: 'buy' } as unknown as InboxInsert['parsed'],
  symbol: 'AAPL',
});

describe('durable inbox', () => {
  it('rows committed but not yet synced to disk are not handed to the worker; after the sync they are, in order', async () => {
    const db = openDatabase({ file: path.join(tempDir(), 'i.db') });
    const repo = new SignalRepo(db);
    repo.insertBatch([signal(1)]); // the blocking FULL path: visible at once
    repo.commitBatch([signal(2), signal(3)]);
    expect(repo.pending(10).map((r) => r.id)).toEqual(['s1']);
    repo.insertBatch([signal(4)]); // committed after an unsynced batch: waits behind it (arrival order)
    expect(repo.pending(10).map((r) => r.id)).toEqual(['s1']);
    await repo.syncCommitted();
    expect(repo.pending(10).map((r) => r.id)).toEqual(['s1', 's2', 's3', 's4']);
    repo.closeSync();
    db.close();
  });

  it('answers each alert only after the WAL holding its commit was synced, and wakes the worker with the stored ids', async () => {
    const db = openDatabase({ file: path.join(tempDir(), 'i2.db') });
    const repo = new SignalRepo(db);
    let synced = 0;
    const realSync = repo.syncCommitted.bind(repo);
    repo.syncCommitted = async () => {
      await realSync();
      synced++;
    };
    const inbox = new Inbox(repo, createLogger({ console: 'silent' }));
    const woken: string[][] = [];
    inbox.onCommitted = (ids) => woken.push(ids);
    const answers = await Promise.all([inbox.receive(signal(1)), inbox.receive(signal(2)), inbox.receive({ ...signal(3), id: 's3b', dedupeKey: 'k1' })]);
    expect(synced).toBeGreaterThanOrEqual(1);
    expect(answers).toEqual([
      { outcome: 'stored', id: 's1' },
      { outcome: 'stored', id: 's2' },
      { outcome: 'duplicate', id: 's1' },
    ]);
    expect(woken.flat()).toEqual(['s1', 's2']);
    inbox.close();
    db.close();
  });

  it('a sync that started later and ended first answers the alerts of the earlier one too (each answered once)', async () => {
    const db = openDatabase({ file: path.join(tempDir(), 'i7.db') });
    const repo = new SignalRepo(db);
    const realSync = repo.syncCommitted.bind(repo);
    const gates: (() => void)[] = [];
    repo.syncCommitted = async () => {
      await new Promise<void>((r) => gates.push(r));
      await realSync();
    };
    const inbox = new Inbox(repo, createLogger({ console: 'silent' }));
    const woken: string[][] = [];
    inbox.onCommitted = (ids) => woken.push(ids);
    const answered: string[] = [];
    const first = inbox.receive(signal(1)).then((r) => answered.push(r.id));
    await new Promise((r) => setImmediate(r));
    const second = inbox.receive(signal(2)).then((r) => answered.push(r.id));
    await new Promise((r) => setImmediate(r));
    expect(gates).toHaveLength(2); // two syncs in flight
    expect(repo.pending(10)).toEqual([]); // nothing on disk yet: nothing for the worker
    gates[1]!(); // the later sync ends first: it covers both batches
    await Promise.all([first, second]);
    expect(answered.sort()).toEqual(['s1', 's2']);
    expect(repo.pending(10).map((r) => r.id)).toEqual(['s1', 's2']);
    gates[0]!();
    await new Promise((r) => setTimeout(r, 10));
    expect(answered).toHaveLength(2);
    expect(woken.flat().sort()).toEqual(['s1', 's2']);
    inbox.close();
    db.close();
  });

  it('tells an observer, per answered alert, how long it waited for its commit and then for the sync', async () => {
    const db = openDatabase({ file: path.join(tempDir(), 'i8.db') });
    const repo = new SignalRepo(db);
    const realSync = repo.syncCommitted.bind(repo);
    let release: () => void = () => undefined;
    repo.syncCommitted = async () => {
      await new Promise<void>((r) => (release = r));
      await realSync();
    };
    const seen: [number, number][] = [];
    const inbox = new Inbox(repo, createLogger({ console: 'silent' }), { observe: (c, s) => seen.push([c, s]) });
    const answers = Promise.all([inbox.receive(signal(1)), inbox.receive(signal(2))]);
    await new Promise((r) => setTimeout(r, 25)); // the sync is held for at least this long
    release();
    await answers;
    expect(seen).toHaveLength(2);
    for (const [commitWait, syncWait] of seen) {
      expect(commitWait).toBeGreaterThanOrEqual(0);
      expect(syncWait).toBeGreaterThanOrEqual(20);
    }
    inbox.close();
    db.close();
  });

  it('closing commits, syncs and answers alerts still waiting, then refuses new ones', async () => {
    const db = openDatabase({ file: path.join(tempDir(), 'i3.db') });
    const repo = new SignalRepo(db);
    const inbox = new Inbox(repo, createLogger({ console: 'silent' }));
    const answer = inbox.receive(signal(1));
    inbox.close();
    await expect(answer).resolves.toEqual({ outcome: 'stored', id: 's1' });
    await expect(inbox.receive(signal(2))).rejects.toThrow(/closed/);
    expect(repo.pending(10).map((r) => r.id)).toEqual(['s1']);
    db.close();
  });

  it('another connection holding the write lock delays the commit (no answer before it), never fails it', async () => {
    const file = path.join(tempDir(), 'i4.db');
    const db = openDatabase({ file });
    db.pragma('busy_timeout = 0'); // as in the webhook thread: the inbox retries itself
    const other = openDatabase({ file });
    const repo = new SignalRepo(db);
    const inbox = new Inbox(repo, createLogger({ console: 'silent' }));
    other.exec('BEGIN IMMEDIATE');
    let answered = false;
    const answer = inbox.receive(signal(1)).then((r) => {
      answered = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 30));
    expect(answered).toBe(false);
    other.exec('COMMIT');
    await expect(answer).resolves.toEqual({ outcome: 'stored', id: 's1' });
    expect(repo.pending(10).map((r) => r.id)).toEqual(['s1']);
    inbox.close();
    other.close();
    db.close();
  });

  it('a write lock held past the wait limit answers the alerts with an error (503: TradingView re-sends), and the next alert is stored', async () => {
    const file = path.join(tempDir(), 'i5.db');
    const db = openDatabase({ file });
    db.pragma('busy_timeout = 0');
    const other = openDatabase({ file });
    const repo = new SignalRepo(db);
    const inbox = new Inbox(repo, createLogger({ console: 'silent' }), { lockWaitMs: 40 });
    other.exec('BEGIN IMMEDIATE');
    await expect(inbox.receive(signal(1))).rejects.toMatchObject({ code: expect.stringMatching(/^SQLITE_BUSY/) });
    other.exec('COMMIT');
    await expect(inbox.receive(signal(2))).resolves.toEqual({ outcome: 'stored', id: 's2' });
    expect(repo.pending(10).map((r) => r.id)).toEqual(['s2']);
    inbox.close();
    other.close();
    db.close();
  });
});

describe('inbox written by another connection (the webhook thread)', () => {
  it('the worker sees only rows the writer reported durable, plus everything stored before it took over', async () => {
    const file = path.join(tempDir(), 'i6.db');
    const main = new SignalRepo(openDatabase({ file }));
    const writerDb = openDatabase({ file });
    const writer = new SignalRepo(writerDb);
    writer.insertBatch([signal(1)]); // before the thread started (e.g. left by a previous run)
    main.followExternalInbox();
    writer.commitBatch([signal(2), signal(3)]);
    expect(main.pending(10).map((r) => r.id)).toEqual(['s1']);
    await writer.syncCommitted();
    expect(main.pending(10).map((r) => r.id)).toEqual(['s1']); // durable, but not reported yet
    main.advanceDurable(writer.lastDurableSeq());
    expect(main.pending(10).map((r) => r.id)).toEqual(['s1', 's2', 's3']);
    writer.commitBatch([signal(4)]);
    main.advanceDurable(1); // an older report never moves the limit back
    expect(main.pending(10).map((r) => r.id)).toEqual(['s1', 's2', 's3']);
    main.writeInboxHere(); // the listener moved back to this thread: its own unsynced list is the limit again
    expect(main.pending(10).map((r) => r.id)).toEqual(['s1', 's2', 's3', 's4']);
    writer.closeSync();
    writerDb.close();
  });
});
