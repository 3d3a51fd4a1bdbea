// The order and signal lists of the control API: a limit below 1 and an unknown status are refused (400),
// a search is matched as text (% and _ are not wildcards), and the answer says when more rows match than it holds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestAgent, type TestAgent } from '../test-support/agent.js';
import type { OrderView, SignalView } from '../../shared/api-types.js';

type Orders = { items: OrderView[]; total: number; truncated: boolean };
type Signals = { items: SignalView[]; truncated: boolean };
type ErrorBody = { code: string; message: string; errors?: { path: string }[] };

let agent: TestAgent;
beforeAll(async () => {
  agent = await startTestAgent();
  const hook = new URL(agent.demoWebhookUrl!).pathname;
  for (const [ticker, price] of [['AAPL', 190], ['MSFT', 410], ['TSLA', 250]] as const) {
    await agent.post(hook, JSON.stringify({ ticker, action: 'buy', quantity: 1, price }));
  }
  await eventually(async () => (await agent.api<Orders>('GET', '/api/orders')).body.total, (n) => n === 3);
});
afterAll(async () => agent.stop());

const orders = async (q: string) => agent.api<Orders & ErrorBody>('GET', `/api/orders?${q}`);
const signals = async (q: string) => agent.api<Signals & ErrorBody>('GET', `/api/signals?${q}`);

describe('GET /api/orders and /api/signals', () => {
  it('refuse a limit below 1 or not whole with 400 VALIDATION_FAILED naming /limit; a limit above 5000 answers at most 5000', async () => {
    for (const res of [await orders('limit=0'), await orders('limit=2.5'), await signals('limit=0'), await signals('limit=abc')]) {
      expect([res.status, res.body.code, res.body.errors?.[0]?.path]).toEqual([400, 'VALIDATION_FAILED', '/limit']);
    }
    expect((await orders('limit=5000')).body.items).toHaveLength(3);
    for (const res of [await orders('limit=10000'), await signals('limit=10000')]) {
      expect(res.status).toBe(200);
      expect(res.body.truncated).toBe(false);
    }
  });

  it('refuse a status no row can have with 400 VALIDATION_FAILED naming /status', async () => {
    for (const res of [await orders('status=bogus'), await signals('status=bogus')]) {
      expect([res.status, res.body.code, res.body.errors?.[0]?.path]).toEqual([400, 'VALIDATION_FAILED', '/status']);
    }
    expect((await orders('status=filled')).status).toBe(200);
    expect((await signals('status=done')).status).toBe(200);
  });

  it('match % and _ in a search as themselves, not as wildcards', async () => {
    expect((await orders('search=%25')).body).toMatchObject({ items: [], total: 0 });
    expect((await orders('search=A_PL')).body).toMatchObject({ items: [], total: 0 });
    expect((await orders('search=AP%25L')).body).toMatchObject({ items: [], total: 0 });
    const aapl = (await orders('search=APL')).body;
    expect(aapl.items.map((o) => o.symbol)).toEqual(['AAPL']);
  });

  it('say truncated when more rows match than the answer holds, and not otherwise', async () => {
    expect((await orders('limit=2')).body).toMatchObject({ total: 3, truncated: true });
    expect((await orders('limit=2')).body.items).toHaveLength(2);
    const last = (await orders('limit=2&offset=2')).body;
    expect([last.items.length, last.total, last.truncated]).toEqual([1, 3, false]);
    expect((await orders('limit=3')).body.truncated).toBe(false);

    const two = (await signals('limit=2')).body;
    expect([two.items.length, two.truncated]).toEqual([2, true]);
    const all = (await signals('limit=3')).body;
    expect([all.items.length, all.truncated]).toEqual([3, false]);
  });
});
