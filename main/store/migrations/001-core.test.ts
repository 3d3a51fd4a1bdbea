import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { openDatabase } from '../db.js';
import { m001 } from './001-core.js';
import { tempDir } from '../../test-support/agent.js';

describe('migration 001 core', () => {
  it('creates the core tables with the unique keys exactly-once relies on', () => {
    const db = openDatabase({ file: path.join(tempDir(), 'm1.db'), migrations: [m001] });
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name);
    for (const t of ['settings', 'accounts', 'strategies', 'strategy_accounts', 'signals', 'signal_decisions', 'orders', 'order_events', 'fills', 'trading_state']) expect(tables).toContain(t);
    const insert = db.prepare("INSERT INTO signals (id, strategy_id, received_at, raw_body, body_hash, dedupe_key, status) VALUES (?, 's', 't', 'b', 'h', ?, 'queued')");
    insert.run('a', 'k1');
    expect(() => insert.run('b', 'k1')).toThrow(/UNIQUE/);
    const order = db.prepare("INSERT INTO orders (id, client_order_id, account_id, symbol, side, type, quantity, time_in_force, status, request, created_at, updated_at) VALUES (?, ?, 'a', 'X', 'buy', 'market', '1', 'day', 'created', '{}', 't', 't')");
    order.run('o1', 'c1');
    expect(() => order.run('o2', 'c1')).toThrow(/UNIQUE/);
    db.close();
  });
});
