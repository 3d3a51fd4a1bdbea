// What `viewzenix start` loads before it serves: CCXT (tens of MB of exchange code) only when an account uses it.
// The idle-RSS bar (QUALITY.md: ≤ 150 MB) depends on it; a static import from anything the agent loads at start
// would load it for every trader.
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const STATIC_IMPORT = /^\s*(?:import|export)\s+(?!type\b)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;

/** Every package a module reaches through static (non-type) imports, with the chain that first reached it. */
function staticPackages(entry: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const seen = new Set<string>();
  const walk = (file: string, chain: string[]): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = fs.readFileSync(file, 'utf8');
    for (const m of source.matchAll(STATIC_IMPORT)) {
      const spec = m[1]!;
      if (spec.startsWith('.')) {
        const target = path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts'));
        if (fs.existsSync(target)) walk(target, [...chain, path.relative(root, target)]);
      } else if (!spec.startsWith('node:') && !found.has(spec)) found.set(spec, chain);
    }
  };
  walk(entry, [path.relative(root, entry)]);
  return found;
}

describe('modules loaded at start', () => {
  it('the CLI and the agent reach CCXT only through a dynamic import', () => {
    const packages = staticPackages(path.join(root, 'main', 'cli.ts'));
    expect(packages.size).toBeGreaterThan(3); // the walk does reach packages (express, better-sqlite3 …)
    expect(packages.get('ccxt'), `reached through ${packages.get('ccxt')?.join(' → ')}`).toBeUndefined();
  });
});
