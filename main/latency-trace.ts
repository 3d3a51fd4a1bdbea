// Opt-in timing of the hot path for the benchmark (VIEWZENIX_TRACE_LATENCY=1): when an alert is received by the
// webhook route and when the router calls the broker adapter's submit. Off by default; when off every call is a
// single boolean test. Histograms are in memory only and shown at GET /api/status as `latency`.
import { performance } from 'node:perf_hooks';

const enabled = process.env.VIEWZENIX_TRACE_LATENCY === '1';
/** Whether tracing is on (the webhook thread then reports its receive times to the main thread). */
export const latencyTracing = enabled;
/** Milliseconds on a clock every thread of the process shares (each thread's performance.now() has its own origin). */
const clock = (): number => performance.timeOrigin + performance.now();
/** signal id → receive time (ms, `clock`). Bounded so rejected or duplicate alerts cannot grow it. */
const received = new Map<string, number>();
const MAX_PENDING = 50_000;
const samples: number[] = [];
const MAX_SAMPLES = 200_000;

/** Records the receive time of an alert and returns its id unchanged (so the call fits in an expression). */
export function traceReceived(signalId: string): string {
  if (!enabled) return signalId;
  if (received.size >= MAX_PENDING) received.clear();
  received.set(signalId, clock());
  return signalId;
}

/** Takes the receive times of these alerts out of this thread's table (to hand them to the thread that submits). */
export function takeReceived(signalIds: readonly string[]): [string, number][] {
  if (!enabled) return [];
  const out: [string, number][] = [];
  for (const id of signalIds) {
    const t = received.get(id);
    if (t === undefined) continue;
    received.delete(id);
    out.push([id, t]);
  }
  return out;
}

/** signal id → when this thread learned the alert was committed (the listener's report, sent as its sync starts):
 *  the split of the figure. */
const reported = new Map<string, number>();
/** Receive → reported to the pipeline's thread; reported → adapter called. */
const toPipeline: number[] = [];
const inPipeline: number[] = [];

/** Records receive times taken in another thread, as its report of them arrives. */
export function traceReceivedAt(times: readonly [string, number][]): void {
  if (!enabled) return;
  const now = clock();
  for (const [id, t] of times) {
    if (received.size >= MAX_PENDING) {
      received.clear();
      reported.clear();
    }
    received.set(id, t);
    reported.set(id, now);
  }
}

/**
 * The pipeline's steps between the report and the adapter call, in their order: each alert's time in a step is from
 * the end of the step before (the report, for the first) to the step's own mark. A step an alert skips (a strategy
 * with manual approval, an alert that cancels first) leaves its time to the next step marked.
 */
export const PIPELINE_STEPS = [
  /** Report → the alert's copy into `signals` committed. */
  'copy',
  /** → its turn in its strategy and symbol's queue (alerts before it for the same symbol, the in-flight cap). */
  'queue',
  /** → the worker's time slice (other signals' turns, and during an alert storm the listener's). */
  'slice',
  /** → the processing mark (with the alert's price for the paper books) committed. */
  'mark',
  /** → the account's facts read and the alert planned (sizing, symbol mapping, the position). */
  'plan',
  /** → the first order's risk check. */
  'risk',
  /** → the order, its decision and its move to `submitting` committed. */
  'store',
  /** → the alert's inbox sync done (it may reach a broker only then). */
  'sync',
] as const;
export type PipelineStep = (typeof PIPELINE_STEPS)[number];

/** signal id → [step, time] marks since its report, until its first adapter call. */
const stepMarks = new Map<string, [PipelineStep, number][]>();
/** Alerts followed step by step at once, at most: at 100 alerts/s a handful are under way; during an alert storm
 *  (the bench's saturation runs, traced too) the backlog's marks would fill the heap for nothing. */
const MAX_STEPPED = 1_000;
/** Per step, then `call` (last mark → adapter called: the account's pacing, the call's own start). */
let stepTimes = new Map<PipelineStep | 'call', number[]>();

/** Marks the end of a pipeline step for an alert still on its way to its first adapter call (tracing on only). */
export function traceStep(signalId: string, step: PipelineStep): void {
  if (!enabled || !reported.has(signalId)) return;
  let marks = stepMarks.get(signalId);
  if (!marks) {
    if (stepMarks.size >= MAX_STEPPED) return;
    stepMarks.set(signalId, (marks = []));
  }
  marks.push([step, clock()]);
}

/** Alerts slower than this (received → adapter called; the p99 bar of docs/QUALITY.md) are counted by the part of
 *  their way that took longest: what the p99 is made of. */
export const SLOW_ALERT_MS = 10;
/** Slow alerts by their longest part: `reported` (received → reported to the pipeline's thread), a pipeline step, or
 *  `call`. */
let slowByPart = new Map<'reported' | PipelineStep | 'call', number>();
let slowCount = 0;

function recordSteps(signalId: string, receivedAt: number, reportedAt: number, calledAt: number): void {
  const marks = stepMarks.get(signalId) ?? [];
  stepMarks.delete(signalId);
  let from = reportedAt;
  let longest: ['reported' | PipelineStep | 'call', number] = ['reported', reportedAt - receivedAt];
  for (const [step, at] of [...marks, ['call', calledAt] as const]) {
    let times = stepTimes.get(step);
    if (!times) stepTimes.set(step, (times = []));
    if (times.length < MAX_SAMPLES) times.push(at - from);
    if (at - from > longest[1]) longest = [step, at - from];
    from = at;
  }
  if (calledAt - receivedAt > SLOW_ALERT_MS) {
    slowCount++;
    slowByPart.set(longest[0], (slowByPart.get(longest[0]) ?? 0) + 1);
  }
}

/** Called just before adapter.submit; `signalIdOf` is only evaluated when tracing is on. */
export function traceAdapterCall(orderId: string, signalIdOf: (orderId: string) => string | undefined): void {
  if (!enabled) return;
  const at = clock();
  const signalId = signalIdOf(orderId);
  if (signalId === undefined) return;
  const t0 = received.get(signalId);
  if (t0 === undefined) return;
  received.delete(signalId);
  if (samples.length < MAX_SAMPLES) samples.push(at - t0);
  const r = reported.get(signalId);
  if (r === undefined) return;
  reported.delete(signalId);
  recordSteps(signalId, t0, r, at);
  if (toPipeline.length < MAX_SAMPLES) {
    toPipeline.push(r - t0);
    inPipeline.push(at - r);
  }
}

/** The acknowledgement's two waits, per alert: for its commit (the write lock, the batch) and then for the sync. */
const commitWaits: number[] = [];
const syncWaits: number[] = [];

/** Records intake stage times (measured in the webhook thread or here). */
export function traceIntake(commitWait: readonly number[], syncWait: readonly number[]): void {
  if (!enabled) return;
  for (const v of commitWait) if (commitWaits.length < MAX_SAMPLES) commitWaits.push(v);
  for (const v of syncWait) if (syncWaits.length < MAX_SAMPLES) syncWaits.push(v);
}

export interface LatencySummary {
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Starts the histograms again (the benchmark, between its scenarios). False when tracing is off. */
export function resetLatency(): boolean {
  if (!enabled) return false;
  generation++;
  samples.length = 0;
  toPipeline.length = 0;
  inPipeline.length = 0;
  commitWaits.length = 0;
  syncWaits.length = 0;
  stepTimes = new Map();
  slowByPart = new Map();
  slowCount = 0;
  return true;
}

/** The alert received → adapter called figures so far; `undefined` when tracing is off (so status stays small). */
export interface LatencyStatus {
  receivedToAdapter: LatencySummary;
  /** The same alerts, split where the webhook thread's report reaches the main thread (thread mode only). */
  receivedToPipeline: LatencySummary;
  pipelineToAdapter: LatencySummary;
  intakeCommitWait: LatencySummary;
  intakeSyncWait: LatencySummary;
  /** The pipeline's part (`pipelineToAdapter`) step by step (PIPELINE_STEPS, then `call`), for the alerts that went
   *  through each step. */
  pipelineSteps: Partial<Record<PipelineStep | 'call', LatencySummary>>;
  /** The traced alerts slower than SLOW_ALERT_MS, counted by the part of their way that took longest (`reported`:
   *  received → reported to the pipeline's thread; a pipeline step; `call`). */
  slowAlerts: { overMs: number; count: number; byLongestPart: Record<string, number> };
}

export function latencyStatus(): { latency?: LatencyStatus } {
  if (!enabled) return {};
  return {
    latency: {
      receivedToAdapter: summaryOf(samples),
      receivedToPipeline: summaryOf(toPipeline),
      pipelineToAdapter: summaryOf(inPipeline),
      intakeCommitWait: summaryOf(commitWaits),
      intakeSyncWait: summaryOf(syncWaits),
      pipelineSteps: Object.fromEntries([...PIPELINE_STEPS, 'call' as const].flatMap((s) => (stepTimes.has(s) ? [[s, summaryOf(stepTimes.get(s)!)]] : []))),
      slowAlerts: { overMs: SLOW_ALERT_MS, count: slowCount, byLongestPart: Object.fromEntries(slowByPart) },
    },
  };
}

/** Bumped by every reset: with its length, it says whether a histogram changed since its last summary. */
let generation = 0;
const summaries = new WeakMap<readonly number[], { length: number; generation: number; summary: LatencySummary }>();

/**
 * The summary of a histogram, sorted again only when it changed (samples are only ever appended, or all cleared by
 * a reset). GET /api/status asks for it on every call: the benchmark polls the status every 20 ms while it waits
 * for alerts to be processed, and sorting up to 200,000 samples each time held the pipeline's thread.
 */
function summaryOf(values: readonly number[]): LatencySummary {
  const cached = summaries.get(values);
  if (cached && cached.length === values.length && cached.generation === generation) return cached.summary;
  const fresh = summary(values);
  summaries.set(values, { length: values.length, generation, summary: fresh });
  return fresh;
}

function summary(values: readonly number[]): LatencySummary {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]! : 0);
  const round = (n: number): number => Math.round(n * 1000) / 1000;
  return { count: sorted.length, p50Ms: round(at(0.5)), p99Ms: round(at(0.99)), maxMs: round(sorted.at(-1) ?? 0) };
}

/** Artificial delay for the paper broker's submit (VIEWZENIX_PAPER_DELAY_MS), to measure the ack path with a slow broker. */
export function paperDelayMs(): number {
  const v = Number(process.env.VIEWZENIX_PAPER_DELAY_MS ?? 0);
  return Number.isFinite(v) && v > 0 ? v : 0;
}
