// The paper broker behind the broker contract's fault switches (main/brokers/contract/faults.ts). The HTTP
// adapters meet faults on the wire to their fake servers; the paper broker has no wire, so this adapter stands where
// the wire would be: each call first waits the armed latency, then meets the armed fault for its kind of request,
// exactly as the fakes' middleware does. A "lost answer" lets the paper broker do the work and then throws the
// transport error the client would see; the other faults throw before anything reaches the books. Stream updates
// pass through a delivery stage that can duplicate and reverse them, and then through the same UpdateFilter the
// HTTP adapters put in front of their listeners.
import { FaultPlan, type RequestOp } from '../contract/faults.js';
import { UpdateHub } from '../http/update-filter.js';
import {
  BrokerError,
  type AccountSnapshot,
  type BrokerAdapter,
  type BrokerCapabilities,
  type BrokerOrder,
  type Fill,
  type InstrumentInfo,
  type OrderRequest,
  type OrderUpdate,
  type Position,
} from '../port.js';
import type { PaperBroker } from './paper-broker.js';

/** Whether a request changes the books: a 5xx on it leaves the outcome unknown; on a read it proves nothing ran. */
const CHANGES_STATE: ReadonlySet<RequestOp> = new Set<RequestOp>(['submit', 'cancel']);

export class FaultSwitchedPaper implements BrokerAdapter {
  readonly faults = new FaultPlan();
  private readonly hub = new UpdateHub();
  /** Updates of the current synchronous burst (one call's worth), delivered together on the next turn. */
  private pending: OrderUpdate[] = [];
  private flushScheduled = false;
  private offInner: (() => void) | undefined;

  constructor(readonly inner: PaperBroker) {}

  get id(): string {
    return this.inner.id;
  }
  get broker(): string {
    return this.inner.broker;
  }
  get capabilities(): BrokerCapabilities {
    return this.inner.capabilities;
  }

  /** Latency, then the armed fault for `op`. `work` runs unless the fault happens before processing. */
  private async call<T>(op: RequestOp, work: () => Promise<T>): Promise<T> {
    if (this.faults.latencyMs > 0) await new Promise((r) => setTimeout(r, this.faults.latencyMs));
    const armed = this.faults.take(op);
    if (!armed) return work();
    switch (armed.fault) {
      case 'timeout':
        throw new BrokerError('timeout', `the paper broker did not answer the ${op} request in time`);
      case 'connection_reset':
        throw new BrokerError('connection_reset', `the connection was reset during the ${op} request`);
      case 'rate_limit':
        throw new BrokerError('rate_limited', `too many requests (${op}); retry after ${armed.retryAfterSeconds}s`, armed.retryAfterSeconds * 1000);
      case 'server_error':
        if (CHANGES_STATE.has(op)) throw new BrokerError('server_error', `the paper broker answered ${armed.status} to the ${op} request`);
        throw new BrokerError('unreachable', `the paper broker answered ${armed.status} to the ${op} request`);
      case 'auth_error':
        throw new BrokerError('auth', `the paper broker refused the credentials (${op})`);
      case 'slow':
        await new Promise((r) => setTimeout(r, armed.delayMs));
        return work();
      case 'lost_answer_timeout':
      case 'lost_answer_reset': {
        // The books change; only the answer is lost. A rejection of the request itself is lost with it.
        await work().catch(() => undefined);
        if (armed.fault === 'lost_answer_reset') throw new BrokerError('connection_reset', `the connection was reset before the ${op} answer arrived`);
        throw new BrokerError('timeout', `no answer to the ${op} request in time`);
      }
    }
  }

  private enqueue(update: OrderUpdate): void {
    this.pending.push(update);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    let batch = this.pending;
    this.pending = [];
    if (this.faults.outOfOrderUpdates) batch = [...batch].reverse();
    if (this.faults.duplicateUpdates) batch = [...batch, ...batch];
    for (const u of batch) this.hub.emit(u);
  }

  onUpdate(listener: (update: OrderUpdate) => void): () => void {
    return this.hub.add(listener);
  }

  async connect(): Promise<void> {
    await this.inner.connect();
    this.offInner ??= this.inner.onUpdate((u) => this.enqueue(u));
  }

  async disconnect(): Promise<void> {
    this.offInner?.();
    this.offInner = undefined;
    await this.inner.disconnect();
  }

  submit(order: OrderRequest): Promise<BrokerOrder> {
    return this.call('submit', () => {
      // Read at the moment the broker fills, as the fakes read their switch.
      this.inner.setPartialFills(this.faults.partialFills);
      return this.inner.submit(order);
    });
  }
  cancel(clientOrderId: string): Promise<BrokerOrder> {
    return this.call('cancel', () => this.inner.cancel(clientOrderId));
  }
  cancelAll(symbol?: string): Promise<void> {
    return this.call('cancel', () => this.inner.cancelAll(symbol));
  }
  account(): Promise<AccountSnapshot> {
    return this.call('account', () => this.inner.account());
  }
  instrument(symbol: string): Promise<InstrumentInfo> {
    return this.call('query', () => this.inner.instrument(symbol));
  }
  orderByClientId(clientOrderId: string): Promise<BrokerOrder | undefined> {
    return this.call('query', () => this.inner.orderByClientId(clientOrderId));
  }
  openOrders(): Promise<BrokerOrder[]> {
    return this.call('query', () => this.inner.openOrders());
  }
  fillsSince(since: string): Promise<Fill[]> {
    return this.call('query', () => this.inner.fillsSince(since));
  }
  positions(): Promise<Position[]> {
    return this.call('query', () => this.inner.positions());
  }
}
