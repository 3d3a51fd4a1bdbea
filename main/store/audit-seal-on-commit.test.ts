import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { openDatabase, type Db } from './db.js';
import { sealAudit, sealLater, verifyAudit } from './audit.js';
import { SignalRepo } from './signals.js';
import { OrderRepo } from './orders.js';
import { tempDir } from '../test-support/agent.js';

const setting = (db: Db, key: string) => db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)').run(key, 'v');
const unsealed = (db: Db) => (db.prepare('SELECT count(*) AS n FROM audit_log WHERE hash IS NULL').get() as { n: number }).n;

describe('audit rows sealed in the commit that writes them', () => {
  it('a transaction commits its audit rows already sealed, and the chain verifies', () => {
    const db = openDatabase({ file: path.join(tempDir(), 'seal-commit.db') });
    db.transaction(() => {
      setting(db, 'a');
      setting(db, 'b');
      expect(unsealed(db)).toBe(2); // not before its end
    })();
    expect(unsealed(db)).toBe(0);
    expect(verifyAudit(db)).toMatchObject({ ok: true, checked: 2, unsealed: 0 });
    db.close();
  });

  it('rows written outside a transaction wait for the next commit or the periodic sealer, in order', () => {
    const db = openDatabase({ file: path.join(tempDir(), 'seal-autocommit.db') });
    setting(db, 'a'); // autocommit: no hook
    expect(unsealed(db)).toBe(1);
    db.transaction(() => setting(db, 'b'))();
    expect(unsealed(db)).toBe(0);
    setting(db, 'c');
    expect(sealAudit(db)).toBe(1);
    const keys = (db.prepare("SELECT row_id FROM audit_log ORDER BY seq").all() as { row_id: string }[]).map((r) => r.row_id);
    expect(keys).toEqual(['a', 'b', 'c']);
    expect(verifyAudit(db)).toMatchObject({ ok: true, checked: 3, unsealed: 0 });
    db.close();
  });

  it('a nested transaction seals with the outer commit; a rolled-back one leaves nothing behind', () => {
    const db = openDatabase({ file: path.join(tempDir(), 'seal-nested.db') });
    db.transaction(() => {
      db.transaction(() => setting(db, 'inner'))();
      expect(unsealed(db)).toBe(1); // a savepoint released is not a commit
      setting(db, 'outer');
    })();
    expect(unsealed(db)).toBe(0);
    expect(() =>
      db.transaction(() => {
        setting(db, 'lost');
        throw new Error('boom');
      })(),
    ).toThrow('boom');
    expect((db.prepare('SELECT count(*) AS n FROM audit_log').get() as { n: number }).n).toBe(2);
    setting(db, 'after');
    expect(sealAudit(db)).toBe(1);
    expect(verifyAudit(db)).toMatchObject({ ok: true, checked: 3, unsealed: 0 });
    db.close();
  });

  it('commits made under sealLater leave their rows to the next commit, which seals them in order', () => {
    const db = openDatabase({ file: path.join(tempDir(), 'seal-later.db') });
    sealLater(() => {
      db.transaction(() => setting(db, 'a'))();
      db.transaction(() => setting(db, 'b'))();
    });
    expect(unsealed(db)).toBe(2);
    db.transaction(() => setting(db, 'c'))(); // the next commit seals the tail
    expect(unsealed(db)).toBe(0);
    const keys = (db.prepare('SELECT row_id FROM audit_log ORDER BY seq').all() as { row_id: string }[]).map((r) => r.row_id);
    expect(keys).toEqual(['a', 'b', 'c']);
    expect(verifyAudit(db)).toMatchObject({ ok: true, checked: 3, unsealed: 0 });
    // The flag does not outlive its call, thrown out of or not.
    expect(() =>
      sealLater(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    db.transaction(() => setting(db, 'd'))();
    expect(unsealed(db)).toBe(0);
    db.close();
  });

  it("an alert's copy into signals leaves its audit row to the next commit", () => {
    const db = openDatabase({ file: path.join(tempDir(), 'seal-later-copy.db') });
    db.prepare("INSERT INTO strategies (id, name, webhook_id, enabled, config, created_at) VALUES ('s1', 'S', 'w1', 1, '{}', '2026-01-01T00:00:00Z')").run();
    sealAudit(db);
    const signals = new SignalRepo(db);
    const row = { seq: 1, id: 'sig_1', strategy_id: 's1', received_at: '2026-01-01T00:00:01Z', content_type: 'application/json', source_ip: null, raw_body: '{}', body_hash: 'h', dedupe_key: 'k', status: 'queued', code: null, message: null, parsed: '{"symbol":"AAPL"}', symbol: 'AAPL' };
    signals.ingest('e1', [row] as never);
    expect(unsealed(db)).toBe(1);
    db.transaction(() => setting(db, 'next'))();
    expect(unsealed(db)).toBe(0);
    expect(verifyAudit(db)).toMatchObject({ ok: true, unsealed: 0 });
    db.close();
  });

  it('the commit that stores an order before its broker call leaves its rows to the next commit; others seal as before', () => {
    const db = openDatabase({ file: path.join(tempDir(), 'seal-later-order.db') });
    const orders = new OrderRepo(db);
    const order = (id: string) => ({ id, accountId: 'a1', leg: 'entry', createdAt: '2026-01-01T00:00:00Z', request: { clientOrderId: `c-${id}`, symbol: 'AAPL', side: 'buy', type: 'market', quantity: '1', timeInForce: 'day' } as never });
    orders.transaction(() => orders.insertIfAbsent(order('o1')), { sealLater: true });
    const left = unsealed(db);
    expect(left).toBeGreaterThanOrEqual(2); // the order and its event
    orders.transaction(() => orders.insertIfAbsent(order('o2')));
    expect(unsealed(db)).toBe(0);
    expect(verifyAudit(db)).toMatchObject({ ok: true, unsealed: 0 });
    db.close();
  });

  it('a database without an audit log (inbox.db) commits as before', () => {
    const db = openDatabase({ file: path.join(tempDir(), 'no-audit.db'), migrations: [{ version: 1, name: 't', up: (d) => d.exec('CREATE TABLE t (n INTEGER)') }] });
    db.transaction(() => db.prepare('INSERT INTO t VALUES (1)').run())();
    expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 1 });
    db.close();
  });
});
