// A token bucket that keeps an adapter below its broker's request rate. Two queues: cancels and exits
// ("urgent") always leave before new entries ("normal"), so a burst of entries can never delay getting out.
// A 429's Retry-After pauses the bucket for everyone.

export type RequestPriority = 'urgent' | 'normal';

export interface TokenBucketOptions {
  /** Requests allowed in a burst. */
  capacity: number;
  /** Steady rate in requests per second. */
  refillPerSecond: number;
  now?: () => number;
}

export class TokenBucket {
  private tokens: number;
  private last: number;
  private pausedUntil = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly urgent: Array<() => void> = [];
  private readonly normal: Array<() => void> = [];
  private readonly now: () => number;

  constructor(private readonly options: TokenBucketOptions) {
    if (options.capacity < 1 || options.refillPerSecond <= 0) throw new Error('token bucket needs capacity >= 1 and a positive rate');
    this.now = options.now ?? Date.now;
    this.tokens = options.capacity;
    this.last = this.now();
  }

  /** Resolves when the request may go. */
  acquire(priority: RequestPriority = 'normal'): Promise<void> {
    return new Promise<void>((resolve) => {
      (priority === 'urgent' ? this.urgent : this.normal).push(resolve);
      this.drain();
    });
  }

  /** Stop sending for `ms` (the broker's Retry-After). */
  pauseFor(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + ms);
    this.tokens = 0;
    this.drain();
  }

  get waiting(): number {
    return this.urgent.length + this.normal.length;
  }

  private refill(): void {
    const now = this.now();
    const elapsed = Math.max(0, now - this.last) / 1000;
    this.last = now;
    if (now < this.pausedUntil) return;
    this.tokens = Math.min(this.options.capacity, this.tokens + elapsed * this.options.refillPerSecond);
  }

  private drain(): void {
    this.refill();
    while (this.tokens >= 1 && this.now() >= this.pausedUntil) {
      const next = this.urgent.shift() ?? this.normal.shift();
      if (!next) break;
      this.tokens -= 1;
      next();
    }
    if (this.waiting > 0 && !this.timer) {
      const untilPause = Math.max(0, this.pausedUntil - this.now());
      const untilToken = Math.ceil(((1 - this.tokens) / this.options.refillPerSecond) * 1000);
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.drain();
      }, Math.max(untilPause, untilToken, 1));
      this.timer.unref();
    }
  }
}

/** A bucket that spends a broker's per-minute allowance evenly, with a small burst. */
export function perMinuteBucket(requestsPerMinute: number, burst = 10): TokenBucket {
  return new TokenBucket({ capacity: Math.max(1, Math.min(burst, requestsPerMinute)), refillPerSecond: requestsPerMinute / 60 });
}
