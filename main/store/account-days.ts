// What the loss limits remember of an account's day (migrations 013, 014): the equity the day is measured from and
// the day's highest equity, per account and trading day (RiskRules.tradingDay; the UTC day when it is not set). Kept
// in the database so a restart (or a crash) does not forgive the day's loss or forget its high; written only when a
// day starts, the high rises, or the setting used for the account changes. A day is keyed by the instant it started,
// so the key is the same after a restart, and a different setting gives different days (docs/strategy-and-risk.md,
// "The day").
import { Decimal } from 'decimal.js';
import type { Db } from './db.js';
import type { TradingDayWindow } from '../risk/trading-day.js';

/** Where the day's starting equity came from. */
export type DayStartFrom = 'broker' | 'first_reading' | 'carried';

export interface AccountDay {
  /** The equity the day is measured from. */
  start: string;
  /** The day's highest equity seen. */
  high: string;
  /** `broker`: the broker's own figure (Alpaca's `last_equity`), used only while the setting is left out;
   *  `first_reading`: the first equity the agent read in the day; `carried`: the setting changed during the day,
   *  and the day then running goes on being measured from its start (a change never forgives a loss). */
  startFrom: DayStartFrom;
  /** When the agent read the starting equity (unknown for a day stored before this was kept, and for `broker`). */
  startReadAt?: string;
  /** `carried`: the key (start) of the day the starting equity and high came from. */
  carriedFrom?: string;
}

export interface DayObservation {
  accountId: string;
  /** Whose setting the day is: 'account' (the account's risk rules), or 'strategy:<id>' for a strategy that overrides
   *  `tradingDay`. A change of the setting is seen per scope. */
  scope: string;
  day: Pick<TradingDayWindow, 'start' | 'end' | 'definition' | 'brokerStart'>;
  /** The equity read now. */
  equity: string;
  /** The broker's own starting equity of its day, when it reports one (Alpaca's `last_equity`). */
  brokerStart?: string;
  now: string;
}

interface Row {
  start: string;
  high: string;
  startReadAt?: string;
  carriedFrom?: string;
}
interface RawRow {
  start: string;
  high: string;
  startReadAt: string | null;
  carriedFrom: string | null;
}
interface Scope {
  definition: string;
  day: string;
}

/** Cached rows beyond this are dropped (and read again when asked for): every write goes to the database first. */
const MAX_CACHED = 1000;

export class AccountDayRepo {
  /** By account and day key. */
  private readonly rows = new Map<string, Row>();
  /** By account and scope: the setting used last, and its day. */
  private readonly scopes = new Map<string, Scope | null>();

  constructor(private readonly db: Db) {}

  /**
   * Records the equity read now and answers the day's start and high. The start is the broker's own (`brokerStart`)
   * when the day is the default UTC day and the broker reports one, else the first equity recorded in the day, or
   * (when the scope's setting changed while its previous day was running) that day's start.
   */
  observe(o: DayObservation): AccountDay {
    const scopeKey = `${o.accountId}\u0000${o.scope}`;
    let scope = this.scopes.get(scopeKey);
    if (scope === undefined) {
      scope = (this.db.prepare('SELECT definition, day FROM account_day_scope WHERE account_id = ? AND scope = ?').get(o.accountId, o.scope) as Scope | undefined) ?? null;
      this.scopes.set(scopeKey, scope);
    }
    const rowKey = `${o.accountId}\u0000${o.day.start}`;
    let row = this.rows.get(rowKey) ?? this.read(o.accountId, o.day.start);
    if (!row) {
      // The setting of this scope changed while the day it defined was still running: the new day goes on from that
      // day's start and high until it ends, so changing the setting cannot forgive the loss already counted.
      const running = scope && scope.definition !== o.day.definition && scope.day !== o.day.start ? this.readRunning(o.accountId, scope.day, o.now) : undefined;
      row = running
        ? { start: running.start, high: Decimal.max(running.high, o.equity).toString(), ...(running.startReadAt ? { startReadAt: running.startReadAt } : {}), carriedFrom: scope!.day }
        : { start: o.equity, high: o.equity, startReadAt: o.now };
      this.db
        .prepare('INSERT INTO account_day (account_id, day, day_end, start_equity, high_equity, start_read_at, carried_from) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(o.accountId, o.day.start, o.day.end, row.start, row.high, row.startReadAt ?? null, row.carriedFrom ?? null);
    }
    if (this.rows.size >= MAX_CACHED) this.rows.clear();
    this.rows.set(rowKey, row);
    if (!scope || scope.definition !== o.day.definition || scope.day !== o.day.start) {
      const next = { definition: o.day.definition, day: o.day.start };
      this.db.prepare('INSERT INTO account_day_scope (account_id, scope, definition, day) VALUES (?, ?, ?, ?) ON CONFLICT (account_id, scope) DO UPDATE SET definition = excluded.definition, day = excluded.day').run(o.accountId, o.scope, next.definition, next.day);
      if (this.scopes.size >= MAX_CACHED) this.scopes.clear();
      this.scopes.set(scopeKey, next);
    }
    const brokerStart = o.day.brokerStart ? o.brokerStart : undefined;
    const high = Decimal.max(row.high, o.equity, brokerStart ?? o.equity);
    if (!high.eq(row.high)) {
      row.high = high.toString();
      this.db.prepare('UPDATE account_day SET high_equity = ? WHERE account_id = ? AND day = ?').run(row.high, o.accountId, o.day.start);
    }
    if (brokerStart !== undefined) return { start: brokerStart, high: row.high, startFrom: 'broker' };
    return {
      start: row.start,
      high: row.high,
      startFrom: row.carriedFrom ? 'carried' : 'first_reading',
      ...(row.startReadAt ? { startReadAt: row.startReadAt } : {}),
      ...(row.carriedFrom ? { carriedFrom: row.carriedFrom } : {}),
    };
  }

  /** Days that started before `before` (an ISO instant) are no longer needed. */
  prune(before: string): number {
    this.rows.clear();
    this.scopes.clear();
    this.db.prepare('DELETE FROM account_day_scope WHERE day < ?').run(before);
    return this.db.prepare('DELETE FROM account_day WHERE day < ?').run(before).changes;
  }

  private read(accountId: string, day: string): Row | undefined {
    const r = this.db.prepare('SELECT start_equity AS start, high_equity AS high, start_read_at AS startReadAt, carried_from AS carriedFrom FROM account_day WHERE account_id = ? AND day = ?').get(accountId, day) as RawRow | undefined;
    return r && toRow(r);
  }

  /** The day `day` of the account, if it has not ended at `now`. */
  private readRunning(accountId: string, day: string, now: string): Row | undefined {
    const r = this.db.prepare('SELECT start_equity AS start, high_equity AS high, start_read_at AS startReadAt, carried_from AS carriedFrom FROM account_day WHERE account_id = ? AND day = ? AND day <= ? AND day_end > ?').get(accountId, day, now, now) as RawRow | undefined;
    return r && toRow(r);
  }
}

function toRow(r: RawRow): Row {
  return { start: r.start, high: r.high, ...(r.startReadAt ? { startReadAt: r.startReadAt } : {}), ...(r.carriedFrom ? { carriedFrom: r.carriedFrom } : {}) };
}
