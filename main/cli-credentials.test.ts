// The real CLI in a child process (the build when it is fresh, else the sources: test-support/cli.ts) against an
// in-process agent: a credential is read from stdin, and while the process runs its command line
// (/proc/<pid>/cmdline, what `ps` shows every user) never holds the value; neither does anything it prints.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAgent, type TestAgent } from './test-support/agent.js';
import { memoryVault } from './test-support/memory-secret-store.js';
import { cliCommand } from './test-support/cli.js';
import type { Vault } from './secrets/index.js';

const VALUE = 'CANARYCLI-6e0f2a9d41';
const root = path.resolve(import.meta.dirname, '..');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  /** The child's command line as the OS reports it, read while it was running (Linux), else its spawn args. */
  cmdline: string;
}

async function run(args: string[], stdin?: string): Promise<Run> {
  const env = { ...process.env };
  delete env.VIEWZENIX_CONTROL_TOKEN;
  const { entry: cli, argv } = cliCommand(...args, '--data-dir', agent.dataDir);
  const child = spawn(process.execPath, argv, { cwd: root, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const closed = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
  let cmdline = [process.execPath, ...argv].join(' ');
  if (process.platform === 'linux') {
    // Right after fork the entry may still show the parent; wait for the exec. A `set` cannot end before stdin does.
    for (let i = 0; i < 200 && child.exitCode === null; i++) {
      try {
        const seen = fs.readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0').join(' ');
        if (seen.includes(cli)) {
          cmdline = seen;
          break;
        }
      } catch {
        break; // already gone
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  child.stdin.end(stdin ?? '');
  return { code: await closed, stdout, stderr, cmdline };
}

let agent: TestAgent;
let vault: Vault;

beforeAll(async () => {
  vault = memoryVault();
  agent = await startTestAgent({}, { vault });
});

afterAll(async () => {
  await agent.stop();
});

// Each run starts a Node process that compiles the CLI on the fly: allow for a slow, shared machine.
describe('viewzenix credentials / vault / tunnel (CLI)', { timeout: 120_000 }, () => {
  it('credentials set reads the value from stdin; it is stored, and never in argv or in the output', async () => {
    const set = await run(['credentials', 'set', 'tunnel:ngrok:authtoken'], `${VALUE}\n`);
    expect(set.stderr).not.toContain(VALUE);
    expect(set).toMatchObject({ code: 0, stdout: 'saved tunnel:ngrok:authtoken\n' });
    expect(set.cmdline).toContain('credentials set tunnel:ngrok:authtoken');
    expect(set.cmdline).not.toContain(VALUE);
    expect(await vault.get('tunnel:ngrok:authtoken')).toBe(VALUE); // the trailing newline is not part of it

    const list = await run(['credentials', 'list']);
    expect(list).toMatchObject({ code: 0, stdout: 'tunnel:ngrok:authtoken\n' });
    expect(list.stdout + list.stderr).not.toContain(VALUE);
  });

  it('refuses a value given on the command line, without repeating it', async () => {
    const other = 'CANARYARGV-19b7c3';
    const refused = await run(['credentials', 'set', 'tunnel:cloudflared:token', other]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/read from stdin, never from the command line/);
    expect(refused.stdout + refused.stderr).not.toContain(other);
    expect(await vault.get('tunnel:cloudflared:token')).toBeNull();
  });

  it('credentials delete removes the entry; vault status and tunnel status print plain words', async () => {
    await vault.set('notify:telegram', 'CANARYNOTIFY-44aa01');
    const del = await run(['credentials', 'delete', 'notify:telegram']);
    expect(del).toMatchObject({ code: 0, stdout: 'deleted notify:telegram\n' });
    expect(await vault.get('notify:telegram')).toBeNull();

    const status = await run(['vault', 'status']);
    expect(status).toMatchObject({ code: 0 });
    expect(status.stdout).toMatch(/^keychain: Credentials are kept in memory/);

    const tunnel = await run(['tunnel', 'status']);
    expect(tunnel.code).toBe(0);
    expect(tunnel.stdout).toMatch(/^stopped\n/);
    expect(tunnel.stdout).toMatch(/No provider chosen/);
  });
});
