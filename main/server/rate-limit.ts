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

export class RateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly global: TokenBucket;
  constructor(
    private readonly perKey: { perSecond: number; burst: number },
    overall: { perSecond: number; burst: number },
    private readonly clock?: () => number,
  ) {
    this.global = new TokenBucket(overall.perSecond, overall.burst, clock);
  }
  allow(key: string, limits = this.perKey): boolean {
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size > 10_000) this.buckets.clear();
      b = new TokenBucket(limits.perSecond, limits.burst, this.clock);
      this.buckets.set(key, b);
    }
    return b.take() && this.global.take();
  }
}
