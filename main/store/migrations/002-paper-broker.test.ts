import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { openDatabase } from '../db.js';
import { m001 } from './001-core.js';
import { m002 } from './002-paper-broker.js';
import { tempDir } from '../../test-support/agent.js';

describe('migration 002 paper broker', () => {
  it('adds the paper books on top of 001, with client order ids unique per account', () => {
    const db = openDatabase({ file: path.join(tempDir(), 'm2.db'), migrations: [m001, m002] });
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'paper_%'").all() as { name: string }[]).map((r) => r.name).sort();
    expect(tables).toEqual(['paper_accounts', 'paper_fills', 'paper_orders', 'paper_positions', 'paper_prices']);
    const ins = db.prepare("INSERT INTO paper_orders (account_id, client_order_id, broker_order_id, symbol, side, type, quantity, status, request, updated_at) VALUES (?, 'c1', ?, 'X', 'buy', 'market', '1', 'accepted', '{}', 't')");
    ins.run('a1', 'b1');
    ins.run('a2', 'b2');
    expect(() => ins.run('a1', 'b3')).toThrow(/UNIQUE/);
    db.close();
  });
});
