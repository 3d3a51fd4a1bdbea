import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { InboxStore, openInboxDatabase } from '../store/inbox-db.js';
import { createLogger } from '../log.js';
import { tempDir } from '../test-support/agent.js';
import { inboxInsert as signal } from '../test-support/inbox-rows.js';
import { Inbox, InboxUnavailableError, LOCK_WAIT_MS, TRADINGVIEW_TIMEOUT_MS } from './inbox.js';

const openStore = (name: string) => {
  const db = openInboxDatabase(path.join(tempDir(), name));
  return { db, repo: new InboxStore(db) };
};
const rows = (db: ReturnType<typeof openInboxDatabase>) => (db.prepare('SELECT id FROM alerts ORDER BY seq').all() as { id: string }[]).map((r) => r.id);

describe('durable inbox', () => {
  it('rows committed but not yet synced to disk are not reported durable; after the sync they are', async () => {
    const { db, repo } = openStore('i.db');
    repo.commitBatch([signal(1)]);
    repo.commitBatch([signal(2), signal(3)]);
    expect(repo.lastDurableSeq()).toBe(0);
    await repo.syncCommitted();
    expect(repo.lastDurableSeq()).toBe(3);
    repo.commitBatch([signal(4)]);
    expect(repo.lastDurableSeq()).toBe(3);
    repo.syncCommittedNow();
    expect(repo.lastDurableSeq()).toBe(4);
    expect(rows(db)).toEqual(['s1', 's2', 's3', 's4']);
    repo.closeSync();
    db.close();
  });

  it('reports the stored ids at the commit, before the sync; answers each alert only after the sync, and reports that too', async () => {
    const { db, repo } = openStore('i2.db');
    let synced = 0;
    const realSync = repo.syncCommitted.bind(repo);
    repo.syncCommitted = async () => {
      await realSync();
      synced++;
    };
    const inbox = new Inbox(repo, createLogger({ console: 'silent' }));
    const written: { ids: string[]; synced: number }[] = [];
    inbox.onWritten = (ids) => written.push({ ids, synced });
    let durable = 0;
    inbox.onCommitted = () => durable++;
    const answers = await Promise.all([inbox.receive(signal(1)), inbox.receive(signal(2)), inbox.receive({ ...signal(3), id: 's3b', dedupeKey: 'k1' })]);
    expect(synced).toBeGreaterThanOrEqual(1);
    expect(written).toEqual([{ ids: ['s1', 's2'], synced: 0 }]);
    expect(durable).toBe(1);
    expect(answers).toEqual([
      { outcome: 'stored', id: 's1' },
      { outcome: 'stored', id: 's2' },
      { outcome: 'duplicate', id: 's1' },
    ]);
    inbox.close();
    db.close();
  });

  it('a sync that started later and ended first answers the alerts of the earlier one too (each answered once)', async () => {
    const { db, repo } = openStore('i7.db');
    const realSync = repo.syncCommitted.bind(repo);
    const gates: (() => void)[] = [];
    repo.syncCommitted = async () => {
      await new Promise<void>((r) => gates.push(r));
      await realSync();
    };
    const inbox = new Inbox(repo, createLogger({ console: 'silent' }));
    const reports: number[] = [];
    inbox.onCommitted = () => reports.push(repo.lastDurableSeq());
    const answered: string[] = [];
    const first = inbox.receive(signal(1)).then((r) => answered.push(r.id));
    await new Promise((r) => setImmediate(r));
    const second = inbox.receive(signal(2)).then((r) => answered.push(r.id));
    await new Promise((r) => setImmediate(r));
    expect(gates).toHaveLength(2); // two syncs in flight
    expect(repo.lastDurableSeq()).toBe(0); // nothing on disk yet: nothing for the worker
    gates[1]!(); // the later sync ends first: it covers both batches
    await Promise.all([first, second]);
    expect(answered.sort()).toEqual(['s1', 's2']);
    expect(repo.lastDurableSeq()).toBe(2);
    gates[0]!();
    await new Promise((r) => setTimeout(r, 10));
    expect(answered).toHaveLength(2);
    expect(reports.length).toBeGreaterThanOrEqual(1);
    expect(new Set(reports)).toEqual(new Set([2])); // every report came once both batches were on disk
    inbox.close();
    db.close();
  });

  it('tells an observer, per answered alert, how long it waited for its commit and then for the sync', async () => {
    const { db, repo } = openStore('i8.db');
    const realSync = repo.syncCommitted.bind(repo);
    repo.syncCommitted = async () => {
      await new Promise((r) => setTimeout(r, 25)); // the sync, which starts after the commit, takes at least this long
      await realSync();
    };
    const seen: [number, number][] = [];
    const inbox = new Inbox(repo, createLogger({ console: 'silent' }), { observe: (c, s) => seen.push([c, s]) });
    await Promise.all([inbox.receive(signal(1)), inbox.receive(signal(2))]);
    expect(seen).toHaveLength(2);
    for (const [commitWait, syncWait] of seen) {
      expect(commitWait).toBeGreaterThanOrEqual(0);
      expect(syncWait).toBeGreaterThanOrEqual(20);
    }
    inbox.close();
    db.close();
  });

  it('closing commits, syncs and answers alerts still waiting, then refuses new ones', async () => {
    const { db, repo } = openStore('i3.db');
    const inbox = new Inbox(repo, createLogger({ console: 'silent' }));
    const answer = inbox.receive(signal(1));
    inbox.close();
    await expect(answer).resolves.toEqual({ outcome: 'stored', id: 's1' });
    await expect(inbox.receive(signal(2))).rejects.toThrow(/closed/);
    expect(rows(db)).toEqual(['s1']);
    expect(repo.lastDurableSeq()).toBe(1);
    db.close();
  });

  it('another connection holding the write lock delays the commit (no answer before it), never fails it', async () => {
    const file = path.join(tempDir(), 'i4.db');
    const db = openInboxDatabase(file);
    db.pragma('busy_timeout = 0'); // as in the webhook thread: the inbox retries itself
    const other = openInboxDatabase(file); // a checkpoint's RESTART holds the lock like this
    const repo = new InboxStore(db);
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
    expect(rows(db)).toEqual(['s1']);
    inbox.close();
    other.close();
    db.close();
  });

  it("gives up waiting for the write lock early enough that the 503 reaches TradingView before its 3 s timeout (and so is re-sent)", () => {
    // The wait, then the sync (p99 tens of ms, seconds only on a disk in trouble) and the answer, within 3 s.
    expect(LOCK_WAIT_MS).toBeLessThanOrEqual(TRADINGVIEW_TIMEOUT_MS - 1000);
  });

  it('a write lock held past the wait limit answers the alerts with an error (503: TradingView re-sends), and the next alert is stored', async () => {
    const file = path.join(tempDir(), 'i5.db');
    const db = openInboxDatabase(file);
    db.pragma('busy_timeout = 0');
    const other = openInboxDatabase(file);
    const repo = new InboxStore(db);
    const inbox = new Inbox(repo, createLogger({ console: 'silent' }), { lockWaitMs: 40 });
    other.exec('BEGIN IMMEDIATE');
    const refused = await inbox.receive(signal(1)).then(
      () => undefined,
      (err: unknown) => err,
    );
    // Logged by the inbox once for its batch; the route answers 503 without logging it again for each alert.
    expect(refused).toBeInstanceOf(InboxUnavailableError);
    expect(refused).toMatchObject({ alreadyLogged: true, cause: { code: expect.stringMatching(/^SQLITE_BUSY/) } });
    other.exec('COMMIT');
    await expect(inbox.receive(signal(2))).resolves.toEqual({ outcome: 'stored', id: 's2' });
    expect(rows(db)).toEqual(['s2']);
    inbox.close();
    other.close();
    db.close();
  });
});
