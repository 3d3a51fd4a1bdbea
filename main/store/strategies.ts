import type { Db } from './db.js';

/** Why a strategy cannot be deleted now: its alerts still being worked on, its orders waiting for the trader. */
export interface StrategyInUse {
  /** Its alerts that are queued or processing. */
  activeSignals: number;
  /** Its orders held for manual approval. */
  pendingApprovals: number;
}

export type StrategyDeleteResult = { deleted: true } | { deleted: false; notFound: true } | { deleted: false; notFound?: false; inUse: StrategyInUse };

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

  /** What still needs the strategy: alerts in the worker, approvals waiting. Zero for both when it may go. */
  inUse(id: string): StrategyInUse {
    const signals = this.db.prepare("SELECT count(*) AS n FROM signals WHERE strategy_id = ? AND status IN ('queued', 'processing')").get(id) as { n: number };
    const approvals = this.db.prepare("SELECT count(*) AS n FROM approvals WHERE strategy_id = ? AND status = 'pending'").get(id) as { n: number };
    return { activeSignals: signals.n, pendingApprovals: approvals.n };
  }

  /**
   * Deletes the strategy unless something still needs it, checked in the same transaction as the delete (an alert
   * copied in meanwhile is seen). Its account links go with it (ON DELETE CASCADE); its signals, decisions and
   * orders stay, with its id. The audit trigger records the delete.
   */
  deleteIfUnused(id: string): StrategyDeleteResult {
    return this.db.transaction((): StrategyDeleteResult => {
      if (!this.db.prepare('SELECT 1 FROM strategies WHERE id = ?').get(id)) return { deleted: false, notFound: true };
      const inUse = this.inUse(id);
      if (inUse.activeSignals > 0 || inUse.pendingApprovals > 0) return { deleted: false, inUse };
      this.db.prepare('DELETE FROM strategies WHERE id = ?').run(id);
      return { deleted: true };
    })();
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM strategies').get() as { n: number }).n;
  }
}
