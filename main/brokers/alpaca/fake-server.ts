// A fake of the Alpaca Trading API v2 for tests: a real HTTP + WebSocket server on 127.0.0.1 that validates
// orders the way Alpaca documents (qty xor notional, bracket time in force, crypto order types, unique
// client_order_id), answers with Alpaca's {code, message} errors, and streams trade_updates in binary frames
// as the paper endpoint does. Its parts: the account's books, where orders are validated and filled
// (fake-book.ts); the HTTP routes (fake-routes.ts); the trade_updates stream (fake-stream.ts); Alpaca's shapes,
// values and errors (fake-wire.ts). This file starts and stops the server and checks the keys.
import express from 'express';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { faultMiddleware } from '../contract/faults.js';
import { closeNow, listenOnLoopback } from '../contract/loopback-server.js';
import { FakeAlpacaBook } from './fake-book.js';
import { alpacaRoutes } from './fake-routes.js';
import { classify, errorBody, type FakeSession } from './fake-wire.js';

export interface FakeAlpacaOptions {
  keyId: string;
  secretKey: string;
  cash?: string;
  prices?: Record<string, string>;
  /** The US equity market's session at start (default `open`); `setSession` moves it. */
  session?: FakeSession;
}

export class FakeAlpaca extends FakeAlpacaBook {
  /** When false the stream refuses connections (tests the polling fallback). */
  streamEnabled = true;
  private server!: Server;

  constructor(private readonly options: FakeAlpacaOptions) {
    super(options.cash, options.prices);
    if (options.session) this.setSession(options.session);
  }

  get baseUrl(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  private keysRevoked = false;

  /** The trader regenerated the key pair on Alpaca's dashboard: the old keys are refused from now on. */
  revokeKeys(): void {
    this.keysRevoked = true;
  }

  /** Whether a key pair is the account's, and not revoked: on the REST headers and in the stream's authenticate. */
  private authorizes(keyId: unknown, secretKey: unknown): boolean {
    return !this.keysRevoked && keyId === this.options.keyId && secretKey === this.options.secretKey;
  }

  async start(): Promise<this> {
    const app = express();
    app.use(express.json());
    app.use((req, res, next) => {
      if (!this.authorizes(req.get('APCA-API-KEY-ID'), req.get('APCA-API-SECRET-KEY'))) {
        res.status(401).json({ code: 40110000, message: 'request is not authorized' });
        return;
      }
      next();
    });
    app.use(faultMiddleware(this.faults, classify, { error: (res, status) => res.status(status).json(errorBody(status)) }));
    alpacaRoutes(app, this);
    this.server = createServer(app);
    this.server.on('upgrade', (req, socket, head) => {
      if (req.url !== '/stream' || !this.streamEnabled) {
        socket.destroy();
        return;
      }
      this.stream.accept(req, socket, head, (keyId, secretKey) => this.authorizes(keyId, secretKey));
    });
    await listenOnLoopback(this.server);
    return this;
  }

  async close(): Promise<void> {
    this.stopTimers();
    this.stream.close();
    await closeNow(this.server);
  }

  /** Closes every stream connection as a network blip would. */
  dropStreams(): void {
    this.stream.drop();
  }
}
