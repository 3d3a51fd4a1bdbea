// Stopping the agent started by `viewzenix start` (npm start): Ctrl+C, a service manager's SIGTERM, or the terminal
// being closed (SIGHUP) stop it cleanly: exit code 0, and agent.json (PRODUCT.md: removed on clean exit) gone.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnAgent } from './test-support/child-agent.js';
import { tempDir } from './test-support/agent.js';

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
