import type { Db } from './db.js';
import type { TradingState } from '../../shared/trading-state.js';

export class SettingsRepo {
  constructor(private readonly db: Db) {}

  get(key: string): string | undefined {
    const r = this.db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
    return r?.value;
  }

  set(key: string, value: string): void {
    this.db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
  }
}

export interface TradingStateRow {
  scope: string;
  state: TradingState;
  reason?: string;
  updatedAt: string;
}

/** Trading state per scope ('global' or an account id), persisted so a halt survives a restart. */
export class TradingStateRepo {
  constructor(private readonly db: Db) {}

  get(scope: string): TradingStateRow | undefined {
    const r = this.db.prepare('SELECT scope, state, reason, updated_at FROM trading_state WHERE scope = ?').get(scope) as
      | { scope: string; state: TradingState; reason: string | null; updated_at: string }
      | undefined;
    return r && { scope: r.scope, state: r.state, reason: r.reason ?? undefined, updatedAt: r.updated_at };
  }

  all(): TradingStateRow[] {
    return (this.db.prepare('SELECT scope, state, reason, updated_at FROM trading_state').all() as { scope: string; state: TradingState; reason: string | null; updated_at: string }[]).map((r) => ({
      scope: r.scope,
      state: r.state,
      reason: r.reason ?? undefined,
      updatedAt: r.updated_at,
    }));
  }

  /** When this database was created (its first migration): the time the initial state (active) holds since. */
  createdAt(): string | undefined {
    return (this.db.prepare('SELECT MIN(applied_at) AS at FROM schema_migrations').get() as { at: string | null } | undefined)?.at ?? undefined;
  }

  set(scope: string, state: TradingState, reason: string | undefined, at: string): void {
    this.db
      .prepare('INSERT INTO trading_state (scope, state, reason, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT(scope) DO UPDATE SET state = excluded.state, reason = excluded.reason, updated_at = excluded.updated_at')
      .run(scope, state, reason ?? null, at);
  }
}
