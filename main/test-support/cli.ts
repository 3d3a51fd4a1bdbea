// The real CLI in a child process (TypeScript run through jiti) against a running test agent.
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { TestAgent } from './agent.js';

const root = path.resolve(import.meta.dirname, '..', '..');

/** For a test that runs the CLI: each run compiles it first (jiti), several seconds on a busy two-core machine. */
export const CLI_TEST_TIMEOUT_MS = 120_000;

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `viewzenix ARGS --data-dir <the agent's>` with the agent's control token. */
export function runCli(agent: Pick<TestAgent, 'dataDir' | 'token'>, ...args: string[]): Promise<CliRun> {
  const child = spawn(process.execPath, ['--import', 'jiti/register', path.join(root, 'main', 'cli.ts'), ...args, '--data-dir', agent.dataDir], {
    cwd: root,
    env: { ...process.env, VIEWZENIX_CONTROL_TOKEN: agent.token },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill(), 60_000); // jiti compiles the CLI first: seconds on a busy machine
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}
