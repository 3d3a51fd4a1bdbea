// Sends queued notifications: oldest first, each channel at its own pace, pausing a channel for as long as the
// service asked (429 retry_after / Retry-After; such a wait is not a failed attempt), exponential backoff with
// jitter after other failures, and dead-lettering after maxAttempts (or RATE_LIMIT_PATIENCE_MS of waits) or at once
// when sending again cannot help. A message given up joins the record of undelivered ones (GET
// /api/notifications/undelivered), which keeps at most UNDELIVERED_KEPT.count of them for UNDELIVERED_KEPT.days.
import type { OutboxRepo, OutboxRow } from '../store/outbox.js';
import type { Logger } from '../log.js';
import type { Channel } from './channels/channel.js';
import type { NotifyConfig, NotifyMessage, SendOutcome } from './types.js';

/** Where a channel's service moved its destination (SendOutcome.moved). */
export type ChannelMove = NonNullable<Extract<SendOutcome, { ok: true }>['moved']>;
import { Bucket } from './rate-limit.js';
import { DEFAULT_PER_MINUTE } from './config.js';
import { redactMessage, redactText, secretParts } from './redact.js';

const iso = (ms: number): string => new Date(ms).toISOString();

/** How long a message may wait on a channel that keeps answering 429 (Retry-After) before it is dead-lettered. */
export const RATE_LIMIT_PATIENCE_MS = 10 * 60_000;

/** How many undelivered messages are kept, and for how long: the record cannot grow without bound. */
export const UNDELIVERED_KEPT = { count: 500, days: 30 } as const;

/** Forgets the undelivered messages past UNDELIVERED_KEPT. */
export function pruneUndelivered(outbox: Pick<OutboxRepo, 'pruneDead'>, now: number): number {
  return outbox.pruneDead(iso(now - UNDELIVERED_KEPT.days * 24 * 3600_000), UNDELIVERED_KEPT.count);
}

export interface SecretsReader {
  get(name: string): Promise<string | null>;
}

export interface DispatcherOptions {
  outbox: OutboxRepo;
  channels: ReadonlyMap<string, Channel>;
  config: () => NotifyConfig;
  secrets: SecretsReader;
  log: Pick<Logger, 'warn' | 'error' | 'info'>;
  now?: () => number;
  random?: () => number;
  maxAttempts?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** A channel's service moved its destination and the message went to the new one (SendOutcome.moved): stores
   *  the channel's new settings and says so. Never throws. */
  moved?: (channel: string, moved: ChannelMove) => void;
}

export class Dispatcher {
  private readonly now: () => number;
  private readonly random: () => number;
  readonly maxAttempts: number;
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly pausedUntil = new Map<string, number>();
  private readonly buckets = new Map<string, Bucket>();
  private running: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private stopped = false;

  constructor(private readonly o: DispatcherOptions) {
    this.now = o.now ?? Date.now;
    this.random = o.random ?? Math.random;
    this.maxAttempts = o.maxAttempts ?? 10;
    this.baseMs = o.backoffBaseMs ?? 5_000;
    this.maxMs = o.backoffMaxMs ?? 15 * 60_000;
  }

  /** Re-queues rows a crash left half-sent, then sends whatever is due. */
  start(): void {
    const n = this.o.outbox.recoverSending();
    if (n > 0) this.o.log.info({ count: n }, 'notifications left half-sent by the last run are queued again');
    this.kick();
  }

  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.run().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.kick();
      } else this.scheduleNext();
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Pause state per channel, for the status view. */
  pausedUntilOf(channel: string): string | undefined {
    const t = this.pausedUntil.get(channel);
    return t && t > this.now() ? iso(t) : undefined;
  }

  backoffMs(attempts: number): number {
    const exp = Math.min(this.maxMs, this.baseMs * 2 ** Math.max(0, attempts - 1));
    return Math.round(exp * (0.5 + this.random() / 2)); // jitter: half to full
  }

  private bucket(channel: string): Bucket {
    let b = this.buckets.get(channel);
    // Read at every send: a pace the trader changes applies to the next message, without a restart.
    const perMinute = this.o.config()[channel as keyof NotifyConfig]?.perMinute ?? DEFAULT_PER_MINUTE[channel as keyof NotifyConfig] ?? 20;
    const burst = Math.max(1, Math.min(5, Math.floor(perMinute / 10)));
    if (!b) {
      b = new Bucket(perMinute, burst, this.now());
      this.buckets.set(channel, b);
    } else b.retune(perMinute, burst, this.now());
    return b;
  }

  private async run(): Promise<void> {
    for (;;) {
      const rows = this.o.outbox.due(iso(this.now()), 50);
      if (rows.length === 0 || this.stopped) return;
      for (const row of rows) {
        if (this.stopped) return;
        try {
          await this.attempt(row);
        } catch (err) {
          // A bug here must not stop the queue; the row goes back with a backoff.
          this.o.log.error({ err: redactText(String(err)), outboxId: row.id }, 'notification dispatch failed');
          this.o.outbox.reschedule(row.id, iso(this.now() + this.backoffMs(row.attempts + 1)), 'internal error while sending');
        }
      }
    }
  }

  private async attempt(row: OutboxRow): Promise<void> {
    const channel = this.o.channels.get(row.channel);
    const settings = this.o.config()[row.channel as keyof NotifyConfig];
    if (!channel || !settings) return this.giveUp(row, `Unknown channel ${row.channel}.`);
    const now = this.now();
    const paused = this.pausedUntil.get(row.channel) ?? 0;
    if (paused > now) return this.o.outbox.defer(row.id, iso(paused));
    const bucket = this.bucket(row.channel);
    if (!bucket.take(now)) return this.o.outbox.defer(row.id, iso(bucket.readyAt(now)));

    this.o.outbox.markSending(row.id);
    const attempts = row.attempts + 1;
    let secret: string | null = null;
    let outcome: SendOutcome;
    const unavailable = channel.unavailable(settings);
    if (!settings.enabled) outcome = { ok: false, retryable: false, error: `The ${row.channel} channel was turned off before this message was sent.` };
    else if (unavailable) outcome = { ok: false, retryable: false, error: unavailable };
    else {
      try {
        secret = await this.o.secrets.get(channel.secretName);
      } catch {
        secret = null;
      }
      if (!secret) outcome = { ok: false, retryable: true, error: `No credential for ${row.channel} in the vault (${channel.secretName}).` };
      else {
        try {
          // Last line of defence: the credential itself never goes out inside the text.
          outcome = await channel.send(redactMessage(row.message as NotifyMessage, ...secretParts(secret)), { secret, settings });
        } catch {
          outcome = { ok: false, retryable: true, error: `Sending to ${row.channel} failed unexpectedly.` };
        }
      }
    }

    if (outcome.ok) {
      this.o.outbox.markSent(row.id, iso(this.now()));
      if (outcome.moved) this.o.moved?.(row.channel, outcome.moved);
      return;
    }
    const error = redactText(outcome.error, ...secretParts(secret ?? undefined));
    if (outcome.retryable && outcome.retryAfterMs !== undefined) {
      // The channel asked to wait: the whole channel waits, and the wait is not a failed attempt. A message is
      // given up only once the channel has kept it waiting RATE_LIMIT_PATIENCE_MS since it was queued.
      const delay = Math.max(outcome.retryAfterMs, 0);
      if (this.now() + delay - Date.parse(row.createdAt) > RATE_LIMIT_PATIENCE_MS) {
        return this.giveUp(row, `Gave up: ${row.channel} kept asking to wait for more than ${RATE_LIMIT_PATIENCE_MS / 60_000} minutes: ${error}`);
      }
      this.pausedUntil.set(row.channel, this.now() + delay);
      this.o.outbox.rateLimited(row.id, iso(this.now() + delay), error);
      this.o.log.warn({ channel: row.channel, outboxId: row.id, retryInMs: delay, error }, 'notification channel asked to wait; will retry');
      return;
    }
    if (!outcome.retryable || attempts >= this.maxAttempts) {
      return this.giveUp(row, outcome.retryable ? `Gave up after ${attempts} attempts: ${error}` : error, attempts);
    }
    const delay = this.backoffMs(attempts);
    this.o.outbox.reschedule(row.id, iso(this.now() + delay), error);
    this.o.log.warn({ channel: row.channel, outboxId: row.id, attempts, retryInMs: delay, error }, 'notification not sent; will retry');
  }

  /** Dead-letters the message (`why` is already scrubbed), into the bounded record of undelivered ones. */
  private giveUp(row: OutboxRow, why: string, attempts?: number): void {
    const now = this.now();
    this.o.outbox.markDead(row.id, why, iso(now));
    this.o.log.warn({ channel: row.channel, outboxId: row.id, attempts, error: why }, 'notification dead-lettered');
    pruneUndelivered(this.o.outbox, now);
  }

  private scheduleNext(): void {
    if (this.stopped) return;
    const next = this.o.outbox.nextDueAt();
    if (!next) return;
    const at = Date.parse(next);
    if (this.timer && this.timerAt <= at) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      this.kick();
    }, Math.max(0, at - this.now()));
    this.timer.unref();
  }
}
