import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { openDatabase } from '../db.js';
import { MIGRATIONS } from './index.js';
import { tempDir } from '../../test-support/agent.js';

describe('migration 010', () => {
  it('drops the body-hash index of signals, which nothing reads any more, and keeps the others', () => {
    const file = path.join(tempDir(), 'm10.db');
    const before = openDatabase({ file, migrations: MIGRATIONS.filter((m) => m.version < 10) });
    const names = (db: typeof before) => (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'signals' AND sql IS NOT NULL").all() as { name: string }[]).map((r) => r.name).sort();
    expect(names(before)).toContain('signals_body_hash');
    before.close();
    const after = openDatabase({ file, migrations: MIGRATIONS });
    expect(names(after)).toEqual(['signals_received', 'signals_status']);
    after.close();
  });
});
