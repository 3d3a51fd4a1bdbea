import { describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { WriteGate } from './write-gate.js';

// Another thread holds a claim on the gate, records when it releases it, and releases on request.
const HOLDER = `
const { parentPort, workerData } = require('node:worker_threads');
const cells = new Int32Array(workerData.gate);
const log = new Int32Array(workerData.log);
Atomics.add(cells, 0, 1);
parentPort.postMessage('claimed');
parentPort.on('message', () => {
  Atomics.store(log, 0, 1); // released from here on
  Atomics.sub(cells, 0, 1);
  Atomics.notify(cells, 0);
  parentPort.close();
});
`;

describe('write gate', () => {
  it('without a claim, yield returns at once; with one, claimed() says so until it is released', () => {
    const gate = new WriteGate();
    expect(gate.claimed()).toBe(false);
    gate.yield(10_000); // would block for 10 s if it waited: the test would time out
    gate.claim();
    expect(gate.claimed()).toBe(true);
    gate.release();
    expect(gate.claimed()).toBe(false);
  });

  it('a writer on another thread yields until the priority writer releases its claim', async () => {
    const gate = new WriteGate();
    const log = new Int32Array(new SharedArrayBuffer(4));
    const holder = new Worker(HOLDER, { eval: true, workerData: { gate: gate.buffer, log: log.buffer } });
    await new Promise((r) => holder.once('message', r));
    expect(gate.claimed()).toBe(true);
    holder.postMessage('release');
    gate.yield(10_000);
    // yield() returned because the claim was released, not because its time ran out.
    expect(Atomics.load(log, 0)).toBe(1);
    expect(gate.claimed()).toBe(false);
    await new Promise((r) => holder.once('exit', r));
  });

  it('yield gives up after its limit while the claim is still held (the pipeline never stalls for good)', () => {
    const gate = new WriteGate();
    gate.claim();
    gate.yield(5);
    expect(gate.claimed()).toBe(true);
    gate.reset(); // the holder's thread ended
    expect(gate.claimed()).toBe(false);
  });
});

describe('a connection that yields its writes to the gate', () => {
  it('does not begin a write while the priority writer holds a claim, and writes once it is released', async () => {
    const { openDatabase, yieldWritesTo } = await import('./db.js');
    const { tempDir } = await import('../test-support/agent.js');
    const path = await import('node:path');
    const db = openDatabase({ file: path.join(tempDir(), 'gate.db') });
    db.exec('CREATE TABLE t (n INTEGER)');
    const gate = new WriteGate();
    yieldWritesTo(db, gate);
    const log = new Int32Array(new SharedArrayBuffer(4));
    const holder = new Worker(HOLDER, { eval: true, workerData: { gate: gate.buffer, log: log.buffer } });
    await new Promise((r) => holder.once('message', r));
    holder.postMessage('release');
    db.prepare('INSERT INTO t VALUES (1)').run(); // waits for the release (up to its limit)
    expect(Atomics.load(log, 0)).toBe(1);
    db.transaction(() => db.prepare('INSERT INTO t VALUES (2)').run())();
    expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 2 });
    await new Promise((r) => holder.once('exit', r));
    yieldWritesTo(db, undefined);
    db.close();
  });
});
