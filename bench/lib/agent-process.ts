// A real agent as a child process (the built CLI, or a bench entry that starts the same agent), on free
// loopback ports with a temporary data directory. Ports and the control token are read from the data directory.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { distRoot } from './paths.js';

export interface AgentInfo {
  pid: number;
  webhookPort: number;
  controlPort: number;
}

export interface AgentProcess {
  dataDir: string;
  info: AgentInfo;
  token: string;
  child: ChildProcess;
  /** Spawn → GET /health answered 200, in ms. */
  startToHealthyMs: number;
  output(): string;
  api<T = unknown>(method: string, p: string, body?: unknown): Promise<{ status: number; body: T }>;
  webhookUrl(webhookId: string): string;
  rssMb(): number;
  /** SIGKILL, no goodbye: the crash the reliability suite is about. */
  kill(): Promise<void>;
  /** SIGTERM and wait for a clean exit. */
  stop(): Promise<void>;
}

export interface SpawnOptions {
  dataDir?: string;
  env?: Record<string, string>;
  /** A script under dist/ to run instead of dist/main/cli.js (it must accept the same `start` flags). */
  entry?: string;
  /** Flags for node itself (e.g. --cpu-prof, which NODE_OPTIONS refuses). */
  nodeArgs?: string[];
}

export function tempDataDir(prefix = 'vz-bench-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export async function spawnAgent(opts: SpawnOptions = {}): Promise<AgentProcess> {
  const dataDir = opts.dataDir ?? tempDataDir();
  const infoFile = path.join(dataDir, 'agent.json');
  fs.rmSync(infoFile, { force: true }); // left by a killed run; the new agent writes its own
  const entry = opts.entry ?? path.join(distRoot, 'main', 'cli.js');
  let out = '';
  const t0 = performance.now();
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), entry, 'start', '--data-dir', dataDir, '--webhook-port', '0', '--control-port', '0', '--webhook-host', '127.0.0.1', '--quiet'], {
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  child.stderr!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  const deadline = Date.now() + 30_000;
  let info: AgentInfo | undefined;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`agent exited with ${child.exitCode}:\n${out}`);
    if (Date.now() > deadline) throw new Error(`agent did not become healthy:\n${out}`);
    if (!info && fs.existsSync(infoFile)) {
      try {
        const parsed = JSON.parse(fs.readFileSync(infoFile, 'utf8')) as AgentInfo;
        if (parsed.pid === child.pid) info = parsed;
      } catch {
        // being written; read again
      }
    }
    if (info) {
      const ok = await fetch(`http://127.0.0.1:${info.webhookPort}/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  const startToHealthyMs = performance.now() - t0;
  const token = fs.readFileSync(path.join(dataDir, 'control-token'), 'utf8').trim();
  const base = `http://127.0.0.1:${info.controlPort}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    dataDir,
    info,
    token,
    child,
    startToHealthyMs,
    output: () => out,
    async api<T>(method: string, p: string, body?: unknown) {
      const res = await fetch(base + p, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as T };
    },
    webhookUrl: (id) => `http://127.0.0.1:${info.webhookPort}/webhook/${id}`,
    rssMb: () => rssMb(child.pid!),
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Resident set size from /proc (Linux); NaN where /proc is absent. */
export function rssMb(pid: number): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(status);
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

export interface BenchStrategy {
  id: string;
  webhookId: string;
  accountId: string;
}

/**
 * A strategy config under which every alert reaches the broker: adding to a position allowed, the order-rate and
 * duplicate rules lifted. With the defaults (no adding, 30 orders a minute, the same symbol and side within 2 s
 * is a duplicate) and the alert streams here, in which each symbol always has the same side, all but the first
 * alert per symbol are denied.
 */
export const EVERY_ALERT_ORDERS = { strategy: { allowAdd: true }, risk: { maxOrdersPerMinute: 100_000, maxOrdersPerDay: 100_000, duplicateWindowSeconds: 0 } };

/** The paper account (seeded on first start) and a strategy on it whose per-webhook rate limit does not get in the way. */
export async function createBenchStrategy(agent: AgentProcess, opts: { passphrase?: string; name?: string; config?: Record<string, unknown> } = {}): Promise<BenchStrategy> {
  const accounts = await agent.api<{ items: { id: string; broker: string }[] }>('GET', '/api/accounts');
  const paper = accounts.body.items.find((a) => a.broker === 'paper');
  if (!paper) throw new Error('the agent has no paper account');
  const res = await agent.api<{ id: string; webhookId: string; code?: string; message?: string }>('POST', '/api/strategies', {
    name: opts.name ?? 'bench',
    accountIds: [paper.id],
    ...(opts.passphrase ? { passphrase: opts.passphrase } : {}),
    config: { intake: { rateLimit: { perSecond: 100_000, burst: 100_000 } }, ...opts.config },
  });
  if (res.status !== 201) throw new Error(`creating the bench strategy failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.id, webhookId: res.body.webhookId, accountId: paper.id };
}

/** Signal counts by status, from GET /api/status. */
export async function signalCounts(agent: AgentProcess): Promise<Record<string, number>> {
  const res = await agent.api<{ signals: Record<string, number> }>('GET', '/api/status');
  return res.body.signals;
}

/** Waits until no signal is queued or processing; returns the time waited (ms) or throws on timeout. */
export async function waitProcessed(agent: AgentProcess, timeoutMs: number, pollMs = 20): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    const c = await signalCounts(agent);
    if ((c.queued ?? 0) + (c.processing ?? 0) === 0) return performance.now() - t0;
    if (performance.now() - t0 > timeoutMs) throw new Error(`signals still pending after ${timeoutMs} ms: ${JSON.stringify(c)}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
