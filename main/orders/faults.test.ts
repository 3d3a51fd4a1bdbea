import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { harness, paperPositions, positionsFromFills } from './test-support/harness.js';
import { FaultyAdapter } from '../brokers/paper/faulty-adapter.js';
import { Reconciler } from './reconciler.js';
import { isTerminal } from '../../shared/order-status.js';
import type { OrderRequest } from '../brokers/port.js';

describe('order lifecycle under broker faults', () => {
  it('faults on 30% of 500 submits: no duplicate at the broker, nothing shown rejected that the broker took, every order terminal or matching the broker', async () => {
    const t0 = Date.now();
    // The database lives in memory-backed storage when there is one: this test is about ordering and identity, and
    // thousands of fsyncs would only make it slow (durability has its own tests).
    const dir = fs.mkdtempSync(path.join(fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), 'vz-faults-'));
    const h = harness({ requestTimeoutMs: 60, resolveBaseMs: 10, resolveMaxMs: 40, absentLookups: 2, absentGraceMs: 150, maxCertainRetries: 3, breaker: { threshold: 1000, tripTo: 'halted' } }, path.join(dir, 'orders.db'));
    const paper = h.paper('acc1');
    const faulty = new FaultyAdapter(paper, { submitFaultRate: 0.3, otherFaultRate: 0.05, dropUpdateRate: 0.1, slowMs: 120, retryAfterMs: 5, seed: 20260328 });
    h.router.register('acc1', faulty);
    const reconciler = new Reconciler(h.orders, h.lifecycle, h.router, h.tradingState, h.log, { fillsOverlapMs: 1000 });
    await reconciler.reconcileAll('startup');

    const requests: OrderRequest[] = [];
    for (let i = 0; i < 500; i++) {
      const symbol = ['AAPL', 'MSFT', 'BTCUSD'][i % 3]!;
      const limit = i % 10 === 9; // some rest at the broker, far from the market
      requests.push({
        clientOrderId: `vz-fault-${i}`,
        symbol,
        side: i % 4 === 1 ? 'sell' : 'buy',
        type: limit ? 'limit' : 'market',
        limitPrice: limit ? '1' : undefined,
        quantity: String(1 + (i % 5)),
        timeInForce: 'gtc',
        referencePrice: String(100 + (i % 7)),
      });
    }
    for (let i = 0; i < requests.length; i += 50) {
      await Promise.all(requests.slice(i, i + 50).map((r) => h.router.submit(r, { accountId: 'acc1', leg: 'entry' })));
    }
    const submitted = Date.now() - t0;
    // Let the UNKNOWN resolvers and the periodic reconciliation finish the job (faults stay on for lookups).
    const deadline = Date.now() + 40_000;
    for (;;) {
      await new Promise((r) => setTimeout(r, 100));
      await reconciler.reconcileAll('periodic');
      const open = h.orders.withStatus(['created', 'submitting', 'unknown']);
      if (open.length === 0 || Date.now() > deadline) break;
    }

    const ours = h.orders.list({ limit: 5000 }).items;
    const books = h.paperRepo.allOrders('acc1');
    const byClient = new Map<string, number>();
    for (const b of books) byClient.set(b.clientOrderId, (byClient.get(b.clientOrderId) ?? 0) + 1);
    const duplicates = [...byClient.values()].filter((n) => n > 1).length;
    const ourIds = new Set(ours.map((o) => o.clientOrderId));
    const strangers = books.filter((b) => !ourIds.has(b.clientOrderId)).length;
    const bookByClient = new Map(books.map((b) => [b.clientOrderId, b]));
    const falselyRejected = ours.filter((o) => o.status === 'rejected' && bookByClient.get(o.clientOrderId) && bookByClient.get(o.clientOrderId)!.status !== 'rejected').length;
    const unresolved = ours.filter((o) => !isTerminal(o.status) && bookByClient.get(o.clientOrderId)?.status !== o.status).length;
    const statusDiffers = ours.filter((o) => bookByClient.get(o.clientOrderId) && bookByClient.get(o.clientOrderId)!.status !== o.status).length;
    const resent = (h.db.prepare("SELECT count(*) AS n FROM order_events WHERE kind = 'resend_same_client_id'").get() as { n: number }).n;
    const recovered = (h.db.prepare("SELECT count(*) AS n FROM order_events WHERE kind = 'fill_recovered'").get() as { n: number }).n;
    const counts = { submitMs: submitted, totalMs: Date.now() - t0, submits: requests.length, ourOrders: ours.length, brokerOrders: books.length, duplicates, strangers, falselyRejected, unresolved, statusDiffers, resentSameId: resent, fillsRecoveredByReconciliation: recovered, faults: faulty.counts };
    console.log('fault injection result', JSON.stringify(counts));
    for (const o of ours.filter((x) => !isTerminal(x.status) && bookByClient.get(x.clientOrderId)?.status !== x.status).slice(0, 3)) console.log(o.status, bookByClient.get(o.clientOrderId)?.status, JSON.stringify(h.orders.events(o.id).map((e) => [e.kind, e.fromStatus, e.toStatus])));

    expect(Object.values(faulty.counts).reduce((a, b) => a + b, 0)).toBeGreaterThan(120); // the faults really happened
    expect(ours).toHaveLength(500);
    expect(duplicates).toBe(0);
    expect(strangers).toBe(0);
    expect(books).toHaveLength(500); // trading was active, so every order the broker lacked was sent again (same id)
    expect(falselyRejected).toBe(0);
    expect(unresolved).toBe(0);
    expect(statusDiffers).toBe(0);
    expect(positionsFromFills(h.db, 'acc1')).toEqual(paperPositions(h.db, 'acc1'));
    expect(h.tradingState.effective('acc1').state).toBe('active'); // every difference was explained
    h.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }, 120_000);
});
