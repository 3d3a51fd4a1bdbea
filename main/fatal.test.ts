// An error nothing handled: the agent says why it stops (log and stderr, scrubbed) and exits 70.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { EXIT_INTERNAL_ERROR, fatalHandler } from './fatal.js';
import { registerSecret } from './log.js';
import { packageRoot } from './package-root.js';
import { tempDir } from './test-support/agent.js';

const CANARY = 'fatal-canary-7d41c0e2a9';

describe('fatalHandler', () => {
  it('logs the error, writes it scrubbed to stderr and exits 70, once', () => {
    registerSecret(CANARY);
    const logged: unknown[][] = [];
    const stderr: string[] = [];
    const exits: number[] = [];
    const handler = fatalHandler({ log: () => ({ fatal: (...a: unknown[]) => void logged.push(a) }) as never, stderr: (t) => void stderr.push(t), exit: (c) => void exits.push(c) });
    handler(new Error(`broker answered with key ${CANARY}`), 'unhandledRejection');
    expect(exits).toEqual([EXIT_INTERNAL_ERROR]);
    expect(logged).toHaveLength(1);
    expect(logged[0]![0]).toMatchObject({ origin: 'unhandledRejection' });
    expect(String(logged[0]![1])).toMatch(/promise rejected and not handled/);
    expect(stderr.join('')).toMatch(/the agent stopped on a promise rejected and not handled:\nError: broker answered with key \[REDACTED\]/);
    expect(stderr.join('')).not.toContain(CANARY);
    handler(new Error('again'), 'uncaughtException');
    expect(exits).toEqual([EXIT_INTERNAL_ERROR, EXIT_INTERNAL_ERROR]);
    expect(logged).toHaveLength(1);
  });

  it('still exits when the log itself throws, and before the agent has a log', () => {
    const exits: number[] = [];
    const stderr: string[] = [];
    fatalHandler({
      log: () => ({ fatal: () => { throw new Error('log gone'); } }) as never,
      stderr: (t) => void stderr.push(t),
      exit: (c) => void exits.push(c),
    })('a string thrown', 'uncaughtException');
    expect(exits).toEqual([70]);
    expect(stderr.join('')).toContain('an error not handled:\na string thrown');
    fatalHandler({ log: () => undefined, stderr: () => {}, exit: (c) => void exits.push(c) })(new Error('x'));
    expect(exits).toEqual([70, 70]);
  });
});

// The installed handler in a process of its own, with the real logger: the reason reaches the log file before exit.
const dist = (f: string) => pathToFileURL(path.join(packageRoot(), 'dist', 'main', f)).href;
const built = fs.existsSync(path.join(packageRoot(), 'dist', 'main', 'fatal.js'));

function run(dataDir: string, crash: string): Promise<{ code: number | null; stderr: string }> {
  const script = `
    const { createLogger, registerSecret } = await import(${JSON.stringify(dist('log.js'))});
    const { exitOnUnexpectedError } = await import(${JSON.stringify(dist('fatal.js'))});
    registerSecret(${JSON.stringify(CANARY)});
    const log = createLogger({ dataDir: ${JSON.stringify(dataDir)}, console: 'silent' });
    exitOnUnexpectedError(() => log);
    log.info('running');
    setTimeout(() => { ${crash} }, 50);
    setTimeout(() => {}, 10000);`;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

const logText = (dataDir: string) => {
  const dir = path.join(dataDir, 'logs');
  return fs.readdirSync(dir).map((f) => fs.readFileSync(path.join(dir, f), 'utf8')).join('');
};

describe.skipIf(!built)('an agent process meeting an error nothing handled (needs `npm run build:main`)', () => {
  it.each([
    ['a throw in a callback', `throw new Error('boom ${CANARY}')`, 'an error not handled'],
    ['a rejection no one hears', `Promise.reject(new Error('boom ${CANARY}'))`, 'a promise rejected and not handled'],
  ])('%s: exit 70, the reason in the log file and on stderr, the secret in neither', async (_name, crash, what) => {
    const dataDir = tempDir();
    const { code, stderr } = await run(dataDir, crash);
    expect(code).toBe(70);
    expect(stderr).toContain(`the agent stopped on ${what}`);
    expect(stderr).toContain('boom [REDACTED]');
    expect(stderr).not.toContain(CANARY);
    const text = logText(dataDir);
    const fatal = text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { level: number; msg: string; err?: { message: string } }).find((l) => l.level === 60);
    expect(fatal?.msg).toContain(`the agent stopped on ${what}`);
    expect(fatal?.err?.message).toBe('boom [REDACTED]');
    expect(text).not.toContain(CANARY);
  }, 30_000);
});
