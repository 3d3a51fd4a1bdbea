// The webhook listener binds loopback unless told otherwise, and says where it listens; --help documents the option.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { tempDir } from './test-support/agent.js';
import { cliCommand } from './test-support/cli.js';
import { hostInUrl } from './config.js';

const root = path.resolve(import.meta.dirname, '..');
const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawn(process.execPath, cliCommand(...args).argv, {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, VIEWZENIX_WEBHOOK_HOST: '', VIEWZENIX_KEYCHAIN_SERVICE: 'viewzenix-test-none', ...env },
  });

describe('the webhook listener address', () => {
  it('--help documents --webhook-host / VIEWZENIX_WEBHOOK_HOST and its loopback default', async () => {
    const child = cli(['--help']);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise((resolve) => child.on('close', resolve));
    expect(out).toMatch(/--webhook-host ADDR\s+address the webhook listener binds \(VIEWZENIX_WEBHOOK_HOST; default 127\.0\.0\.1/);
    expect(out).toContain('0.0.0.0 only for a reverse proxy on another machine');
  }, 60_000);

  it('by default binds 127.0.0.1 and the start banner shows that address, not 0.0.0.0', async () => {
    const child = cli(['start', '--data-dir', tempDir(), '--webhook-port', '0', '--control-port', '0']);
    let out = '';
    const banner = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('Press Ctrl+C')) resolve(out);
      });
      child.on('close', () => reject(new Error(`the agent exited before its banner: ${out}`)));
    });
    const m = /Webhook:\s+http:\/\/([^\s]+):(\d+) /.exec(banner);
    expect(m?.[1]).toBe('127.0.0.1');
    // Reachable on loopback (where the tunnel connects).
    expect((await fetch(`http://127.0.0.1:${m![2]}/health`)).status).toBe(200);
    const closed = new Promise((resolve) => child.on('close', resolve));
    child.kill('SIGINT');
    await closed;
  }, 60_000);

  it('an IPv6 address is shown in brackets in a URL', () => {
    expect([hostInUrl('127.0.0.1'), hostInUrl('::1'), hostInUrl('[::1]'), hostInUrl('0.0.0.0')]).toEqual(['127.0.0.1', '[::1]', '[::1]', '0.0.0.0']);
  });
});
