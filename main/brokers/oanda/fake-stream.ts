// The fake's transactions stream (GET /v3/accounts/{id}/transactions/stream): chunked JSON lines, one per
// transaction, and a HEARTBEAT every few seconds, as v20 sends them. The fault switches can send each transaction
// twice, or hold an order's create transaction back until the order has filled or been cancelled.
import type { Response } from 'express';
import type { FaultSwitches } from '../contract/faults.js';
import type { Txn } from './fake-wire.js';

export class FakeTransactionStream {
  private readonly streams = new Set<Response>();
  private readonly held = new Map<string, string[]>();
  private heartbeat: NodeJS.Timeout | undefined;

  /** `lastTransactionId` gives the heartbeats' lastTransactionID. */
  constructor(
    private readonly faults: FaultSwitches,
    private readonly lastTransactionId: () => string,
  ) {}

  /** Serves one stream connection: it receives every transaction published from now on. */
  open(res: Response): void {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' });
    this.streams.add(res);
    res.on('close', () => this.streams.delete(res));
    res.write(`${JSON.stringify(this.heartbeatFrame())}\n`);
  }

  startHeartbeats(everyMs: number): void {
    this.heartbeat = setInterval(() => this.write(this.heartbeatFrame()), everyMs);
    this.heartbeat.unref();
  }

  /** Open stream connections. */
  get count(): number {
    return this.streams.size;
  }

  /** Closes every stream connection as a network blip would. */
  drop(): void {
    for (const s of this.streams) s.destroy();
    this.streams.clear();
  }

  close(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const s of this.streams) s.destroy();
  }

  private heartbeatFrame(): Record<string, string> {
    return { type: 'HEARTBEAT', lastTransactionID: this.lastTransactionId(), time: new Date().toISOString() };
  }

  private write(obj: unknown): void {
    const line = `${JSON.stringify(obj)}\n`;
    for (const s of this.streams) s.write(line);
  }

  publish(t: Txn): void {
    const line = JSON.stringify(t);
    const copies = this.faults.duplicateUpdates ? [line, line] : [line];
    if (this.faults.outOfOrderUpdates && t.type.endsWith('_ORDER')) {
      this.held.set(t.id, copies);
      return;
    }
    setImmediate(() => {
      for (const c of copies) for (const s of this.streams) s.write(`${c}\n`);
    });
  }

  /** Releases an order's held create transaction after its fill (out-of-order delivery). */
  flushHeld(orderId: string): void {
    const held = this.held.get(orderId);
    if (!held) return;
    this.held.delete(orderId);
    setImmediate(() => {
      for (const c of held) for (const s of this.streams) s.write(`${c}\n`);
    });
  }
}
