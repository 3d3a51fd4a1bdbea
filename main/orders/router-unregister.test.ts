// OrderRouter.unregister: a deleted account's adapter leaves the router. Its broker updates are no longer applied,
// it has no adapter (so nothing can be sent for it), it is left out of accountIds() (the reconciler's runs, the
// positions list), and its adapter is disconnected, while the other accounts carry on as before.
import { describe, expect, it } from 'vitest';
import { harness } from './test-support/harness.js';
import { PaperBroker } from '../brokers/paper/paper-broker.js';
import type { OrderRequest } from '../brokers/port.js';

/** The paper broker, counting its disconnects (the real adapter's books and updates, unchanged). */
class CountingPaper extends PaperBroker {
  disconnects = 0;
  override async disconnect(): Promise<void> {
    this.disconnects++;
    await super.disconnect();
  }
}

const restingBuy = (id: string): OrderRequest => ({ clientOrderId: id, symbol: 'AAPL', side: 'buy', type: 'limit', limitPrice: '90', quantity: '1', timeInForce: 'gtc', referencePrice: '100' });

describe('OrderRouter.unregister', () => {
  it("stops applying the account's broker updates, forgets its adapter and disconnects it; another account is untouched", async () => {
    const h = harness();
    try {
      const gone = new CountingPaper('acc1', h.paperRepo);
      const kept = new CountingPaper('acc2', h.paperRepo);
      h.router.register('acc1', gone);
      h.router.register('acc2', kept);
      const a = await h.router.submit(restingBuy('gone-1'), { accountId: 'acc1', leg: 'entry' });
      const b = await h.router.submit(restingBuy('kept-1'), { accountId: 'acc2', leg: 'entry' });
      expect([a.status, b.status]).toEqual(['accepted', 'accepted']);

      expect(await h.router.unregister('acc1')).toBe(true);
      expect(gone.disconnects).toBe(1);
      expect(kept.disconnects).toBe(0);
      expect(h.router.adapter('acc1')).toBeUndefined();
      expect(h.router.accountIds()).toEqual(['acc2']);

      // The price crosses both limits: each paper book fills its order and reports it. Only the registered
      // account's report reaches the agent's order.
      gone.observePrice('AAPL', '89');
      kept.observePrice('AAPL', '89');
      expect((await gone.positions()).map((p) => [p.symbol, p.quantity])).toEqual([['AAPL', '1']]); // it did fill there
      expect(h.orders.get(a.id)!.status).toBe('accepted');
      expect(h.orders.get(b.id)!.status).toBe('filled');

      // Nothing can be sent for the removed account any more: an order for it is refused locally, never sent.
      const after = await h.router.submit(restingBuy('gone-2'), { accountId: 'acc1', leg: 'entry' });
      expect(after.status).toBe('rejected');
      expect(after.reason).toMatch(/ACCOUNT_UNAVAILABLE/);
      expect(gone.orderCount('gone-2')).toBe(0);
    } finally {
      h.close();
    }
  });

  it('is false, and harmless, for an account that has no adapter registered', async () => {
    const h = harness();
    try {
      const kept = new CountingPaper('acc2', h.paperRepo);
      h.router.register('acc2', kept);
      expect(await h.router.unregister('acc-unknown')).toBe(false);
      expect(h.router.accountIds()).toEqual(['acc2']);
      expect(kept.disconnects).toBe(0);
    } finally {
      h.close();
    }
  });
});
