// `viewzenix … | head`: the reader closes the pipe before the CLI has written everything. The CLI ends quietly with
// code 0, not with an unhandled EPIPE and a stack trace.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { cliCommand } from './test-support/cli.js';

const root = path.resolve(import.meta.dirname, '..');

describe('CLI output into a closed pipe', () => {
  it('exits with code 0 and prints no error when stdout is closed before it writes', async () => {
    const child = spawn(process.execPath, cliCommand('--help').argv, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    // Closed at once, before the CLI has even loaded: its first write meets a pipe with no reader.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  }, 60_000);
});
