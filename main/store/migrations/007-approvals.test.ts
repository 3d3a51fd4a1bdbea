import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { openDatabase } from '../db.js';
import { m001 } from './001-core.js';
import { m007 } from './007-approvals.js';
import { MIGRATIONS } from './index.js';
import { tempDir } from '../../test-support/agent.js';

describe('migration 007 approvals', () => {
  const insert = "INSERT INTO approvals (id, signal_id, strategy_id, account_id, leg, symbol, side, quantity, request, intent, verdict, created_at, expires_at, status) VALUES (?, ?, 'str', 'acc', ?, 'AAPL', 'buy', '1', '{}', '{}', '{}', 't0', 't1', ?)";

  it('holds one row per signal, account and leg, and only known statuses and sides', () => {
    const db = openDatabase({ file: path.join(tempDir(), 'm7.db'), migrations: [m001, m007] });
    const ins = db.prepare(insert);
    ins.run('ap1', 'sig1', 'entry', 'pending');
    ins.run('ap2', 'sig1', 'exit', 'pending');
    expect(() => ins.run('ap3', 'sig1', 'entry', 'pending')).toThrow(/UNIQUE/);
    expect(() => ins.run('ap4', 'sig2', 'entry', 'waiting')).toThrow(/CHECK/);
    expect(() => db.prepare("UPDATE approvals SET side = 'hold' WHERE id = 'ap1'").run()).toThrow(/CHECK/);
    db.close();
  });

  it('is registered after the earlier migrations with version 7', () => {
    expect(MIGRATIONS.map((m) => m.version)).toContain(7);
    const db = openDatabase({ file: path.join(tempDir(), 'm7all.db'), migrations: MIGRATIONS });
    db.prepare(insert).run('ap1', 'sig1', 'entry', 'pending');
    expect(db.prepare("UPDATE approvals SET status = 'approved' WHERE id = 'ap1' AND status = 'pending'").run().changes).toBe(1);
    // The guard every decision uses: a second decision changes nothing.
    expect(db.prepare("UPDATE approvals SET status = 'approved' WHERE id = 'ap1' AND status = 'pending'").run().changes).toBe(0);
    db.close();
  });
});
