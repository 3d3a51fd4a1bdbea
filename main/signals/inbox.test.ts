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
});
