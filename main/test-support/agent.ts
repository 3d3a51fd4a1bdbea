// Starts an in-process agent on free loopback ports with a temporary data directory, for integration tests.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startAgent, type Agent, type StartOverrides } from '../agent.js';
import type { AgentOptions } from '../config.js';
import type { AgentEvent } from '../../shared/api-types.js';

export interface TestAgent extends Agent {
  dataDir: string;
  webhookBase: string;
  controlBase: string;
  post(webhookPathOrUrl: string, body: string, contentType?: string): Promise<{ status: number; body: Record<string, unknown> }>;
  api<T = Record<string, unknown>>(method: string, p: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: T }>;
}

/**
 * The built webhook thread (dist/main/server/webhook-thread.js): a worker thread runs JavaScript, so tests that
 * run the listener in its thread use the build, which `npm test` makes before running vitest.
 */
export function builtWebhookThreadEntry(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  const entry = path.join(dir, 'dist', 'main', 'server', 'webhook-thread.js');
  if (!fs.existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` before these tests (npm test does).`);
  return entry;
}

/** Inside the test run's own directory (main/test-support/global-setup.ts removes it when the run ends: runs left
 *  many gigabytes of agent data behind), else the system's temporary directory. */
export function tempDir(prefix = 'vz-test-'): string {
  return fs.mkdtempSync(path.join(process.env.VIEWZENIX_TEST_TMP ?? os.tmpdir(), prefix));
}

export async function startTestAgent(opts: Partial<AgentOptions> = {}, overrides: StartOverrides = {}): Promise<TestAgent> {
  const dataDir = opts.dataDir ?? tempDir();
  const agent = await startAgent(
    { dataDir, webhookPort: 0, controlPort: 0, webhookHost: '127.0.0.1', console: 'silent', logLevel: 'info', seedDemo: true, ...opts },
    { uiDir: path.join(dataDir, 'no-ui'), fillWaitMs: 2000, ...overrides },
  );
  const webhookBase = `http://127.0.0.1:${agent.info.webhookPort}`;
  const controlBase = `http://127.0.0.1:${agent.info.controlPort}`;
  return Object.assign(agent, {
    dataDir,
    webhookBase,
    controlBase,
    async post(target: string, body: string, contentType = 'application/json') {
      const url = target.startsWith('http') ? target : webhookBase + target;
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body });
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
    },
    async api<T>(method: string, p: string, body?: unknown, headers: Record<string, string> = {}) {
      const res = await fetch(controlBase + p, {
        method,
        headers: { authorization: `Bearer ${agent.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : {}) as T };
    },
  });
}

export async function eventually<T>(fn: () => Promise<T> | T, ok: (v: T) => boolean, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Reads the control API's event stream (/api/events) as the UI does, collecting every event until close(). */
/** A signal once the worker is done with it (any status but queued or processing), as GET /api/signals/:id answers. */
export function settledSignal<T extends { status: string } = { status: string; code?: string; message?: string }>(agent: Pick<TestAgent, 'api'>, signalId: string, timeoutMs?: number): Promise<T> {
  return eventually(async () => (await agent.api<T>('GET', `/api/signals/${signalId}`)).body, (s) => s.status !== 'queued' && s.status !== 'processing', timeoutMs);
}

export async function listenEvents(agent: Pick<TestAgent, 'controlBase' | 'token'>): Promise<{ events: AgentEvent[]; close(): void }> {
  const events: AgentEvent[] = [];
  const ctrl = new AbortController();
  const res = await fetch(`${agent.controlBase}/api/events`, { headers: { authorization: `Bearer ${agent.token}` }, signal: ctrl.signal });
  if (!res.ok || !res.body) throw new Error(`/api/events answered ${res.status}`);
  // Subscribed once the answer's head has arrived: events published from now on are seen.
  void (async () => {
    const decoder = new TextDecoder();
    let buf = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buf += decoder.decode(chunk, { stream: true });
      let i: number;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const data = block.split('\n').find((l) => l.startsWith('data: '));
        if (data) events.push(JSON.parse(data.slice(6)) as AgentEvent);
      }
    }
  })().catch(() => undefined);
  return { events, close: () => ctrl.abort() };
}
