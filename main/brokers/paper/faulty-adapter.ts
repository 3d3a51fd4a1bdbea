// Wraps any BrokerAdapter and injects the faults real brokers produce, for the lifecycle tests: the answer lost
// after the broker took the order (timeout after accept), the connection reset before or after the request, a 429
// with retry-after, a 502 (the gateway may or may not have passed the request on), a slow answer, and stream
// updates that never arrive. Faults are drawn from a seeded generator, so a failing run can be replayed.
import type { AccountSnapshot, BrokerAdapter, BrokerCapabilities, BrokerOrder, Fill, InstrumentInfo, OrderRequest, OrderUpdate, Position } from '../port.js';
import { BrokerError } from '../port.js';
import { seededRandom } from '../contract/faults.js';

export type Fault = 'timeout_after_accept' | 'reset_before' | 'reset_after' | 'rate_limited' | 'bad_gateway' | 'slow';
export const FAULTS: readonly Fault[] = ['timeout_after_accept', 'reset_before', 'reset_after', 'rate_limited', 'bad_gateway', 'slow'];

export interface FaultOptions {
  /** Share of submits that get a fault (0..1). */
  submitFaultRate: number;
  /** Share of lookups / cancels that fail with a reset. */
  otherFaultRate?: number;
  /** Share of stream updates silently dropped (reconciliation must recover them). */
  dropUpdateRate?: number;
  faults?: readonly Fault[];
  /** How long 'slow' takes and how long a lost answer hangs before the timeout error. */
  slowMs?: number;
  retryAfterMs?: number;
  seed?: number;
  /** Stop injecting submit faults after this many. */
  maxFaults?: number;
  /** Capabilities to report instead of the inner adapter's (to test local denials). */
  capabilities?: Partial<BrokerCapabilities>;
}

export class FaultyAdapter implements BrokerAdapter {
  readonly counts: Record<Fault | 'lookup_reset' | 'dropped_update', number> = { timeout_after_accept: 0, reset_before: 0, reset_after: 0, rate_limited: 0, bad_gateway: 0, slow: 0, lookup_reset: 0, dropped_update: 0 };
  private readonly random: () => number;
  private injected = 0;
  enabled = true;

  constructor(
    readonly inner: BrokerAdapter,
    private readonly opts: FaultOptions,
  ) {
    this.random = seededRandom(opts.seed ?? 1);
  }

  get id(): string {
    return this.inner.id;
  }
  get broker(): string {
    return this.inner.broker;
  }
  get capabilities(): BrokerCapabilities {
    return { ...this.inner.capabilities, ...this.opts.capabilities };
  }

  private pick(): Fault | undefined {
    if (!this.enabled || this.random() >= this.opts.submitFaultRate) return undefined;
    if (this.opts.maxFaults !== undefined && this.injected >= this.opts.maxFaults) return undefined;
    this.injected++;
    const list = this.opts.faults ?? FAULTS;
    return list[Math.floor(this.random() * list.length)];
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((r) => setTimeout(r, ms));
  }

  async submit(order: OrderRequest): Promise<BrokerOrder> {
    const fault = this.pick();
    if (fault) this.counts[fault]++;
    const slow = this.opts.slowMs ?? 5000;
    switch (fault) {
      case 'reset_before':
        throw new BrokerError('connection_reset', 'socket hang up (before the request was written)');
      case 'rate_limited':
        throw new BrokerError('rate_limited', '429 Too Many Requests', this.opts.retryAfterMs ?? 10);
      case 'timeout_after_accept':
        await this.inner.submit(order).catch(() => undefined);
        await this.sleep(slow);
        throw new BrokerError('timeout', 'no answer (the broker took the order; the answer was lost)');
      case 'reset_after':
        await this.inner.submit(order).catch(() => undefined);
        throw new BrokerError('connection_reset', 'ECONNRESET after the request was sent');
      case 'bad_gateway':
        if (this.random() < 0.5) await this.inner.submit(order).catch(() => undefined);
        throw new BrokerError('server_error', '502 Bad Gateway');
      case 'slow':
        await this.sleep(slow);
        return this.inner.submit(order);
      default:
        return this.inner.submit(order);
    }
  }

  private async maybeReset(): Promise<void> {
    if (this.enabled && this.random() < (this.opts.otherFaultRate ?? 0)) {
      this.counts.lookup_reset++;
      throw new BrokerError('connection_reset', 'ECONNRESET');
    }
  }

  async orderByClientId(clientOrderId: string): Promise<BrokerOrder | undefined> {
    await this.maybeReset();
    return this.inner.orderByClientId(clientOrderId);
  }

  async cancel(clientOrderId: string): Promise<BrokerOrder> {
    await this.maybeReset();
    return this.inner.cancel(clientOrderId);
  }

  onUpdate(listener: (u: OrderUpdate) => void): () => void {
    return this.inner.onUpdate((u) => {
      if (this.enabled && this.random() < (this.opts.dropUpdateRate ?? 0)) {
        this.counts.dropped_update++;
        return;
      }
      listener(u);
    });
  }

  connect(): Promise<void> {
    return this.inner.connect();
  }
  disconnect(): Promise<void> {
    return this.inner.disconnect();
  }
  account(): Promise<AccountSnapshot> {
    return this.inner.account();
  }
  instrument(symbol: string): Promise<InstrumentInfo> {
    return this.inner.instrument(symbol);
  }
  cancelAll(symbol?: string): Promise<void> {
    return this.inner.cancelAll(symbol);
  }
  openOrders(): Promise<BrokerOrder[]> {
    return this.inner.openOrders();
  }
  fillsSince(since: string): Promise<Fill[]> {
    return this.inner.fillsSince(since);
  }
  positions(): Promise<Position[]> {
    return this.inner.positions();
  }
}
