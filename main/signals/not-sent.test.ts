// An alert is `done` only when something of it reached the broker. One whose order was still unknown when it
// finished, and was then found absent at the broker and not sent again because trading was halted meanwhile, did
// not trade: its signal becomes `denied` with the reason, and the UI hears of it (a `signal` event).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAgent, eventually, listenEvents, settledSignal, type TestAgent } from '../test-support/agent.js';
import { demoPaperThrough } from '../test-support/demo-paper.js';
import { FaultyAdapter } from '../brokers/paper/faulty-adapter.js';
import type { BrokerOrder } from '../brokers/port.js';
import type { OrderView, SignalView } from '../../shared/api-types.js';

let agent: TestAgent;
let hook: string;
/** Lookups by client order id wait for this. */
let lookups: Promise<void> = Promise.resolve();
// The demo paper account: its first submit loses the connection before the request is written (outcome unknown, the
// broker never got it), and its lookups wait while the test holds them.
const demo = demoPaperThrough((books) => {
  const faulty = new FaultyAdapter(books, { submitFaultRate: 1, faults: ['reset_before'], maxFaults: 1 });
  const lookUp = faulty.orderByClientId.bind(faulty);
  // The paper broker's lookups are authoritative (its books are the agent's database); the wrapper says so too.
  return Object.assign(faulty, {
    authoritativeLookup: true,
    orderByClientId: async (id: string): Promise<BrokerOrder | undefined> => {
      await lookups;
      return lookUp(id);
    },
  });
});
beforeAll(async () => {
  agent = await startTestAgent({}, { adapterFactory: demo.adapterFactory });
  hook = new URL(agent.demoWebhookUrl!).pathname;
});
afterAll(async () => agent.stop());

const ordersOf = async (signalId: string) => (await agent.api<{ items: OrderView[] }>('GET', `/api/orders?signalId=${signalId}`)).body.items;

describe('an alert whose order never reached the broker', () => {
  it('finished done while its order was unknown, then closed unsent because trading was halted: denied, with a signal event', async () => {
    let release = (): void => undefined;
    lookups = new Promise((r) => (release = r));
    const alert = await agent.post(hook, '{"ticker":"NSA","action":"buy","quantity":1,"price":50}');
    expect(alert.status).toBe(202);
    const signalId = alert.body.signalId as string;
    // The worker waits for the market order a while (fillWaitMs), then finishes the alert with the order unknown.
    const finished = await settledSignal<SignalView>(agent, signalId, 10_000);
    expect(finished.status).toBe('done');
    const [unknown] = await ordersOf(signalId);
    expect(unknown!.status).toBe('unknown');

    const stream = await listenEvents(agent);
    try {
      expect((await agent.api('PUT', '/api/trading-state', { state: 'halted', reason: 'test' })).status).toBe(200);
      release(); // the lookup answers now: the broker has no such order, and trading is halted, so it is not sent
      const [closed] = await eventually(() => ordersOf(signalId), (o) => o[0]!.status === 'canceled');
      expect(closed).toMatchObject({ status: 'canceled' });
      expect(closed!.reason).toMatch(/^TRADING_HALTED: not at the broker/);
      expect(demo.books().orderCount(closed!.clientOrderId)).toBe(0);

      const signal = await eventually(async () => (await agent.api<SignalView>('GET', `/api/signals/${signalId}`)).body, (s) => s.status !== 'done');
      expect(signal).toMatchObject({ status: 'denied', code: 'TRADING_HALTED' });
      expect(signal.message).toContain(closed!.clientOrderId);
      expect(signal.processedAt).toBe(finished.processedAt);
      const published = await eventually(() => stream.events.filter((e) => e.type === 'signal' && e.signal.id === signalId), (e) => e.length > 0);
      expect(published).toEqual([{ type: 'signal', signal: { id: signalId, strategyId: finished.strategyId, status: 'denied', code: 'TRADING_HALTED', symbol: 'NSA' } }]);

      // Should the lost request reach the broker after all (a slow one, past the grace) and fill, the alert traded.
      await demo.books().submit({ clientOrderId: closed!.clientOrderId, symbol: 'NSA', side: 'buy', type: 'market', quantity: '1', timeInForce: 'day', referencePrice: '50' });
      expect((await eventually(() => ordersOf(signalId), (o) => o[0]!.status === 'filled'))[0]!.status).toBe('filled');
      const traded = await eventually(async () => (await agent.api<SignalView>('GET', `/api/signals/${signalId}`)).body, (s) => s.status !== 'denied');
      expect(traded).toMatchObject({ status: 'done' });
      expect(traded.code).toBeUndefined();
      const again = await eventually(() => stream.events.filter((e) => e.type === 'signal' && e.signal.id === signalId), (e) => e.length > 1);
      expect(again[1]).toEqual({ type: 'signal', signal: { id: signalId, strategyId: finished.strategyId, status: 'done', symbol: 'NSA' } });
    } finally {
      stream.close();
      expect((await agent.api('PUT', '/api/trading-state', { state: 'active' })).status).toBe(200);
    }
  });

  it('an order the broker took and that was canceled afterwards leaves its alert done', async () => {
    const alert = await agent.post(hook, '{"ticker":"NSB","action":"buy","quantity":1,"price":50,"orderType":"limit","limitPrice":"48"}');
    const signalId = alert.body.signalId as string;
    const signal = await settledSignal<SignalView>(agent, signalId);
    expect(signal.status, JSON.stringify(signal)).toBe('done');
    const [resting] = await eventually(() => ordersOf(signalId), (o) => o[0]?.status === 'accepted');
    expect(resting!.status).toBe('accepted');
    expect((await agent.api('POST', '/api/flatten', {})).status).toBe(200);
    await eventually(() => ordersOf(signalId), (o) => o[0]!.status === 'canceled');
    await new Promise((r) => setTimeout(r, 100)); // a change of the signal would be made by now
    expect((await agent.api<SignalView>('GET', `/api/signals/${signalId}`)).body).toMatchObject({ status: 'done' });
  });
});
