import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { acquireLock, DataDirError } from './data-dir.js';
import { tempDir } from './test-support/agent.js';

/** A process that has exited and that its parent has not collected (a zombie, as a killed agent is until its
 *  shell or supervisor reaps it): `sleep 0` in the background of a shell that then becomes `sleep 5`. */
async function zombiePid(): Promise<{ pid: number; done: () => void }> {
  const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 5'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const pid = await new Promise<number>((resolve) => parent.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
  const state = () => fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
  for (let i = 0; i < 100 && state() !== 'Z'; i++) await new Promise((r) => setTimeout(r, 20));
  return { pid, done: () => parent.kill() };
}

describe('the data directory lock', () => {
  it('refuses a second agent while the first runs', () => {
    const dir = tempDir();
    const release = acquireLock(dir);
    expect(() => acquireLock(dir)).toThrow(DataDirError);
    release();
    acquireLock(dir)();
  });

  it('refuses while the pid in the lock runs, and takes over a lock whose process is gone', () => {
    const dir = tempDir();
    const sleeper = spawn('sleep', ['5']);
    fs.writeFileSync(path.join(dir, 'agent.lock'), String(sleeper.pid));
    expect(() => acquireLock(dir)).toThrow(/already running/);
    sleeper.kill();
    fs.writeFileSync(path.join(dir, 'agent.lock'), '2147483646'); // no such process
    acquireLock(dir)();
  });

  it.runIf(process.platform === 'linux')('takes over the lock of a killed agent its parent has not collected yet (a zombie)', async () => {
    const dir = tempDir();
    const z = await zombiePid();
    try {
      expect(fs.readFileSync(`/proc/${z.pid}/stat`, 'utf8')).toMatch(/\) Z /);
      fs.writeFileSync(path.join(dir, 'agent.lock'), String(z.pid));
      const release = acquireLock(dir);
      expect(fs.readFileSync(path.join(dir, 'agent.lock'), 'utf8')).toBe(String(process.pid));
      release();
    } finally {
      z.done();
    }
  });
});
