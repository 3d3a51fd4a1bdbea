import { ccxtExchangesFor } from '../account-connections.js';
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { openDatabase, type Db } from '../store/db.js';
import { tempDir } from '../test-support/agent.js';
import { exportConfig, importConfig, type ConfigSnapshot } from './config-io.js';

/** A strategy `config` as POST /api/strategies stores it and the engine reads it (StrategySettings). */
const API_CONFIG = {
  strategy: { sides: 'long', allowAdd: true, approval: { mode: 'manual', timeoutSeconds: 600 } },
  accounts: { acc1: { sides: 'both' } },
  risk: { maxOrderQuantity: '5' },
  intake: { ipAllowlist: ['52.89.214.238'], rateLimit: { perSecond: 5, burst: 10 } },
};

/** A source database; `legacy` adds what earlier versions let in: a credential in an account's config and a
 *  password in a notification baseUrl. Neither may ever leave. */
function source(legacy = true): Db {
  const db = openDatabase({ file: path.join(tempDir(), 'src.db') });
  db.prepare("INSERT INTO accounts (id, name, broker, environment, config, created_at) VALUES ('acc1', 'Paper', 'paper', 'paper', ?, '2026-01-01T00:00:00.000Z')").run(JSON.stringify({ paper: { startingCash: '10000' }, risk: { maxOpenPositions: 3 }, ...(legacy ? { apiSecret: 'CANARYaccountSecret' } : {}) }));
  db.prepare("INSERT INTO strategies (id, name, webhook_id, passphrase_hash, enabled, config, created_at) VALUES ('str1', 'Breakout', 'CANARYwebhookId', 'CANARYpassHash', 1, ?, '2026-01-01T00:00:00.000Z')").run(JSON.stringify(API_CONFIG));
  db.prepare("INSERT INTO strategy_accounts (strategy_id, account_id) VALUES ('str1', 'acc1')").run();
  db.prepare("INSERT INTO settings (key, value) VALUES ('seeded', 'x'), ('notify.config', ?), ('symbolMappings', '[]')").run(JSON.stringify({ telegram: { enabled: true, events: ['fill'], chatId: '12345', baseUrl: `https://${legacy ? 'user:CANARYbasePw@' : ''}relay.example.com/` } }));
  return db;
}

const fresh = (name: string): Db => openDatabase({ file: path.join(tempDir(), `${name}.db`) });
const snapshot = (over: Partial<ConfigSnapshot>): ConfigSnapshot => ({ format: 'viewzenix-config', version: 1, exportedAt: '2026-01-05T00:00:00.000Z', accounts: [], strategies: [], settings: {}, ...over });
const errorsOf = (r: ReturnType<typeof importConfig>): string[] => (r.ok ? [] : r.errors.map((e) => `${e.path} ${e.message}`));
const storedConfig = (db: Db, id: string): unknown => JSON.parse((db.prepare('SELECT config FROM strategies WHERE id = ?').get(id) as { config: string }).config);

describe('configuration export', () => {
  it('writes strategies in the shape the engine reads, accounts and settings, without credentials, webhook ids, passphrase hashes or URL passwords', () => {
    const db = source();
    const snap = exportConfig(db, '2026-01-05T00:00:00.000Z');
    db.close();
    expect(snap).toMatchObject({ format: 'viewzenix-config', version: 1 });
    expect(snap.accounts).toEqual([{ id: 'acc1', name: 'Paper', broker: 'paper', environment: 'paper', config: { paper: { startingCash: '10000' }, risk: { maxOpenPositions: 3 } } }]);
    expect(snap.strategies).toEqual([{ id: 'str1', name: 'Breakout', enabled: true, config: API_CONFIG, accountIds: ['acc1'] }]);
    expect(Object.keys(snap.settings).sort()).toEqual(['notify.config', 'symbolMappings']);
    expect(JSON.parse(snap.settings['notify.config']!)).toEqual({ telegram: { enabled: true, events: ['fill'], chatId: '12345', baseUrl: 'https://relay.example.com/' } });
    expect(JSON.stringify(snap)).not.toMatch(/CANARY/);
  });
});

describe('configuration import', () => {
  it('round-trips exactly: an export imported into a new database stores the same configuration, and importing it again changes nothing', () => {
    const src = source(false);
    const snap = exportConfig(src);
    // Imported where it came from: nothing to change.
    expect(importConfig(src, snap, { dryRun: true })).toMatchObject({ ok: true, summary: { add: 0, update: 0 } });
    src.close();
    const dst = fresh('dst');
    const applied = importConfig(dst, snap, { dryRun: false });
    expect(errorsOf(applied)).toEqual([]);
    expect(applied).toMatchObject({ ok: true, applied: true, summary: { add: 4, update: 0 }, accountsAdded: ['acc1'] });
    expect(storedConfig(dst, 'str1')).toEqual(API_CONFIG);
    const again = exportConfig(dst, snap.exportedAt);
    expect(again).toEqual(snap);
    expect(importConfig(dst, again, { dryRun: true })).toMatchObject({ ok: true, summary: { add: 0, update: 0, unchanged: 4 } });
    const s = dst.prepare('SELECT webhook_id, passphrase_hash FROM strategies WHERE id = ?').get('str1') as { webhook_id: string; passphrase_hash: string | null };
    expect(s.webhook_id).toMatch(/^[A-Za-z0-9_-]{24}$/); // a fresh webhook id, not the source's
    expect(s.passphrase_hash).toBeNull();
    dst.close();
  });

  it('shows the diff on a dry run and changes nothing; applying creates and updates in one go', () => {
    const dst = fresh('diff');
    dst.prepare("INSERT INTO accounts (id, name, broker, environment, config, created_at) VALUES ('acc1', 'Old name', 'paper', 'paper', '{}', 't')").run();
    const file = snapshot({
      accounts: [{ id: 'acc1', name: 'Paper', broker: 'paper', environment: 'paper', config: { risk: { maxOpenPositions: 2 } } }],
      strategies: [{ id: 'str1', name: 'S', enabled: true, config: { strategy: { sides: 'long' } }, accountIds: ['acc1'] }],
    });
    const dry = importConfig(dst, file, { dryRun: true });
    expect(dry).toMatchObject({ ok: true, dryRun: true, applied: false, summary: { add: 1, update: 1, unchanged: 0 } });
    expect(dry.ok && dry.changes.find((c) => c.entity === 'account')).toEqual({ entity: 'account', id: 'acc1', action: 'update', changes: [{ path: '/name', before: 'Old name', after: 'Paper' }, { path: '/config/risk', after: { maxOpenPositions: 2 } }] });
    expect(dst.prepare('SELECT count(*) AS n FROM strategies').get()).toEqual({ n: 0 });
    expect(importConfig(dst, file, { dryRun: false })).toMatchObject({ ok: true, applied: true });
    expect(dst.prepare("SELECT name, config FROM accounts WHERE id = 'acc1'").get()).toEqual({ name: 'Paper', config: '{"risk":{"maxOpenPositions":2}}' });
    dst.close();
  });

  it('moves the flat strategy settings and accountOverrides of earlier files where the engine reads them, never dropping one', () => {
    const dst = fresh('legacy');
    dst.prepare("INSERT INTO accounts (id, name, broker, environment, created_at) VALUES ('acc1', 'Paper', 'paper', 'paper', 't')").run();
    const legacy = snapshot({
      strategies: [{ id: 'str_imported1', name: 'Imported manual', enabled: true, accountIds: ['acc1'], config: { approval: { mode: 'manual', timeoutSeconds: 600 }, sides: 'long', risk: { maxOrderQuantity: '3' } }, accountOverrides: { acc1: { allowAdd: true } } }],
    });
    expect(importConfig(dst, legacy, { dryRun: false })).toMatchObject({ ok: true, applied: true });
    expect(storedConfig(dst, 'str_imported1')).toEqual({ strategy: { approval: { mode: 'manual', timeoutSeconds: 600 }, sides: 'long' }, accounts: { acc1: { allowAdd: true } }, risk: { maxOrderQuantity: '3' } });
    expect(dst.prepare('SELECT config FROM strategy_accounts').get()).toEqual({ config: '{}' });
    // The same field given both ways is refused, not silently decided.
    const both = snapshot({ strategies: [{ id: 's2', name: 'Both', enabled: true, accountIds: ['acc1'], config: { sides: 'long', strategy: { sides: 'short' }, accounts: { acc1: {} } }, accountOverrides: { acc1: { sides: 'both' } } }] });
    expect(errorsOf(importConfig(dst, both, { dryRun: true }))).toEqual([
      '/strategies/0/config/sides is also given in config.strategy; give it once, in config.strategy',
      '/strategies/0/accountOverrides/acc1 is also given in config.accounts; give it once, in config.accounts',
    ]);
    dst.close();
  });

  it('validates strategies with the API\'s schema: unknown fields at any depth are refused naming the path, every error at once', () => {
    const db = fresh('bad');
    const bad = {
      format: 'viewzenix-config',
      version: 1,
      surprise: true,
      accounts: [{ id: 'acc1', name: 'A', broker: 'paper', environment: 'paper', config: {}, extra: 1 }],
      strategies: [{ id: 'str1', name: 'S', enabled: 'yes', config: { sides: 'sideways', colour: 'red', strategy: { approval: { mode: 'manual', timeoutSeconds: 60, by: 'x' } }, risk: { maxOrderQty: '1' }, intake: { ipAllowlist: ['nope'] } }, accountIds: ['acc9'] }],
      settings: { seeded: 'x' },
    };
    const errors = errorsOf(importConfig(db, bad, { dryRun: false }));
    expect(errors).toEqual(
      expect.arrayContaining([
        '/ unknown field "surprise"',
        '/accounts/0 unknown field "extra"',
        '/strategies/0/enabled must be boolean',
        '/strategies/0/config unknown field "colour"',
        '/strategies/0/config/strategy/approval unknown field "by"',
        '/strategies/0/config/risk unknown field "maxOrderQty"',
        expect.stringMatching(/^\/strategies\/0\/config\/intake\/ipAllowlist\/0 /),
        expect.stringMatching(/^\/strategies\/0\/config\/sides /),
      ]),
    );
    expect(db.prepare('SELECT count(*) AS n FROM accounts').get()).toEqual({ n: 0 });
    // With the schema problems fixed, the reference checks speak.
    const r2 = importConfig(db, snapshot({ strategies: [{ id: 'str1', name: 'S', enabled: true, config: {}, accountIds: ['acc9'] }], settings: { seeded: 'x' } }), { dryRun: true });
    expect(!r2.ok && r2.errors).toEqual([
      { path: '/strategies/0/accountIds/0', message: 'unknown account acc9' },
      { path: '/settings/seeded', message: 'an internal setting cannot be imported' },
    ]);
    db.close();
  });

  it('makes the checks of POST /api/accounts: broker, environment per broker, OANDA accountId, CCXT exchange id, no credential in config', async () => {
    const ccxtExchanges = await ccxtExchangesFor([{ broker: 'ccxt' }]);
    const db = fresh('accounts');
    const file = snapshot({
      accounts: [
        { id: 'acc_imp_o', name: 'O', broker: 'oanda', environment: 'paper', config: {} },
        { id: 'acc_imp_x', name: 'X', broker: 'nosuchbroker', environment: 'moon', config: {} },
        { id: 'acc_imp_c', name: 'C', broker: 'ccxt', environment: 'live', config: { exchange: 'nope' } },
        { id: 'acc_imp_k', name: 'K', broker: 'paper', environment: 'paper', config: { nested: { apiKey: 'CANARYimportKey' } } },
      ],
    });
    const r = importConfig(db, file, { dryRun: true, ccxtExchanges });
    const errors = errorsOf(r);
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^\/accounts\/1\/broker must be one of paper, alpaca, oanda, ccxt/),
        expect.stringMatching(/^\/accounts\/1\/environment must be one of /),
      ]),
    );
    // The first problems are schema problems; with the broker fixed, the broker-specific checks speak.
    const fixed = snapshot({ accounts: file.accounts.filter((a) => a.id !== 'acc_imp_x') });
    expect(errorsOf(importConfig(db, fixed, { dryRun: true, ccxtExchanges }))).toEqual([
      '/accounts/0/environment must be one of practice, demo, live for oanda',
      expect.stringMatching(/^\/accounts\/0\/config\/accountId is required for oanda/),
      expect.stringMatching(/^\/accounts\/1\/config\/exchange "nope" is not an exchange id CCXT knows/),
      expect.stringMatching(/^\/accounts\/2\/config\/nested\/apiKey looks like a credential; credentials are not settings: give them as "credentials"/),
    ]);
    expect(JSON.stringify(importConfig(db, fixed, { dryRun: true, ccxtExchanges }))).not.toMatch(/CANARY/);
    expect(db.prepare('SELECT count(*) AS n FROM accounts').get()).toEqual({ n: 0 });
    db.close();
  });

  it('refuses to change the broker, environment, base URL or connection settings of an existing account; its risk settings may change', () => {
    const db = fresh('existing');
    db.prepare("INSERT INTO accounts (id, name, broker, environment, config, created_at) VALUES ('acc1', 'Paper', 'paper', 'paper', ?, 't')").run(JSON.stringify({ paper: { startingCash: '10000' } }));
    const moved = snapshot({ accounts: [{ id: 'acc1', name: 'Paper', broker: 'alpaca', environment: 'live', baseUrl: 'https://api.alpaca.markets', config: { paper: { startingCash: '5' } } }] });
    expect(errorsOf(importConfig(db, moved, { dryRun: false }))).toEqual([
      expect.stringMatching(/^\/accounts\/0\/broker cannot be changed by an import: account acc1 is connected with the stored value .*; it is paper$/),
      expect.stringMatching(/^\/accounts\/0\/environment cannot be changed by an import: .*; it is paper$/),
      expect.stringMatching(/^\/accounts\/0\/baseUrl cannot be changed by an import/),
      expect.stringMatching(/^\/accounts\/0\/config\/paper is a connection setting and cannot be changed by an import/),
    ]);
    expect(db.prepare("SELECT broker, environment FROM accounts WHERE id = 'acc1'").get()).toEqual({ broker: 'paper', environment: 'paper' });
    const risk = snapshot({ accounts: [{ id: 'acc1', name: 'Paper', broker: 'paper', environment: 'paper', config: { paper: { startingCash: '10000' }, risk: { maxOpenPositions: 1 } } }] });
    expect(importConfig(db, risk, { dryRun: false })).toMatchObject({ ok: true, applied: true, summary: { update: 1 } });
    db.close();
  });

  it('an earlier version\'s stored credential and URL password are hidden in the preview and removed by the import', () => {
    const db = source();
    const snap = exportConfig(db);
    const dry = importConfig(db, snap, { dryRun: true });
    expect(dry.ok && dry.changes.find((c) => c.entity === 'account')?.changes).toEqual([{ path: '/config/apiSecret', before: '(hidden)' }]);
    expect(dry.ok && dry.changes.find((c) => c.id === 'notify.config')?.action).toBe('update');
    expect(JSON.stringify(dry)).not.toMatch(/CANARY/);
    expect(importConfig(db, snap, { dryRun: false })).toMatchObject({ ok: true, applied: true });
    expect(JSON.stringify(db.prepare('SELECT config FROM accounts').all()) + JSON.stringify(db.prepare('SELECT value FROM settings').all())).not.toMatch(/CANARY/);
    db.close();
  });

  it('checks the notification settings like PUT /api/notifications/channels: no user:password@ in baseUrl, no credential key, no unknown field', () => {
    const db = fresh('notify');
    const notify = { telegram: { enabled: true, events: ['fill'], baseUrl: 'https://user:CANARYbasePw@relay.example.com/' }, slack: { enabled: true, events: ['fill'], botToken: 'CANARYbot' }, pager: { enabled: true, events: [] } };
    const r = importConfig(db, snapshot({ settings: { 'notify.config': JSON.stringify(notify), 'tunnel.settings': JSON.stringify({ ngrok: { authtoken: 'CANARYtok' } }), apiToken: 'CANARYsetting' } }), { dryRun: true });
    expect(errorsOf(r)).toEqual([
      expect.stringMatching(/^\/settings\/notify.config\/telegram\/baseUrl must not contain a user name or password \(user:password@\); credentials are kept in the vault: PUT \/api\/credentials\/notify:telegram/),
      expect.stringMatching(/^\/settings\/notify.config\/slack\/botToken looks like a credential; credentials are not settings: credentials are kept in the vault: PUT \/api\/credentials\/notify:slack/),
      expect.stringMatching(/^\/settings\/notify.config\/pager is not a notification channel/),
      expect.stringMatching(/^\/settings\/tunnel.settings\/ngrok\/authtoken looks like a credential/),
      expect.stringMatching(/^\/settings\/apiToken looks like a credential/),
    ]);
    expect(JSON.stringify(r)).not.toMatch(/CANARY/);
    db.close();
  });
});
