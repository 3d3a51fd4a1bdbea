// The v20 transactions stream: chunked HTTP with one JSON object per line and a HEARTBEAT every few
// seconds. A silent connection (no heartbeat) is treated as dead and reopened; the adapter catches up on
// any gap through /transactions/sinceid, so reconnects never lose a transaction.
import type { OandaTransaction } from './wire.js';

export interface TransactionStreamOptions {
  url: string;
  token: () => string;
  onTransaction: (t: OandaTransaction) => void;
  onConnected: (connected: boolean) => void;
  /** No byte for this long means the connection is dead (v20 sends a heartbeat every 5 s). */
  silenceMs?: number;
  maxBackoffMs?: number;
}

/** OANDA asks for at most two new connections a second (v20 Best Practices, "Connection Limits"): the first
 *  reconnect waits this long, later ones longer. */
const FIRST_RECONNECT_MS = 500;

export class TransactionStream {
  private controller: AbortController | undefined;
  private stopped = true;
  private backoffMs = FIRST_RECONNECT_MS;
  private retry: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;

  constructor(private readonly options: TransactionStreamOptions) {}

  start(): void {
    this.stopped = false;
    void this.run();
  }

  stop(): void {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    if (this.watchdog) clearTimeout(this.watchdog);
    this.controller?.abort();
  }

  private arm(): void {
    if (this.watchdog) clearTimeout(this.watchdog);
    this.watchdog = setTimeout(() => this.controller?.abort(), this.options.silenceMs ?? 20_000);
    this.watchdog.unref();
  }

  private async run(): Promise<void> {
    const controller = new AbortController();
    this.controller = controller;
    try {
      const res = await fetch(this.options.url, { headers: { authorization: `Bearer ${this.options.token()}`, 'accept-datetime-format': 'RFC3339' }, signal: controller.signal });
      if (!res.ok || !res.body) throw new Error(`stream status ${res.status}`);
      this.options.onConnected(true);
      this.backoffMs = FIRST_RECONNECT_MS;
      this.arm();
      const decoder = new TextDecoder();
      let buffer = '';
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        this.arm();
        buffer += decoder.decode(chunk, { stream: true });
        let nl = buffer.indexOf('\n');
        while (nl >= 0) {
          const line = buffer.slice(0, nl).trim();
          buffer = buffer.slice(nl + 1);
          if (line) {
            try {
              this.options.onTransaction(JSON.parse(line) as OandaTransaction);
            } catch {
              // A malformed line is skipped; the catch-up poll covers what it carried.
            }
          }
          nl = buffer.indexOf('\n');
        }
      }
    } catch {
      // fall through to reconnect
    } finally {
      if (this.watchdog) clearTimeout(this.watchdog);
      this.options.onConnected(false);
    }
    if (this.stopped) return;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.options.maxBackoffMs ?? 30_000);
    this.retry = setTimeout(() => void this.run(), delay);
    this.retry.unref();
  }
}
