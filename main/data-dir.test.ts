import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { acquireLock, DataDirError, ensureDataDir } from './data-dir.js';
import { startTestAgent, tempDir } from './test-support/agent.js';

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
    const agent = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 5000)']); // a Node process, as an agent is
    try {
      fs.writeFileSync(path.join(dir, 'agent.lock'), String(agent.pid)); // written by an older version: the pid alone
      expect(() => acquireLock(dir)).toThrow(/already running/);
    } finally {
      agent.kill();
    }
    fs.writeFileSync(path.join(dir, 'agent.lock'), '2147483646'); // no such process
    acquireLock(dir)();
  });

  it.runIf(process.platform === 'linux')('writes the pid and the process identity, and refuses while that same process runs', () => {
    const dir = tempDir();
    const release = acquireLock(dir);
    const [pid, identity] = fs.readFileSync(path.join(dir, 'agent.lock'), 'utf8').split('\n');
    expect(pid).toBe(String(process.pid));
    expect(identity).toMatch(/^[0-9a-f-]{36}:\d+$/); // boot id : start time
    release();
    expect(fs.existsSync(path.join(dir, 'agent.lock'))).toBe(false);
  });

  it.runIf(process.platform === 'linux')('takes over a lock whose pid now belongs to another program (reused after a crash or a reboot)', async () => {
    const dir = tempDir();
    const other = spawn('sleep', ['5']);
    try {
      await new Promise((r) => other.once('spawn', r));
      // A lock of this version: the pid with the identity of the process that wrote it, long gone.
      fs.writeFileSync(path.join(dir, 'agent.lock'), `${other.pid}\n00000000-0000-0000-0000-000000000000:1\n`);
      const release = acquireLock(dir);
      expect(fs.readFileSync(path.join(dir, 'agent.lock'), 'utf8').split('\n')[0]).toBe(String(process.pid));
      release();
      // A lock of an older version (the pid alone) whose pid is now a program that cannot be an agent.
      fs.writeFileSync(path.join(dir, 'agent.lock'), String(other.pid));
      acquireLock(dir)();
    } finally {
      other.kill();
    }
  });

  it.runIf(process.platform === 'linux')('refuses when the lock\'s pid and identity are those of a running agent', async () => {
    const dir = tempDir();
    const agent = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 5000)']);
    try {
      await new Promise((r) => agent.once('spawn', r));
      const stat = fs.readFileSync(`/proc/${agent.pid}/stat`, 'utf8');
      const identity = `${fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()}:${stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]}`;
      fs.writeFileSync(path.join(dir, 'agent.lock'), `${agent.pid}\n${identity}\n`);
      expect(() => acquireLock(dir)).toThrow(/already running.*delete/s);
    } finally {
      agent.kill();
    }
  });

  it.runIf(process.platform === 'linux')('takes over the lock of a killed agent its parent has not collected yet (a zombie)', async () => {
    const dir = tempDir();
    const z = await zombiePid();
    try {
      expect(fs.readFileSync(`/proc/${z.pid}/stat`, 'utf8')).toMatch(/\) Z /);
      fs.writeFileSync(path.join(dir, 'agent.lock'), String(z.pid));
      const release = acquireLock(dir);
      expect(fs.readFileSync(path.join(dir, 'agent.lock'), 'utf8').split('\n')[0]).toBe(String(process.pid));
      release();
    } finally {
      z.done();
    }
  });
});

describe('a data directory that cannot be created', () => {
  it('is a DataDirError naming the directory, why, and the options to choose another (the CLI exits 78 with it)', async () => {
    const file = path.join(tempDir(), 'a-file');
    fs.writeFileSync(file, '');
    for (const dir of [file, path.join(file, 'below')]) {
      expect(() => ensureDataDir(dir)).toThrow(DataDirError);
      expect(() => ensureDataDir(dir)).toThrow(`The data directory ${dir} cannot be created: a file is in the way (it is not a directory). Choose another with --data-dir / VIEWZENIX_DATA_DIR`);
    }
    // The agent's start refuses it the same way (before anything else is opened).
    await expect(startTestAgent({ dataDir: path.join(file, 'below') })).rejects.toThrow(DataDirError);
  });

  it('is created 0700 when missing, with its parents', () => {
    const dir = path.join(tempDir(), 'x', 'y');
    ensureDataDir(dir);
    expect(fs.statSync(dir).isDirectory()).toBe(true);
    if (process.platform !== 'win32') expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
  });
});
