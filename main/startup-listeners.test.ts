// A restart after a crash that left orders in flight: the start-up reconciliation asks the broker about each of
// them, which takes as long as the broker does. Meanwhile the agent must hear: alerts are stored and answered, the
// trader can read the state and halt, and agent.json lets the CLI find it. No alert is processed before the
// reconciliation has ended.
import { afterEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { startAgent, type Agent } from './agent.js';
import { readAgentInfo, loadControlToken } from './data-dir.js';
import { PaperBroker } from './brokers/paper/paper-broker.js';
import { FaultSwitchedPaper } from './brokers/paper/fault-switches.js';
import { FaultyAdapter } from './brokers/paper/faulty-adapter.js';
import { eventually, settledSignal, startTestAgent, tempDir, type TestAgent } from './test-support/agent.js';
import type { StrategyView } from '../shared/api-types.js';

const started: (Agent | TestAgent)[] = [];
afterEach(async () => {
  for (const a of started.splice(0)) await a.stop();
});

describe('start-up reconciliation with a slow broker', () => {
  it('the listeners answer while it runs; an alert received meanwhile waits for it, then is processed', async () => {
    const dataDir = tempDir();
    // First run: the broker never answers a submit, so the orders stay `submitting`; then the agent stops.
    const first = await startTestAgent({ dataDir }, {
      adapterFactory: (a, _c, { paperRepo }) => (a.broker === 'paper' ? new FaultyAdapter(new PaperBroker(a.id, paperRepo), { submitFaultRate: 1, faults: ['slow'], slowMs: 600_000 }) : undefined),
    });
    const hook = new URL((await first.api<{ items: StrategyView[] }>('GET', '/api/strategies')).body.items[0]!.webhookUrl).pathname;
    for (let i = 0; i < 3; i++) expect((await first.post(hook, JSON.stringify({ ticker: `INF${i}`, action: 'buy', quantity: 1, price: '10', id: `inflight-${i}` }))).status).toBe(202);
    await eventually(async () => (await first.api<{ items: { status: string }[] }>('GET', '/api/orders')).body.items, (o) => o.length === 3 && o.every((x) => x.status === 'submitting'));
    await first.stop();

    // Second run: every broker call takes 1.5 s, so the reconciliation takes several seconds.
    const starting = startAgent(
      { dataDir, webhookPort: 0, controlPort: 0, webhookHost: '127.0.0.1', console: 'silent', logLevel: 'info', seedDemo: true },
      {
        uiDir: path.join(dataDir, 'no-ui'),
        fillWaitMs: 2000,
        adapterFactory: (a, _c, { paperRepo }) => {
          const slow = new FaultSwitchedPaper(new PaperBroker(a.id, paperRepo));
          slow.faults.latencyMs = 1500;
          return a.broker === 'paper' ? slow : undefined;
        },
      },
    );
    let done = false;
    void starting.then(() => (done = true), () => (done = true));
    const info = await eventually(() => readAgentInfo(dataDir), (i) => i !== undefined && i.pid === process.pid && i.startedAt > new Date(Date.now() - 60_000).toISOString(), 10_000);
    const token = loadControlToken(dataDir);
    const control = `http://127.0.0.1:${info!.controlPort}`;
    const status = await fetch(`${control}/api/status`, { headers: { authorization: `Bearer ${token}` } });
    expect(status.status).toBe(200);
    const answer = await fetch(`http://127.0.0.1:${info!.webhookPort}${hook}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ticker: 'DURING', action: 'buy', quantity: 1, price: '10', id: 'during-reconcile' }) });
    expect(answer.status).toBe(202);
    const { signalId } = (await answer.json()) as { signalId: string };
    expect(done).toBe(false); // all of this while the reconciliation still runs
    const waiting = await fetch(`${control}/api/signals/${signalId}`, { headers: { authorization: `Bearer ${token}` } });
    expect(((await waiting.json()) as { status: string }).status).toBe('queued');

    const agent = await starting;
    started.push(agent);
    const signal = await settledSignal({ api: async <T>(method: string, p: string) => {
      const res = await fetch(control + p, { method, headers: { authorization: `Bearer ${token}` } });
      return { status: res.status, body: (await res.json()) as T };
    } }, signalId, 20_000);
    expect(signal.status).toBe('done');
  });
});
