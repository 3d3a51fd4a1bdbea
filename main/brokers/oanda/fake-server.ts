// A fake of the OANDA v20 REST API for tests: a real HTTP server on 127.0.0.1 that validates orders as v20
// documents, answers with orderCreateTransaction / orderFillTransaction / orderCancelTransaction (with reason) or
// 400 {orderRejectTransaction, errorCode, errorMessage}, and serves the transactions stream as chunked JSON lines
// with HEARTBEATs. Its parts: the account's books, where orders are validated and filled and trades opened and
// closed (fake-book.ts); the HTTP routes (fake-routes.ts); the transactions stream (fake-stream.ts); v20's shapes,
// values and errors (fake-wire.ts). This file starts and stops the server and checks the token and account id.
import express from 'express';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { faultMiddleware } from '../contract/faults.js';
import { closeNow, listenOnLoopback } from '../contract/loopback-server.js';
import { FakeOandaBook } from './fake-book.js';
import { oandaRoutes } from './fake-routes.js';
import { classify, errorBody } from './fake-wire.js';

export interface FakeOandaOptions {
  token: string;
  accountId: string;
  balance?: string;
  heartbeatMs?: number;
  /** A hedging account (v20 Account.hedgingEnabled): long and short positions in one instrument at once, and
   *  positionFill DEFAULT opens rather than reduces (fake-book.ts). Off by default: a netting (FIFO) account. */
  hedging?: boolean;
}

export class FakeOanda extends FakeOandaBook {
  private server!: Server;

  constructor(private readonly options: FakeOandaOptions) {
    super(options.accountId, options.balance, options.hedging ?? false);
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async start(): Promise<this> {
    const app = express();
    app.use(express.json());
    app.use((req, res, next) => {
      if (req.get('authorization') !== `Bearer ${this.options.token}`) {
        res.status(401).json({ errorMessage: 'Insufficient authorization to perform request.' });
        return;
      }
      const m = /^\/v3\/accounts\/([^/]+)/.exec(req.path);
      if (m && m[1] !== this.options.accountId) {
        res.status(403).json({ errorMessage: 'The provided request was forbidden.' });
        return;
      }
      next();
    });
    app.use(faultMiddleware(this.faults, classify, { error: (res, status) => res.status(status).json(errorBody(status)) }));
    oandaRoutes(app, this, () => this.baseUrl);
    this.server = createServer(app);
    await listenOnLoopback(this.server);
    this.stream.startHeartbeats(this.options.heartbeatMs ?? 5000);
    return this;
  }

  async close(): Promise<void> {
    this.stream.close();
    await closeNow(this.server);
  }

  /** Open transaction-stream connections. */
  get streamCount(): number {
    return this.stream.count;
  }

  dropStreams(): void {
    this.stream.drop();
  }
}
