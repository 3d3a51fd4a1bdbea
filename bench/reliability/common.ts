// Shared by the reliability suites: where agents keep their data, and how a suite reports counts against bars.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Figure } from '../lib/report.js';

/** Process-kill tests do not depend on fsync (the page cache survives a SIGKILL), so a RAM disk keeps the suites
 *  fast on a busy disk; --disk puts the data on the real temporary directory instead. */
export function suiteDataDir(prefix: string, onDisk: boolean): string {
  const base = !onDisk && fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
  const dir = fs.mkdtempSync(path.join(base, prefix));
  madeHere.add(dir);
  return dir;
}

/** The suites' data directories, removed when the run ends: on /dev/shm they are memory (each run left hundreds of MB). */
const madeHere = new Set<string>();
process.once('exit', () => {
  for (const dir of madeHere) fs.rmSync(dir, { recursive: true, force: true, maxRetries: 2 });
});

export interface SuiteResult {
  suite: string;
  figures: Figure[];
  details?: Record<string, unknown>;
}

export interface SuiteOptions {
  quick: boolean;
  onDisk: boolean;
  log: (s: string) => void;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
