// Order updates from Alpaca: the trade_updates stream while it is up, polling (fills and recent orders) while it is
// down or streaming is off, and one poll after each reconnect for the gap. A leg whose parent this process has not
// seen is reported once its parent is looked up; the hub in front of the listeners drops repeats and keeps an order
// from moving backwards.
import { BrokerError, type BrokerOrder, type Fill, type OrderUpdate } from '../port.js';
import { UpdateHub } from '../http/update-filter.js';
import { redact } from '../http/redact.js';
import { StreamOrPoll } from '../http/stream-or-poll.js';
import { fillId, fromAlpacaOrder, mayBeLeg } from './mapping.js';
import { AlpacaOrderReader } from './order-reader.js';
import type { CancelWaits } from './cancel-wait.js';
import { TradeUpdatesStream } from './stream.js';
import type { AlpacaTradeUpdate } from './wire.js';

export interface AlpacaUpdatesOptions {
  reader: AlpacaOrderReader;
  waits: CancelWaits;
  streamUrl: string;
  keyId: string;
  secretKey: string;
  streaming: boolean;
  pollIntervalMs: number;
  /** The adapter's reads a poll makes: fills since a time, an order by its client order id. */
  fillsSince: (since: string) => Promise<Fill[]>;
  orderByClientId: (clientOrderId: string) => Promise<BrokerOrder | undefined>;
}

export class AlpacaUpdates {
  readonly #hub = new UpdateHub();
  readonly #reader: AlpacaOrderReader;
  readonly #waits: CancelWaits;
  readonly #keyId: string;
  readonly #secretKey: string;
  readonly #streamUrl: string;
  readonly #streaming: boolean;
  readonly #fillsSince: (since: string) => Promise<Fill[]>;
  readonly #orderByClientId: (clientOrderId: string) => Promise<BrokerOrder | undefined>;
  /** Stream updates of legs whose parent must be looked up first, kept in arrival order. */
  #legUpdates: Promise<void> = Promise.resolve();
  /** Polling runs when someone listens and the stream is down (or streaming is off). */
  readonly #feed: StreamOrPoll<TradeUpdatesStream>;
  #pollSince = new Date().toISOString();

  constructor(options: AlpacaUpdatesOptions) {
    this.#reader = options.reader;
    this.#waits = options.waits;
    this.#keyId = options.keyId;
    this.#secretKey = options.secretKey;
    this.#streamUrl = options.streamUrl;
    this.#streaming = options.streaming;
    this.#fillsSince = options.fillsSince;
    this.#orderByClientId = options.orderByClientId;
    this.#feed = new StreamOrPoll({ hub: this.#hub, pollIntervalMs: options.pollIntervalMs, poll: () => this.poll() });
  }

  /** The stream is listening. */
  get streamUp(): boolean {
    return this.#feed.up;
  }

  /** Opens the stream (when streaming; refused keys throw) and polls while it is down, or always with streaming
   *  off. Again after stop() it resumes both: the listeners are still there, so polling does not wait for a new one. */
  async start(): Promise<void> {
    if (this.#streaming && !this.#feed.stream) await this.openStream();
    this.#feed.ensurePolling();
  }

  private async openStream(): Promise<void> {
    const stream = this.#feed.use(
      (onConnected) =>
        new TradeUpdatesStream({
          url: this.#streamUrl,
          keyId: this.#keyId,
          secretKey: this.#secretKey,
          onUpdate: (u) => this.onTradeUpdate(u),
          onConnected,
        }),
    );
    try {
      await stream.start();
    } catch (err) {
      if (err instanceof BrokerError && err.kind === 'auth') {
        this.#feed.dropStream();
        throw new BrokerError('auth', redact(err.message, [this.#keyId, this.#secretKey]));
      }
      // Unreachable stream: keep retrying in the background and poll meanwhile.
    }
  }

  stop(): void {
    this.#feed.stop();
  }

  add(listener: (update: OrderUpdate) => void): () => void {
    return this.#feed.add(listener);
  }

  private onTradeUpdate(u: AlpacaTradeUpdate): void {
    if (!u.order) return;
    this.#reader.remember(u.order);
    const o = u.order;
    this.#waits.observe(o);
    const known = this.#reader.legParent(o.id);
    if (known !== undefined || !mayBeLeg(o) || this.#reader.notLeg(o.id)) {
      this.emitTradeUpdate(u, known);
      return;
    }
    // A leg whose parent this process has not seen (it restarted since the bracket was placed): ask, then emit.
    this.#legUpdates = this.#legUpdates.then(async () => {
      let parent: string | undefined;
      try {
        parent = await this.#reader.parentOf(o);
      } catch {
        // Unlinked it is not ours to the router; reconciliation links it from the fills and the order list.
      }
      this.emitTradeUpdate(u, parent);
    });
  }

  private emitTradeUpdate(u: AlpacaTradeUpdate, parentClientOrderId: string | undefined): void {
    const order = fromAlpacaOrder(u.order, undefined, parentClientOrderId);
    if ((u.event === 'fill' || u.event === 'partial_fill') && u.qty !== undefined && u.price !== undefined) {
      const fill: Fill = {
        tradeId: fillId(u.order.id, u.order.filled_qty),
        clientOrderId: order.clientOrderId,
        brokerOrderId: order.brokerOrderId,
        symbol: order.symbol,
        side: order.side,
        quantity: u.qty,
        price: u.price,
        time: u.timestamp ?? order.updatedAt,
      };
      this.#hub.emit({ kind: 'fill', fill, order });
    } else {
      this.#hub.emit({ kind: 'order', order });
    }
  }

  /** Fills since the last poll and the orders changed around then (one at a time; a failure is left to the next). */
  private async poll(): Promise<void> {
    const since = this.#pollSince;
    const started = new Date(Date.now() - 5000).toISOString();
    const fills = await this.#fillsSince(since);
    const orders = AlpacaOrderReader.flatten(await this.#reader.rawOrders('all', { after: new Date(Date.parse(since) - 60_000).toISOString() }));
    const byId = new Map<string, BrokerOrder>();
    for (const o of orders) byId.set(o.id, await this.#reader.toBrokerOrder(o));
    for (const f of fills) {
      const order = byId.get(f.brokerOrderId) ?? (await this.#orderByClientId(f.clientOrderId));
      if (order) this.#hub.emit({ kind: 'fill', fill: f, order });
    }
    for (const o of byId.values()) this.#hub.emit({ kind: 'order', order: o });
    this.#pollSince = started;
  }
}
