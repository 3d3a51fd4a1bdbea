import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { openDatabase, type Db } from '../store/db.js';
import { tempDir } from '../test-support/agent.js';
import { exportConfig, importConfig, type ConfigSnapshot } from './config-io.js';

function source(): Db {
  const db = openDatabase({ file: path.join(tempDir(), 'src.db') });
  db.prepare("INSERT INTO accounts (id, name, broker, environment, config, created_at) VALUES ('acc1', 'Paper', 'paper', 'paper', ?, '2026-01-01T00:00:00.000Z')").run(JSON.stringify({ paper: { cash: '10000' }, apiSecret: 'CANARYaccountSecret' }));
  db.prepare("INSERT INTO strategies (id, name, webhook_id, passphrase_hash, enabled, config, created_at) VALUES ('str1', 'Breakout', 'CANARYwebhookId', 'CANARYpassHash', 1, ?, '2026-01-01T00:00:00.000Z')").run(JSON.stringify({ sides: 'long', allowAdd: false }));
  db.prepare("INSERT INTO strategy_accounts (strategy_id, account_id, config) VALUES ('str1', 'acc1', ?)").run(JSON.stringify({ sides: 'both' }));
  db.prepare("INSERT INTO settings (key, value) VALUES ('seeded', 'x'), ('notify.config', '{}'), ('symbolMappings', '[]')").run();
  return db;
}

describe('configuration export and import', () => {
  it('exports strategies, accounts, overrides and settings without credentials, webhook ids or passphrase hashes', () => {
    const db = source();
    const snap = exportConfig(db, '2026-01-05T00:00:00.000Z');
    db.close();
    expect(snap).toMatchObject({ format: 'viewzenix-config', version: 1 });
    expect(snap.accounts).toEqual([{ id: 'acc1', name: 'Paper', broker: 'paper', environment: 'paper', config: { paper: { cash: '10000' } } }]);
    expect(snap.strategies).toEqual([{ id: 'str1', name: 'Breakout', enabled: true, config: { sides: 'long', allowAdd: false }, accountIds: ['acc1'], accountOverrides: { acc1: { sides: 'both' } } }]);
    expect(snap.settings).toEqual({ 'notify.config': '{}', symbolMappings: '[]' });
    expect(JSON.stringify(snap)).not.toMatch(/CANARY/);
  });

  it('shows the diff on a dry run and changes nothing; applying creates and updates in one go', () => {
    const src = source();
    const snap = exportConfig(src);
    src.close();
    const dst = openDatabase({ file: path.join(tempDir(), 'dst.db') });
    dst.prepare("INSERT INTO accounts (id, name, broker, environment, created_at) VALUES ('acc1', 'Old name', 'paper', 'paper', 't')").run();
    const dry = importConfig(dst, snap, { dryRun: true });
    expect(dry).toMatchObject({ ok: true, dryRun: true, applied: false, summary: { add: 3, update: 1, unchanged: 0 } });
    const accountChange = dry.ok ? dry.changes.find((c) => c.entity === 'account') : undefined;
    expect(accountChange).toEqual({ entity: 'account', id: 'acc1', action: 'update', changes: [{ path: '/name', before: 'Old name', after: 'Paper' }, { path: '/config/paper', after: { cash: '10000' } }] });
    expect(dst.prepare('SELECT count(*) AS n FROM strategies').get()).toEqual({ n: 0 });

    const applied = importConfig(dst, snap, { dryRun: false });
    expect(applied).toMatchObject({ ok: true, applied: true });
    const s = dst.prepare('SELECT webhook_id, passphrase_hash FROM strategies WHERE id = ?').get('str1') as { webhook_id: string; passphrase_hash: string | null };
    expect(s.webhook_id).toMatch(/^[A-Za-z0-9_-]{24}$/); // a fresh webhook id, not the source's
    expect(s.passphrase_hash).toBeNull();
    expect(dst.prepare('SELECT config FROM strategy_accounts').get()).toEqual({ config: '{"sides":"both"}' });
    expect(importConfig(dst, snap, { dryRun: true })).toMatchObject({ summary: { add: 0, update: 0, unchanged: 4 } });
    dst.close();
  });

  it('rejects unknown fields, bad values, credentials and dangling references, reporting every error at once', () => {
    const db = openDatabase({ file: path.join(tempDir(), 'bad.db') });
    const bad = {
      format: 'viewzenix-config',
      version: 1,
      surprise: true,
      accounts: [{ id: 'acc1', name: 'A', broker: 'alpaca', environment: 'paper', config: { apiKey: 'CANARY' }, extra: 1 }],
      strategies: [{ id: 'str1', name: 'S', enabled: 'yes', config: { sides: 'sideways', colour: 'red' }, accountIds: ['acc9'] }],
      settings: { seeded: 'x' },
    } as unknown as ConfigSnapshot;
    const r = importConfig(db, bad, { dryRun: false });
    expect(r.ok).toBe(false);
    const errors = !r.ok ? r.errors.map((e) => `${e.path} ${e.message}`) : [];
    expect(errors).toEqual(
      expect.arrayContaining([
        '/ unknown field "surprise"',
        '/accounts/0 unknown field "extra"',
        '/strategies/0/enabled must be boolean',
        '/strategies/0/config unknown field "colour"',
        expect.stringMatching(/^\/strategies\/0\/config\/sides /),
        expect.stringMatching(/^\/accounts\/0\/config\/apiKey credentials are not configuration/),
      ]),
    );
    expect(db.prepare('SELECT count(*) AS n FROM accounts').get()).toEqual({ n: 0 });
    // With the schema problems fixed, the reference checks speak.
    const r2 = importConfig(db, { format: 'viewzenix-config', version: 1, accounts: [], strategies: [{ id: 'str1', name: 'S', enabled: true, config: {}, accountIds: ['acc9'] }], settings: { seeded: 'x' } } as unknown as ConfigSnapshot, { dryRun: true });
    expect(!r2.ok && r2.errors).toEqual([
      { path: '/strategies/0/accountIds/0', message: 'unknown account acc9' },
      { path: '/settings/seeded', message: 'an internal setting cannot be imported' },
    ]);
    db.close();
  });
});
