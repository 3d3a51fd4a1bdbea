// Property-based fuzzing of the webhook route over HTTP: no crash, no 5xx, every rejection carries a documented
// code (shared/codes.ts) with that code's HTTP status, every acceptance a signal id, and no order from input
// that the intake rejected.
import http from 'node:http';
import { createBenchStrategy, spawnAgent } from '../lib/agent-process.js';
import { post } from '../lib/load.js';
import { openBooksCopy } from '../db/books.js';
import { check, info } from '../lib/report.js';
import { CODES, type Code } from '../../shared/codes.js';
import { fuzzCases } from './fuzz-cases.js';
import { suiteDataDir, type SuiteOptions, type SuiteResult } from './common.js';

export async function fuzzSuite(o: SuiteOptions): Promise<SuiteResult> {
  const n = o.quick ? 5000 : 100_000;
  const seed = Number(process.env.VIEWZENIX_FUZZ_SEED ?? Date.now() % 2 ** 31);
  const dataDir = suiteDataDir('vz-fuzz-', o.onDisk);
  const agent = await spawnAgent({ dataDir });
  let fiveXx = 0;
  let noAnswer = 0;
  let undocumented = 0;
  let wrongStatus = 0;
  let accepted = 0;
  let rejected = 0;
  let acceptedWithoutId = 0;
  const samples: string[] = [];
  const byCode: Record<string, number> = {};
  let alive: boolean;
  try {
    const strategy = await createBenchStrategy(agent);
    const url = agent.webhookUrl(strategy.webhookId);
    const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 16 });
    const chunk = 5000;
    for (let start = 0; start < n; start += chunk) {
      const cases = fuzzCases(Math.min(chunk, n - start), seed + start);
      let next = 0;
      const worker = async (): Promise<void> => {
        for (;;) {
          const i = next++;
          if (i >= cases.length) return;
          const c = cases[i]!;
          const r = await post(url, c.body, c.contentType, keepAlive);
          if (r.status === 0) noAnswer++;
          else if (r.status >= 500) fiveXx++;
          else if (r.status === 200 || r.status === 202) {
            accepted++;
            if (!r.body.signalId) acceptedWithoutId++;
          } else {
            rejected++;
            const code = r.body.code;
            if (!code || !(code in CODES)) undocumented++;
            else {
              byCode[code] = (byCode[code] ?? 0) + 1;
              if (CODES[code as Code].http !== r.status) wrongStatus++;
            }
          }
          if ((r.status === 0 || r.status >= 500 || (r.status >= 400 && !(r.body.code && r.body.code in CODES))) && samples.length < 10) samples.push(`${r.status} ${JSON.stringify(c)}`);
        }
      };
      await Promise.all(Array.from({ length: 16 }, worker));
      if (agent.child.exitCode !== null) break;
      o.log(`  fuzz ${Math.min(start + chunk, n)}/${n}`);
    }
    keepAlive.destroy();
    alive = agent.child.exitCode === null && (await fetch(`http://127.0.0.1:${agent.info.webhookPort}/health`).then((r) => r.ok, () => false));
  } finally {
    await agent.kill(); // the worker may still be placing paper orders for the valid cases; not needed here
  }
  const books = openBooksCopy(dataDir);
  const fromRejected = books.ordersFromRejectedSignals();
  books.close();
  return {
    suite: 'fuzz',
    figures: [
      check('webhook fuzz: agent crashed (not alive at the end)', alive ? 0 : 1, '', { max: 0, text: '0' }, `${n} cases, seed ${seed}`),
      check('webhook fuzz: 5xx answers', fiveXx, '', { max: 0, text: '0' }),
      check('webhook fuzz: requests without an answer (connection refused or reset)', noAnswer, '', { max: 0, text: '0' }),
      check('webhook fuzz: rejections without a documented code', undocumented, '', { max: 0, text: '0' }),
      check("webhook fuzz: rejections whose HTTP status is not the code's", wrongStatus, '', { max: 0, text: '0' }),
      check('webhook fuzz: acceptances without a signal id', acceptedWithoutId, '', { max: 0, text: '0' }),
      check('webhook fuzz: orders from rejected input', fromRejected, '', { max: 0, text: '0' }),
      info('webhook fuzz: accepted / rejected', `${accepted} / ${rejected}`, ''),
    ],
    details: { seed, byCode, samples },
  };
}
