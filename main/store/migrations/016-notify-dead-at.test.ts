import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { openDatabase } from '../db.js';
import { MIGRATIONS } from './index.js';
import { OutboxRepo } from '../outbox.js';
import { tempDir } from '../../test-support/agent.js';

describe('migration 016 notify dead_at', () => {
  it('dates a message given up before the upgrade by its last scheduled attempt; the others have none', () => {
    const file = path.join(tempDir(), 'm16.db');
    const before = openDatabase({ file, migrations: MIGRATIONS.filter((m) => m.version < 16) });
    const row = before.prepare("INSERT INTO notify_outbox (channel, kind, dedupe_key, message, status, attempts, next_attempt_at, created_at, last_error) VALUES ('discord', 'fill', ?, ?, ?, ?, ?, '2026-01-02T10:00:00.000Z', ?)");
    const message = JSON.stringify({ kind: 'fill', severity: 'info', title: 'Filled: buy 1 AAPL', lines: [], fields: [], at: '2026-01-02T10:00:00.000Z' });
    row.run('dead', message, 'dead', 10, '2026-01-02T10:41:00.000Z', 'Gave up after 10 attempts: Discord answered 500');
    row.run('waiting', message, 'pending', 1, '2026-01-02T10:00:05.000Z', null);
    before.close();

    const db = openDatabase({ file, migrations: MIGRATIONS });
    expect(db.prepare('SELECT dedupe_key, dead_at FROM notify_outbox ORDER BY id').all()).toEqual([
      { dedupe_key: 'dead', dead_at: '2026-01-02T10:41:00.000Z' },
      { dedupe_key: 'waiting', dead_at: null },
    ]);
    const { rows, total } = new OutboxRepo(db).undelivered({ limit: 10 });
    expect(total).toBe(1);
    expect(rows[0]).toMatchObject({ dedupeKey: 'dead', deadAt: '2026-01-02T10:41:00.000Z', lastError: 'Gave up after 10 attempts: Discord answered 500' });
    db.close();
  });
});
