// Trips after repeated broker failures on one account. Failures are the broker being unwell (unreachable, 429,
// 5xx, timeouts, resets), never an order the broker refused on its merits. Once open it stays open until the
// trader resumes trading (reset): the trading state it switched to is persisted and shown with its reason.

export interface BreakerOptions {
  /** Consecutive failures that open the breaker. */
  threshold: number;
  /** What the account switches to when it opens: no new entries (reducing) or nothing at all (halted). */
  tripTo: 'reducing' | 'halted';
}

export const DEFAULT_BREAKER: BreakerOptions = { threshold: 5, tripTo: 'halted' };

export class CircuitBreaker {
  private consecutive = 0;
  private lastFailure = '';
  open = false;

  constructor(readonly options: BreakerOptions = DEFAULT_BREAKER) {}

  success(): void {
    this.consecutive = 0;
  }

  /** Counts a failure; returns the trip reason when this failure opens the breaker. */
  failure(what: string): string | undefined {
    this.consecutive++;
    this.lastFailure = what;
    if (this.open || this.consecutive < this.options.threshold) return undefined;
    this.open = true;
    return `BROKER_CIRCUIT_OPEN: ${this.consecutive} broker requests in a row failed (last: ${this.lastFailure}). Trading on this account was switched to ${this.options.tripTo}. Check the broker's status page and your connection, then resume trading.`;
  }

  reset(): void {
    this.open = false;
    this.consecutive = 0;
  }
}
