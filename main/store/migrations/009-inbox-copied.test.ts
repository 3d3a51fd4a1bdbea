import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { openDatabase } from '../db.js';
import { MIGRATIONS } from './index.js';
import { SignalRepo } from '../signals.js';
import { tempDir } from '../../test-support/agent.js';
import { inboxRow } from '../../test-support/inbox-rows.js';

describe('migration 009 inbox copy mark', () => {
  it('records the last copied row per inbox file, in the copy itself, and never moves back', () => {
    const db = openDatabase({ file: path.join(tempDir(), 'm9.db'), migrations: MIGRATIONS });
    const repo = new SignalRepo(db);
    expect(repo.copiedSeq('e1')).toBe(0);
    repo.ingest('e1', [inboxRow(1), inboxRow(2)]);
    expect(repo.copiedSeq('e1')).toBe(2);
    repo.ingest('e1', [inboxRow(1)]); // a late repeat of an older row
    expect(repo.copiedSeq('e1')).toBe(2);
    expect(repo.copiedSeq('e2')).toBe(0); // a new inbox file starts from its first row
    expect(db.prepare('SELECT count(*) AS n FROM signals').get()).toEqual({ n: 2 });
    db.close();
  });
});
