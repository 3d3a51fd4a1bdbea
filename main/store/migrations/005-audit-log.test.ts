import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { openDatabase } from '../db.js';
import { MIGRATIONS } from './index.js';
import { tempDir } from '../../test-support/agent.js';

describe('migration 005 audit log', () => {
  it('records writes to audited tables and refuses to update or delete audit rows and order events', () => {
    const db = openDatabase({ file: path.join(tempDir(), 'm5.db'), migrations: MIGRATIONS });
    db.prepare("INSERT INTO settings (key, value) VALUES ('a', '1')").run();
    db.prepare("UPDATE settings SET value = '2' WHERE key = 'a'").run();
    db.prepare("INSERT INTO order_events (order_id, at, kind) VALUES ('o1', 't', 'created')").run();
    const rows = db.prepare('SELECT tbl, row_id, op, payload FROM audit_log ORDER BY seq').all() as { tbl: string; row_id: string; op: string; payload: string }[];
    expect(rows.map((r) => `${r.tbl}:${r.row_id}:${r.op}`)).toEqual(['settings:a:insert', 'settings:a:update', 'order_events:1:insert']);
    expect(JSON.parse(rows[1]!.payload)).toEqual({ key: 'a', value: '2' });
    expect(() => db.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/);
    expect(() => db.prepare("UPDATE audit_log SET payload = '{}' WHERE seq = 1").run()).toThrow(/append-only/);
    expect(() => db.prepare("UPDATE order_events SET kind = 'x'").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM order_events').run()).toThrow(/append-only/);
    // The sealer's update (hash on an unsealed row, nothing else) is the one allowed change; once sealed, never again.
    db.prepare("UPDATE audit_log SET prev_hash = 'p', hash = 'h' WHERE seq = 1").run();
    expect(() => db.prepare("UPDATE audit_log SET hash = 'h2' WHERE seq = 1").run()).toThrow(/append-only/);
    db.close();
  });
});
