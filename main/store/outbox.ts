// The notification outbox (migration 004). Rows hold rendered, credential-free messages; the dispatcher
// (main/notify/dispatcher.ts) moves them pending → sending → sent, or back to pending with a later
// next_attempt_at, or to dead after too many attempts. Dead rows are the record of undelivered messages (migration 016
// adds when each was given up): kept until the trader clears them, retries one, or they pass the count or age kept.
import { sqlLimit, type Db } from './db.js';

export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'dead';

export interface OutboxRow {
  id: number;
  channel: string;
  kind: string;
  dedupeKey: string;
  message: unknown;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: string;
  lastError?: string;
  createdAt: string;
  sentAt?: string;
  /** When the dispatcher gave it up (status dead). */
  deadAt?: string;
}

interface Raw {
  id: number;
  channel: string;
  kind: string;
  dedupe_key: string;
  message: string;
  status: OutboxStatus;
  attempts: number;
  next_attempt_at: string;
  last_error: string | null;
  created_at: string;
  sent_at: string | null;
  dead_at: string | null;
}

const map = (r: Raw): OutboxRow => ({
  id: r.id,
  channel: r.channel,
  kind: r.kind,
  dedupeKey: r.dedupe_key,
  message: JSON.parse(r.message) as unknown,
  status: r.status,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  lastError: r.last_error ?? undefined,
  createdAt: r.created_at,
  sentAt: r.sent_at ?? undefined,
  deadAt: r.dead_at ?? undefined,
});

export class OutboxRepo {
  constructor(private readonly db: Db) {}

  /** Queues a message once per (channel, dedupe key); false when it was already queued. */
  enqueue(m: { channel: string; kind: string; dedupeKey: string; message: unknown; at: string }): boolean {
    return (
      this.db
        .prepare("INSERT OR IGNORE INTO notify_outbox (channel, kind, dedupe_key, message, status, next_attempt_at, created_at) VALUES (?, ?, ?, ?, 'pending', ?, ?)")
        .run(m.channel, m.kind, m.dedupeKey, JSON.stringify(m.message), m.at, m.at).changes === 1
    );
  }

  /** At start: a row left 'sending' by a crash may or may not have arrived; sending it again is the safe side. */
  recoverSending(): number {
    return this.db.prepare("UPDATE notify_outbox SET status = 'pending' WHERE status = 'sending'").run().changes;
  }

  due(now: string, limit = 100): OutboxRow[] {
    return (this.db.prepare(`SELECT * FROM notify_outbox WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY id ${sqlLimit(limit)}`).all(now) as Raw[]).map(map);
  }

  nextDueAt(): string | undefined {
    const r = this.db.prepare("SELECT min(next_attempt_at) AS at FROM notify_outbox WHERE status = 'pending'").get() as { at: string | null };
    return r.at ?? undefined;
  }

  markSending(id: number): void {
    this.db.prepare("UPDATE notify_outbox SET status = 'sending', attempts = attempts + 1 WHERE id = ?").run(id);
  }

  markSent(id: number, at: string): void {
    this.db.prepare("UPDATE notify_outbox SET status = 'sent', sent_at = ?, last_error = NULL WHERE id = ?").run(at, id);
  }

  /** Back to pending after a failed attempt, for another one at `nextAttemptAt`. */
  reschedule(id: number, nextAttemptAt: string, error: string): void {
    this.db.prepare("UPDATE notify_outbox SET status = 'pending', next_attempt_at = ?, last_error = ? WHERE id = ?").run(nextAttemptAt, error, id);
  }

  /** The channel asked to wait (429 with Retry-After): back to pending for `nextAttemptAt`, and the send does not
   *  count as an attempt (a busy channel must not use up a message's attempts). */
  rateLimited(id: number, nextAttemptAt: string, error: string): void {
    this.db.prepare("UPDATE notify_outbox SET status = 'pending', attempts = max(attempts - 1, 0), next_attempt_at = ?, last_error = ? WHERE id = ?").run(nextAttemptAt, error, id);
  }

  /** Not attempted yet (the channel is paused or at its rate limit): try again at `at`, no attempt counted. */
  defer(id: number, at: string): void {
    this.db.prepare("UPDATE notify_outbox SET next_attempt_at = ? WHERE id = ? AND status = 'pending'").run(at, id);
  }

  /** Given up at `at`, for `error`: the message joins the record of undelivered ones. */
  markDead(id: number, error: string, at: string): void {
    this.db.prepare("UPDATE notify_outbox SET status = 'dead', last_error = ?, dead_at = ? WHERE id = ?").run(error, at, id);
  }

  /** The channel was removed: every message still waiting for it is given up now, for `error`. A message being sent
   *  this moment finishes (or is given up by the dispatcher, the channel being off). */
  giveUpChannel(channel: string, error: string, at: string): number {
    return this.db.prepare("UPDATE notify_outbox SET status = 'dead', last_error = ?, dead_at = ? WHERE channel = ? AND status = 'pending'").run(error, at, channel).changes;
  }

  /** The channel's settings changed (its pace, its address): its waiting messages are due again now, at the new pace. */
  wakeChannel(channel: string, at: string): number {
    return this.db.prepare("UPDATE notify_outbox SET next_attempt_at = ? WHERE channel = ? AND status = 'pending' AND next_attempt_at > ?").run(at, channel, at).changes;
  }

  /** A dead-lettered message, queued again by the trader. */
  retryDead(id: number, at: string): boolean {
    return this.db.prepare("UPDATE notify_outbox SET status = 'pending', attempts = 0, next_attempt_at = ?, dead_at = NULL WHERE id = ? AND status = 'dead'").run(at, id).changes === 1;
  }

  /** The undelivered messages, the last given up first (`limit` of them), and how many there are. */
  undelivered(opts: { channel?: string; limit: number }): { rows: OutboxRow[]; total: number } {
    const where = opts.channel === undefined ? "status = 'dead'" : "status = 'dead' AND channel = ?";
    const args = opts.channel === undefined ? [] : [opts.channel];
    const rows = (this.db.prepare(`SELECT * FROM notify_outbox WHERE ${where} ORDER BY dead_at DESC, id DESC ${sqlLimit(opts.limit)}`).all(...args) as Raw[]).map(map);
    const total = (this.db.prepare(`SELECT count(*) AS n FROM notify_outbox WHERE ${where}`).get(...args) as { n: number }).n;
    return { rows, total };
  }

  /** The trader has read them: undelivered messages given up at or before `through` (all, without it), of one
   *  channel or of every one, are forgotten. One given up after the list was read stays. */
  clearUndelivered(opts: { channel?: string; through?: string } = {}): number {
    const where = ["status = 'dead'"];
    const args: string[] = [];
    if (opts.channel !== undefined) {
      where.push('channel = ?');
      args.push(opts.channel);
    }
    if (opts.through !== undefined) {
      where.push('dead_at <= ?');
      args.push(opts.through);
    }
    return this.db.prepare(`DELETE FROM notify_outbox WHERE ${where.join(' AND ')}`).run(...args).changes;
  }

  /** Keeps the record of undelivered messages bounded: those given up before `olderThan` go, and beyond the `keep`
   *  given up last. */
  pruneDead(olderThan: string, keep: number): number {
    const old = this.db.prepare("DELETE FROM notify_outbox WHERE status = 'dead' AND dead_at < ?").run(olderThan).changes;
    const over = this.db
      .prepare(`DELETE FROM notify_outbox WHERE status = 'dead' AND id NOT IN (SELECT id FROM notify_outbox WHERE status = 'dead' ORDER BY dead_at DESC, id DESC ${sqlLimit(keep)})`)
      .run().changes;
    return old + over;
  }

  get(id: number): OutboxRow | undefined {
    const r = this.db.prepare('SELECT * FROM notify_outbox WHERE id = ?').get(id) as Raw | undefined;
    return r && map(r);
  }

  list(opts: { status?: OutboxStatus; channel?: string; limit?: number } = {}): OutboxRow[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (opts.status) {
      where.push('status = ?');
      args.push(opts.status);
    }
    if (opts.channel) {
      where.push('channel = ?');
      args.push(opts.channel);
    }
    const sql = `SELECT * FROM notify_outbox ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC ${sqlLimit(Math.min(opts.limit ?? 200, 2000))}`;
    return (this.db.prepare(sql).all(...args) as Raw[]).map(map);
  }

  counts(): Record<string, Partial<Record<OutboxStatus, number>>> {
    const out: Record<string, Partial<Record<OutboxStatus, number>>> = {};
    for (const r of this.db.prepare('SELECT channel, status, count(*) AS n FROM notify_outbox GROUP BY channel, status').all() as { channel: string; status: OutboxStatus; n: number }[]) {
      (out[r.channel] ??= {})[r.status] = r.n;
    }
    return out;
  }

  /** Sent rows older than the cutoff are removed so the table stays small (dead rows: pruneDead). */
  pruneSent(olderThan: string): number {
    return this.db.prepare("DELETE FROM notify_outbox WHERE status = 'sent' AND sent_at < ?").run(olderThan).changes;
  }
}
