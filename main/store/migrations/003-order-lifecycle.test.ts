import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { openDatabase } from '../db.js';
import { m001 } from './001-core.js';
import { m002 } from './002-paper-broker.js';
import { m003 } from './003-order-lifecycle.js';
import { tempDir } from '../../test-support/agent.js';

describe('migration 003 order lifecycle', () => {
  it('adds parent links, the reconcile state and the paper resting-order columns on top of 002, keeping existing rows', () => {
    const file = path.join(tempDir(), 'm3.db');
    const before = openDatabase({ file, migrations: [m001, m002] });
    before.prepare("INSERT INTO paper_orders (account_id, client_order_id, broker_order_id, symbol, side, type, quantity, status, request, updated_at) VALUES ('a', 'c1', 'b1', 'X', 'buy', 'limit', '1', 'accepted', '{}', 't')").run();
    before.close();
    const db = openDatabase({ file, migrations: [m001, m002, m003] });
    const cols = (t: string) => (db.prepare(`PRAGMA table_info(${t})`).all() as { name: string }[]).map((c) => c.name);
    expect(cols('orders')).toContain('parent_order_id');
    expect(cols('reconcile_state')).toEqual(['account_id', 'fills_cursor', 'baseline', 'last_run_at', 'last_result']);
    for (const c of ['triggered', 'trail_amount', 'trail_percent', 'trail_extreme', 'parent_client_order_id', 'oco_group']) expect(cols('paper_orders')).toContain(c);
    expect(cols('external_fills')).toEqual(['account_id', 'trade_id']);
    expect(db.prepare("SELECT triggered FROM paper_orders WHERE client_order_id = 'c1'").get()).toEqual({ triggered: 0 });
    db.close();
  });
});
