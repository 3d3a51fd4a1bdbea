// Waiting for orders whose cancel Alpaca accepted to end (`pending_cancel` → `canceled`, or `filled` when a trade got
// there first), up to `cancelWaitMs`: told by the stream's updates, or read again while the stream is down.
import type { RestClient } from '../http/client.js';
import { FINAL_STATUSES } from './mapping.js';
import type { AlpacaOrderReader } from './order-reader.js';
import type { AlpacaOrder } from './wire.js';

export class CancelWaits {
  readonly #rest: RestClient;
  readonly #reader: AlpacaOrderReader;
  readonly #streamUp: () => boolean;
  readonly #cancelWaitMs: number;
  /** Waiting for orders to end (a cancel Alpaca accepted), by Alpaca order id: told by the stream's updates. */
  readonly #endWaiters = new Map<string, Set<(o: AlpacaOrder) => void>>();

  /** `streamUp`: whether the trade_updates stream is listening (else the orders are read again). */
  constructor(rest: RestClient, reader: AlpacaOrderReader, streamUp: () => boolean, cancelWaitMs: number) {
    this.#rest = rest;
    this.#reader = reader;
    this.#streamUp = streamUp;
    this.#cancelWaitMs = cancelWaitMs;
  }

  /** An order as the stream reports it: those waiting for it to end are told, once it has. */
  observe(o: AlpacaOrder): void {
    if (FINAL_STATUSES.has(o.status)) for (const wake of this.#endWaiters.get(o.id) ?? []) wake(o);
  }

  /** Waits (up to `cancelWaitMs`) for the orders (by Alpaca id) whose cancel Alpaca accepted to end. */
  async settle(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const ended = this.whenEnded(ids);
    try {
      await this.untilEnded(ids, ended);
    } finally {
      ended.dispose();
    }
  }

  /** Starts listening to the stream for the end of each order (before the request that may end it, so an update
   *  that arrives with its answer is not missed). */
  whenEnded(ids: string[]): { ended: Map<string, AlpacaOrder>; changed: () => Promise<void>; dispose: () => void } {
    const ended = new Map<string, AlpacaOrder>();
    let wake: (() => void) | undefined;
    const listener = (o: AlpacaOrder) => {
      ended.set(o.id, o);
      wake?.();
    };
    for (const id of ids) {
      const set = this.#endWaiters.get(id) ?? new Set();
      set.add(listener);
      this.#endWaiters.set(id, set);
    }
    return {
      ended,
      changed: () => new Promise<void>((resolve) => (wake = resolve)),
      dispose: () => {
        for (const id of ids) {
          const set = this.#endWaiters.get(id);
          set?.delete(listener);
          if (set?.size === 0) this.#endWaiters.delete(id);
        }
      },
    };
  }

  /**
   * The orders as they end, each by its id, or as last read when `cancelWaitMs` runs out first. The stream tells the
   * end; while it is down the orders are read again (after 100 ms, doubling up to 800 ms), and once more at the
   * deadline if the stream said nothing.
   */
  async untilEnded(ids: string[], watch: ReturnType<CancelWaits['whenEnded']>): Promise<Map<string, AlpacaOrder>> {
    const latest = new Map<string, AlpacaOrder>();
    const open = () => ids.filter((id) => !watch.ended.has(id) && !FINAL_STATUSES.has(latest.get(id)?.status ?? ''));
    const read = async (which: string[]) => {
      for (const id of which) {
        try {
          const { data } = await this.#rest.call<AlpacaOrder>('GET', `/v2/orders/${id}`, { priority: 'urgent' });
          this.#reader.remember(data);
          latest.set(id, data);
        } catch {
          // Reported as last known; the lifecycle's reconciliation reads it again.
        }
      }
    };
    const deadline = Date.now() + this.#cancelWaitMs;
    for (let delay = 100; open().length > 0 && Date.now() < deadline; delay = Math.min(delay * 2, 800)) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([watch.changed(), new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.min(delay, Math.max(deadline - Date.now(), 0)))))]);
      clearTimeout(timer);
      if (!this.#streamUp()) await read(open());
    }
    if (this.#streamUp() && open().length > 0) await read(open());
    for (const [id, o] of watch.ended) latest.set(id, o);
    return latest;
  }
}
