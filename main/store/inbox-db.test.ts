import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { DEDUPE_KEEP_MS, InboxReader, InboxStore, inboxEpoch, openInboxDatabase } from './inbox-db.js';
import { openDatabase } from './db.js';
import { tempDir } from '../test-support/agent.js';
import { inboxInsert } from '../test-support/inbox-rows.js';

const at = (s: number) => new Date(Date.UTC(2026, 0, 5, 10, 0, s)).toISOString();

describe('inbox.db, the listener’s own file', () => {
  it('an alert with an id or a time is a duplicate of the first one with the same key, for as long as the key is kept', () => {
    const db = openInboxDatabase(path.join(tempDir(), 'd.db'));
    const store = new InboxStore(db);
    expect(store.commitBatch([inboxInsert(1), inboxInsert(2, { dedupeKey: 'k1' })])).toEqual([
      { outcome: 'stored', id: 's1' },
      { outcome: 'duplicate', id: 's1' },
    ]);
    // Still a duplicate after the row itself was copied and deleted.
    store.prune({ copiedSeq: 1, windowSince: at(0), keysSince: at(0) });
    store.commitBatch([inboxInsert(3)]); // a newer row, so the first may go
    store.prune({ copiedSeq: 3, windowSince: at(0), keysSince: at(0) });
    expect(db.prepare('SELECT id FROM alerts').all()).toEqual([{ id: 's3' }]);
    expect(store.commitBatch([inboxInsert(4, { dedupeKey: 'k1' })])).toEqual([{ outcome: 'duplicate', id: 's1' }]);
    // Past its time the key is forgotten.
    store.prune({ copiedSeq: 3, windowSince: at(0), keysSince: at(2) });
    expect(store.commitBatch([inboxInsert(5, { dedupeKey: 'k1' })])).toEqual([{ outcome: 'stored', id: 's5' }]);
    db.close();
  });

  it('a body with neither id nor time is a duplicate only within the window, and a rejected alert never makes one', () => {
    const db = openInboxDatabase(path.join(tempDir(), 'w.db'));
    const store = new InboxStore(db);
    const plain = (i: number, over = {}) => inboxInsert(i, { dedupeKey: undefined, bodyHash: 'same', windowSince: at(i - 60), ...over });
    expect(store.commitBatch([plain(1, { status: 'rejected', code: 'INVALID_JSON' }), plain(2), plain(30)])).toEqual([
      { outcome: 'stored', id: 's1' },
      { outcome: 'stored', id: 's2' },
      { outcome: 'duplicate', id: 's2' },
    ]);
    expect(store.commitBatch([plain(63)])).toEqual([{ outcome: 'stored', id: 's63' }]); // s2 is 61 s old
    expect(store.commitBatch([plain(64, { strategyId: 'other' })])).toEqual([{ outcome: 'stored', id: 's64' }]);
    db.close();
  });

  it('pruning keeps the newest row, so seq keeps growing, and deletes nothing that was not copied', () => {
    const file = path.join(tempDir(), 'p.db');
    const db = openInboxDatabase(file);
    const store = new InboxStore(db);
    store.commitBatch([inboxInsert(1), inboxInsert(2), inboxInsert(3)]);
    store.prune({ copiedSeq: 2, windowSince: at(0), keysSince: at(0) });
    expect(db.prepare('SELECT seq FROM alerts ORDER BY seq').all()).toEqual([{ seq: 3 }]);
    store.prune({ copiedSeq: 99, windowSince: at(0), keysSince: at(0) });
    expect(db.prepare('SELECT seq FROM alerts').all()).toEqual([{ seq: 3 }]);
    store.commitBatch([inboxInsert(4)]);
    expect(db.prepare('SELECT max(seq) AS seq FROM alerts').get()).toEqual({ seq: 4 });
    store.syncCommittedNow();
    const reader = new InboxReader(openDatabase({ file, readonly: true }));
    expect(reader.epoch).toBe(inboxEpoch(db));
    expect(reader.rows(0, 99, 10).map((r) => [r.seq, r.id])).toEqual([
      [3, 's3'],
      [4, 's4'],
    ]);
    reader.close();
    db.close();
  });

  it('keys carried over from before the file existed make re-sent alerts duplicates; a reopened file is durable from the start', () => {
    const file = path.join(tempDir(), 's.db');
    const db = openInboxDatabase(file);
    const store = new InboxStore(db);
    expect(store.seeded()).toBe(false);
    store.seedKeys([{ key: 'k9', signalId: 'old9', receivedAt: new Date(Date.now() - DEDUPE_KEEP_MS / 2).toISOString() }]);
    expect(store.seeded()).toBe(true);
    expect(store.commitBatch([inboxInsert(9)])).toEqual([{ outcome: 'duplicate', id: 'old9' }]);
    store.commitBatch([inboxInsert(10)]); // committed, never synced by this connection
    store.closeSync();
    db.close();
    const again = new InboxStore(openInboxDatabase(file));
    expect(again.lastDurableSeq()).toBe(1);
  });
});
