import type { Db } from './db.js';

export interface AccountRow {
  id: string;
  name: string;
  broker: string;
  environment: string;
  baseUrl?: string;
  config: Record<string, unknown>;
  createdAt: string;
}

interface RawAccount {
  id: string;
  name: string;
  broker: string;
  environment: string;
  base_url: string | null;
  config: string;
  created_at: string;
}

const map = (r: RawAccount): AccountRow => ({
  id: r.id,
  name: r.name,
  broker: r.broker,
  environment: r.environment,
  baseUrl: r.base_url ?? undefined,
  config: JSON.parse(r.config) as Record<string, unknown>,
  createdAt: r.created_at,
});

export class AccountRepo {
  constructor(private readonly db: Db) {}

  list(): AccountRow[] {
    return (this.db.prepare('SELECT * FROM accounts ORDER BY created_at, id').all() as RawAccount[]).map(map);
  }

  get(id: string): AccountRow | undefined {
    const r = this.db.prepare('SELECT * FROM accounts WHERE id = ?').get(id) as RawAccount | undefined;
    return r && map(r);
  }

  insert(a: AccountRow): void {
    this.db
      .prepare('INSERT INTO accounts (id, name, broker, environment, base_url, config, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(a.id, a.name, a.broker, a.environment, a.baseUrl ?? null, JSON.stringify(a.config), a.createdAt);
  }
}
