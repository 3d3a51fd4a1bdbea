// The transactions stream reopens a dropped connection without exceeding OANDA's recommended two new connections a
// second (developer.oanda.com, v20 Best Practices, "Connection Limits"), even when every connection drops at once.
import { afterEach, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeNow, listenOnLoopback } from '../contract/loopback-server.js';
import { TransactionStream } from './stream.js';

let server: Server | undefined;
let stream: TransactionStream | undefined;

afterEach(async () => {
  stream?.stop();
  if (server) await closeNow(server);
  server = undefined;
  stream = undefined;
});

it('a stream that is dropped right after each connect is reopened at most twice a second', async () => {
  const opened: number[] = [];
  server = createServer((_req, res) => {
    opened.push(Date.now());
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    res.end('{"type":"HEARTBEAT","lastTransactionID":"1","time":"2026-11-30T08:00:00.000000000Z"}\n');
  });
  await listenOnLoopback(server);
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v3/accounts/x/transactions/stream`;
  stream = new TransactionStream({ url, token: () => 't', onTransaction: () => {}, onConnected: () => {} });
  stream.start();
  await new Promise((r) => setTimeout(r, 1600));
  expect(opened.length).toBeGreaterThanOrEqual(3);
  const gaps = opened.slice(1).map((t, i) => t - opened[i]!);
  expect(Math.min(...gaps)).toBeGreaterThanOrEqual(450);
});
