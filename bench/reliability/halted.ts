// 10,000 signals while trading is HALTED: no submit reaches the broker adapter. Cancels must still pass; that is
// checked on a resting order when the pipeline can create one (a limit alert far from the price).
import { createBenchStrategy, spawnAgent, waitProcessed } from '../lib/agent-process.js';
import { alertStream, runTag } from '../lib/alerts.js';
import { burst, post } from '../lib/load.js';
import { openBooksCopy } from '../db/books.js';
import { check, info, type Figure } from '../lib/report.js';
import { suiteDataDir, type SuiteOptions, type SuiteResult } from './common.js';

export async function haltedSuite(o: SuiteOptions): Promise<SuiteResult> {
  const n = o.quick ? 2000 : 10_000;
  const dataDir = suiteDataDir('vz-halted-', o.onDisk);
  const tag = runTag();
  const agent = await spawnAgent({ dataDir });
  const figures: Figure[] = [];
  try {
    const strategy = await createBenchStrategy(agent);
    const url = agent.webhookUrl(strategy.webhookId);
    // A resting order to cancel later: a buy limit below the alert's price, inside the risk rules' price band.
    const resting = JSON.stringify({ ticker: `HLT${tag}`.toUpperCase(), action: 'buy', quantity: '1', price: '100', orderType: 'limit', limitPrice: '95', id: `${tag}-rest` });
    await post(url, resting, 'application/json');
    await waitProcessed(agent, 30_000);
    const open = await agent.api<{ items: { id: string; status: string }[] }>('GET', '/api/orders?status=accepted&limit=10');
    const halt = await agent.api('PUT', '/api/trading-state', { state: 'halted', reason: 'reliability suite' });
    if (halt.status !== 200) throw new Error(`could not halt: ${JSON.stringify(halt.body)}`);
    const before = await agent.api<{ total: number }>('GET', '/api/orders?limit=1');
    const paperBefore = paperOrders(dataDir);
    const stream = alertStream(`${tag}-halted`);
    const answers = await burst({ url, bodies: Array.from({ length: n }, () => stream.next()), connections: 20 });
    const acked = answers.filter((a) => a.status === 202).length;
    await waitProcessed(agent, o.quick ? 120_000 : 600_000, 100);
    const after = await agent.api<{ total: number }>('GET', '/api/orders?limit=1');
    const counts = await agent.api<{ signals: Record<string, number> }>('GET', '/api/status');
    figures.push(check('signals while HALTED: orders created', after.body.total - before.body.total, '', { max: 0, text: '0' }, `${acked} of ${n} acknowledged; signals ${JSON.stringify(counts.body.signals)}`));
    // Submits that reach the adapter leave a row in the paper broker's own books.
    figures.push(check('signals while HALTED: submits reaching the adapter (paper books)', paperOrders(dataDir) - paperBefore, '', { max: 0, text: '0' }));
    if (open.body.items.length > 0) {
      const flat = await agent.api<{ canceled: number }>('POST', '/api/flatten', {});
      const still = await agent.api<{ items: unknown[] }>('GET', '/api/orders?status=accepted&limit=10');
      figures.push(check('cancel while HALTED: resting orders canceled', flat.body.canceled, '', { min: open.body.items.length, text: `${open.body.items.length} (all)` }, `${still.body.items.length} still open`));
    } else {
      figures.push(info('cancel while HALTED', 'not measured', '', 'the pipeline placed no resting order to cancel (the limit alert did not leave an accepted order)'));
    }
  } finally {
    await agent.stop();
  }
  return { suite: 'halted', figures };
}

function paperOrders(dataDir: string): number {
  const books = openBooksCopy(dataDir);
  const n = books.paperOrders();
  books.close();
  return n;
}
