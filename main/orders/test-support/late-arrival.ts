// A broker whose first submit arrives late: the client gives up (outcome unknown) and the broker takes the order only
// when the test says so, as a request still on its way would. The test can also deliver stream updates of its own.
import { FaultyAdapter } from '../../brokers/paper/faulty-adapter.js';
import { BrokerError, type OrderRequest, type OrderUpdate } from '../../brokers/port.js';

export class LateArrival extends FaultyAdapter {
  private held: OrderRequest | undefined;
  private readonly listeners: ((u: OrderUpdate) => void)[] = [];

  override async submit(req: OrderRequest) {
    if (this.held !== undefined) return super.submit(req);
    this.held = req;
    throw new BrokerError('timeout', 'no answer within the request timeout');
  }

  /** The first request reaches the broker now. */
  async arrive(): Promise<void> {
    await super.submit(this.held!);
  }

  override onUpdate(listener: (u: OrderUpdate) => void): () => void {
    this.listeners.push(listener);
    return super.onUpdate(listener);
  }

  /** Delivers `u` on the stream, as the broker would. */
  emit(u: OrderUpdate): void {
    for (const l of this.listeners) l(u);
  }
}
