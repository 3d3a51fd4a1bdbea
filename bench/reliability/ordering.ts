// Two alerts for one symbol in the same millisecond, exit then reverse: written on one connection in one packet
// (HTTP pipelining), so they arrive in a known order within the same millisecond. Executed in arrival order, the
// exit closes the long and the sell opens a short (position -1); reversed, the sell flattens and the exit finds
// nothing (position 0).
import net from 'node:net';
import { createBenchStrategy, spawnAgent, waitProcessed } from '../lib/agent-process.js';
import { runTag } from '../lib/alerts.js';
import { post } from '../lib/load.js';
import { check } from '../lib/report.js';
import { suiteDataDir, type SuiteOptions, type SuiteResult } from './common.js';

function request(port: number, p: string, body: string): string {
  return `POST ${p} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

function pipelined(port: number, raw: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(raw));
    let out = '';
    s.on('data', (d: Buffer) => {
      out += d.toString();
      if ((out.match(/HTTP\/1\.1 /g) ?? []).length >= 2 && /\}\s*$/.test(out)) s.end();
    });
    s.on('end', () => resolve(out));
    s.on('error', reject);
    s.setTimeout(10_000, () => s.destroy(new Error('timeout')));
  });
}

export async function orderingSuite(o: SuiteOptions): Promise<SuiteResult> {
  const pairs = o.quick ? 10 : 50;
  const dataDir = suiteDataDir('vz-order-', o.onDisk);
  const tag = runTag();
  const agent = await spawnAgent({ dataDir });
  let wrong = 0;
  let sameMs = 0;
  try {
    // The order-rate limits are not what this suite measures: 150 orders in a minute would trip the default 30/min.
    const strategy = await createBenchStrategy(agent, { config: { risk: { maxOrdersPerMinute: 100_000, maxOrdersPerDay: 10_000_000 } } });
    const url = agent.webhookUrl(strategy.webhookId);
    const symbols = Array.from({ length: pairs }, (_, i) => `ORD${i}X${tag}`.toUpperCase());
    for (const s of symbols) await post(url, JSON.stringify({ ticker: s, action: 'buy', quantity: '1', price: '50', id: `${s}-open` }), 'application/json');
    await waitProcessed(agent, 60_000);
    const p = `/webhook/${strategy.webhookId}`;
    for (const s of symbols) {
      const exit = JSON.stringify({ ticker: s, action: 'exit', price: '51', id: `${s}-exit` });
      const reverse = JSON.stringify({ ticker: s, action: 'sell', quantity: '1', price: '51', id: `${s}-reverse` });
      await pipelined(agent.info.webhookPort, request(agent.info.webhookPort, p, exit) + request(agent.info.webhookPort, p, reverse));
    }
    await waitProcessed(agent, 60_000);
    const positions = await agent.api<{ items: { symbol: string; quantity: string }[] }>('GET', '/api/positions');
    const signals = await agent.api<{ items: { symbol?: string; receivedAt: string; parsed?: { id?: string } }[] }>('GET', `/api/signals?limit=${pairs * 3 + 10}`);
    for (const s of symbols) {
      const q = positions.body.items.find((x) => x.symbol === s)?.quantity ?? '0';
      if (Number(q) !== -1) wrong++;
      const times = signals.body.items.filter((x) => x.symbol === s && x.parsed?.id !== `${s}-open`).map((x) => x.receivedAt);
      if (times.length === 2 && times[0] === times[1]) sameMs++;
    }
  } finally {
    await agent.stop();
  }
  return {
    suite: 'ordering',
    figures: [check('exit then reverse in the same millisecond: pairs executed out of arrival order', wrong, '', { max: 0, text: '0' }, `${pairs} pairs; ${sameMs} received in the same millisecond`)],
  };
}
