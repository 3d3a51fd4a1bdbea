// TradingView re-sends an alert when it gets a 5xx or no answer: the same body 4 times, then once more after a
// restart, must give exactly one order. Three kinds of alert: with an explicit id, with only a time, with neither.
import { createBenchStrategy, spawnAgent, waitProcessed } from '../lib/agent-process.js';
import { runTag } from '../lib/alerts.js';
import { post } from '../lib/load.js';
import { openBooksCopy } from '../db/books.js';
import { check } from '../lib/report.js';
import { suiteDataDir, type SuiteOptions, type SuiteResult } from './common.js';

export async function redeliverySuite(o: SuiteOptions): Promise<SuiteResult> {
  const dataDir = suiteDataDir('vz-redeliver-', o.onDisk);
  const tag = runTag();
  let agent = await spawnAgent({ dataDir });
  const strategy = await createBenchStrategy(agent);
  const time = new Date().toISOString();
  const cases = [
    { name: 'explicit id', symbol: `RDA${tag}`.toUpperCase(), body: (s: string) => JSON.stringify({ ticker: s, action: 'buy', quantity: '1', price: '10', id: `${tag}-once` }) },
    { name: 'time only', symbol: `RDB${tag}`.toUpperCase(), body: (s: string) => JSON.stringify({ ticker: s, action: 'buy', quantity: '1', price: '10', time }) },
    { name: 'neither id nor time', symbol: `RDC${tag}`.toUpperCase(), body: (s: string) => JSON.stringify({ ticker: s, action: 'buy', quantity: '1', price: '10' }) },
  ];
  const statuses: Record<string, number[]> = {};
  for (const c of cases) {
    statuses[c.name] = [];
    for (let i = 0; i < 4; i++) statuses[c.name]!.push((await post(agent.webhookUrl(strategy.webhookId), c.body(c.symbol), 'application/json')).status);
  }
  await waitProcessed(agent, 30_000);
  await agent.stop();
  agent = await spawnAgent({ dataDir });
  for (const c of cases) statuses[c.name]!.push((await post(agent.webhookUrl(strategy.webhookId), c.body(c.symbol), 'application/json')).status);
  await waitProcessed(agent, 30_000);
  const orders: Record<string, number> = {};
  for (const c of cases) {
    const res = await agent.api<{ items: unknown[]; total: number }>('GET', `/api/orders?symbol=${c.symbol}&limit=50`);
    orders[c.name] = res.body.total ?? res.body.items.length;
  }
  await agent.stop();
  const books = openBooksCopy(dataDir);
  const brokerOrders = books.paperOrders();
  books.close();
  return {
    suite: 'redelivery',
    figures: [
      ...cases.map((c) => check(`same alert 4 times + once after a restart (${c.name}): orders`, orders[c.name]!, '', { min: 1, max: 1, text: 'exactly 1' }, `answers ${statuses[c.name]!.join(',')}`)),
      check('same alert re-sent: orders at the paper broker for the 3 alerts', brokerOrders, '', { min: 3, max: 3, text: 'exactly 3' }),
    ],
    details: { statuses },
  };
}
