// The CLI and an agent started with VIEWZENIX_CONTROL_TOKEN: that agent writes no <data-dir>/control-token, so a
// command run without the variable has no token. It says so (set the same variable), and it does not create a token
// file of its own, which the running agent would refuse (401) and which the next start would then take up.
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAgent, type TestAgent } from './test-support/agent.js';
import { CLI_TEST_TIMEOUT_MS, cliCommand, runCli } from './test-support/cli.js';

let agent: TestAgent;
const TOKEN = 'cli-token-test-own-token-0001';

beforeAll(async () => {
  agent = await startTestAgent({ controlToken: TOKEN });
});
afterAll(async () => agent.stop());

/** `viewzenix ARGS` with no VIEWZENIX_CONTROL_TOKEN in its environment. */
function runWithoutTokenVariable(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const { argv } = cliCommand(...args, '--data-dir', agent.dataDir);
  const env = { ...process.env };
  delete env.VIEWZENIX_CONTROL_TOKEN;
  const child = spawn(process.execPath, argv, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe('an agent started with VIEWZENIX_CONTROL_TOKEN', { timeout: CLI_TEST_TIMEOUT_MS }, () => {
  it('a command without the variable exits 2 saying to set it, and writes no control-token file', async () => {
    const file = path.join(agent.dataDir, 'control-token');
    expect(fs.existsSync(file)).toBe(false);
    const run = await runWithoutTokenVariable('status');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/VIEWZENIX_CONTROL_TOKEN/);
    expect(run.stderr).not.toContain(TOKEN);
    expect(fs.existsSync(file)).toBe(false);
  });

  it('a command with the variable works', async () => {
    const run = await runCli(agent, 'status', '--json');
    expect([run.code, run.stderr]).toEqual([0, '']);
    expect(JSON.parse(run.stdout)).toMatchObject({ controlPort: agent.info.controlPort });
  });

  it('a token file that is not the agent\'s (401) gets the same hint', async () => {
    const file = path.join(agent.dataDir, 'control-token');
    fs.writeFileSync(file, `${'x'.repeat(43)}\n`, { mode: 0o600 });
    try {
      const run = await runWithoutTokenVariable('status');
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/UNAUTHORIZED/);
      expect(run.stderr).toMatch(/set the same variable for this command/);
    } finally {
      fs.rmSync(file);
    }
  });
});
