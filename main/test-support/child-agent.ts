// Runs the BUILT agent (dist/main/cli.js) as a child process, so tests can SIGKILL it like a crash.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../package-root.js';
import type { AgentInfo } from '../data-dir.js';

export interface ChildAgent {
  child: ChildProcess;
  info: AgentInfo;
  token: string;
  output(): string;
  kill(signal: NodeJS.Signals): Promise<void>;
}

export async function spawnAgent(dataDir: string, env: Record<string, string> = {}): Promise<ChildAgent> {
  const cli = path.join(packageRoot(), 'dist', 'main', 'cli.js');
  if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` first (npm test does).`);
  fs.rmSync(path.join(dataDir, 'agent.json'), { force: true });
  let out = '';
  const child = spawn(process.execPath, [cli, 'start', '--data-dir', dataDir, '--webhook-port', '0', '--control-port', '0', '--webhook-host', '127.0.0.1', '--quiet'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const file = path.join(dataDir, 'agent.json');
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (fs.existsSync(file)) {
      const info = JSON.parse(fs.readFileSync(file, 'utf8')) as AgentInfo;
      if (info.pid === child.pid) {
        const token = fs.readFileSync(path.join(dataDir, 'control-token'), 'utf8').trim();
        return {
          child,
          info,
          token,
          output: () => out,
          kill: (signal) =>
            new Promise((resolve) => {
              if (child.exitCode !== null || child.signalCode !== null) return resolve();
              child.once('exit', () => resolve());
              child.kill(signal);
            }),
        };
      }
    }
    if (child.exitCode !== null) throw new Error(`agent exited with ${child.exitCode}: ${out}`);
    if (Date.now() > deadline) throw new Error(`agent did not start in time: ${out}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
