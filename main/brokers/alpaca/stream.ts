// The trade_updates WebSocket: authenticate, listen, reconnect with backoff. Paper sends binary frames, live
// text frames; both carry JSON. While disconnected the adapter polls, so a gap never loses an update.
import WebSocket from 'ws';
import { BrokerError } from '../port.js';
import type { AlpacaTradeUpdate } from './wire.js';

export interface StreamOptions {
  url: string;
  keyId: string;
  secretKey: string;
  onUpdate: (update: AlpacaTradeUpdate) => void;
  /** Called with true once listening, false whenever the connection is lost. */
  onConnected: (connected: boolean) => void;
  maxBackoffMs?: number;
}

export class TradeUpdatesStream {
  private ws: WebSocket | undefined;
  private stopped = true;
  private backoffMs = 250;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: StreamOptions) {}

  /** Resolves once listening; rejects on refused credentials or when the first connection fails. */
  start(): Promise<void> {
    this.stopped = false;
    return this.open();
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.ws?.terminate();
    this.ws = undefined;
  }

  private open(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const ws = new WebSocket(this.options.url);
      this.ws = ws;
      const fail = (err: BrokerError) => {
        if (!settled) {
          settled = true;
          reject(err);
        }
      };
      ws.on('open', () => {
        ws.send(JSON.stringify({ action: 'authenticate', data: { key_id: this.options.keyId, secret_key: this.options.secretKey } }));
      });
      ws.on('message', (raw: WebSocket.RawData) => {
        let msg: { stream?: string; data?: Record<string, unknown> };
        try {
          msg = JSON.parse(Buffer.isBuffer(raw) ? raw.toString('utf8') : Array.isArray(raw) ? Buffer.concat(raw).toString('utf8') : Buffer.from(raw).toString('utf8')) as typeof msg;
        } catch {
          return;
        }
        if (msg.stream === 'authorization') {
          if (msg.data?.status === 'authorized') ws.send(JSON.stringify({ action: 'listen', data: { streams: ['trade_updates'] } }));
          else {
            this.stopped = true; // refused keys will not start working by retrying
            fail(new BrokerError('auth', 'Alpaca stream: the keys were not authorized'));
            ws.close();
          }
        } else if (msg.stream === 'listening') {
          this.backoffMs = 250;
          this.options.onConnected(true);
          if (!settled) {
            settled = true;
            resolve();
          }
        } else if (msg.stream === 'trade_updates' && msg.data) {
          this.options.onUpdate(msg.data as unknown as AlpacaTradeUpdate);
        }
      });
      ws.on('error', () => {
        fail(new BrokerError('unreachable', 'Alpaca stream: could not connect'));
      });
      ws.on('close', () => {
        if (this.ws === ws) this.ws = undefined;
        this.options.onConnected(false);
        fail(new BrokerError('unreachable', 'Alpaca stream: the connection closed'));
        this.scheduleReconnect();
      });
    });
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.retryTimer) return;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.options.maxBackoffMs ?? 30_000);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.stopped) return;
      this.open().catch(() => {
        // close → scheduleReconnect has already run for this attempt
      });
    }, delay);
    this.retryTimer.unref();
  }
}
