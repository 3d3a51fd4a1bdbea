// Reads and writes the trader's configuration as one snapshot (strategies, accounts, their links and
// overrides, settings) for export/import. Never touches credentials (vault), webhook ids or passphrase hashes.
import type { Db } from './db.js';

export interface AccountSnapshot {
  id: string;
  name: string;
  broker: string;
  environment: string;
  baseUrl?: string;
  config: Record<string, unknown>;
}

export interface StrategySnapshot {
  id: string;
  name: string;
  enabled: boolean;
  config: Record<string, unknown>;
  accountIds: string[];
  /** Per-account overrides of the strategy configuration (strategy_accounts.config), only non-empty ones. */
  accountOverrides?: Record<string, Record<string, unknown>>;
}

export interface ConfigSnapshotData {
  accounts: AccountSnapshot[];
  strategies: StrategySnapshot[];
  settings: Record<string, string>;
}

export function readConfigSnapshot(db: Db): ConfigSnapshotData {
  const accounts = (db.prepare('SELECT id, name, broker, environment, base_url, config FROM accounts ORDER BY created_at, id').all() as { id: string; name: string; broker: string; environment: string; base_url: string | null; config: string }[]).map((a) => ({
    id: a.id,
    name: a.name,
    broker: a.broker,
    environment: a.environment,
    ...(a.base_url ? { baseUrl: a.base_url } : {}),
    config: JSON.parse(a.config) as Record<string, unknown>,
  }));
  const links = db.prepare('SELECT account_id, config FROM strategy_accounts WHERE strategy_id = ? ORDER BY rowid');
  const strategies = (db.prepare('SELECT id, name, enabled, config FROM strategies ORDER BY created_at, id').all() as { id: string; name: string; enabled: number; config: string }[]).map((s) => {
    const l = links.all(s.id) as { account_id: string; config: string }[];
    const overrides = Object.fromEntries(l.map((x) => [x.account_id, JSON.parse(x.config) as Record<string, unknown>]).filter(([, c]) => Object.keys(c as object).length > 0));
    return {
      id: s.id,
      name: s.name,
      enabled: s.enabled === 1,
      config: JSON.parse(s.config) as Record<string, unknown>,
      accountIds: l.map((x) => x.account_id),
      ...(Object.keys(overrides).length ? { accountOverrides: overrides } : {}),
    };
  });
  const settings = Object.fromEntries((db.prepare('SELECT key, value FROM settings ORDER BY key').all() as { key: string; value: string }[]).map((r) => [r.key, r.value]));
  return { accounts, strategies, settings };
}

/** Upserts everything in one transaction: all of it applies, or none. Nothing absent from the snapshot is deleted. */
export function applyConfigSnapshot(db: Db, data: ConfigSnapshotData, o: { now: string; newWebhookId: () => string }): void {
  db.transaction(() => {
    const upsertAccount = db.prepare(
      `INSERT INTO accounts (id, name, broker, environment, base_url, config, created_at) VALUES (@id, @name, @broker, @environment, @baseUrl, @config, @now)
       ON CONFLICT(id) DO UPDATE SET name = excluded.name, broker = excluded.broker, environment = excluded.environment, base_url = excluded.base_url, config = excluded.config`,
    );
    for (const a of data.accounts) upsertAccount.run({ id: a.id, name: a.name, broker: a.broker, environment: a.environment, baseUrl: a.baseUrl ?? null, config: JSON.stringify(a.config), now: o.now });
    const exists = db.prepare('SELECT 1 FROM strategies WHERE id = ?');
    const insertStrategy = db.prepare('INSERT INTO strategies (id, name, webhook_id, enabled, config, created_at) VALUES (?, ?, ?, ?, ?, ?)');
    const updateStrategy = db.prepare('UPDATE strategies SET name = ?, enabled = ?, config = ? WHERE id = ?');
    const unlink = db.prepare('DELETE FROM strategy_accounts WHERE strategy_id = ?');
    const link = db.prepare('INSERT INTO strategy_accounts (strategy_id, account_id, config) VALUES (?, ?, ?)');
    for (const s of data.strategies) {
      if (exists.get(s.id)) updateStrategy.run(s.name, s.enabled ? 1 : 0, JSON.stringify(s.config), s.id);
      else insertStrategy.run(s.id, s.name, o.newWebhookId(), s.enabled ? 1 : 0, JSON.stringify(s.config), o.now);
      unlink.run(s.id);
      for (const a of s.accountIds) link.run(s.id, a, JSON.stringify(s.accountOverrides?.[a] ?? {}));
    }
    const setting = db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
    for (const [k, v] of Object.entries(data.settings)) setting.run(k, v);
  })();
}
