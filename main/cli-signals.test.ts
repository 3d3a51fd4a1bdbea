// Stopping the agent started by `viewzenix start` (npm start): Ctrl+C, a service manager's SIGTERM, or the terminal
// being closed (SIGHUP) stop it cleanly: exit code 0, and agent.json (PRODUCT.md: removed on clean exit) gone.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnAgent } from './test-support/child-agent.js';
import { eventually, tempDir } from './test-support/agent.js';
import { processAlive, type AgentInfo } from './data-dir.js';

describe('stopping the agent with a signal', () => {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    it(`${signal}: a clean stop, exit code 0, agent.json removed`, async () => {
      const dataDir = tempDir();
      const agent = await spawnAgent(dataDir);
      expect(fs.existsSync(path.join(dataDir, 'agent.json'))).toBe(true);
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => agent.child.once('exit', (code, sig) => resolve({ code, signal: sig })));
      agent.child.kill(signal);
      expect(await exited).toEqual({ code: 0, signal: null });
      expect(fs.existsSync(path.join(dataDir, 'agent.json'))).toBe(false);
    }, 60_000);
  }
});

// `npm start` runs its script under `sh -c`, and npm passes a SIGTERM (a service manager's, a container's, a test
// harness's stop) to that shell only, which ends without passing it on: the agent kept running, orphaned, holding the
// ports and the data directory, with agent.json left behind. The script's agent stops once that shell is gone.
describe.skipIf(process.platform === 'win32')('stopping `npm start`', () => {
  it('SIGTERM to the npm script shell: the agent stops cleanly and agent.json is removed', async () => {
    const root = path.resolve(import.meta.dirname, '..');
    const script = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
    const build = 'npm run build --silent && ';
    expect(script.startsWith(build)).toBe(true);
    // The script as npm runs it, the build step aside (dist/ is built): `sh -c '<script> <npm start -- args>'`.
    const dataDir = tempDir();
    const shell = spawn('sh', ['-c', `true && ${script.slice(build.length)} --data-dir "$0" --webhook-port 0 --control-port 0 --quiet`, dataDir], { cwd: root, stdio: 'ignore' });
    const file = path.join(dataDir, 'agent.json');
    const info = await eventually(
      () => (fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as AgentInfo) : undefined),
      (i) => i !== undefined,
      30_000,
    );
    if (info === undefined) throw new Error('the agent of `npm start` did not start');
    try {
      expect(info.pid).not.toBe(shell.pid);
      const shellGone = new Promise((resolve) => shell.once('exit', resolve));
      shell.kill('SIGTERM');
      await shellGone;
      await eventually(
        () => fs.existsSync(file) || processAlive(info.pid),
        (running) => !running,
        10_000,
      );
      expect(processAlive(info.pid)).toBe(false);
      expect(fs.existsSync(file)).toBe(false);
    } finally {
      if (processAlive(info.pid)) process.kill(info.pid, 'SIGKILL');
    }
  }, 60_000);
});
