// kill -9 at random moments during bursts of 1,000 alerts, restart each time. What TradingView would do is
// simulated too: an alert that got no 2xx answer is sent again after the restart.
import { EVERY_ALERT_ORDERS, createBenchStrategy, spawnAgent, waitProcessed, type AgentProcess } from '../lib/agent-process.js';
import { alertBody, runTag } from '../lib/alerts.js';
import { burst, type Answer } from '../lib/load.js';
import { openBooksCopy } from '../db/books.js';
import { check, info } from '../lib/report.js';
import { suiteDataDir, type SuiteOptions, type SuiteResult } from './common.js';

export async function crashSuite(o: SuiteOptions): Promise<SuiteResult> {
  const rounds = o.quick ? 3 : 20;
  const dataDir = suiteDataDir('vz-crash-', o.onDisk);
  const tag = runTag();
  let agent: AgentProcess = await spawnAgent({ dataDir });
  // Every alert places an order, so kills land in the middle of order submissions too, not only of denials.
  const strategy = await createBenchStrategy(agent, { config: EVERY_ALERT_ORDERS });
  const acked = new Map<string, string>(); // alert id → signal id from the first 2xx answer
  let resendMismatch = 0;
  let torn = 0;
  const integrity: string[] = [];
  const auditChains: string[] = [];
  const killMoments: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const ids = Array.from({ length: 1000 }, (_, i) => `${tag}-r${r}-${i}`);
    const bodies = ids.map((id, i) => alertBody(id, i, { quantity: '1' }));
    const killAt = Math.round(Math.random() * 1500);
    killMoments.push(killAt);
    const killer = setTimeout(() => void agent.kill(), killAt);
    const answers = await burst({ url: agent.webhookUrl(strategy.webhookId), bodies, connections: 50, timeoutMs: 5000 });
    clearTimeout(killer);
    await agent.kill();
    record(answers, ids, acked);
    const books = openBooksCopy(dataDir);
    integrity.push(books.integrity);
    auditChains.push(books.auditChain);
    books.close();
    agent = await spawnAgent({ dataDir });
    // TradingView re-sends what was not acknowledged; an acknowledged alert sent again must map to the same signal.
    const again = await burst({ url: agent.webhookUrl(strategy.webhookId), bodies, connections: 20, timeoutMs: 15_000 });
    for (const a of again) {
      const id = ids[a.index]!;
      if (a.status !== 200 && a.status !== 202) {
        torn++;
        continue;
      }
      const first = acked.get(id);
      if (first && a.body.signalId !== first) resendMismatch++;
      if (!first) acked.set(id, a.body.signalId!);
    }
    o.log(`  crash round ${r + 1}/${rounds}: killed at ${killAt} ms, ${answers.filter((a) => a.status === 202 || a.status === 200).length} acknowledged before the kill`);
  }
  await waitProcessed(agent, o.quick ? 120_000 : 900_000, 100);
  await agent.stop();
  const books = openBooksCopy(dataDir);
  let lost = 0;
  let unprocessed = 0;
  for (const signalId of acked.values()) {
    const status = books.signalStatus(signalId);
    if (status === undefined) lost++;
    else if (status !== 'done' && status !== 'denied') unprocessed++;
  }
  const figures = [
    check('kill -9 during bursts: acknowledged alerts lost', lost, '', { max: 0, text: '0' }, `${acked.size} acknowledged over ${rounds} rounds`),
    check('kill -9 during bursts: acknowledged alerts not processed to the end', unprocessed, '', { max: 0, text: '0' }),
    check('kill -9 during bursts: re-sent alert answered with a different signal id', resendMismatch, '', { max: 0, text: '0' }),
    check('kill -9 during bursts: duplicate client order ids at the broker', books.duplicateClientIds(), '', { max: 0, text: '0' }),
    check('kill -9 during bursts: alerts with more than one broker order per leg', books.alertsWithSeveralBrokerOrders(), '', { max: 0, text: '0' }),
    check('kill -9 during bursts: alerts stored twice', books.duplicateAlertSignals(), '', { max: 0, text: '0' }),
    check('kill -9 during bursts: PRAGMA integrity_check not ok (after each kill and at the end)', [...integrity, books.integrity].filter((x) => x !== 'ok').length, '', { max: 0, text: '0' }),
    check('kill -9 during bursts: audit hash chain broken (after each kill and at the end)', [...auditChains, books.auditChain].filter((x) => x !== 'ok').length, '', { max: 0, text: '0' }, [...auditChains, books.auditChain].find((x) => x !== 'ok')),
    check('kill -9 during bursts: re-sends after restart without a 2xx answer', torn, '', { max: 0, text: '0' }),
    info('kill -9 during bursts: paper orders placed', books.paperOrders(), ''),
    info('kill -9 during bursts: alerts processed without an order, by code', Object.entries(books.deniedByCode()).map(([code, n]) => `${code || '(none)'} ${n}`).join(', ') || 'none', ''),
  ];
  const details = { rounds, killMoments, signals: books.countByStatus(), deniedByCode: books.deniedByCode(), dataDir };
  books.close();
  return { suite: 'crash', figures, details };
}

function record(answers: Answer[], ids: string[], acked: Map<string, string>): void {
  for (const a of answers) {
    if ((a.status === 202 || a.status === 200) && a.body.signalId && !acked.has(ids[a.index]!)) acked.set(ids[a.index]!, a.body.signalId);
  }
}
