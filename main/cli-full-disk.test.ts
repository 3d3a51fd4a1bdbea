// The agent started with its output going to a full disk (`npm start > agent.out 2>&1` on a disk that filled up):
// /dev/full answers every write with ENOSPC. The terminal's lines are lost; the agent keeps taking alerts.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from './package-root.js';
import { eventually, tempDir } from './test-support/agent.js';
import type { AgentInfo } from './data-dir.js';

const hasDevFull = fs.existsSync('/dev/full');

describe.skipIf(!hasDevFull)('the agent writing its output to a full disk', () => {
  it('keeps running and answers alerts when every write to its stdout and stderr fails with ENOSPC', async () => {
    const dataDir = tempDir();
    const cli = path.join(packageRoot(), 'dist', 'main', 'cli.js');
    const full = fs.openSync('/dev/full', 'w');
    const child = spawn(process.execPath, [cli, 'start', '--data-dir', dataDir, '--webhook-port', '0', '--control-port', '0', '--webhook-host', '127.0.0.1'], {
      stdio: ['ignore', full, full],
    });
    fs.closeSync(full);
    let exited: number | null | undefined;
    child.on('exit', (code) => (exited = code));
    try {
      const info = await eventually(
        () => {
          try {
            return JSON.parse(fs.readFileSync(path.join(dataDir, 'agent.json'), 'utf8')) as AgentInfo;
          } catch {
            return undefined;
          }
        },
        (i) => i?.pid === child.pid || exited !== undefined,
        30_000,
      );
      expect(exited).toBeUndefined();
      const res = await fetch(info!.webhookUrl!, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"ticker":"AAPL","action":"buy","quantity":1,"price":100}' });
      expect(res.status).toBe(202);
      await new Promise((r) => setTimeout(r, 1500)); // the banner, the alert's log lines: all written into the full disk
      expect(exited).toBeUndefined();
      expect((await fetch(`http://127.0.0.1:${info!.webhookPort}/health`)).status).toBe(200);
    } finally {
      if (exited === undefined) {
        const done = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await done;
      }
    }
    expect(exited).toBe(0); // a clean stop
  }, 60_000);
});
