// Order updates from a broker that pushes them over a stream that can drop: stream when possible, poll while the
// stream is down (or there is none), and stop both. The adapter builds and starts its own stream (each broker's has
// its own protocol and its own way of failing to start); this keeps whether it is up, runs one poll after each
// (re)connect for whatever happened during the gap, runs the poll timer while someone listens, never lets two polls
// overlap and leaves a failed poll to the next one.
import type { OrderUpdate } from '../port.js';
import type { UpdateHub } from './update-filter.js';

/** What this needs of a stream: a way to stop it (reconnects included). */
export interface StoppableStream {
  stop(): void;
}

export interface StreamOrPollOptions {
  /** The adapter's listeners: polling is worth it only while there is one, and adding one starts it. */
  hub: UpdateHub;
  pollIntervalMs: number;
  /** One poll: reads from the broker's REST API what the stream would have told. A poll that throws is retried by
   *  the next one (the lifecycle's reconciliation covers longer outages). */
  poll: () => Promise<void>;
  /** What polling needs besides a listener (OANDA: the transaction to read from); nothing more when left out.
   *  Checked with the listeners before the timer is started and before each poll. */
  ready?: () => boolean;
}

export class StreamOrPoll<S extends StoppableStream> {
  readonly #hub: UpdateHub;
  readonly #pollIntervalMs: number;
  readonly #poll: () => Promise<void>;
  readonly #ready: () => boolean;
  #stream: S | undefined;
  #up = false;
  #timer: NodeJS.Timeout | undefined;
  #polling = false;

  constructor(options: StreamOrPollOptions) {
    this.#hub = options.hub;
    this.#pollIntervalMs = options.pollIntervalMs;
    this.#poll = options.poll;
    this.#ready = options.ready ?? (() => true);
  }

  /** The stream is connected (listening). */
  get up(): boolean {
    return this.#up;
  }

  /** The stream in use, until it is dropped or stopped. */
  get stream(): S | undefined {
    return this.#stream;
  }

  /** Keeps the stream `create` builds, handing it the callback its connection changes go to (true once connected,
   *  false whenever the connection is lost), and returns it for the adapter to start. */
  use(create: (onConnected: (up: boolean) => void) => S): S {
    this.#stream = create((up) => {
      const wasDown = !this.#up;
      this.#up = up;
      // After a (re)connect, one poll picks up whatever happened during the gap.
      if (up && wasDown) void this.pollOnce();
    });
    return this.#stream;
  }

  /** Stops and forgets the stream alone (it will not start working by retrying); polling, if it runs, goes on. */
  dropStream(): void {
    this.#stream?.stop();
    this.#stream = undefined;
  }

  /** Starts the poll timer unless it runs or polling is not worth it; each tick polls only while the stream is down.
   *  The timer never keeps the process alive. */
  ensurePolling(): void {
    if (this.#timer || !this.worthPolling()) return;
    this.#timer = setInterval(() => {
      if (!this.#up) void this.pollOnce();
    }, this.#pollIntervalMs);
    this.#timer.unref();
  }

  /** Adds a listener to the hub and starts polling if it is now worth it; returns the function that removes it. */
  add(listener: (update: OrderUpdate) => void): () => void {
    const off = this.#hub.add(listener);
    this.ensurePolling();
    return off;
  }

  /** Stops the stream, then the polling. */
  stop(): void {
    this.#stream?.stop();
    this.#stream = undefined;
    this.#up = false;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  private worthPolling(): boolean {
    return this.#hub.size > 0 && this.#ready();
  }

  /** One poll now, unless one is running or polling is not worth it. */
  private async pollOnce(): Promise<void> {
    if (this.#polling || !this.worthPolling()) return;
    this.#polling = true;
    try {
      await this.#poll();
    } catch {
      // The next poll retries.
    } finally {
      this.#polling = false;
    }
  }
}
