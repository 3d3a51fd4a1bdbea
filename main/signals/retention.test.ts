import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { openDatabase } from '../store/db.js';
import { SignalRepo } from '../store/signals.js';
import { tempDir } from '../test-support/agent.js';
import { inboxRow } from '../test-support/inbox-rows.js';
import { pruneRejectedOnce } from './retention.js';

describe('retention of rejected alerts', () => {
  it('drops rejected rows beyond the age and count limits and never touches accepted ones', () => {
    const db = openDatabase({ file: path.join(tempDir(), 'r.db') });
    const repo = new SignalRepo(db);
    const day = (d: number) => new Date(Date.UTC(2026, 0, d)).toISOString();
    const rows = Array.from({ length: 20 }, (_, i) =>
      inboxRow(i, { seq: i + 1, receivedAt: day(1 + i), status: i % 2 === 0 ? 'rejected' : 'queued', dedupeKey: i % 2 === 0 ? undefined : `k${i}` }),
    );
    repo.ingest('e', rows);
    const removed = pruneRejectedOnce(repo, { maxAgeDays: 10, maxRows: 3, everyMs: 1 }, new Date(Date.UTC(2026, 0, 21)));
    const left = repo.list({ limit: 100 });
    const rejected = left.filter((s) => s.status === 'rejected');
    expect(left.filter((s) => s.status === 'queued')).toHaveLength(10);
    expect(rejected.length).toBeLessThanOrEqual(3);
    expect(rejected.every((s) => s.receivedAt >= day(11))).toBe(true);
    expect(removed).toBe(10 - rejected.length);
    db.close();
  });
});
