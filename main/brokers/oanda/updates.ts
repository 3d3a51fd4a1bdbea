// Order updates from OANDA: the transactions stream while it is up, polling /transactions/sinceid while it is down,
// and a catch-up on the gap after each reconnect. An order's creation is reported as the transaction tells it; a
// fill, a cancel or a dependent order's creation with the order as v20 now has it (order-reader.ts). The hub in
// front of the listeners drops repeats and keeps an order from moving backwards.
import type { OrderUpdate } from '../port.js';
import type { RestClient } from '../http/client.js';
import { UpdateHub } from '../http/update-filter.js';
import { StreamOrPoll } from '../http/stream-or-poll.js';
import { DEPENDENT_CREATE_TYPES, ORDER_CREATE_TYPES, acceptedOrder, toFill } from './mapping.js';
import type { OandaOrderReader } from './order-reader.js';
import { TransactionStream } from './stream.js';
import type { OandaTransaction } from './wire.js';

export interface OandaUpdatesOptions {
  rest: RestClient;
  reader: OandaOrderReader;
  /** Makes an account-relative path absolute (/v3/accounts/<id>...). */
  path: (p: string) => string;
  token: () => string;
  streamUrl: string;
  streaming: boolean;
  pollIntervalMs: number;
  silenceMs: number;
}

export class OandaUpdates {
  readonly #hub = new UpdateHub();
  readonly #rest: RestClient;
  readonly #reader: OandaOrderReader;
  readonly #path: (p: string) => string;
  readonly #token: () => string;
  readonly #streamUrl: string;
  readonly #streaming: boolean;
  readonly #silenceMs: number;
  /** Polling runs when someone listens, the starting transaction is known and the stream is down (or off). */
  readonly #feed: StreamOrPoll<TransactionStream>;
  #lastTransactionId: string | undefined;

  constructor(options: OandaUpdatesOptions) {
    this.#rest = options.rest;
    this.#reader = options.reader;
    this.#path = options.path;
    this.#token = options.token;
    this.#streamUrl = options.streamUrl;
    this.#streaming = options.streaming;
    this.#silenceMs = options.silenceMs;
    this.#feed = new StreamOrPoll({
      hub: this.#hub,
      pollIntervalMs: options.pollIntervalMs,
      poll: () => this.catchUp(),
      ready: () => this.#lastTransactionId !== undefined,
    });
  }

  /** Opens the stream (when streaming) and polls while it is down; `lastTransactionId` is the account's at connect
   *  time, where the updates start the first time. */
  start(lastTransactionId: string | undefined): void {
    this.#lastTransactionId ??= lastTransactionId;
    if (this.#streaming && !this.#feed.stream) {
      this.#feed
        .use(
          (onConnected) =>
            new TransactionStream({
              url: `${this.#streamUrl.replace(/\/+$/, '')}${this.#path('/transactions/stream')}`,
              token: this.#token,
              silenceMs: this.#silenceMs,
              onTransaction: (t) => this.onTransaction(t, true),
              onConnected,
            }),
        )
        .start();
    }
    this.#feed.ensurePolling();
  }

  stop(): void {
    this.#feed.stop();
  }

  add(listener: (update: OrderUpdate) => void): () => void {
    return this.#feed.add(listener);
  }

  /** Reads every transaction after the last one seen (polling, and the gap after a reconnect; one at a time, a
   *  failure is left to the next). */
  private async catchUp(): Promise<void> {
    const { data } = await this.#rest.call<{ transactions: OandaTransaction[]; lastTransactionID: string }>('GET', this.#path('/transactions/sinceid'), { query: { id: this.#lastTransactionId } });
    for (const t of data.transactions) await this.onTransaction(t, false);
    this.#lastTransactionId = data.lastTransactionID;
  }

  private async onTransaction(t: OandaTransaction, live: boolean): Promise<void> {
    if (t.type === 'HEARTBEAT') return;
    if (live && (this.#lastTransactionId === undefined || Number(t.id) > Number(this.#lastTransactionId))) this.#lastTransactionId = t.id;
    if (this.#hub.size === 0) return;
    try {
      if (ORDER_CREATE_TYPES.has(t.type)) {
        this.#hub.emit({ kind: 'order', order: acceptedOrder(t, t.type.replace('_ORDER', ''), t.time) });
      } else if (DEPENDENT_CREATE_TYPES.has(t.type)) {
        // A bracket entry filled and v20 placed its take-profit / stop-loss: reported so they are adopted now.
        const raw = await this.#reader.order(t.id);
        if (raw) this.#hub.emit({ kind: 'order', order: await this.#reader.toBrokerOrder(raw) });
      } else if (t.type === 'ORDER_FILL' && t.orderID) {
        const raw = await this.#reader.order(t.orderID);
        if (!raw) return;
        this.#hub.emit({ kind: 'fill', fill: toFill(t), order: await this.#reader.toBrokerOrder(raw) });
      } else if (t.type === 'ORDER_CANCEL' && t.orderID) {
        const raw = await this.#reader.order(t.orderID);
        if (raw) this.#hub.emit({ kind: 'order', order: await this.#reader.toBrokerOrder(raw) });
      }
    } catch {
      // A lookup that failed is picked up by the lifecycle's reconciliation.
    }
  }
}
