// A full disk under the agent's data directory loses nothing and stops nothing: alerts that cannot be stored are
// answered 503 (TradingView re-sends them), the agent keeps running, and once there is room every alert it
// acknowledged is processed. The data directory is a small tmpfs, so mounting needs root (CI runs as root);
// elsewhere this is skipped, saying so.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnAgent, type ChildAgent } from './test-support/child-agent.js';
import { eventually, tempDir } from './test-support/agent.js';
import type { SignalView } from '../shared/api-types.js';

const mountPoint = tempDir('vz-full-disk-');
const mounted = (() => {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mountPoint], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!mounted) console.warn('full-disk test skipped: mounting a small tmpfs needs root (CI runs as root)');

afterAll(() => {
  if (mounted) execFileSync('umount', ['-l', mountPoint], { stdio: 'ignore' });
});

describe.skipIf(!mounted)('the agent on a full disk', () => {
  it('answers 503 for the alerts it cannot store, keeps running, and processes every alert it acknowledged once there is room', async () => {
    const dataDir = path.join(mountPoint, 'data');
    fs.mkdirSync(dataDir);
    const agent: ChildAgent = await spawnAgent(dataDir);
    try {
      const answers = new Map<string, number>();
      const acknowledged: string[] = [];
      for (let i = 0; i < 4000 && (answers.get('503 INBOX_UNAVAILABLE') ?? 0) < 100; i++) {
        const body = JSON.stringify({ ticker: `SYM${i % 8}`, action: i % 2 ? 'sell' : 'buy', quantity: 1, price: 100 + (i % 7), id: `full-${i}`, extras: { pad: 'x'.repeat(800) } });
        const res = await fetch(agent.info.webhookUrl!, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        const answer = (await res.json()) as { signalId?: string; code?: string; fix?: string; status?: string };
        if (res.status === 202) acknowledged.push(answer.signalId!);
        if (res.status === 503) expect(answer).toMatchObject({ status: 'rejected', fix: expect.stringContaining('re-send') }); // the documented shape, with its fix
        const key = `${res.status} ${answer.code ?? ''}`.trim();
        answers.set(key, (answers.get(key) ?? 0) + 1);
        if (i % 10 === 9) await new Promise((r) => setTimeout(r, 40)); // under the demo strategy's rate limit, mostly
      }
      expect(answers.get('503 INBOX_UNAVAILABLE') ?? 0).toBeGreaterThan(0); // the disk did fill up
      expect([...answers.keys()].every((k) => ['202', '503 INBOX_UNAVAILABLE', '429 RATE_LIMITED'].includes(k))).toBe(true);
      expect(acknowledged.length).toBeGreaterThan(20);
      expect(agent.child.exitCode).toBeNull();

      execFileSync('mount', ['-o', 'remount,size=64m', mountPoint]); // room again
      const signals = await eventually(
        async () => {
          const res = await fetch(`http://127.0.0.1:${agent.info.controlPort}/api/signals?limit=5000`, { headers: { authorization: `Bearer ${agent.token}` } });
          return ((await res.json()) as { items: SignalView[] }).items;
        },
        (items) => acknowledged.every((id) => items.some((s) => s.id === id && (s.status === 'done' || s.status === 'denied'))),
        60_000,
      );
      const byId = new Map(signals.map((s) => [s.id, s]));
      expect(acknowledged.filter((id) => !['done', 'denied'].includes(byId.get(id)?.status ?? ''))).toEqual([]);
      expect(signals.filter((s) => s.status === 'failed')).toEqual([]); // none set aside for the disk's sake
      expect(agent.child.exitCode).toBeNull();
    } finally {
      await agent.kill('SIGTERM');
    }
  }, 180_000);
});
