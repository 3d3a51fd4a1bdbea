// `npm run test:reliability` (`:quick` for CI): crash, broker faults, re-delivery, halted, ordering, fuzz and security suites,
// each printing its counts against the bars of docs/QUALITY.md. Exits non-zero when a bar is missed.
import { machine, printFigures, today, writeResults, type Figure } from '../lib/report.js';
import { crashSuite } from './crash.js';
import { redeliverySuite } from './redelivery.js';
import { haltedSuite } from './halted.js';
import { orderingSuite } from './ordering.js';
import { fuzzSuite } from './fuzz.js';
import { securitySuite } from './security.js';
import { faultsSuite } from './faults.js';
import type { SuiteOptions, SuiteResult } from './common.js';

const quick = process.argv.includes('--quick');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7).split(',');
const opts: SuiteOptions = { quick, onDisk: process.argv.includes('--disk'), log: (s) => void process.stdout.write(`${s}\n`) };
const suites: [string, (o: SuiteOptions) => Promise<SuiteResult>][] = [
  ['security', securitySuite],
  ['redelivery', redeliverySuite],
  ['ordering', orderingSuite],
  ['halted', haltedSuite],
  ['crash', crashSuite],
  ['faults', faultsSuite],
  ['fuzz', fuzzSuite],
];

async function main(): Promise<number> {
  const started = new Date();
  const figures: Figure[] = [];
  const details: Record<string, unknown> = {};
  for (const [name, run] of suites) {
    if (only && !only.includes(name)) continue;
    opts.log(`\n== ${name}`);
    const t0 = Date.now();
    try {
      const r = await run(opts);
      printFigures(r.figures);
      figures.push(...r.figures);
      details[name] = { ...r.details, seconds: Math.round((Date.now() - t0) / 100) / 10 };
    } catch (err) {
      const f: Figure = { name: `${name} suite ran to the end`, value: 'error', unit: '', bar: 'yes', pass: false, detail: (err as Error).message.slice(0, 500) };
      printFigures([f]);
      figures.push(f);
      details[name] = { error: (err as Error).stack };
    }
  }
  const meta = { date: started.toISOString(), mode: quick ? 'quick' : 'full', durationS: Math.round((Date.now() - started.getTime()) / 1000), machine: machine(), dataOn: opts.onDisk ? 'disk' : 'RAM disk (/dev/shm) where present' };
  const name = `reliability-${today()}${quick ? '-quick' : ''}`;
  const files = writeResults(name, `Reliability ${today()}${quick ? ' (quick)' : ''}`, meta, figures, { details });
  const missed = figures.filter((f) => f.pass === false);
  opts.log(`\n${figures.length - missed.length} of ${figures.length} figures within their bars${missed.length ? `; MISSED: ${missed.map((f) => f.name).join('; ')}` : ''}\nwritten: ${files.join(', ')}`);
  return missed.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`reliability failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(2);
  },
);
