import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { openDatabase, type Db } from '../db.js';
import { sealAudit, verifyAudit } from '../audit.js';
import { MIGRATIONS } from './index.js';
import { tempDir } from '../../test-support/agent.js';

const setting = (db: Db, key: string) => db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)').run(key, 'v');
const indexes = (db: Db) => (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'audit_log'").all() as { name: string }[]).map((r) => r.name);

describe('migration 011', () => {
  it('drops the unsealed-rows index; the sealer then continues the chain from the rows sealed before it, in order', () => {
    const file = path.join(tempDir(), 'm11.db');
    const before = openDatabase({ file, migrations: MIGRATIONS.filter((m) => m.version < 11) });
    expect(indexes(before)).toContain('audit_log_unsealed');
    for (let i = 0; i < 5; i++) setting(before, `a${i}`);
    expect(sealAudit(before)).toBe(5);
    for (let i = 0; i < 3; i++) setting(before, `b${i}`); // written, not sealed, when the migration runs
    before.close();

    const after = openDatabase({ file, migrations: MIGRATIONS });
    expect(indexes(after)).not.toContain('audit_log_unsealed');
    for (let i = 0; i < 4; i++) setting(after, `c${i}`);
    // Small batches: each one starts where the previous one stopped.
    expect(sealAudit(after, 2)).toBe(2);
    expect(sealAudit(after, 2)).toBe(2);
    expect(sealAudit(after)).toBe(3);
    expect(sealAudit(after)).toBe(0);
    const v = verifyAudit(after);
    expect(v).toMatchObject({ ok: true, checked: 12, unsealed: 0 });
    const keys = (after.prepare("SELECT row_id FROM audit_log WHERE tbl = 'settings' ORDER BY seq").all() as { row_id: string }[]).map((r) => r.row_id);
    expect(keys).toEqual(['a0', 'a1', 'a2', 'a3', 'a4', 'b0', 'b1', 'b2', 'c0', 'c1', 'c2', 'c3']);
    after.close();
  });

  it('the sealer reads only the unsealed tail, not the whole log', () => {
    const db = openDatabase({ file: path.join(tempDir(), 'm11-plan.db') });
    const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join('; ');
    expect(plan('SELECT seq, at, tbl, row_id, op, payload FROM audit_log WHERE seq > 10 AND hash IS NULL ORDER BY seq LIMIT 100')).toMatch(/USING INTEGER PRIMARY KEY \(rowid>\?\)/);
    expect(plan('SELECT seq, hash FROM audit_log WHERE hash IS NOT NULL ORDER BY seq DESC LIMIT 1')).not.toMatch(/TEMP B-TREE/);
    db.close();
  });
});
