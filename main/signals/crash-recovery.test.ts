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
});
