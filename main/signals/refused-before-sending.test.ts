// An order the adapter refuses before it sends anything (an order the broker does not take, e.g. a combination it
// documents it would refuse) never reached the broker: the alert did not trade. Its order and its signal say the
// same thing, under the same code, and neither calls it the broker's rejection.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAgent, settledSignal, type TestAgent } from '../test-support/agent.js';
import { demoPaperThrough } from '../test-support/demo-paper.js';
import { FaultyAdapter } from '../brokers/paper/faulty-adapter.js';
import { BrokerError, type OrderRequest } from '../brokers/port.js';
import type { OrderView, SignalView } from '../../shared/api-types.js';

let agent: TestAgent;
let hook: string;
// The demo paper account's adapter refuses, before any request, every order for REF (as an adapter's precheck refuses
// what its broker documents it would not take); the others reach the books.
const demo = demoPaperThrough((books) => {
  const adapter = new FaultyAdapter(books, { submitFaultRate: 0 });
  const submit = adapter.submit.bind(adapter);
  adapter.submit = (req: OrderRequest) => (req.symbol === 'REF' ? Promise.reject(new BrokerError('invalid', 'Paper does not accept this order: REF is not traded here')) : submit(req));
  return adapter;
});
beforeAll(async () => {
  agent = await startTestAgent({}, { adapterFactory: demo.adapterFactory });
  hook = new URL(agent.demoWebhookUrl!).pathname;
});
afterAll(async () => agent.stop());

const ordersOf = async (signalId: string) => (await agent.api<{ items: OrderView[] }>('GET', `/api/orders?signalId=${signalId}`)).body.items;

describe('an order the adapter refuses before sending', () => {
  it('is closed unsent under CAPABILITY_UNSUPPORTED, and its alert is denied with that same code, not done', async () => {
    const alert = await agent.post(hook, '{"ticker":"REF","action":"buy","quantity":1,"price":50}');
    expect(alert.status).toBe(202);
    const signalId = alert.body.signalId as string;
    const signal = await settledSignal<SignalView>(agent, signalId);
    const [order] = await ordersOf(signalId);
    expect(order).toMatchObject({ status: 'rejected', reason: 'CAPABILITY_UNSUPPORTED: Paper does not accept this order: REF is not traded here' });
    expect(signal).toMatchObject({ status: 'denied', code: 'CAPABILITY_UNSUPPORTED' });
    expect(signal.message).toContain(order!.clientOrderId);
    expect(demo.books().orderCount(order!.clientOrderId)).toBe(0);
  });
});
