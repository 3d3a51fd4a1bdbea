// `npm run bench` (`-- --quick` for CI): the performance figures of docs/QUALITY.md, measured on a real agent
// child process and, for the durable-intake ratio, against reference servers started in the same run.
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { EVERY_ALERT_ORDERS, createBenchStrategy, spawnAgent, tempDataDir, waitProcessed, type AgentProcess } from './lib/agent-process.js';
import { spawnReference } from './lib/reference-process.js';
import { alertStream, runTag } from './lib/alerts.js';
import { burst, pacedLoad, runLoad } from './lib/load.js';
import { median, round, summarise } from './lib/stats.js';
import { check, info, machine, printFigures, today, writeResults, type Figure } from './lib/report.js';
import { distRoot } from './lib/paths.js';
import { measureFdatasync } from './lib/disk.js';

const quick = process.argv.includes('--quick');
const P = quick
  ? { starts: 3, satRuns: 1, satSeconds: 3, rateRuns: 1, rateSeconds: 3, traceRuns: 1, traceSeconds: 3, slowSeconds: 3, burst: 1000, drainMs: 120_000 }
  : { starts: 5, satRuns: 3, satSeconds: 8, rateRuns: 3, rateSeconds: 10, traceRuns: 3, traceSeconds: 10, slowSeconds: 10, burst: 1000, drainMs: 600_000 };

const figures: Figure[] = [];
const notes: string[] = [];
const raw: Record<string, unknown> = {};
const log = (s: string): void => void process.stdout.write(`${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startToHealthy(): Promise<void> {
  const times: number[] = [];
  for (let i = 0; i < P.starts; i++) {
    const a = await spawnAgent();
    times.push(a.startToHealthyMs);
    await a.stop();
  }
  raw.startToHealthyMs = times.map((t) => round(t));
  figures.push(check('headless start to healthy (spawn → GET /health 200)', round(median(times)), 'ms', { max: 2000, text: '≤ 2 s' }, `median of ${times.length}`));
}

async function saturation(agent: AgentProcess, webhookUrl: string, tag: string): Promise<void> {
  const bare = await spawnReference('bare');
  const dbDir = tempDataDir('vz-ref-');
  const sqlite = await spawnReference('sqlite', path.join(dbDir, 'ref.db'));
  const runs: { bare: number[]; sqlite: number[]; agent: number[]; agentNon2xx: number[] } = { bare: [], sqlite: [], agent: [], agentNon2xx: [] };
  let loadedRss = 0;
  for (let r = 0; r < P.satRuns; r++) {
    const b = await runLoad({ url: bare.url(), connections: 10, durationS: P.satSeconds, body: alertStream(`${tag}-rb${r}`).next });
    runs.bare.push(b.okPerSecond);
    const s = await runLoad({ url: sqlite.url(), connections: 10, durationS: P.satSeconds, body: alertStream(`${tag}-rs${r}`).next });
    runs.sqlite.push(s.okPerSecond);
    const sampler = setInterval(() => (loadedRss = Math.max(loadedRss, agent.rssMb())), 200);
    const a = await runLoad({ url: webhookUrl, connections: 10, durationS: P.satSeconds, body: alertStream(`${tag}-sat${r}`).next });
    clearInterval(sampler);
    runs.agent.push(a.okPerSecond);
    runs.agentNon2xx.push(a.non2xx + a.errors + a.timeouts);
    log(`  saturation run ${r + 1}: bare ${round(b.okPerSecond, 0)}/s, sqlite-per-insert ${round(s.okPerSecond, 0)}/s, agent ${round(a.okPerSecond, 0)}/s (${a.non2xx} non-2xx)`);
    // The worker drains what was stored before the next run, so every run starts from the same state.
    await waitProcessed(agent, P.drainMs, 100);
  }
  await bare.stop();
  await sqlite.stop();
  fs.rmSync(dbDir, { recursive: true, force: true });
  raw.saturation = runs;
  const agentRate = median(runs.agent);
  const bareRate = median(runs.bare);
  const sqliteRate = median(runs.sqlite);
  figures.push(info('saturation throughput, agent (durable inbox, unique alerts, 10 connections)', round(agentRate, 0), 'alerts/s', `median of ${runs.agent.length}; non-2xx ${runs.agentNon2xx.join('/')}`));
  figures.push(info('reference: express + ajv, no storage', round(bareRate, 0), 'req/s'));
  figures.push(info('reference: express + ajv + one SQLite insert per request (WAL, synchronous=FULL)', round(sqliteRate, 0), 'req/s', `${round((100 * sqliteRate) / bareRate, 0)}% of no-storage`));
  figures.push(check('sustained alerts/s with the durable inbox, as a share of the no-storage reference', round((100 * agentRate) / bareRate, 1), '%', { min: 70, text: '≥ 70%' }));
  figures.push(info('agent RSS under load (max sampled)', round(loadedRss, 1), 'MB'));
}

/**
 * Ack latency at 1,000 alerts/s offered: evenly spaced arrivals (the bar's figure), then the same quota sent the
 * way autocannon's overallRate sends it (each of 10 connections spends its per-second share back to back), kept
 * as an information figure for the bursty pattern.
 */
async function ackAtRate(agent: AgentProcess, webhookUrl: string, tag: string, name: string, barMax: number, barText: string, drainBetween = true): Promise<number> {
  const traced = (await agent.api('POST', '/api/status/latency/reset')).status === 200;
  // Several runs (full mode), the agent drained between them: the figure is the median run's p99.
  const runs = await pacedRuns(webhookUrl, tag, drainBetween ? () => waitProcessed(agent, P.drainMs, 100) : undefined);
  const { s, res } = medianRun(runs, (r) => r.s.p99);
  if (traced) {
    await sleep(1200); // the webhook thread reports its stage times once a second
    type L = { count: number; p50Ms: number; p99Ms: number };
    const l = (await agent.api<{ latency?: { intakeCommitWait: L; intakeSyncWait: L } }>('GET', '/api/status')).body.latency;
    if (l) {
      raw[`${tag}-stages`] = l;
      figures.push(info(`${name}: of which waiting for the commit (p50 / p99)`, `${l.intakeCommitWait.p50Ms} / ${l.intakeCommitWait.p99Ms}`, 'ms', 'receive → batch committed, in the agent'));
      figures.push(info(`${name}: of which waiting for the WAL sync (p50 / p99)`, `${l.intakeSyncWait.p50Ms} / ${l.intakeSyncWait.p99Ms}`, 'ms', 'commit → fdatasync done, in the agent'));
    }
  }
  const errors = runs.reduce((n, r) => n + r.res.non2xx + r.res.errors, 0);
  if (drainBetween) await waitProcessed(agent, P.drainMs, 100); // (a broker taking 5 s per order never drains)
  const bursty = await runLoad({ url: webhookUrl, connections: 10, overallRate: 1000, durationS: P.rateSeconds, body: alertStream(`${tag}-ac`).next });
  const b = summarise(bursty.latencies);
  raw[tag] = {
    ...s,
    errors,
    offered: 1000,
    achieved: round(res.okPerSecond, 0),
    maxSendLagMs: round(res.maxSendLagMs),
    runs: runs.map((r) => ({ ...r.s, achieved: round(r.res.okPerSecond, 0), maxSendLagMs: round(r.res.maxSendLagMs) })),
    autocannonPattern: { ...b, errors: bursty.non2xx + bursty.errors + bursty.timeouts, achieved: round(bursty.okPerSecond, 0) },
  };
  figures.push(check(`${name}: p99`, s.p99, 'ms', { max: barMax, text: barText }, `evenly spaced; ${ofRuns(runs.map((r) => r.s.p99))}; that run's p50 ${s.p50} ms, max ${s.max} ms, ${s.count} answers, ${round(res.okPerSecond, 0)} 2xx/s`));
  figures.push(check(`${name}: errors`, errors, '', { max: 0, text: '0' }));
  figures.push(info(`${name}, sent as autocannon overallRate bursts (10 connections): p99`, b.p99, 'ms', `p50 ${b.p50} ms, max ${b.max} ms, ${round(bursty.okPerSecond, 0)} 2xx/s`));
  return s.p99;
}

/**
 * The load generator's own floor, beside the ack figure: the same pacedLoad at 1,000/s evenly spaced against the
 * bare reference (express + ajv, no storage), in the same run on the same cores. What remains here is the client,
 * loopback TCP and express; the agent's figure above it is read against this, not against zero.
 */
async function loadGeneratorFloor(tag: string): Promise<void> {
  const bare = await spawnReference('bare');
  try {
    // The same warm-up as the agent gets (JIT), so the floor is a warm server's.
    await runLoad({ url: bare.url(), connections: 10, amount: 2000, body: alertStream(`${tag}-warm`).next });
    const runs = await pacedRuns(bare.url(), tag);
    const { s, res } = medianRun(runs, (r) => r.s.p99);
    raw.loadGeneratorFloor = { ...s, errors: res.non2xx + res.errors, offered: 1000, achieved: round(res.okPerSecond, 0), maxSendLagMs: round(res.maxSendLagMs), runs: runs.map((r) => r.s) };
    figures.push(
      info(
        "the load generator's own floor: bare express, no storage, at 1,000/s evenly spaced: p99",
        s.p99,
        'ms',
        `${ofRuns(runs.map((r) => r.s.p99))}; that run's p50 ${s.p50} ms, max ${s.max} ms, ${s.count} answers, ${res.non2xx + res.errors} errors, send lag up to ${round(res.maxSendLagMs)} ms`,
      ),
    );
  } finally {
    await bare.stop();
  }
}

async function burstAtOnce(agent: AgentProcess, webhookUrl: string, tag: string): Promise<void> {
  await waitProcessed(agent, P.drainMs, 100);
  const stream = alertStream(tag);
  const bodies = Array.from({ length: P.burst }, () => stream.next());
  const t0 = performance.now();
  const answers = await burst({ url: webhookUrl, bodies, connections: 50 });
  const acked = answers.filter((a) => a.status === 202);
  const within3s = answers.filter((a) => a.status === 202 && a.atMs <= 3000).length;
  const lastAck = Math.max(...answers.map((a) => a.atMs));
  await waitProcessed(agent, P.drainMs, 20);
  const allProcessed = performance.now() - t0;
  raw.burst = { sent: bodies.length, acked: acked.length, within3s, lastAckMs: round(lastAck), allProcessedMs: round(allProcessed) };
  figures.push(check('1,000 alerts at once on 50 connections: acknowledged within 3 s', round((100 * within3s) / bodies.length, 1), '%', { min: 100, text: '100%' }, `last answer at ${round(lastAck, 0)} ms`));
  figures.push(info('1,000 alerts at once: time until all processed', round(allProcessed, 0), 'ms'));
}

type TraceSummary = { count: number; p50Ms: number; p99Ms: number; maxMs: number };
type TraceRun = {
  sent: number;
  receivedToAdapter?: TraceSummary;
  receivedToPipeline?: TraceSummary;
  pipelineToAdapter?: TraceSummary;
  pipelineSteps?: Record<string, TraceSummary>;
  slowAlerts?: { overMs: number; count: number; byLongestPart: Record<string, number> };
};

/** One agent, warmed, then P.traceSeconds at 100 alerts/s with every alert placing an order. */
async function traceOnce(tag: string): Promise<TraceRun> {
  const agent = await spawnAgent({ env: { VIEWZENIX_TRACE_LATENCY: '1' } });
  try {
    // Every alert must reach the broker for this figure (with the defaults the figure rested on the first 16
    // alerts of a cold process).
    const strategy = await createBenchStrategy(agent, { config: EVERY_ALERT_ORDERS });
    // Warm, as an agent that has been running is (JIT, prepared statements, caches), like the ack figure's agent:
    // the figure is the steady state at 100 alerts/s, not the first alerts of a cold process.
    await pacedLoad({ url: agent.webhookUrl(strategy.webhookId), rate: 100, durationS: 3, body: alertStream(`${tag}-warm`).next });
    await waitProcessed(agent, P.drainMs);
    await agent.api('POST', '/api/status/latency/reset');
    const res = await pacedLoad({ url: agent.webhookUrl(strategy.webhookId), rate: 100, durationS: P.traceSeconds, body: alertStream(tag).next });
    await waitProcessed(agent, P.drainMs);
    const l = (await agent.api<{ latency?: Omit<TraceRun, 'sent'> }>('GET', '/api/status')).body.latency;
    return { sent: res.ok, receivedToAdapter: l?.receivedToAdapter, receivedToPipeline: l?.receivedToPipeline, pipelineToAdapter: l?.pipelineToAdapter, pipelineSteps: l?.pipelineSteps, slowAlerts: l?.slowAlerts };
  } finally {
    await agent.stop();
  }
}

async function receivedToAdapter(tag: string): Promise<void> {
  // Each run is a new agent (full mode: several): p50 and p99 are each the median of the runs' figures.
  const runs: TraceRun[] = [];
  for (let i = 0; i < P.traceRuns; i++) runs.push(await traceOnce(`${tag}-${i}`));
  const traced = runs.filter((r): r is TraceRun & { receivedToAdapter: TraceSummary } => (r.receivedToAdapter?.count ?? 0) > 0);
  raw.receivedToAdapter = { runs };
  if (traced.length === 0) {
    figures.push({ name: 'alert received → broker adapter called (paper), at 100 alerts/s', value: 'not measured', unit: '', bar: 'p50 ≤ 2 ms, p99 ≤ 10 ms', detail: 'the agent reported no latency samples (VIEWZENIX_TRACE_LATENCY hook missing?)' });
    return;
  }
  const pick = (f: (r: TraceRun) => TraceSummary | undefined, k: 'p50Ms' | 'p99Ms'): number[] => traced.map((r) => f(r)?.[k]).filter((v): v is number => v !== undefined);
  const orders = traced.reduce((n, r) => n + r.receivedToAdapter.count, 0);
  const p50s = pick((r) => r.receivedToAdapter, 'p50Ms');
  const p99s = pick((r) => r.receivedToAdapter, 'p99Ms');
  figures.push(check('alert received → broker adapter called (paper), at 100 alerts/s: p50', round(median(p50s), 3), 'ms', { max: 2, text: '≤ 2 ms' }, `${ofRuns(p50s)}; ${orders} orders traced`));
  figures.push(check('alert received → broker adapter called (paper), at 100 alerts/s: p99', round(median(p99s), 3), 'ms', { max: 10, text: '≤ 10 ms' }, `${ofRuns(p99s)}; max ${Math.max(...traced.map((r) => r.receivedToAdapter.maxMs))} ms`));
  for (const [name, part] of [
    ['of which received → committed and reported to the pipeline (p50 / p99)', (r: TraceRun) => r.receivedToPipeline],
    ['of which the pipeline: report → adapter called, the wait for the alert’s sync included (p50 / p99)', (r: TraceRun) => r.pipelineToAdapter],
  ] as const) {
    const a = pick(part, 'p50Ms');
    const b = pick(part, 'p99Ms');
    if (a.length > 0) figures.push(info(`alert received → broker adapter called: ${name}`, `${round(median(a), 3)} / ${round(median(b), 3)}`, 'ms', `medians of ${a.length} run${a.length === 1 ? '' : 's'}`));
  }
  // The pipeline's part step by step (main/latency-trace.ts PIPELINE_STEPS): where its time goes.
  const steps = [...new Set(traced.flatMap((r) => Object.keys(r.pipelineSteps ?? {})))];
  if (steps.length > 0) {
    const p50 = (step: string): string => round(median(pick((r) => r.pipelineSteps?.[step], 'p50Ms')), 3).toString();
    figures.push(info('alert received → broker adapter called: the pipeline step by step, p50 of each step', steps.map((s) => `${s} ${p50(s)}`).join(', '), 'ms', 'each step from the end of the one before: copy into signals, queue, time slice, processing mark, planning reads, risk check, order stored, alert synced, call'));
  }
  // What the p99 is made of: the slow alerts of every run together, by the part of their way that took longest.
  const slow = traced.flatMap((r) => (r.slowAlerts ? [r.slowAlerts] : []));
  if (slow.length > 0) {
    const count = slow.reduce((n, s) => n + s.count, 0);
    const byPart = new Map<string, number>();
    for (const s of slow) for (const [part, n] of Object.entries(s.byLongestPart)) byPart.set(part, (byPart.get(part) ?? 0) + n);
    const parts = [...byPart].sort((a, b) => b[1] - a[1]).map(([part, n]) => `${part} ${n}`).join(', ');
    figures.push(
      info(
        `alert received → broker adapter called: alerts over ${slow[0]!.overMs} ms, by the longest part of their way`,
        `${count} of ${orders}${parts ? `: ${parts}` : ''}`,
        '',
        `all runs together; reported: received → reported to the pipeline's thread (its commit in inbox.db, or the thread busy), sync: waiting for the alert's own fdatasync, the others the pipeline's steps`,
      ),
    );
  }
}

type PacedRun = { s: ReturnType<typeof summarise>; res: Awaited<ReturnType<typeof pacedLoad>> };

/** P.rateRuns runs of P.rateSeconds at 1,000 alerts/s evenly spaced, `between` awaited between two runs. */
async function pacedRuns(url: string, tag: string, between?: () => Promise<unknown>): Promise<PacedRun[]> {
  const runs: PacedRun[] = [];
  for (let i = 0; i < P.rateRuns; i++) {
    if (i > 0) await between?.();
    const res = await pacedLoad({ url, rate: 1000, durationS: P.rateSeconds, body: alertStream(`${tag}-${i}`).next });
    runs.push({ s: summarise(res.latencies), res });
  }
  return runs;
}

/** The run whose figure is the median of the runs' (the lower middle one for an even count). */
function medianRun<T>(runs: readonly T[], figure: (r: T) => number): T {
  const sorted = [...runs].sort((a, b) => figure(a) - figure(b));
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

/** "median of 3 runs: 2.9, 3.1, 3.4" (or "1 run"), for a figure's detail. */
function ofRuns(values: readonly number[]): string {
  return values.length === 1 ? '1 run' : `median of ${values.length} runs: ${[...values].sort((a, b) => a - b).join(', ')}`;
}

async function slowBroker(tag: string): Promise<void> {
  const agent = await spawnAgent({ entry: path.join(distRoot, 'bench', 'slow-broker-agent.js'), env: { VIEWZENIX_PAPER_DELAY_MS: '5000' } });
  try {
    const strategy = await createBenchStrategy(agent);
    // The same warm-up as the main agent's ack figure (JIT, prepared statements); nothing drains behind a 5 s broker.
    await runLoad({ url: agent.webhookUrl(strategy.webhookId), connections: 10, amount: 2000, body: alertStream(`${tag}-warm`).next });
    await ackAtRate(agent, agent.webhookUrl(strategy.webhookId), tag, 'ack latency at 1,000 alerts/s with a broker taking 5 s per order', 20, '≤ 20 ms', false);
    const counts = await agent.api<{ signals: Record<string, number> }>('GET', '/api/status');
    raw.slowBrokerSignals = counts.body.signals;
  } finally {
    await agent.kill(); // orders are still waiting on the slow broker; this agent's data is thrown away
  }
}

async function uiOrders(): Promise<void> {
  const spec = './ui-orders.js';
  let mod: { measureOrdersPage?: (o: { rows: number }) => Promise<{ firstRowsMs: number; [k: string]: unknown }> } | undefined;
  try {
    mod = (await import(spec)) as typeof mod;
  } catch {
    mod = undefined;
  }
  if (!mod?.measureOrdersPage) {
    figures.push({ name: 'UI with 100,000 orders stored: first rows', value: 'not measured', unit: '', bar: '≤ 1 s', detail: 'bench/ui-orders.ts is not present in this build' });
    return;
  }
  let r: Awaited<ReturnType<NonNullable<typeof mod.measureOrdersPage>>>;
  try {
    r = await mod.measureOrdersPage({ rows: 100_000 });
  } catch (err) {
    // A browser problem must not throw away every figure measured before it.
    figures.push({ name: 'UI with 100,000 orders stored: first rows', value: 'not measured', unit: '', bar: '≤ 1 s', detail: `the UI measurement failed: ${(err as Error).message.split('\n')[0]}` });
    return;
  }
  raw.uiOrders = r;
  figures.push(check('UI with 100,000 orders stored: first rows', round(r.firstRowsMs, 0), 'ms', { max: 1000, text: '≤ 1 s' }));
}

async function main(): Promise<number> {
  const started = new Date();
  const tag = runTag();
  log(`viewzenix bench${quick ? ' (quick)' : ''} — ${JSON.stringify(machine())}`);

  log('start to healthy…');
  await startToHealthy();

  const disk = measureFdatasync();
  raw.diskFdatasync = disk;
  figures.push(info('the data disk alone: fdatasync of a 32 KB append (p50 / p99)', `${disk.p50} / ${disk.p99}`, 'ms', `max ${disk.max} ms, ${disk.count} syncs; every acknowledgement waits for one`));

  // Latency tracing on: the ack's breakdown (wait for the commit, wait for the WAL sync) is reported beside it. It
  // costs two clock reads per alert and one message a second.
  const agent = await spawnAgent({ env: { VIEWZENIX_TRACE_LATENCY: '1' } });
  try {
    await sleep(2000);
    figures.push(check('idle RSS (2 s after start)', round(agent.rssMb(), 1), 'MB', { max: 150, text: '≤ 150 MB' }));
    const strategy = await createBenchStrategy(agent);
    const url = agent.webhookUrl(strategy.webhookId);
    // Warm-up: JIT, prepared statements, page cache.
    await runLoad({ url, connections: 10, amount: 2000, body: alertStream(`${tag}-warm`).next });
    await waitProcessed(agent, P.drainMs, 100);

    log('ack latency at 1,000 alerts/s…');
    await ackAtRate(agent, url, `${tag}-rate`, 'webhook ack latency at 1,000 alerts/s offered', 10, '≤ 10 ms');
    await waitProcessed(agent, P.drainMs, 100);
    log("the load generator's own floor (bare reference at 1,000/s)…");
    await loadGeneratorFloor(`${tag}-floor`);

    log('saturation and reference servers…');
    await saturation(agent, url, tag);

    log('1,000 alerts at once…');
    await burstAtOnce(agent, url, `${tag}-burst`);
  } finally {
    await agent.stop();
  }

  log('alert received → adapter called at 100 alerts/s…');
  await receivedToAdapter(`${tag}-trace`);

  log('slow broker…');
  await slowBroker(`${tag}-slow`);

  await uiOrders();

  const meta = { date: started.toISOString(), mode: quick ? 'quick' : 'full', durationS: round((Date.now() - started.getTime()) / 1000, 0), machine: machine(), parameters: P, notes };
  const files = writeResults(quick ? `${today()}-quick` : today(), `Benchmark ${today()}${quick ? ' (quick)' : ''}`, meta, figures, { raw });
  log('');
  printFigures(figures);
  log(`\nwritten: ${files.join(', ')}`);
  // A missed bar is a finding in the report; --strict turns it into a failing exit code (for a quiet machine).
  return process.argv.includes('--strict') && figures.some((f) => f.pass === false) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(2);
  },
);
