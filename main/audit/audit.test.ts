import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { openDatabase, type Db } from '../store/db.js';
import { auditHash, sealAudit, verifyAudit } from '../store/audit.js';
import { startAudit } from './audit.js';
import { tempDir } from '../test-support/agent.js';

const silent = { error() {}, warn() {} };

function seeded(): Db {
  const db = openDatabase({ file: path.join(tempDir(), 'audit.db') });
  const now = '2026-01-02T03:04:05.000Z';
  db.prepare("INSERT INTO accounts (id, name, broker, environment, created_at) VALUES ('acc1', 'Paper', 'paper', 'paper', ?)").run(now);
  db.prepare("INSERT INTO strategies (id, name, webhook_id, created_at) VALUES ('str1', 'S', 'wh1', ?)").run(now);
  for (let i = 0; i < 20; i++) {
    db.prepare("INSERT INTO orders (id, client_order_id, account_id, symbol, side, type, quantity, time_in_force, status, request, created_at, updated_at) VALUES (?, ?, 'acc1', 'AAPL', 'buy', 'market', '1', 'day', 'created', '{}', ?, ?)").run(`o${i}`, `c${i}`, now, now);
    db.prepare("UPDATE orders SET status = 'filled' WHERE id = ?").run(`o${i}`);
  }
  db.prepare("INSERT INTO trading_state (scope, state, updated_at) VALUES ('global', 'halted', ?)").run(now);
  return db;
}

describe('audit hash chain', () => {
  it('verifies an untouched log and covers every sealed row', () => {
    const db = seeded();
    const trail = startAudit({ db, log: silent, intervalMs: 60_000 });
    const v = trail.verify();
    trail.stop();
    expect(v.ok).toBe(true);
    expect(v.checked).toBe(2 + 40 + 1);
    expect(v.unsealed).toBe(0);
    expect(v.head).toMatch(/^[0-9a-f]{64}$/);
    db.close();
  });

  it('detects a single altered row and names it', () => {
    const db = seeded();
    sealAudit(db);
    // Someone with file access drops the guard and edits one historical row.
    db.exec('DROP TRIGGER audit_log_seal_only');
    db.prepare("UPDATE audit_log SET payload = replace(payload, 'filled', 'canceled') WHERE seq = 10").run();
    const v = verifyAudit(db);
    expect(v.ok).toBe(false);
    expect(v.firstBadRow).toMatchObject({ seq: 10, table: 'orders', reason: 'the row content does not match its hash' });
    expect(v.checked).toBe(9);
    db.close();
  });

  it('detects a removed row and a re-hashed row whose successor no longer links to it', () => {
    const db = seeded();
    sealAudit(db);
    db.exec('DROP TRIGGER audit_log_no_delete');
    db.prepare('DELETE FROM audit_log WHERE seq = 5').run();
    expect(verifyAudit(db).firstBadRow).toMatchObject({ seq: 6, reason: 'row 5 is missing' });

    const db2 = seeded();
    sealAudit(db2);
    db2.exec('DROP TRIGGER audit_log_seal_only');
    // A careful forger recomputes the altered row's own hash; the next row's link still exposes it.
    const row = db2.prepare('SELECT * FROM audit_log WHERE seq = 7').get() as { seq: number; at: string; tbl: string; row_id: string; op: string; payload: string; prev_hash: string };
    const forged = row.payload.replace('AAPL', 'TSLA');
    db2.prepare('UPDATE audit_log SET payload = ?, hash = ? WHERE seq = 7').run(forged, auditHash(row.prev_hash, { ...row, payload: forged }));
    expect(verifyAudit(db2).firstBadRow).toMatchObject({ seq: 8, reason: 'the link to the previous row is broken' });
    db.close();
    db2.close();
  });

  it('seals rows written after the last seal on the next verify', () => {
    const db = seeded();
    const trail = startAudit({ db, log: silent, intervalMs: 60_000 });
    const first = trail.verify();
    db.prepare("UPDATE trading_state SET state = 'active' WHERE scope = 'global'").run();
    expect(verifyAudit(db).unsealed).toBe(1);
    const second = trail.verify();
    trail.stop();
    expect(second).toMatchObject({ ok: true, checked: first.checked + 1, unsealed: 0 });
    db.close();
  });
});
