// Reconnect delays: quick first retries (a blip), then doubling up to a cap so a long outage does not hammer
// the tunnel service or trip its rate limits. No jitter: there is one client per machine, no herd to spread.

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  factor: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 1000, maxMs: 60_000, factor: 2 };

/** Delay before reconnect attempt `attempt` (0-based). */
export function backoffDelay(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF): number {
  const n = Math.max(0, Math.floor(attempt));
  const raw = options.initialMs * Math.pow(options.factor, n);
  return Math.min(options.maxMs, Number.isFinite(raw) ? raw : options.maxMs);
}
