import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { harness } from './test-support/harness.js';
import { LateArrival } from './test-support/late-arrival.js';
import { FaultyAdapter, type FaultOptions } from '../brokers/paper/faulty-adapter.js';
import { AccountThrottle } from './throttle.js';
import { eventually, tempDir } from '../test-support/agent.js';
import { BrokerError, type OrderRequest, type OrderUpdate } from '../brokers/port.js';
import type { RouterOptions } from './router.js';
import { neverSent } from './never-sent.js';

const order = (id: string, extra: Partial<OrderRequest> = {}): OrderRequest => ({ clientOrderId: id, symbol: 'AAPL', side: 'buy', type: 'market', quantity: '1', timeInForce: 'day', referencePrice: '100', ...extra });
const fast: Partial<RouterOptions> = { requestTimeoutMs: 50, resolveBaseMs: 5, resolveMaxMs: 20, absentLookups: 2, absentGraceMs: 30, maxCertainRetries: 2 };

function setup(faults: FaultOptions, options: Partial<RouterOptions> = {}) {
  const h = harness({ ...fast, ...options });
  const paper = h.paper();
  const faulty = new FaultyAdapter(paper, faults);
  h.router.register('acc1', faulty);
  const kinds = (orderId: string) => h.orders.events(orderId).map((e) => e.kind);
  return { h, paper, faulty, kinds };
}

describe('router: UNKNOWN orders', () => {
  it('submit_when_answer_lost_after_accept_then_finds_order_by_client_id_and_does_not_resend', async () => {
    const { h, paper, kinds } = setup({ submitFaultRate: 1, faults: ['timeout_after_accept'], maxFaults: 1, slowMs: 100, dropUpdateRate: 1 });
    const o = await h.router.submit(order('c1'), { accountId: 'acc1', leg: 'entry' });
    expect(o.status).toBe('unknown');
    const done = await eventually(() => h.orders.get(o.id)!, (x) => x.status === 'filled');
    expect(done.status).toBe('filled');
    expect(kinds(o.id)).toContain('reconciled');
    expect(kinds(o.id)).not.toContain('resend_same_client_id');
    expect(paper.orderCount('c1')).toBe(1);
    h.close();
  });

  it('submit_again_with_the_client_order_id_of_an_order_being_sent_returns_it_and_sends_nothing_more', async () => {
    const { h, paper, kinds } = setup({ submitFaultRate: 1, faults: ['slow'], maxFaults: 1, slowMs: 30 });
    const first = h.router.submit(order('c1'), { accountId: 'acc1', leg: 'entry' });
    let decided = 0;
    const again = await h.router.submit(order('c1'), { accountId: 'acc1', leg: 'entry', withOrder: () => decided++ });
    expect(again.status).toBe('submitting'); // the first send is still on its way
    const o = await first;
    expect(again.id).toBe(o.id);
    expect(decided).toBe(0); // the order existed: nothing stored with it a second time
    expect(kinds(o.id).filter((k) => k === 'submit')).toHaveLength(1);
    expect(paper.orderCount('c1')).toBe(1);
    h.close();
  });

  it('submit_when_connection_reset_before_sending_then_resends_with_same_client_id_after_absent_lookups', async () => {
    const { h, paper, kinds } = setup({ submitFaultRate: 1, faults: ['reset_before'], maxFaults: 1 });
    const o = await h.router.submit(order('c1'), { accountId: 'acc1', leg: 'entry' });
    expect(o.status).toBe('unknown');
    const done = await eventually(() => h.orders.get(o.id)!, (x) => x.status === 'filled');
    expect(done.status).toBe('filled');
    const k = kinds(o.id);
    expect(k.filter((x) => x === 'lookup_absent').length).toBeGreaterThanOrEqual(1); // not re-sent on the first absence
    expect(k.filter((x) => x === 'resend_same_client_id')).toHaveLength(1);
    expect(paper.orderCount('c1')).toBe(1);
    h.close();
  });

  it('a broker that frees a final order\'s client id (OANDA) gets three times the grace before an absent order is sent again', async () => {
    for (const reusable of [false, true]) {
      const h = harness({ ...fast, absentLookups: 1, absentGraceMs: 1000, resolveBaseMs: 100_000, resolveMaxMs: 100_000 });
      const paper = h.paper();
      const faulty = new FaultyAdapter(paper, { submitFaultRate: 1, faults: ['reset_before'], maxFaults: 1 });
      const adapter = Object.assign(Object.create(faulty) as FaultyAdapter, { clientIdsReusable: reusable });
      h.router.register('acc1', adapter);
      const o = await h.router.submit(order('c1'), { accountId: 'acc1', leg: 'entry' });
      expect(o.status).toBe('unknown');
      await new Promise((r) => setTimeout(r, 1200)); // past the grace, well before three times it
      const after = await h.router.resolve(o.id);
      if (reusable) {
        expect(after.status).toBe('unknown');
        expect(paper.orderCount('c1')).toBe(0);
      } else {
        expect(after.status).toBe('filled');
        expect(paper.orderCount('c1')).toBe(1);
      }
      h.close();
    }
  });

  it('unknown_order_absent_at_broker_when_trading_halted_then_closed_as_canceled_not_resent', async () => {
    const { h, paper } = setup({ submitFaultRate: 1, faults: ['reset_before'], maxFaults: 1 });
    h.tradingState.set('halted', 'by hand', 'acc1');
    const o = await h.router.submit(order('c1'), { accountId: 'acc1', leg: 'entry' });
    const done = await eventually(() => h.orders.get(o.id)!, (x) => x.status === 'canceled');
    expect(done).toMatchObject({ status: 'canceled', reason: 'TRADING_HALTED: not at the broker; not sent again because trading on the account is halted' });
    // It never reached the broker, and says why with a code (its alert's signal shows it).
    expect(neverSent(h.orders, done)).toEqual({ code: 'TRADING_HALTED', detail: `The order (buy 1 AAPL, c1) was canceled before it reached the broker: ${done.reason!}` });
    expect(paper.orderCount('c1')).toBe(0);
    h.close();
  });

  it('a re-send of an order absent at the broker that waits for the account\'s pacing while the trader halts is not sent', async () => {
    // One request, then one a second: the lookup, then the re-send, each wait for their turn.
    const { h, paper, kinds } = setup({ submitFaultRate: 1, faults: ['reset_before'], maxFaults: 1, capabilities: { requestsPerMinute: 60 } }, { absentLookups: 1, absentGraceMs: 0 });
    const o = await h.router.submit(order('c1'), { accountId: 'acc1', leg: 'entry' });
    expect(o.status).toBe('unknown');
    await eventually(() => kinds(o.id), (k) => k.includes('resend_same_client_id'), 3000);
    expect(kinds(o.id)).toContain('resend_same_client_id'); // decided while trading was active; waiting for its turn
    h.tradingState.set('halted', 'by hand', 'acc1');
    const done = await eventually(() => h.orders.get(o.id)!, (x) => x.status !== 'submitting' && x.status !== 'unknown', 3000);
    expect(done).toMatchObject({ status: 'rejected', reason: 'TRADING_HALTED: not sent again because trading on the account is halted' });
    expect(paper.orderCount('c1')).toBe(0);
    expect(neverSent(h.orders, done)).toMatchObject({ code: 'TRADING_HALTED' });
    h.close();
  });

  it('rate_limited_submit_waits_retry_after_and_sends_again_once', async () => {
    const { h, paper, faulty, kinds } = setup({ submitFaultRate: 1, faults: ['rate_limited'], maxFaults: 2, retryAfterMs: 5 });
    const o = await h.router.submit(order('c1'), { accountId: 'acc1', leg: 'entry' });
    expect(o.status).toBe('filled');
    expect(faulty.counts.rate_limited).toBe(2);
    expect(kinds(o.id).filter((k) => k === 'submit_retry')).toHaveLength(2);
    expect(paper.orderCount('c1')).toBe(1);
    h.close();
  });

  it('a send refused by 429s only (the broker certainly took nothing) is sent again after the retry-after, not the absent grace', async () => {
    // maxCertainRetries 2: three 429s in a row use the send up; the grace (60 s here) would hold the re-send.
    const { h, paper, faulty, kinds } = setup({ submitFaultRate: 1, faults: ['rate_limited'], maxFaults: 3, retryAfterMs: 5 }, { absentGraceMs: 60_000, absentLookups: 2 });
    const o = await h.router.submit(order('c1'), { accountId: 'acc1', leg: 'entry' });
    expect(o).toMatchObject({ status: 'unknown', reason: 'BROKER_RATE_LIMITED' });
    expect(faulty.counts.rate_limited).toBe(3);
    const done = await eventually(() => h.orders.get(o.id)!, (x) => x.status === 'filled', 3000);
    expect(done.status).toBe('filled');
    expect(kinds(o.id)).toContain('resend_same_client_id');
    expect(paper.orderCount('c1')).toBe(1);
    h.close();
  });

  it('a 502 is outcome unknown: never shown rejected, resolved at the broker', async () => {
    const { h, paper } = setup({ submitFaultRate: 1, faults: ['bad_gateway'], maxFaults: 1, seed: 7 });
    const o = await h.router.submit(order('c1'), { accountId: 'acc1', leg: 'entry' });
    expect(o.status).toBe('unknown');
    const done = await eventually(() => h.orders.get(o.id)!, (x) => x.status === 'filled');
    expect(done.status).toBe('filled');
    expect(paper.orderCount('c1')).toBe(1);
    h.close();
  });

  it('submit_when_adapter_lacks_capability_then_rejected_locally_before_any_network_call', async () => {
    const { h, paper } = setup({ submitFaultRate: 0, capabilities: { trailingStops: false, orderTypes: ['market', 'limit'] } });
    const o = await h.router.submit(order('c1', { type: 'trailing_stop', trailAmount: '1' }), { accountId: 'acc1', leg: 'entry' });
    expect(o.status).toBe('rejected');
    expect(o.reason).toMatch(/^CAPABILITY_UNSUPPORTED: order type trailing_stop/);
    expect(paper.orderCount('c1')).toBe(0);
    h.close();
  });
});

/** A broker whose order lookups lag behind its order entry (eventual consistency): the first lookups miss. */
class LaggingLookups extends FaultyAdapter {
  misses = 0;
  override async orderByClientId(clientOrderId: string) {
    if (this.misses > 0) {
      this.misses--;
      return undefined;
    }
    return super.orderByClientId(clientOrderId);
  }
}

/** A broker whose cancels are taken but confirmed later (Alpaca's `pending_cancel`), and whose stream delivers the
 *  order's `new` late: only after the cancel was asked. */
class LateNewPendingCancel extends FaultyAdapter {
  private readonly listeners: ((u: OrderUpdate) => void)[] = [];
  override onUpdate(listener: (u: OrderUpdate) => void): () => void {
    this.listeners.push(listener);
    return super.onUpdate(listener);
  }
  override async cancel(clientOrderId: string) {
    const working = (await this.inner.orderByClientId(clientOrderId))!;
    for (const l of this.listeners) l({ kind: 'order', order: { ...working, status: 'accepted' } }); // the late `new`
    return { ...working, status: 'cancel_pending' as const };
  }
  /** The venue confirms the cancel. */
  async confirm(clientOrderId: string): Promise<void> {
    await this.inner.cancel(clientOrderId);
  }
}

describe('router: races', () => {
  it('cancel_rejected_because_the_order_already_filled_then_shown_filled_not_canceled', async () => {
    const { h, paper } = setup({ submitFaultRate: 0, dropUpdateRate: 1 });
    paper.observePrice('AAPL', '100');
    const o = await h.router.submit(order('c1', { type: 'limit', limitPrice: '95', timeInForce: 'gtc' }), { accountId: 'acc1', leg: 'entry' });
    paper.observePrice('AAPL', '90'); // fills at the broker; the update is lost
    const after = await h.router.cancel(o.id);
    expect(after.status).toBe('filled');
    expect(h.orders.events(o.id).map((e) => e.kind)).toEqual(expect.arrayContaining(['cancel_request', 'cancel_failed', 'reconciled']));
    h.close();
  });

  it('a re-send refused because the first send arrived after all is resolved to the broker order, never rejected', async () => {
    const h = harness({ ...fast, absentLookups: 1, absentGraceMs: 0 });
    const paper = h.paper();
    const lagging = new LaggingLookups(paper, { submitFaultRate: 1, faults: ['reset_after'], maxFaults: 1, dropUpdateRate: 1 });
    h.router.register('acc1', lagging);
    lagging.misses = 1;
    const o = await h.router.submit(order('c1'), { accountId: 'acc1', leg: 'entry' }); // placed, answer lost
    expect(o.status).not.toBe('rejected');
    const done = await eventually(() => h.orders.get(o.id)!, (x) => x.status === 'filled');
    expect(done.status).toBe('filled');
    expect(h.orders.events(o.id).map((e) => e.kind)).toEqual(expect.arrayContaining(['resend_same_client_id', 'resend_refused_found']));
    expect(paper.orderCount('c1')).toBe(1);
    h.close();
  });

  it('an order canceled while its outcome was unknown, that reaches the broker after the cancel found nothing, is canceled again', async () => {
    for (const streamed of [false, true]) {
      const h = harness({ ...fast, absentGraceMs: 60_000 }); // never certain it is absent: it may still arrive
      const paper = h.paper();
      paper.observePrice('AAPL', '100');
      const late = new LateArrival(paper, { submitFaultRate: 0, dropUpdateRate: streamed ? 0 : 1 });
      h.router.register('acc1', late);
      const o = await h.router.submit(order('c1', { type: 'limit', limitPrice: '95', timeInForce: 'gtc' }), { accountId: 'acc1', leg: 'entry' });
      expect(o.status).toBe('unknown');
      // The trader cancels (flatten, an alert's cancel): the broker knows no such order yet.
      expect((await h.router.cancel(o.id)).status).toBe('unknown');
      await late.arrive(); // the first request reaches the broker now, and the order works there
      const done = await eventually(() => h.orders.get(o.id)!, (x) => x.status === 'canceled', 3000);
      expect(done.status).toBe('canceled');
      expect((await paper.orderByClientId('c1'))?.status).toBe('canceled');
      h.close();
    }
  });

  it('a late new from the stream, delivered after the trader asked to cancel, leaves the order cancel_pending until the broker ends it', async () => {
    const h = harness(fast);
    const paper = h.paper();
    paper.observePrice('AAPL', '100');
    const adapter = new LateNewPendingCancel(paper, { submitFaultRate: 0, dropUpdateRate: 1 }); // the paper's own updates are lost
    h.router.register('acc1', adapter);
    const o = await h.router.submit(order('c1', { type: 'limit', limitPrice: '95', timeInForce: 'gtc' }), { accountId: 'acc1', leg: 'entry' });
    expect(o.status).toBe('accepted');
    const statuses: string[] = [];
    h.bus.subscribe((e) => {
      if (e.type === 'order' && e.order.id === o.id) statuses.push(e.order.status);
    });
    expect((await h.router.cancel(o.id)).status).toBe('cancel_pending');
    expect(statuses).toEqual(['cancel_pending']); // never shown working again in between
    expect(h.orders.events(o.id).map((e) => e.kind)).toContain('stale_report_ignored');
    await adapter.confirm('c1');
    await h.router.resolve(o.id);
    expect(h.orders.get(o.id)!.status).toBe('canceled');
    h.close();
  });

  it('an order closed as never sent that the broker reports working after the lookups gave up is canceled there at once, and stays closed', async () => {
    const h = harness({ ...fast, absentLookups: 1, absentGraceMs: 0 });
    const paper = h.paper();
    paper.observePrice('AAPL', '100');
    const late = new LateArrival(paper, { submitFaultRate: 0 });
    h.router.register('acc1', late);
    h.tradingState.set('halted', 'by hand', 'acc1'); // found absent, it is not sent again: closed canceled
    const o = await h.router.submit(order('c1', { type: 'limit', limitPrice: '95', timeInForce: 'gtc' }), { accountId: 'acc1', leg: 'entry' });
    const closed = await eventually(() => h.orders.get(o.id)!, (x) => x.status === 'canceled');
    expect(neverSent(h.orders, closed)).toMatchObject({ code: 'TRADING_HALTED' }); // its alert was told it did not trade
    await late.arrive(); // the first request reaches the broker now: the stream reports the order working
    const atBroker = await eventually(() => paper.orderByClientId('c1'), (b) => b?.status === 'canceled', 3000);
    expect(atBroker?.status).toBe('canceled');
    expect(h.orders.get(o.id)).toMatchObject({ status: 'canceled', filledQuantity: '0' });
    expect(neverSent(h.orders, h.orders.get(o.id)!)).toMatchObject({ code: 'TRADING_HALTED' }); // still: it did not trade
    const stands = h.orders.events(o.id).find((e) => e.kind === 'cancel_stands');
    expect(stands?.data).toMatchObject({ reported: 'accepted', why: expect.stringMatching(/^closed canceled as never sent \(reconciled_absent\)/) });
    h.close();
  });

  it('a part such an order filled before the cancel is kept: the order stays canceled with it, and the rest is canceled at the broker', async () => {
    const h = harness({ ...fast, absentLookups: 1, absentGraceMs: 0 });
    const paper = h.paper();
    paper.observePrice('AAPL', '100');
    const late = new LateArrival(paper, { submitFaultRate: 0, dropUpdateRate: 1 }); // the paper's own reports are lost
    h.router.register('acc1', late);
    h.tradingState.set('halted', 'by hand', 'acc1');
    const o = await h.router.submit(order('c1', { type: 'limit', limitPrice: '95', timeInForce: 'gtc', quantity: '3' }), { accountId: 'acc1', leg: 'entry' });
    await eventually(() => h.orders.get(o.id)!, (x) => x.status === 'canceled');
    await late.arrive();
    const working = (await paper.orderByClientId('c1'))!;
    // The broker reports a part of it filled (a venue fill of 1 at 95), with the order still working.
    late.emit({ kind: 'fill', fill: { tradeId: 't1', clientOrderId: 'c1', brokerOrderId: working.brokerOrderId, symbol: 'AAPL', side: 'buy', quantity: '1', price: '95', time: new Date().toISOString() }, order: { ...working, status: 'partially_filled', filledQuantity: '1' } });
    const rest = await eventually(() => paper.orderByClientId('c1'), (b) => b?.status === 'canceled', 3000);
    expect(rest?.status).toBe('canceled');
    expect(h.orders.events(o.id).find((e) => e.kind === 'cancel_stands')?.data).toMatchObject({ reported: 'partially_filled' });
    expect(h.orders.get(o.id)).toMatchObject({ status: 'canceled', filledQuantity: '1', averageFillPrice: '95' });
    expect(h.orders.fills(o.id).map((f) => f.tradeId)).toEqual(['t1']);
    expect(neverSent(h.orders, h.orders.get(o.id)!)).toBeUndefined(); // it traded: its alert is done again (worker restateIfTraded)
    h.close();
  });

  it('canceling an order never sent closes it locally without a broker call', async () => {
    const { h, paper } = setup({ submitFaultRate: 0 });
    const { order: o } = h.orders.insertIfAbsent({ id: 'o1', accountId: 'acc1', request: order('c1'), leg: 'entry', createdAt: 't' });
    expect((await h.router.cancel(o.id)).status).toBe('canceled');
    expect(paper.orderCount('c1')).toBe(0);
    h.close();
  });
});

describe('router: circuit breaker', () => {
  for (const tripTo of ['reducing', 'halted'] as const) {
    it(`repeated_broker_failures_switch_the_account_to_${tripTo}_with_a_reason_and_a_notice`, async () => {
      const { h } = setup({ submitFaultRate: 1, faults: ['reset_before'] }, { breaker: { threshold: 3, tripTo } });
      for (let i = 0; i < 3; i++) await h.router.submit(order(`c${i}`), { accountId: 'acc1', leg: 'entry' });
      const state = h.tradingState.effective('acc1');
      expect(state.state).toBe(tripTo);
      expect(state.reason).toMatch(/^BROKER_CIRCUIT_OPEN: 3 broker requests in a row failed \(last: connection_reset/);
      expect(h.events.some((e) => e.type === 'notice' && e.code === 'BROKER_CIRCUIT_OPEN' && e.level === 'error')).toBe(true);
      expect(h.tradingState.effective('other').state).toBe('active'); // only this account
      // The trader resumes; the breaker counts afresh and trips again on the next run of failures.
      h.tradingState.set('active', undefined, 'acc1');
      for (let i = 3; i < 6; i++) await h.router.submit(order(`c${i}`), { accountId: 'acc1', leg: 'entry' });
      expect(h.tradingState.effective('acc1').state).toBe(tripTo);
      h.close();
    });
  }

  it('its notice, and the refusal of an order while the account is halted, name the account as the trader knows it (the id in brackets)', async () => {
    const { h } = setup({ submitFaultRate: 1, faults: ['reset_before'] }, { breaker: { threshold: 2, tripTo: 'halted' } });
    h.nameAccount('acc1', 'Alpaca main');
    for (let i = 0; i < 2; i++) await h.router.submit(order(`c${i}`), { accountId: 'acc1', leg: 'entry' });
    const notice = h.events.find((e) => e.type === 'notice' && e.code === 'BROKER_CIRCUIT_OPEN');
    expect(notice).toMatchObject({ message: expect.stringMatching(/^Account "Alpaca main" \(acc1\): BROKER_CIRCUIT_OPEN: 2 broker requests in a row failed/) });
    expect(h.router.tradingRefusal('acc1', false)).toEqual({ code: 'TRADING_HALTED', detail: expect.stringMatching(/^trading is halted for account "Alpaca main" \(acc1\) \(BROKER_CIRCUIT_OPEN: /) });
    // An account the store does not know (deleted meanwhile) is named by its id.
    h.tradingState.set('halted', 'by the trader', 'gone');
    expect(h.router.tradingRefusal('gone', false)).toEqual({ code: 'TRADING_HALTED', detail: 'trading is halted for account gone (by the trader)' });
    h.close();
  });

  it('a broker refusing orders on their merits does not open the breaker', async () => {
    const h = harness({ ...fast, breaker: { threshold: 2, tripTo: 'halted' } });
    h.router.register('acc1', h.paper('acc1', { allowShort: false, fractional: false }));
    for (let i = 0; i < 4; i++) await h.router.submit(order(`c${i}`, { quantity: '0.5' }), { accountId: 'acc1', leg: 'entry' });
    expect(h.orders.list().items.every((o) => o.status === 'rejected')).toBe(true);
    expect(h.tradingState.effective('acc1').state).toBe('active');
    h.close();
  });

  it('an order the adapter refuses before sending anything is closed as never sent under CAPABILITY_UNSUPPORTED, never as the broker\'s rejection', async () => {
    const h = harness(fast);
    const paper = h.paper();
    const refusing = new FaultyAdapter(paper, { submitFaultRate: 0 });
    refusing.submit = () => Promise.reject(new BrokerError('invalid', 'Paper does not accept this order: a stop-limit with extended hours'));
    h.router.register('acc1', refusing);
    const o = await h.router.submit(order('pre'), { accountId: 'acc1', leg: 'entry' });
    expect(o).toMatchObject({ status: 'rejected', reason: 'CAPABILITY_UNSUPPORTED: Paper does not accept this order: a stop-limit with extended hours' });
    // The alert's denial reads the same code: it did not trade.
    expect(neverSent(h.orders, o)).toEqual({ code: 'CAPABILITY_UNSUPPORTED', detail: `The order (buy 1 AAPL, pre) was rejected before it reached the broker: ${o.reason!}` });
    expect(paper.orderCount('pre')).toBe(0);
    h.close();
  });

  it('a refusal with its own code is recorded under that code: a fraction of a futures contract is QUANTITY_NOT_WHOLE', async () => {
    const h = harness(fast);
    h.router.register('acc1', h.paper('acc1'));
    const o = await h.router.submit(order('es', { symbol: 'ESZ2026', quantity: '0.5', referencePrice: '5000' }), { accountId: 'acc1', leg: 'entry' });
    expect(o).toMatchObject({ status: 'rejected', reason: 'QUANTITY_NOT_WHOLE: ESZ2026 is a futures contract and trades in whole contracts: 0.5 is not a whole number of contracts. Send at least 1.' });
    expect(h.paperRepo.order('acc1', 'es')).toBeUndefined();
    h.close();
  });
});

describe('router: the moment of sending', () => {
  const halted = { code: 'TRADING_HALTED' as const, detail: 'Trading is halted' };

  it('an order waiting for its alert to be on disk is stored at once and reaches the broker only after', async () => {
    const { h, paper, kinds } = setup({ submitFaultRate: 0 });
    let release!: () => void;
    const onDisk = new Promise<void>((r) => (release = r));
    const sent = h.router.submit(order('c1'), { accountId: 'acc1', leg: 'entry', untilSendable: () => onDisk });
    const stored = await eventually(() => h.orders.byClientId('c1'), (o) => o?.status === 'submitting');
    await new Promise((r) => setTimeout(r, 20));
    expect(paper.orderCount('c1')).toBe(0);
    expect(kinds(stored!.id)).not.toContain('submit_answer');
    release();
    expect((await sent).status).toBe('filled');
    expect(paper.orderCount('c1')).toBe(1);
    h.close();
  });

  it('a lookup while the order waits for its alert to be on disk sends nothing: the waiting send is the only one', async () => {
    const h = harness({ ...fast, absentLookups: 1, absentGraceMs: 0 });
    const paper = h.paper(); // its lookup is authoritative: "absent" would be believed at once
    h.router.register('acc1', paper);
    let release!: () => void;
    const onDisk = new Promise<void>((r) => (release = r));
    const sent = h.router.submit(order('c1'), { accountId: 'acc1', leg: 'entry', untilSendable: () => onDisk });
    const stored = await eventually(() => h.orders.byClientId('c1'), (o) => o?.status === 'submitting');
    expect((await h.router.resolve(stored!.id)).status).toBe('submitting'); // e.g. the reconciler, meanwhile
    expect(paper.orderCount('c1')).toBe(0);
    release();
    expect((await sent).status).toBe('filled');
    expect(paper.orderCount('c1')).toBe(1);
    expect(h.orders.events(stored!.id).map((e) => e.kind)).not.toContain('resend_same_client_id');
    h.close();
  });

  it('an order an agent stored but was killed before sending goes out at once after the restart on the paper broker, after the grace at a remote one', async () => {
    const file = path.join(tempDir(), 'orders.db');
    const before = harness({}, file); // default grace: 20 s
    before.router.register('acc1', before.paper());
    void before.router.submit(order('c1'), { accountId: 'acc1', leg: 'entry', untilSendable: () => new Promise<void>(() => {}) });
    const stored = await eventually(() => before.orders.byClientId('c1'), (o) => o?.status === 'submitting');
    before.close(); // killed while its alert synced: stored `submitting`, never sent

    const remote = harness({}, file);
    remote.router.register('acc1', new FaultyAdapter(remote.paper(), { submitFaultRate: 0 }));
    expect((await remote.router.resolve(stored!.id)).status).toBe('submitting'); // a request may still be in flight there
    remote.close();

    const after = harness({}, file);
    const paper = after.paper();
    after.router.register('acc1', paper);
    const o = await after.router.resolve(stored!.id);
    expect(o.status).toBe('filled');
    expect(paper.orderCount('c1')).toBe(1);
    expect(after.orders.events(o.id).map((e) => e.kind)).toContain('resend_same_client_id');
    after.close();
  });

  it('an order refused at the moment of sending is rejected with the code and never reaches the broker', async () => {
    const { h, paper, kinds } = setup({ submitFaultRate: 0 });
    const submit = vi.spyOn(paper, 'submit');
    const o = await h.router.submit(order('c1'), { accountId: 'acc1', leg: 'entry', refuseSend: () => halted });
    expect(o).toMatchObject({ status: 'rejected', reason: 'TRADING_HALTED: Trading is halted' });
    expect(kinds(o.id)).toEqual(['created', 'submit', 'not_sent']);
    expect(paper.orderCount('c1')).toBe(0);
    expect(submit).not.toHaveBeenCalled();
    h.close();
  });

  it("an order held by the account's pacing is asked again when its turn comes: halted meanwhile, not sent", async () => {
    const { h, paper } = setup({ submitFaultRate: 0, capabilities: { requestsPerMinute: 60 } }); // one request, then one a second
    let state: 'active' | 'halted' = 'active';
    const refuseSend = () => (state === 'halted' ? halted : undefined);
    const first = await h.router.submit(order('c1'), { accountId: 'acc1', leg: 'entry', refuseSend });
    expect(first.status).toBe('filled');
    const second = h.router.submit(order('c2'), { accountId: 'acc1', leg: 'entry', refuseSend });
    await eventually(() => h.orders.byClientId('c2'), (o) => o?.status === 'submitting');
    state = 'halted'; // the trader halts while c2 waits for the account's budget
    expect(await second).toMatchObject({ status: 'rejected', reason: 'TRADING_HALTED: Trading is halted' });
    expect(paper.orderCount('c2')).toBe(0);
    h.close();
  });
});

describe('router: orders that never reached the broker (neverSent)', () => {
  it('tells an order closed before it reached the broker, with its code, from one the broker took or refused', async () => {
    const { h } = setup({ submitFaultRate: 0, capabilities: { orderTypes: ['market', 'limit'] } });
    h.router.register('acc2', h.paper('acc2', { allowShort: false }));
    // Refused at the moment of sending, and refused locally for a capability the broker lacks: never sent.
    const refused = await h.router.submit(order('c1'), { accountId: 'acc1', leg: 'entry', refuseSend: () => ({ code: 'TRADING_HALTED', detail: 'Trading is halted' }) });
    expect(neverSent(h.orders, refused)).toMatchObject({ code: 'TRADING_HALTED' });
    const unsupported = await h.router.submit(order('c2', { type: 'stop', stopPrice: '120' }), { accountId: 'acc1', leg: 'entry' });
    expect(neverSent(h.orders, unsupported)).toMatchObject({ code: 'CAPABILITY_UNSUPPORTED' });
    // Canceled before it was sent: no code of its own.
    const { order: stored } = h.orders.insertIfAbsent({ id: 'o3', accountId: 'acc1', request: order('c3'), leg: 'entry', createdAt: 't' });
    const canceled = await h.router.cancel(stored.id);
    expect(neverSent(h.orders, canceled)).toEqual({ code: 'ORDER_NOT_SENT', detail: 'The order (buy 1 AAPL, c3) was canceled before it reached the broker: canceled before it was sent' });
    // The broker took it (filled), or refused it on its merits (a short sale it does not allow): it was sent.
    const filled = await h.router.submit(order('c4'), { accountId: 'acc1', leg: 'entry' });
    expect(filled.status).toBe('filled');
    expect(neverSent(h.orders, filled)).toBeUndefined();
    const rejected = await h.router.submit(order('c5', { side: 'sell', quantity: '5' }), { accountId: 'acc2', leg: 'entry' });
    expect(rejected.status).toBe('rejected');
    expect(neverSent(h.orders, rejected)).toBeUndefined();
    h.close();
  });
});

describe('account throttle', () => {
  it('runs cancels and exits before waiting entries once the budget is spent', async () => {
    const t = new AccountThrottle(600); // 10 per second, burst 10
    const ran: string[] = [];
    const job = (name: string) => async () => {
      ran.push(name);
    };
    await Promise.all(Array.from({ length: 10 }, (_, i) => t.run('normal', job(`burst${i}`))));
    const waiting = [t.run('normal', job('entry1')), t.run('normal', job('entry2')), t.run('urgent', job('cancel')), t.run('urgent', job('exit'))];
    expect(t.waiting).toEqual({ urgent: 2, normal: 2 });
    await Promise.all(waiting);
    expect(ran.slice(10)).toEqual(['cancel', 'exit', 'entry1', 'entry2']);
    t.close();
  });

  it('a retry-after pause holds every lane of the account', async () => {
    let now = 0;
    const t = new AccountThrottle(1_000_000, () => now);
    t.pause(50);
    const ran: string[] = [];
    const p = t.run('urgent', async () => {
      ran.push('cancel');
    });
    expect(ran).toEqual([]);
    now = 60;
    await p;
    expect(ran).toEqual(['cancel']);
    t.close();
  });
});
