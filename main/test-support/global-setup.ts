// Runs once per vitest run, in the main process: every temporary directory the tests make (tempDir) goes into one
// directory of this run, removed when the run ends. The test processes inherit its path in VIEWZENIX_TEST_TMP.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export default function setup(): () => void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vz-run-'));
  process.env.VIEWZENIX_TEST_TMP = dir;
  return () => fs.rmSync(dir, { recursive: true, force: true, maxRetries: 2 });
}
