import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import path from 'node:path';
import { InboxReader, InboxStore, MAX_ROWS_REPORTED, openInboxDatabase, type CommittedRows } from '../store/inbox-db.js';
import { openDatabase } from '../store/db.js';
import { SignalRepo } from '../store/signals.js';
import pino from 'pino';
import { tempDir } from '../test-support/agent.js';
import { inboxInsert } from '../test-support/inbox-rows.js';
import { InboxCopier } from './inbox-copy.js';

function setup() {
  const dir = tempDir();
  const inboxFile = path.join(dir, 'inbox.db');
  const writerDb = openInboxDatabase(inboxFile);
  const store = new InboxStore(writerDb);
  const mainDb = openDatabase({ file: path.join(dir, 'viewzenix.db') });
  const signals = new SignalRepo(mainDb);
  const lines: string[] = [];
  const log = pino({ level: 'info' }, { write: (l: string) => lines.push(l) });
  const reader = () => new InboxReader(openDatabase({ file: inboxFile, readonly: true }));
  return { store, writerDb, mainDb, signals, reader, log, lines };
}

describe('copying durable alerts into signals', () => {
  it('copies in arrival order only what the writer reported durable, each row once, rejected ones included', () => {
    const { store, signals, reader, log } = setup();
    store.commitBatch([inboxInsert(1), inboxInsert(2, { status: 'rejected', code: 'INVALID_JSON', dedupeKey: undefined })]);
    store.syncCommittedNow();
    store.commitBatch([inboxInsert(3)]); // not synced yet
    const copier = new InboxCopier(reader(), signals, log);
    expect(copier.copy(store.lastDurableSeq())).toBe(2);
    expect(signals.list().map((s) => [s.id, s.status])).toEqual([
      ['s2', 'rejected'],
      ['s1', 'queued'],
    ]);
    expect(signals.pending(10).map((s) => s.id)).toEqual(['s1']);
    expect(copier.copy(store.lastDurableSeq())).toBe(0); // nothing new
    store.syncCommittedNow();
    expect(copier.copy(store.lastDurableSeq())).toBe(1);
    expect(signals.pending(10).map((s) => s.id)).toEqual(['s1', 's3']);
    // A new copier (a restart) resumes after the last copied row.
    store.commitBatch([inboxInsert(4)]);
    const again = new InboxCopier(reader(), signals, log);
    expect(again.copyAllOnDisk()).toBe(1);
    expect(signals.pending(10).map((s) => s.id)).toEqual(['s1', 's3', 's4']);
  });

  it('reports the rows stored as rejected once each, after their copy; not queued ones, not ones already stored', () => {
    const { store, signals, reader, log } = setup();
    const reported: string[][] = [];
    const onRejected = (rows: readonly { id: string; status: string; code: string | null }[]) => reported.push(rows.map((r) => `${r.id}:${r.status}:${r.code}`));
    store.commitBatch([inboxInsert(1), inboxInsert(2, { status: 'rejected', code: 'MISSING_TICKER', dedupeKey: undefined }), inboxInsert(3, { status: 'rejected', code: 'PASSPHRASE_INVALID' })]);
    store.syncCommittedNow();
    const copier = new InboxCopier(reader(), signals, log, (rows) => {
      expect(signals.list().map((x) => x.id)).toEqual(expect.arrayContaining(rows.map((r) => r.id))); // stored first
      onRejected(rows);
    });
    copier.copyAllOnDisk();
    copier.copyAllOnDisk(); // nothing new: nothing reported again
    expect(reported).toEqual([['s2:rejected:MISSING_TICKER', 's3:rejected:PASSPHRASE_INVALID']]);
    // A row already in signals (the same id, from another inbox file) is not copied again, so not reported again.
    const other = setup();
    other.store.commitBatch([inboxInsert(3, { status: 'rejected', code: 'PASSPHRASE_INVALID' }), inboxInsert(9, { status: 'rejected', code: 'INVALID_JSON' })]);
    other.store.syncCommittedNow();
    new InboxCopier(other.reader(), signals, log, onRejected).copyAllOnDisk();
    expect(reported).toEqual([['s2:rejected:MISSING_TICKER', 's3:rejected:PASSPHRASE_INVALID'], ['s9:rejected:INVALID_JSON']]);
  });

  it('an alert whose id or dedupe key is in signals already is not copied again, and says so', () => {
    const { store, signals, reader, log, lines } = setup();
    store.commitBatch([inboxInsert(1)]);
    store.syncCommittedNow();
    const copier = new InboxCopier(reader(), signals, log);
    copier.copyAllOnDisk();
    // A new inbox file (lost, or an older install's keys not carried over) receives the same alert again.
    const other = setup();
    other.store.commitBatch([inboxInsert(7, { dedupeKey: 'k1' })]);
    other.store.syncCommittedNow();
    const copier2 = new InboxCopier(other.reader(), signals, log);
    expect(copier2.copyAllOnDisk()).toBe(1);
    expect(signals.list().map((s) => s.id)).toEqual(['s1']);
    expect(lines.join('\n')).toContain('s7');
  });

  it('releases rows for deletion only once their copy is on disk, and only when something new was copied', async () => {
    const { store, signals, reader, log } = setup();
    const copier = new InboxCopier(reader(), signals, log);
    await expect(copier.releasable()).resolves.toBeUndefined();
    store.commitBatch([inboxInsert(1), inboxInsert(2)]);
    store.syncCommittedNow();
    copier.copy(store.lastDurableSeq());
    let synced = false;
    const realSync = signals.syncCommitted.bind(signals);
    signals.syncCommitted = async () => {
      await realSync();
      synced = true;
    };
    await expect(copier.releasable()).resolves.toBe(2);
    expect(synced).toBe(true);
    await expect(copier.releasable()).resolves.toBeUndefined();
  });

  it('a client asking for an alert it was answered for finds it before the writer’s report arrives', () => {
    const { store, signals, reader, log } = setup();
    const copier = new InboxCopier(reader(), signals, log);
    signals.copyLate = (id) => void copier.copyAnswered(id);
    store.commitBatch([inboxInsert(1), inboxInsert(2)]);
    store.syncCommittedNow(); // answered; the report to the main thread is still on its way
    expect(signals.get('s2')).toMatchObject({ id: 's2', status: 'queued' });
    expect(signals.pending(10).map((s) => s.id)).toEqual(['s1', 's2']); // in arrival order
    expect(signals.get('nope')).toBeUndefined();
  });

  it('a row copied before its sync is held from the broker until the writer reports it durable, in arrival order', async () => {
    const { store, signals, reader, log } = setup();
    store.commitBatch([inboxInsert(1)]);
    store.syncCommittedNow();
    const copier = new InboxCopier(reader(), signals, log);
    copier.markDurable(store.lastDurableSeq()); // the writer's report, as the intake passes it on
    copier.copy(store.lastDurableSeq());
    expect(copier.untilDurable('s1')).toBeUndefined(); // copied once durable: nothing to wait for
    store.commitBatch([inboxInsert(2)]);
    store.commitBatch([inboxInsert(3)]);
    expect(copier.copy(store.lastCommittedSeq())).toBe(2); // committed, not synced: copied early
    expect(signals.pending(10).map((s) => s.id)).toEqual(['s1', 's2', 's3']);
    const woke: string[] = [];
    void copier.untilDurable('s2')!.then(() => woke.push('s2'));
    void copier.untilDurable('s3')!.then(() => woke.push('s3'));
    expect(copier.untilDurable('s2')).toBe(copier.untilDurable('s2')); // one wait per row
    copier.copyAnswered('s3'); // a client asking for it does not make it durable
    await Promise.resolve();
    expect(woke).toEqual([]);
    copier.markDurable(2); // s2 synced, s3 not yet
    await Promise.resolve();
    expect(woke).toEqual(['s2']);
    expect(copier.untilDurable('s2')).toBeUndefined();
    copier.markDurable(3);
    await Promise.resolve();
    expect(woke).toEqual(['s2', 's3']);
  });

  it('after the writer stopped, syncing and copying everything releases every held row', async () => {
    const { store, signals, reader, log } = setup();
    const copier = new InboxCopier(reader(), signals, log);
    store.commitBatch([inboxInsert(1)]);
    copier.copy(store.lastCommittedSeq());
    const held = copier.untilDurable('s1');
    expect(held).toBeDefined();
    store.commitBatch([inboxInsert(2)]); // committed, never reported
    expect(copier.copyAllOnDisk()).toBe(1);
    await expect(held).resolves.toBeUndefined();
    expect(copier.untilDurable('s2')).toBeUndefined();
  });
});

describe('rows carried by the writer\'s reports', () => {
  /** A reader that counts the rows it reads back from the file. */
  const counting = (reader: InboxReader) => {
    let read = 0;
    const rows = reader.rows.bind(reader);
    reader.rows = (after, upTo, limit) => {
      const r = rows(after, upTo, limit);
      read += r.length;
      return r;
    };
    return { reader, read: () => read };
  };
  const stored = (mainDb: ReturnType<typeof setup>['mainDb']) =>
    mainDb.prepare('SELECT id, strategy_id, received_at, content_type, source_ip, raw_body, body_hash, dedupe_key, status, code, message, parsed, symbol FROM signals ORDER BY seq').all();

  it('are copied as reported, without reading them back, and stored as a read-back copy stores them', () => {
    const { store, signals, mainDb, reader, log } = setup();
    const r = counting(reader());
    const copier = new InboxCopier(r.reader, signals, log);
    store.commitBatch([inboxInsert(1), inboxInsert(2, { status: 'rejected', code: 'INVALID_JSON', dedupeKey: undefined, parsed: undefined })]);
    copier.offer(store.takeCommitted()!);
    store.commitBatch([inboxInsert(3, { contentType: 'text/plain', sourceIp: '52.89.214.238' })]);
    copier.offer(store.takeCommitted()!);
    expect(copier.copy(1)).toBe(1); // a copy stops where it is told, reported rows or not
    expect(copier.copy(store.lastCommittedSeq())).toBe(2);
    expect(r.read()).toBe(0);
    // The same rows copied by reading them back, into another database.
    const other = setup();
    const viaFile = new InboxCopier(reader(), other.signals, log);
    viaFile.copy(store.lastCommittedSeq());
    expect(stored(mainDb)).toEqual(stored(other.mainDb));
    expect(stored(mainDb)).toHaveLength(3);
  });

  it('a report lost between them (or past the limit) is read back instead; nothing is skipped or copied twice', () => {
    const { store, signals, mainDb, reader, log } = setup();
    const r = counting(reader());
    const copier = new InboxCopier(r.reader, signals, log);
    store.commitBatch([inboxInsert(1)]);
    store.takeCommitted(); // this report never arrives
    store.commitBatch([inboxInsert(2), inboxInsert(3)]);
    copier.offer(store.takeCommitted()!);
    expect(copier.copy(store.lastCommittedSeq())).toBe(3);
    expect(r.read()).toBe(3);
    store.commitBatch(Array.from({ length: MAX_ROWS_REPORTED + 1 }, (_, i) => inboxInsert(10 + i)));
    expect(store.takeCommitted()).toBeUndefined();
    expect(copier.copy(store.lastCommittedSeq())).toBe(MAX_ROWS_REPORTED + 1);
    expect((stored(mainDb) as { id: string }[]).map((x) => x.id)).toEqual(['s1', 's2', 's3', ...Array.from({ length: MAX_ROWS_REPORTED + 1 }, (_, i) => `s${10 + i}`)]);
  });

  it('for any order of commits, lost reports, partial and limited copies, signals get every row once, in order, as stored', () => {
    type Step = { kind: 'commit'; n: number; report: boolean } | { kind: 'copy'; upTo: number; max: number | null } | { kind: 'failed' };
    const step: fc.Arbitrary<Step> = fc.oneof(
      { weight: 5, arbitrary: fc.record({ kind: fc.constant('commit' as const), n: fc.integer({ min: 1, max: 6 }), report: fc.boolean() }) },
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('copy' as const), upTo: fc.integer({ min: 0, max: 100 }), max: fc.option(fc.integer({ min: 1, max: 7 })) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('failed' as const) }) },
    );
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 25 }), (steps) => {
        const { store, writerDb, signals, mainDb, reader, log } = setup();
        const copier = new InboxCopier(reader(), signals, log);
        let i = 0;
        const reports: CommittedRows[] = [];
        for (const s of steps) {
          if (s.kind === 'commit') {
            store.commitBatch(Array.from({ length: s.n }, () => inboxInsert(++i)));
            const c = store.takeCommitted();
            if (c && s.report) reports.push(c);
          } else if (s.kind === 'failed') {
            // A batch whose commit fails: its rows are not in the file and must not be reported.
            writerDb.exec('CREATE TEMP TRIGGER IF NOT EXISTS refuse BEFORE INSERT ON alerts BEGIN SELECT RAISE(ABORT, \'refused\'); END');
            expect(() => store.commitBatch([inboxInsert(1000 + i)])).toThrow('refused');
            writerDb.exec('DROP TRIGGER refuse');
          } else {
            // Reports arrive in order, some only now; a copy goes up to a seq the writer committed, or takes at most
            // `max` rows of the way (an alert storm's steps).
            for (const c of reports.splice(0)) copier.offer(c);
            const before = copier.copiedSeq;
            const n = copier.copy(Math.min(s.upTo, store.lastCommittedSeq()), s.max ?? undefined);
            if (s.max !== null) expect(n).toBeLessThanOrEqual(s.max);
            expect(copier.copiedSeq).toBeGreaterThanOrEqual(before);
          }
        }
        for (const c of reports.splice(0)) copier.offer(c);
        copier.copy(store.lastCommittedSeq());
        const other = setup();
        new InboxCopier(reader(), other.signals, log).copy(store.lastCommittedSeq());
        expect(stored(mainDb)).toEqual(stored(other.mainDb));
        expect(stored(mainDb)).toHaveLength(i);
        for (const db of [mainDb, writerDb, other.mainDb, other.writerDb]) db.close();
      }),
      { numRuns: 60 },
    );
  });
});
