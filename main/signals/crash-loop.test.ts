// An alert the agent never finishes, because the agent goes down while processing it, start after start: after
// MAX_STARTS starts it is set aside (failed, INTERNAL_ERROR), so a restarted agent cannot loop on it for ever, and the
// alerts after it are processed. Its order stays tracked.
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { spawnAgent, type ChildAgent } from '../test-support/child-agent.js';
import { tempDir, eventually } from '../test-support/agent.js';
import type { OrderView, SignalView } from '../../shared/api-types.js';
import { MAX_STARTS } from './worker.js';
import { openDatabase } from '../store/db.js';

describe('an alert whose processing never finishes', () => {
  it(`is set aside after ${MAX_STARTS} starts, and the agent goes on with the others`, async () => {
    const dataDir = tempDir();
    const call = async <T>(agent: ChildAgent, method: string, p: string, body?: unknown): Promise<T> => {
      const res = await fetch(`http://127.0.0.1:${agent.info.controlPort}${p}`, { method, headers: { authorization: `Bearer ${agent.token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      return (await res.json()) as T;
    };
    const post = async (agent: ChildAgent, hook: string, alert: Record<string, unknown>) => {
      const res = await fetch(`http://127.0.0.1:${agent.info.webhookPort}${hook}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alert) });
      expect(res.status).toBe(202);
      return ((await res.json()) as { signalId: string }).signalId;
    };
    const starts = (id: string): number => {
      const db = openDatabase({ file: path.join(dataDir, 'viewzenix.db'), readonly: true });
      try {
        return (db.prepare('SELECT attempts FROM signals WHERE id = ?').get(id) as { attempts: number } | undefined)?.attempts ?? 0;
      } finally {
        db.close();
      }
    };

    let agent = await spawnAgent(dataDir);
    const strategies = await call<{ items: { webhookId: string }[] }>(agent, 'GET', '/api/strategies');
    const hook = `/webhook/${strategies.items[0]!.webhookId}`;
    const entry = await post(agent, hook, { ticker: 'LOOP', action: 'buy', quantity: 5, price: '100' });
    await eventually(() => call<{ items: OrderView[] }>(agent, 'GET', `/api/orders?signalId=${entry}`), (r) => r.items[0]?.status === 'filled');
    // A reversal whose exit rests (limit 105, the market at 100): its processing waits for the exit, the alert stays
    // `processing`, and every kill cuts it short.
    const stuck = await post(agent, hook, { ticker: 'LOOP', action: 'sell', quantity: 3, orderType: 'limit', limitPrice: '105', price: '100' });
    const exitOrder = await eventually(() => call<{ items: OrderView[] }>(agent, 'GET', `/api/orders?signalId=${stuck}`), (r) => r.items[0]?.status === 'accepted');
    try {
      for (let start = 1; start < MAX_STARTS; start++) {
        await eventually(async () => starts(stuck), (n) => n === start);
        await agent.kill('SIGKILL');
        agent = await spawnAgent(dataDir);
      }
      await eventually(async () => starts(stuck), (n) => n === MAX_STARTS);
      await agent.kill('SIGKILL');
      expect(starts(stuck)).toBe(MAX_STARTS);

      agent = await spawnAgent(dataDir);
      const setAside = await eventually(() => call<SignalView & { decisions: unknown[] }>(agent, 'GET', `/api/signals/${stuck}`), (s) => s.status === 'failed', 20_000);
      expect(setAside.code).toBe('INTERNAL_ERROR');
      expect(setAside.message).toMatch(new RegExp(`started ${MAX_STARTS} times without finishing`));
      expect(starts(stuck)).toBe(MAX_STARTS); // set aside before a sixth start
      // The agent goes on: a later alert is processed, and the set-aside alert's exit is still tracked.
      const next = await post(agent, hook, { ticker: 'OTHER', action: 'buy', quantity: 1, price: '20' });
      await eventually(() => call<SignalView>(agent, 'GET', `/api/signals/${next}`), (s) => s.status === 'done', 20_000);
      const order = await call<OrderView>(agent, 'GET', `/api/orders/${exitOrder.items[0]!.id}`);
      expect(order.status).toBe('accepted');
    } finally {
      await agent.kill('SIGTERM');
    }
  }, 120_000);
});
