// Per-account request pacing under the broker's published limit (capabilities.requestsPerMinute). Work waits in
// two lanes: cancels and exits (they reduce risk) always go before new entries. A 429's retry-after pauses the
// whole account, since every request counts against the same limit at the broker.

export type Lane = 'urgent' | 'normal';

interface Job {
  run: () => void;
}

export class AccountThrottle {
  private tokens: number;
  private last: number;
  private pausedUntil = 0;
  private readonly queues: Record<Lane, Job[]> = { urgent: [], normal: [] };
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly perMs: number;
  private readonly burst: number;

  constructor(
    requestsPerMinute: number,
    private readonly clock: () => number = () => Date.now(),
  ) {
    this.perMs = Math.max(requestsPerMinute, 1) / 60_000;
    // A small burst allowance, so an exit right after an entry does not wait a full interval.
    this.burst = Math.max(1, Math.min(10, Math.floor(requestsPerMinute / 60)));
    this.tokens = this.burst;
    this.last = this.clock();
  }

  /** Runs `task` when the account's budget allows, urgent lane first. */
  run<T>(lane: Lane, task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queues[lane].push({ run: () => void task().then(resolve, reject) });
      this.pump();
    });
  }

  /** The broker asked us to wait (429 retry-after): nothing is sent for this account until then. */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.clock() + ms);
  }

  /** Jobs waiting, per lane (for tests and the status page). */
  get waiting(): Record<Lane, number> {
    return { urgent: this.queues.urgent.length, normal: this.queues.normal.length };
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private refill(): void {
    const now = this.clock();
    this.tokens = Math.min(this.burst, this.tokens + (now - this.last) * this.perMs);
    this.last = now;
  }

  private pump(): void {
    if (this.timer) return;
    for (;;) {
      const lane: Lane | undefined = this.queues.urgent.length ? 'urgent' : this.queues.normal.length ? 'normal' : undefined;
      if (!lane) return;
      this.refill();
      const now = this.clock();
      const wait = Math.max(this.pausedUntil - now, this.tokens >= 1 ? 0 : Math.ceil((1 - this.tokens) / this.perMs));
      if (wait > 0) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.pump();
        }, wait);
        this.timer.unref?.();
        return;
      }
      this.tokens -= 1;
      this.queues[lane].shift()!.run();
    }
  }
}
