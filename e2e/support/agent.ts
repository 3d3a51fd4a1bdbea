// Starts a real headless agent (the built CLI) on free ports with a temporary data directory.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface RunningAgent {
  dataDir: string;
  info: { pid: number; webhookPort: number; controlPort: number; uiUrl: string; webhookUrl: string };
  token: string;
  process: ChildProcess;
  output: () => string;
  api<T = unknown>(method: string, p: string, body?: unknown): Promise<{ status: number; body: T }>;
  cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  stop(): Promise<void>;
}

const root = path.resolve(import.meta.dirname, '..', '..');
export const cliPath = path.join(root, 'dist', 'main', 'cli.js');

export async function startAgent(opts: { dataDir?: string; env?: Record<string, string> } = {}): Promise<RunningAgent> {
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'vz-e2e-'));
  let out = '';
  const child = spawn(process.execPath, [cliPath, 'start', '--data-dir', dataDir, '--webhook-port', '0', '--control-port', '0', '--webhook-host', '127.0.0.1'], {
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const infoFile = path.join(dataDir, 'agent.json');
  const deadline = Date.now() + 15_000;
  while (!fs.existsSync(infoFile)) {
    if (child.exitCode !== null) throw new Error(`agent exited with ${child.exitCode}:\n${out}`);
    if (Date.now() > deadline) throw new Error(`agent did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const info = JSON.parse(fs.readFileSync(infoFile, 'utf8')) as RunningAgent['info'];
  const token = fs.readFileSync(path.join(dataDir, 'control-token'), 'utf8').trim();
  const base = `http://127.0.0.1:${info.controlPort}`;
  return {
    dataDir,
    info,
    token,
    process: child,
    output: () => out,
    async api<T>(method: string, p: string, body?: unknown) {
      const res = await fetch(base + p, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as T };
    },
    cli(args: string[]) {
      return new Promise((resolve) => {
        const p = spawn(process.execPath, [cliPath, ...args, '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
      });
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
