// The real CLI in a child process against a running test agent: the build when it is fresh, else the sources
// through jiti.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { TestAgent } from './agent.js';

const root = path.resolve(import.meta.dirname, '..', '..');

/** For a test that runs the CLI: from the sources each run compiles it first (jiti), tens of seconds under load. */
export const CLI_TEST_TIMEOUT_MS = 120_000;

/** A CLI run that has not ended after this long is killed (its code is then null). */
const CLI_KILL_MS = 60_000;

/** The folders the build compiles that the CLI is made of (tsconfig.build.json also compiles bench/). */
const SOURCE_DIRS = ['main', 'shared'];

/** The file the build writes for `rel` (a path under the root), or undefined when it writes none for it. */
function builtFile(rel: string): string | undefined {
  const parts = rel.split(path.sep);
  if (parts.includes('test-support') || /\.test\.tsx?$/.test(rel) || /\.d\.[cm]?ts$/.test(rel)) return undefined;
  const m = /^(.*)\.(ts|tsx|cts|mts)$/.exec(rel);
  if (!m) return undefined;
  return path.join('dist', `${m[1]!}.${{ ts: 'js', tsx: 'js', cts: 'cjs', mts: 'mjs' }[m[2]!]!}`);
}

/**
 * True when dist/ holds, for every source file of main/ and shared/ the build compiles, a file written no earlier
 * than that source was last changed: the build then runs the code under test. A source edited (or checked out) since
 * the last build, or one the build has never seen, makes it false. `tsc` writes every output on each build.
 */
export function buildIsFresh(rootDir = root): boolean {
  for (const dir of SOURCE_DIRS) {
    const base = path.join(rootDir, dir);
    if (!fs.existsSync(base)) continue;
    for (const entry of fs.readdirSync(base, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const file = path.join(entry.parentPath, entry.name);
      const built = builtFile(path.relative(rootDir, file));
      if (!built) continue;
      const builtStat = fs.statSync(path.join(rootDir, built), { throwIfNoEntry: false });
      if (!builtStat || builtStat.mtimeMs < fs.statSync(file).mtimeMs) return false;
    }
  }
  return true;
}

/**
 * How to run `viewzenix ARGS`: node's arguments and the entry file. The build (dist/main/cli.js) when it is fresh
 * (`npm test` builds before vitest): it starts in about a second. Else main/cli.ts through jiti, which compiles the
 * CLI's whole import graph on every run: 6 s on a quiet two-core machine with jiti's cache warm (twice that cold, as
 * in a fresh clone, where the cache under node_modules/.cache/jiti starts empty), 40–55 s with other test runs
 * beside it, close to the kill.
 */
export function cliCommand(...args: string[]): { entry: string; argv: string[] } {
  if (buildIsFresh()) {
    const entry = path.join(root, 'dist', 'main', 'cli.js');
    return { entry, argv: [entry, ...args] };
  }
  const entry = path.join(root, 'main', 'cli.ts');
  return { entry, argv: ['--import', 'jiti/register', entry, ...args] };
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `viewzenix ARGS --data-dir <the agent's>` with the agent's control token. */
export function runCli(agent: Pick<TestAgent, 'dataDir' | 'token'>, ...args: string[]): Promise<CliRun> {
  return spawnCli(agent, args, undefined);
}

/** As runCli, with `stdin` piped to the command (a key or passphrase it reads from stdin). */
export function runCliWithInput(agent: Pick<TestAgent, 'dataDir' | 'token'>, stdin: string, ...args: string[]): Promise<CliRun> {
  return spawnCli(agent, args, stdin);
}

function spawnCli(agent: Pick<TestAgent, 'dataDir' | 'token'>, args: string[], stdin: string | undefined): Promise<CliRun> {
  const { entry, argv } = cliCommand(...args, '--data-dir', agent.dataDir);
  const child = spawn(process.execPath, argv, {
    cwd: root,
    env: { ...process.env, VIEWZENIX_CONTROL_TOKEN: agent.token },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  // Without input, stdin ends at once (as /dev/null would).
  child.stdin.end(stdin ?? '');
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    child.kill();
  }, CLI_KILL_MS);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      if (killed) stderr += `\n[test] ${path.relative(root, entry)} ${args.join(' ')} was killed after ${CLI_KILL_MS / 1000} s`;
      resolve({ code, stdout, stderr });
    }),
  );
}
