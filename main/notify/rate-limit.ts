// A token bucket per channel: our own pace, under the service's limit, so a burst of fills does not earn a 429.
export class Bucket {
  private tokens: number;
  private last: number;
  constructor(
    private perMinute: number,
    private burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.last = now;
  }

  /** The trader changed the channel's pace: what was earned so far stays (up to the new burst), and tokens come at
   *  the new rate from now on. */
  retune(perMinute: number, burst: number, now: number): void {
    if (perMinute === this.perMinute && burst === this.burst) return;
    this.refill(now);
    this.perMinute = perMinute;
    this.burst = burst;
    this.tokens = Math.min(burst, this.tokens);
  }

  private refill(now: number): void {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.perMinute) / 60_000);
    this.last = now;
  }

  take(now: number): boolean {
    this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** When the next token is there. */
  readyAt(now: number): number {
    this.refill(now);
    return this.tokens >= 1 ? now : now + Math.ceil(((1 - this.tokens) * 60_000) / this.perMinute);
  }
}
