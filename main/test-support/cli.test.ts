// The CLI tests run the build only when it was made from the sources as they are now: never stale code.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './agent.js';
import { buildIsFresh } from './cli.js';

/** A checkout with a source file, a test, test support, a declaration, a .cts, and their build (if any). */
function checkout(): { root: string; write(rel: string, ageS?: number): void } {
  const root = tempDir();
  const write = (rel: string, ageS = 0): void => {
    const file = path.join(root, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '');
    const t = Date.now() / 1000 - ageS;
    fs.utimesSync(file, t, t);
  };
  for (const rel of ['main/cli.ts', 'main/a/b.ts', 'main/electron/preload.cts', 'shared/codes.ts']) write(rel, 60);
  for (const rel of ['main/cli.test.ts', 'main/test-support/cli.ts', 'main/tunnel/localtunnel.d.ts', 'main/fixtures/examples.jsonl']) write(rel, 10);
  for (const rel of ['dist/main/cli.js', 'dist/main/a/b.js', 'dist/main/electron/preload.cjs', 'dist/shared/codes.js']) write(rel, 30);
  return { root, write };
}

describe('the build is fresh', () => {
  it('when every compiled source has a built file written after it; tests, test support, declarations and other files have none', () => {
    expect(buildIsFresh(checkout().root)).toBe(true);
  });

  it('not when a source changed after the build, in main/ or shared/, a .cts too', () => {
    for (const rel of ['main/a/b.ts', 'shared/codes.ts', 'main/electron/preload.cts']) {
      const c = checkout();
      c.write(rel);
      expect(buildIsFresh(c.root), rel).toBe(false);
    }
  });

  it('not when a source has no built file (added since the build), nor without a build at all', () => {
    const added = checkout();
    added.write('main/new-command.ts', 60);
    expect(buildIsFresh(added.root)).toBe(false);
    const none = checkout();
    fs.rmSync(path.join(none.root, 'dist'), { recursive: true });
    expect(buildIsFresh(none.root)).toBe(false);
  });
});
