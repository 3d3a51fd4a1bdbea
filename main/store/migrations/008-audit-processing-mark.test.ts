import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { openDatabase } from '../db.js';
import { MIGRATIONS } from './index.js';
import { SignalRepo } from '../signals.js';
import { tempDir } from '../../test-support/agent.js';
import { inboxRow } from '../../test-support/inbox-rows.js';

describe('migration 008 audit of the processing mark', () => {
  it('skips only the queued → processing mark; the final status and any other edit of a signal are audited', () => {
    const db = openDatabase({ file: path.join(tempDir(), 'm7.db'), migrations: MIGRATIONS });
    const repo = new SignalRepo(db);
    repo.ingest('e', [inboxRow(1)]);
    const audited = () => (db.prepare("SELECT op, payload FROM audit_log WHERE tbl = 'signals' AND row_id = 's1' ORDER BY seq").all() as { op: string; payload: string }[]).map((r) => `${r.op}:${(JSON.parse(r.payload) as { status: string }).status}`);
    expect(audited()).toEqual(['insert:queued']);
    repo.markProcessing('s1');
    repo.markProcessing('s1'); // a retry after a crash
    expect(audited()).toEqual(['insert:queued']);
    // A change made together with the mark (here: the symbol) is not the bare mark: audited.
    db.prepare("UPDATE signals SET status = 'processing', symbol = 'MSFT' WHERE id = 's1'").run();
    expect(audited()).toEqual(['insert:queued', 'update:processing']);
    repo.finish('s1', 'done', '2026-01-05T10:00:01.000Z');
    expect(audited()).toEqual(['insert:queued', 'update:processing', 'update:done']);
    // Back to queued, or an edit of a finished row: audited.
    db.prepare("UPDATE signals SET status = 'queued' WHERE id = 's1'").run();
    db.prepare("UPDATE signals SET body_hash = 'forged' WHERE id = 's1'").run();
    expect(audited()).toEqual(['insert:queued', 'update:processing', 'update:done', 'update:queued', 'update:queued']);
    db.close();
  });
});
