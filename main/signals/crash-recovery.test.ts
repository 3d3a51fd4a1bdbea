// SIGKILL right after the 202s: after a restart every acknowledged alert is there and is processed once.
import { describe, expect, it } from 'vitest';
import { spawnAgent } from '../test-support/child-agent.js';
import { tempDir, eventually } from '../test-support/agent.js';
import type { OrderView, SignalView } from '../../shared/api-types.js';

async function api<T>(port: number, token: string, p: string): Promise<T> {
  const res = await fetch(`http://127.0.0.1:${port}${p}`, { headers: { authorization: `Bearer ${token}` } });
  return (await res.json()) as T;
}

describe('crash recovery', () => {
  it('loses no acknowledged alert and places no order twice when killed with SIGKILL right after acknowledging', async () => {
    const dataDir = tempDir();
    const first = await spawnAgent(dataDir);
    const strategies = await api<{ items: { webhookId: string }[] }>(first.info.controlPort, first.token, '/api/strategies');
    const hook = `/webhook/${strategies.items[0]!.webhookId}`;
    const bodies = Array.from({ length: 60 }, (_, i) => JSON.stringify({ ticker: `SYM${i % 12}`, action: i % 2 ? 'sell' : 'buy', quantity: 1, price: 10 + i, id: `crash-${i}` }));
    const answers = await Promise.all(
      bodies.map(async (body) => {
        const res = await fetch(`http://127.0.0.1:${first.info.webhookPort}${hook}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        return { status: res.status, body: (await res.json()) as { signalId: string } };
      }),
    );
    await first.kill('SIGKILL');
    expect(answers.every((a) => a.status === 202)).toBe(true);
    const acknowledged = answers.map((a) => a.body.signalId);

    const second = await spawnAgent(dataDir);
    try {
      const signals = await eventually(
        () => api<{ items: SignalView[] }>(second.info.controlPort, second.token, '/api/signals?limit=1000'),
        (r) => acknowledged.every((id) => r.items.some((s) => s.id === id && (s.status === 'done' || s.status === 'denied'))),
        20_000,
      );
      const byId = new Map(signals.items.map((s) => [s.id, s]));
      const lost = acknowledged.filter((id) => !byId.has(id));
      const unprocessed = acknowledged.filter((id) => !['done', 'denied'].includes(byId.get(id)?.status ?? ''));
      expect(lost).toEqual([]);
      expect(unprocessed).toEqual([]);
      const orders = await api<{ items: OrderView[] }>(second.info.controlPort, second.token, '/api/orders?limit=5000');
      const perClientId = new Map<string, number>();
      for (const o of orders.items) perClientId.set(o.clientOrderId, (perClientId.get(o.clientOrderId) ?? 0) + 1);
      expect([...perClientId.values()].every((n) => n === 1)).toBe(true);
      // The re-sends TradingView would make are duplicates, also after the restart.
      const resend = await fetch(`http://127.0.0.1:${second.info.webhookPort}${hook}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: bodies[0] });
      expect(resend.status).toBe(200);
      expect(((await resend.json()) as { signalId: string }).signalId).toBe(acknowledged[0]);
    } finally {
      await second.kill('SIGTERM');
    }
  });

  it('a reversal cut short while its exit was working keeps that exit after the restart: it fills, and the entry follows', async () => {
    const dataDir = tempDir();
    const first = await spawnAgent(dataDir);
    const call = async <T>(agent: typeof first, method: string, p: string, body?: unknown): Promise<T> => {
      const res = await fetch(`http://127.0.0.1:${agent.info.controlPort}${p}`, { method, headers: { authorization: `Bearer ${agent.token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      return (await res.json()) as T;
    };
    const post = async (agent: typeof first, hook: string, alert: Record<string, unknown>) => {
      const res = await fetch(`http://127.0.0.1:${agent.info.webhookPort}${hook}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alert) });
      expect(res.status).toBe(202);
      return ((await res.json()) as { signalId: string }).signalId;
    };
    const strategies = await call<{ items: { webhookId: string; accountIds: string[] }[] }>(first, 'GET', '/api/strategies');
    const hook = `/webhook/${strategies.items[0]!.webhookId}`;
    // A second strategy on the same account that only brings prices: it cancels nothing, and its orders are denied
    // (the symbol is blocked for it), but the paper broker sees its alerts' prices.
    const pricer = await call<{ webhookUrl: string }>(first, 'POST', '/api/strategies', { name: 'Prices', accountIds: strategies.items[0]!.accountIds, config: { strategy: { cancelOpenOrders: false }, risk: { blockedSymbols: ['RVX'] } } });
    const priceHook = new URL(pricer.webhookUrl).pathname;
    const ordersOf = (agent: typeof first, signalId: string) => call<{ items: OrderView[] }>(agent, 'GET', `/api/orders?signalId=${signalId}&sort=created_at&direction=asc`).then((r) => r.items);

    const entry = await post(first, hook, { ticker: 'RVX', action: 'buy', quantity: 5, price: '100' });
    await eventually(() => ordersOf(first, entry), (o) => o[0]?.status === 'filled');
    // Long 5; sell 3 reverses: its exit (sell 5, limit 105) rests, its entry waits for the exit to fill.
    const reversal = await post(first, hook, { ticker: 'RVX', action: 'sell', quantity: 3, orderType: 'limit', limitPrice: '105', price: '100' });
    const [exit] = await eventually(() => ordersOf(first, reversal), (o) => o.length === 1 && o[0]!.status === 'accepted');
    await first.kill('SIGKILL');

    const second = await spawnAgent(dataDir);
    try {
      await post(second, priceHook, { ticker: 'RVX', action: 'buy', quantity: 1, price: '106' }); // the market trades through 105
      const legs = await eventually(() => ordersOf(second, reversal), (o) => o.length === 2 && o.every((x) => x.status === 'filled'), 20_000);
      const decisions = (await call<{ decisions: unknown[] }>(second, 'GET', `/api/signals/${reversal}`)).decisions;
      expect(legs.map((o) => [o.side, o.quantity, o.status]), JSON.stringify(decisions)).toEqual([['sell', '5', 'filled'], ['sell', '3', 'filled']]);
      expect(legs[0]).toMatchObject({ id: exit!.id, side: 'sell', quantity: '5', status: 'filled' });
      expect(legs[1]).toMatchObject({ side: 'sell', quantity: '3', status: 'filled' });
      const events = await call<{ events: { kind: string }[] }>(second, 'GET', `/api/orders/${exit!.id}`);
      expect(events.events.map((e) => e.kind)).not.toContain('cancel_request');
      const positions = await call<{ items: { symbol: string; quantity: string }[] }>(second, 'GET', '/api/positions');
      expect(positions.items.find((p) => p.symbol === 'RVX')?.quantity).toBe('-3');
    } finally {
      await second.kill('SIGTERM');
    }
  });
});
