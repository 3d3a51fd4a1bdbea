import { describe, expect, it } from 'vitest';
import { harness, paperPositions, positionsFromFills, type Harness } from './test-support/harness.js';
import { openDatabase } from '../store/db.js';
import { FaultyAdapter } from '../brokers/paper/faulty-adapter.js';
import { Reconciler } from './reconciler.js';
import { BrokerError, type OrderRequest } from '../brokers/port.js';
import { LateArrival } from './test-support/late-arrival.js';
import { eventually } from '../test-support/agent.js';

const order = (id: string, extra: Partial<OrderRequest> = {}): OrderRequest => ({ clientOrderId: id, symbol: 'AAPL', side: 'buy', type: 'market', quantity: '2', timeInForce: 'day', referencePrice: '100', ...extra });

/** The broker's books changed behind the agent's back: written through a connection of its own. */
function outside(h: Harness, sql: string): void {
  const db = openDatabase({ file: h.file });
  db.prepare(sql).run();
  db.close();
}

function setup(dropUpdates = 0) {
  const h = harness({ requestTimeoutMs: 50, resolveBaseMs: 5, resolveMaxMs: 20, absentGraceMs: 30 });
  const paper = h.paper();
  const adapter = new FaultyAdapter(paper, { submitFaultRate: 0, dropUpdateRate: dropUpdates });
  h.router.register('acc1', adapter);
  const reconciler = new Reconciler(h.orders, h.lifecycle, h.router, h.tradingState, h.log, { fillsOverlapMs: 1000 });
  return { h, paper, adapter, reconciler };
}

/** Counts the lookups running at once (each takes a moment, as a broker round trip does). */
class CountingLookups extends FaultyAdapter {
  inFlight = 0;
  most = 0;
  looked = 0;
  override async orderByClientId(clientOrderId: string) {
    this.inFlight++;
    this.looked++;
    this.most = Math.max(this.most, this.inFlight);
    try {
      await new Promise((r) => setTimeout(r, 20));
      return await super.orderByClientId(clientOrderId);
    } finally {
      this.inFlight--;
    }
  }
}

describe('reconciliation', () => {
  it('an order filled beyond its quantity (the broker placed it twice) halts the account with the reason and a notice, whatever the broker says of the order', async () => {
    const { h, paper, reconciler } = setup();
    h.nameAccount('acc1', 'Paper main');
    await reconciler.reconcileAll('startup');
    const o = await h.router.submit(order('c1'), { accountId: 'acc1', leg: 'entry' });
    expect(o.status).toBe('filled');
    // The late copy of a re-sent order fills too, under the same client id (OANDA frees a filled order's id).
    const late = await paper.submit({ ...order('c1-copy'), referencePrice: '100' });
    h.lifecycle.applyFill('acc1', o.id, { tradeId: 'copy-1', clientOrderId: 'c1', brokerOrderId: late.brokerOrderId, symbol: 'AAPL', side: 'buy', quantity: '2', price: '100', time: new Date().toISOString() });
    expect(h.orders.get(o.id)).toMatchObject({ status: 'filled', filledQuantity: '2' });
    expect(h.events).toContainEqual(expect.objectContaining({ type: 'notice', level: 'error', code: 'RECONCILE_MISMATCH', message: expect.stringMatching(/^Account "Paper main" \(acc1\): order c1 \(buy 2 AAPL\) filled 4: the broker placed it more than once/) }));
    const [report] = await reconciler.reconcileAll('periodic');
    expect(report!.halted).toBe(true);
    expect(report!.mismatches.join(' ')).toMatch(/order c1 \(buy 2 AAPL\) has fills of 4: the broker placed it more than once; the position holds the extra 2/);
    expect(h.tradingState.effective('acc1')).toMatchObject({ state: 'halted' });
    h.close();
  });

  it('orders of an account are looked up several at a time (at most 8), not one broker round trip after another', async () => {
    const h = harness({ requestTimeoutMs: 1000, resolveBaseMs: 5, resolveMaxMs: 20, absentGraceMs: 30 });
    const adapter = new CountingLookups(h.paper(), { submitFaultRate: 0 });
    h.router.register('acc1', adapter);
    for (let i = 0; i < 20; i++) expect((await h.router.submit(order(`rest${i}`, { type: 'limit', limitPrice: '95', timeInForce: 'gtc' }), { accountId: 'acc1', leg: 'entry' })).status).toBe('accepted');
    const reconciler = new Reconciler(h.orders, h.lifecycle, h.router, h.tradingState, h.log);
    const [report] = await reconciler.reconcileAll('startup');
    expect(report).toMatchObject({ ordersChecked: 20, lookupFailures: 0, mismatches: [], halted: false });
    expect(adapter.looked).toBe(20);
    expect(adapter.most).toBeGreaterThan(1);
    expect(adapter.most).toBeLessThanOrEqual(8);
    h.close();
  });

  it('fills missed on the stream are applied from the broker by trade id, once, and the cursor is stored', async () => {
    const { h, reconciler } = setup(1); // every stream update is lost
    await reconciler.reconcileAll('startup');
    const o = await h.router.submit(order('c1'), { accountId: 'acc1', leg: 'entry' });
    expect(o.status).toBe('filled'); // from the submit answer
    expect(positionsFromFills(h.db, 'acc1')).toEqual({}); // but the fill itself was never seen
    const [report] = await reconciler.reconcileAll('periodic');
    expect(report).toMatchObject({ fillsRecovered: 1, mismatches: [], halted: false });
    expect(positionsFromFills(h.db, 'acc1')).toEqual(paperPositions(h.db, 'acc1'));
    expect(h.events.filter((e) => e.type === 'position')).toEqual([{ type: 'position', accountId: 'acc1', symbol: 'AAPL' }]); // the recovered fill
    expect(h.orders.reconcileState('acc1')!.fillsCursor).toBe(h.paperRepo.fillsSince('acc1', '')[0]!.time);
    const [again] = await reconciler.reconcileAll('periodic');
    expect(again!.fillsRecovered).toBe(0);
    expect(h.orders.fills(o.id)).toHaveLength(1);
    h.close();
  });

  it('a working order whose fill was missed is corrected to filled from the broker', async () => {
    const { h, paper, reconciler } = setup(1);
    await reconciler.reconcileAll('startup');
    paper.observePrice('AAPL', '100');
    const o = await h.router.submit(order('c1', { type: 'limit', limitPrice: '95' }), { accountId: 'acc1', leg: 'entry' });
    expect(o.status).toBe('accepted');
    paper.observePrice('AAPL', '94'); // fills at the broker; the update is lost
    const [report] = await reconciler.reconcileAll('periodic');
    expect(report).toMatchObject({ ordersCorrected: 1, fillsRecovered: 1, halted: false });
    expect(h.orders.get(o.id)).toMatchObject({ status: 'filled', filledQuantity: '2', averageFillPrice: '94' });
    h.close();
  });

  it('trades placed by hand at the broker are explained, not a mismatch', async () => {
    const { h, paper, reconciler } = setup();
    await reconciler.reconcileAll('startup');
    await paper.submit(order('by-hand', { quantity: '3' }));
    const [report] = await reconciler.reconcileAll('periodic');
    expect(report).toMatchObject({ externalFills: 1, mismatches: [], halted: false });
    expect(h.orders.reconcileState('acc1')!.baseline).toEqual({ AAPL: '3' });
    expect(h.events.filter((e) => e.type === 'position')).toEqual([{ type: 'position', accountId: 'acc1', symbol: 'AAPL' }]); // the position changed
    const [again] = await reconciler.reconcileAll('periodic');
    expect(again).toMatchObject({ externalFills: 0, mismatches: [] });
    expect(h.events.filter((e) => e.type === 'position')).toHaveLength(1); // once per trade
    expect(h.tradingState.effective('acc1').state).toBe('active');
    h.close();
  });

  it('positions held before the first reconciliation are taken as the baseline', async () => {
    const { h, paper, reconciler } = setup();
    await paper.submit(order('before-agent', { quantity: '7' }));
    const [report] = await reconciler.reconcileAll('startup');
    expect(report!.mismatches).toEqual([]);
    expect(h.orders.reconcileState('acc1')!.baseline).toEqual({ AAPL: '7' });
    h.close();
  });

  it('its notices name the account as the trader knows it, the id in brackets; an account the store does not know by its id', async () => {
    const { h, reconciler } = setup();
    h.nameAccount('acc1', 'Paper main');
    await reconciler.reconcileAll('startup');
    const notices = () => h.events.filter((e) => e.type === 'notice').map((e) => e.message);
    expect(notices()).toEqual(['Account "Paper main" (acc1): first reconciliation; positions not opened by the agent are taken as they are.']);
    await h.router.submit(order('c1'), { accountId: 'acc1', leg: 'entry' });
    outside(h, "UPDATE paper_positions SET quantity = '5' WHERE account_id = 'acc1' AND symbol = 'AAPL'");
    await reconciler.reconcileAll('periodic');
    const mismatch = h.events.find((e) => e.type === 'notice' && e.code === 'RECONCILE_MISMATCH');
    expect(mismatch).toMatchObject({ level: 'error', message: expect.stringMatching(/^Account "Paper main" \(acc1\): RECONCILE_MISMATCH: position AAPL: the broker holds 5/) });

    h.router.register('acc2', h.paper('acc2')); // registered, but not in the store (deleted meanwhile)
    await reconciler.reconcileAll('periodic');
    expect(notices()).toContain('Account acc2: first reconciliation; positions not opened by the agent are taken as they are.');
    h.close();
  });

  it('a position change the agent cannot explain halts the account with a reason and an SSE notice', async () => {
    const { h, reconciler } = setup();
    await reconciler.reconcileAll('startup');
    await h.router.submit(order('c1'), { accountId: 'acc1', leg: 'entry' });
    outside(h, "UPDATE paper_positions SET quantity = '5' WHERE account_id = 'acc1' AND symbol = 'AAPL'"); // no fill explains this
    const [report] = await reconciler.reconcileAll('periodic');
    expect(report!.halted).toBe(true);
    const state = h.tradingState.effective('acc1');
    expect(state.state).toBe('halted');
    expect(state.reason).toBe(
      "RECONCILE_MISMATCH: position AAPL: the broker holds 5, the agent's records explain 2 (difference 3). Trading on this account is halted. Compare with the broker, correct the position there or accept the broker's positions, then resume trading.",
    );
    expect(h.events.some((e) => e.type === 'notice' && e.code === 'RECONCILE_MISMATCH' && e.message.includes('acc1'))).toBe(true);
    await reconciler.reconcileAll('periodic'); // the same mismatch again: still halted, but said only once
    expect(h.events.filter((e) => e.type === 'notice' && e.code === 'RECONCILE_MISMATCH')).toHaveLength(1);
    await reconciler.acceptBrokerPositions('acc1');
    h.tradingState.set('active', undefined, 'acc1');
    const [after] = await reconciler.reconcileAll('periodic');
    expect(after).toMatchObject({ mismatches: [], halted: false });
    h.close();
  });

  it('an order working here that the broker does not have is a mismatch', async () => {
    const { h, paper, reconciler } = setup();
    await reconciler.reconcileAll('startup');
    paper.observePrice('AAPL', '100');
    await h.router.submit(order('c1', { type: 'limit', limitPrice: '90' }), { accountId: 'acc1', leg: 'entry' });
    outside(h, "DELETE FROM paper_orders WHERE client_order_id = 'c1'");
    const [report] = await reconciler.reconcileAll('periodic');
    expect(report!.mismatches).toEqual(['order c1 (buy 2 AAPL) is accepted here but the broker does not have it']);
    expect(h.tradingState.effective('acc1').state).toBe('halted');
    h.close();
  });

  it('an order open at the broker with an agent client id the agent has no record of is a mismatch', async () => {
    const { h, paper, reconciler } = setup();
    await reconciler.reconcileAll('startup');
    paper.observePrice('AAPL', '100');
    await paper.submit(order('vz-0123456789abcdef0123456789abcdef', { type: 'limit', limitPrice: '90', timeInForce: 'gtc' }));
    await paper.submit(order('by-hand-limit', { type: 'limit', limitPrice: '90', timeInForce: 'gtc' })); // not ours: fine
    const [report] = await reconciler.reconcileAll('periodic');
    expect(report!.mismatches).toEqual(['order vz-0123456789abcdef0123456789abcdef (buy 2 AAPL) is open at the broker with an id this agent issued, but the agent has no record of it']);
    h.close();
  });

  it('an order closed as never sent that is open at the broker after all is canceled there, not a halt; a cancel that fails is a mismatch', async () => {
    for (const cancelFails of [false, true]) {
      const h = harness({ requestTimeoutMs: 50, resolveBaseMs: 5, resolveMaxMs: 20, absentGraceMs: 30 });
      const paper = h.paper();
      paper.observePrice('AAPL', '100');
      const late = new LateArrival(paper, { submitFaultRate: 0, dropUpdateRate: 1 }); // the broker's reports are lost
      h.router.register('acc1', late);
      const reconciler = new Reconciler(h.orders, h.lifecycle, h.router, h.tradingState, h.log, { fillsOverlapMs: 1000 });
      await reconciler.reconcileAll('startup');
      const o = await h.router.submit(order('c1', { type: 'limit', limitPrice: '90', timeInForce: 'gtc' }), { accountId: 'acc1', leg: 'entry' });
      expect(o.status).toBe('unknown');
      await h.router.cancel(o.id); // canceled while its outcome was unknown: the broker has nothing to cancel
      await eventually(() => h.orders.get(o.id)!, (x) => x.status === 'canceled', 3000);
      expect(h.orders.closingEvent(o.id, 'canceled')?.kind).toBe('canceled_before_sending');
      await late.arrive(); // the first request reaches the broker after the lookups gave up, and works there
      if (cancelFails) late.cancel = () => Promise.reject(new BrokerError('unreachable', 'connection refused'));
      const [report] = await reconciler.reconcileAll('periodic');
      if (cancelFails) {
        expect(report!.mismatches).toEqual(['order c1 is accepted at the broker but canceled here (closed before it reached the broker; canceling it there failed)']);
        expect(report!.halted).toBe(true);
        expect(h.tradingState.effective('acc1').state).toBe('halted');
        expect((await paper.orderByClientId('c1'))?.status).toBe('accepted');
      } else {
        expect(report).toMatchObject({ ordersCanceled: 1, mismatches: [], halted: false });
        expect(h.tradingState.effective('acc1').state).toBe('active');
        expect((await paper.orderByClientId('c1'))?.status).toBe('canceled');
        expect(h.orders.get(o.id)).toMatchObject({ status: 'canceled', filledQuantity: '0' });
        expect(h.orders.events(o.id).map((e) => e.kind)).toContain('cancel_stands');
        const [again] = await reconciler.reconcileAll('periodic'); // nothing open any more
        expect(again).toMatchObject({ ordersCanceled: 0, mismatches: [], halted: false });
      }
      h.close();
    }
  });

  it('such an order the broker is canceling already (cancel_pending there) is neither canceled again nor a mismatch', async () => {
    const h = harness({ requestTimeoutMs: 50, resolveBaseMs: 5, resolveMaxMs: 20, absentGraceMs: 30 });
    const paper = h.paper();
    paper.observePrice('AAPL', '100');
    const late = new LateArrival(paper, { submitFaultRate: 0, dropUpdateRate: 1 });
    h.router.register('acc1', late);
    const reconciler = new Reconciler(h.orders, h.lifecycle, h.router, h.tradingState, h.log, { fillsOverlapMs: 1000 });
    await reconciler.reconcileAll('startup');
    const o = await h.router.submit(order('c1', { type: 'limit', limitPrice: '90', timeInForce: 'gtc' }), { accountId: 'acc1', leg: 'entry' });
    await h.router.cancel(o.id);
    await eventually(() => h.orders.get(o.id)!, (x) => x.status === 'canceled', 3000);
    await late.arrive();
    // The broker took a cancel of it that it has not confirmed yet (Alpaca's pending_cancel).
    const open = late.openOrders.bind(late);
    late.openOrders = async () => (await open()).map((b) => ({ ...b, status: 'cancel_pending' as const }));
    let cancels = 0;
    late.cancel = () => (cancels++, Promise.reject(new BrokerError('rejected', 'order is not cancelable')));
    const [report] = await reconciler.reconcileAll('periodic');
    expect(report).toMatchObject({ mismatches: [], halted: false });
    expect(cancels).toBe(0);
    h.close();
  });

  it('a cancel the broker took but never carried out is sent again, with what follows it, once the broker still shows the order working 30 s later', async () => {
    const h = harness({ requestTimeoutMs: 50, resolveBaseMs: 5, resolveMaxMs: 20, absentGraceMs: 30 });
    const paper = h.paper();
    paper.observePrice('AAPL', '100');
    const adapter = new FaultyAdapter(paper, { submitFaultRate: 0, dropUpdateRate: 0 });
    h.router.register('acc1', adapter);
    let clock = Date.now();
    const reconciler = new Reconciler(h.orders, h.lifecycle, h.router, h.tradingState, h.log, { fillsOverlapMs: 1000 }, () => new Date(clock));
    await reconciler.reconcileAll('startup');
    const o = await h.router.submit(order('c1', { type: 'limit', limitPrice: '90', timeInForce: 'gtc' }), { accountId: 'acc1', leg: 'entry' });
    expect(o.status).toBe('accepted');
    // The broker answers the cancel as taken (Alpaca's 204 and pending_cancel) and then never carries it out.
    const cancel = adapter.cancel.bind(adapter);
    adapter.cancel = async (id) => ({ ...(await paper.orderByClientId(id))!, status: 'cancel_pending' as const });
    await h.router.cancel(o.id, { next: 'position_closes' });
    expect(h.orders.get(o.id)!.status).toBe('cancel_pending');
    adapter.cancel = cancel;

    // Soon after, the broker may still be on it: nothing is sent, and a working report does not undo the cancel.
    const [soon] = await reconciler.reconcileAll('periodic');
    expect(soon).toMatchObject({ cancelsResent: 0, mismatches: [], halted: false });
    expect(h.orders.get(o.id)!.status).toBe('cancel_pending');
    expect((await paper.orderByClientId('c1'))!.status).toBe('accepted');

    clock += 31_000;
    const [later] = await reconciler.reconcileAll('periodic');
    expect(later).toMatchObject({ cancelsResent: 1, mismatches: [], halted: false });
    expect((await paper.orderByClientId('c1'))!.status).toBe('canceled');
    expect(h.orders.get(o.id)!.status).toBe('canceled');
    const requests = h.orders.events(o.id).filter((e) => e.kind === 'cancel_request');
    expect(requests).toHaveLength(2);
    expect(requests[1]!.data).toMatchObject({ next: 'position_closes' }); // what follows the cancel is kept
    h.close();
  });

  it('an unreachable broker during reconciliation concludes nothing and halts nothing', async () => {
    const { h, adapter, reconciler } = setup();
    await reconciler.reconcileAll('startup');
    adapter.positions = () => Promise.reject(new Error('ECONNREFUSED'));
    const [report] = await reconciler.reconcileAll('periodic');
    expect(report!.halted).toBe(false);
    expect(h.tradingState.effective('acc1').state).toBe('active');
    h.close();
  });
});

/** A broker whose fills query waits until the test lets it answer. */
class HeldFills extends FaultyAdapter {
  release: () => void = () => undefined;
  held = new Promise<void>((r) => (this.release = r));
  override async fillsSince(since: string) {
    await this.held;
    return super.fillsSince(since);
  }
}

describe('an account deleted while it is reconciled', () => {
  it('gets nothing written back for it: no cursor, no baseline, no halt', async () => {
    const h = harness({ requestTimeoutMs: 50, resolveBaseMs: 5, resolveMaxMs: 20, absentGraceMs: 30 });
    const paper = h.paper();
    const adapter = new HeldFills(paper, { submitFaultRate: 0 });
    h.router.register('acc1', adapter);
    const reconciler = new Reconciler(h.orders, h.lifecycle, h.router, h.tradingState, h.log, { fillsOverlapMs: 1000 });
    // A position the agent's records do not explain, which a first run takes as the baseline.
    paper.observePrice('AAPL', '100');
    await paper.submit(order('by-hand'));
    const run = reconciler.reconcileAccount('acc1', 'periodic');
    await new Promise((r) => setTimeout(r, 20)); // the run waits for the fills
    await h.router.unregister('acc1'); // the account is deleted (DELETE /api/accounts/:id removes its cursor with it)
    adapter.release();
    await run;
    expect(h.orders.reconcileState('acc1')).toBeUndefined();
    expect(h.db.prepare('SELECT count(*) AS n FROM external_fills').get()).toEqual({ n: 0 });
    expect(h.tradingState.effective('acc1').state).toBe('active');
    h.close();
  });
});
