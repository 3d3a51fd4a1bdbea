import type { Db } from './db.js';

export interface StrategyRow {
  id: string;
  name: string;
  webhookId: string;
  passphraseHash?: string;
  enabled: boolean;
  config: Record<string, unknown>;
  accountIds: string[];
  createdAt: string;
}

interface RawStrategy {
  id: string;
  name: string;
  webhook_id: string;
  passphrase_hash: string | null;
  enabled: number;
  config: string;
  created_at: string;
}

export class StrategyRepo {
  constructor(private readonly db: Db) {}

  private accounts(id: string): string[] {
    return (this.db.prepare('SELECT account_id FROM strategy_accounts WHERE strategy_id = ? ORDER BY rowid').all(id) as { account_id: string }[]).map((r) => r.account_id);
  }

  private map(r: RawStrategy): StrategyRow {
    return {
      id: r.id,
      name: r.name,
      webhookId: r.webhook_id,
      passphraseHash: r.passphrase_hash ?? undefined,
      enabled: r.enabled === 1,
      config: JSON.parse(r.config) as Record<string, unknown>,
      accountIds: this.accounts(r.id),
      createdAt: r.created_at,
    };
  }

  list(): StrategyRow[] {
    return (this.db.prepare('SELECT * FROM strategies ORDER BY created_at, id').all() as RawStrategy[]).map((r) => this.map(r));
  }

  get(id: string): StrategyRow | undefined {
    const r = this.db.prepare('SELECT * FROM strategies WHERE id = ?').get(id) as RawStrategy | undefined;
    return r && this.map(r);
  }

  byWebhookId(webhookId: string): StrategyRow | undefined {
    const r = this.db.prepare('SELECT * FROM strategies WHERE webhook_id = ?').get(webhookId) as RawStrategy | undefined;
    return r && this.map(r);
  }

  insert(s: StrategyRow): void {
    this.db.transaction(() => {
      this.db
        .prepare('INSERT INTO strategies (id, name, webhook_id, passphrase_hash, enabled, config, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(s.id, s.name, s.webhookId, s.passphraseHash ?? null, s.enabled ? 1 : 0, JSON.stringify(s.config), s.createdAt);
      const link = this.db.prepare('INSERT INTO strategy_accounts (strategy_id, account_id) VALUES (?, ?)');
      for (const a of s.accountIds) link.run(s.id, a);
    })();
  }

  update(s: StrategyRow): void {
    this.db.transaction(() => {
      this.db
        .prepare('UPDATE strategies SET name = ?, webhook_id = ?, passphrase_hash = ?, enabled = ?, config = ? WHERE id = ?')
        .run(s.name, s.webhookId, s.passphraseHash ?? null, s.enabled ? 1 : 0, JSON.stringify(s.config), s.id);
      this.db.prepare('DELETE FROM strategy_accounts WHERE strategy_id = ?').run(s.id);
      const link = this.db.prepare('INSERT INTO strategy_accounts (strategy_id, account_id) VALUES (?, ?)');
      for (const a of s.accountIds) link.run(s.id, a);
    })();
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM strategies').get() as { n: number }).n;
  }
}
