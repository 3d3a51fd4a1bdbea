// The fake's trade_updates stream (`/stream`, a WebSocket): authenticate, listen, then every order event in binary
// frames, as the paper endpoint sends them. The fault switches can send each event twice, or hold an order's early
// events back until its final one.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { FaultSwitches } from '../contract/faults.js';
import { serialise, type FakeOrder } from './fake-wire.js';

/** Whether a key pair may listen (the stream's `authenticate` message carries `key_id` and `secret_key`). */
export type StreamKeysCheck = (keyId: unknown, secretKey: unknown) => boolean;

export class FakeTradeUpdates {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sockets = new Set<WebSocket>();
  private readonly pending = new Map<string, string[]>();

  constructor(private readonly faults: FaultSwitches) {}

  /** Takes a connection the HTTP server was asked to upgrade. */
  accept(req: IncomingMessage, socket: Duplex, head: Buffer, authorized: StreamKeysCheck): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onSocket(ws, authorized));
  }

  /** Closes every stream connection as a network blip would. */
  drop(): void {
    for (const ws of this.sockets) ws.terminate();
    this.sockets.clear();
  }

  close(): void {
    for (const ws of this.sockets) ws.terminate();
    this.wss.close();
  }

  private onSocket(ws: WebSocket, authorized: StreamKeysCheck): void {
    let authed = false;
    ws.on('message', (raw) => {
      let msg: { action?: string; data?: Record<string, unknown> };
      try {
        msg = JSON.parse(String(raw)) as typeof msg;
      } catch {
        return;
      }
      if (msg.action === 'authenticate' || msg.action === 'auth') {
        authed = authorized(msg.data?.key_id, msg.data?.secret_key);
        ws.send(Buffer.from(JSON.stringify({ stream: 'authorization', data: { action: 'authenticate', status: authed ? 'authorized' : 'unauthorized' } })), { binary: true });
        if (!authed) ws.close();
      } else if (msg.action === 'listen' && authed) {
        const streams = (msg.data?.streams as string[] | undefined) ?? [];
        if (streams.includes('trade_updates')) this.sockets.add(ws);
        else this.sockets.delete(ws);
        ws.send(Buffer.from(JSON.stringify({ stream: 'listening', data: { streams: streams.filter((s) => s === 'trade_updates') } })), { binary: true });
      }
    });
    ws.on('close', () => this.sockets.delete(ws));
  }

  /** Legs are published like any order (their client_order_id is the fake's own; nothing in them names the parent). */
  publish(event: string, order: FakeOrder, extra: Record<string, string> = {}): void {
    const frame = JSON.stringify({ stream: 'trade_updates', data: { event, order: serialise(order), timestamp: new Date().toISOString(), ...extra } });
    const copies = this.faults.duplicateUpdates ? [frame, frame] : [frame];
    if (this.faults.outOfOrderUpdates && !['fill', 'canceled', 'expired', 'rejected'].includes(event)) {
      // Hold the early events of this order and release them after its final one.
      const held = this.pending.get(order.id) ?? [];
      held.push(...copies);
      this.pending.set(order.id, held);
      return;
    }
    const held = this.pending.get(order.id) ?? [];
    this.pending.delete(order.id);
    setImmediate(() => {
      for (const ws of this.sockets) for (const f of [...copies, ...held]) ws.send(Buffer.from(f), { binary: true });
    });
  }
}
