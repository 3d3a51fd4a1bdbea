// Token buckets: one per webhook id and one overall, so a leaked URL cannot flood the agent.
export class TokenBucket {
  private tokens: number;
  private last: number;
  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.tokens = burst;
    this.last = clock();
  }
  take(): boolean {
    const now = this.clock();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

export interface RateLimits {
  perSecond: number;
  burst: number;
}

/**
 * The per-key limits come with every request (a strategy's `intake.rateLimit`, read from the strategy the listener
 * looked up, which the control API's invalidate refreshes on every change): a key whose limits changed gets a new,
 * full bucket at once, so a limit raised after alerts were refused, or tightened after a URL leaked, applies to the
 * next alert, not after a restart. A key whose limits did not change keeps its bucket and what it has spent.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { bucket: TokenBucket; perSecond: number; burst: number }>();
  private readonly global: TokenBucket;
  constructor(
    private readonly perKey: RateLimits,
    overall: RateLimits,
    private readonly clock?: () => number,
  ) {
    this.global = new TokenBucket(overall.perSecond, overall.burst, clock);
  }
  allow(key: string, limits: RateLimits = this.perKey): boolean {
    let b = this.buckets.get(key);
    if (!b || b.perSecond !== limits.perSecond || b.burst !== limits.burst) {
      if (!b && this.buckets.size > 10_000) this.buckets.clear();
      b = { bucket: new TokenBucket(limits.perSecond, limits.burst, this.clock), perSecond: limits.perSecond, burst: limits.burst };
      this.buckets.set(key, b);
    }
    return b.bucket.take() && this.global.take();
  }
}
