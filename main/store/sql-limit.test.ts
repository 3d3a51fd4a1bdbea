// LIMIT and OFFSET are written into the SQL (sqlLimit), never bound: SQLite plans a bound LIMIT by its value, so
// every call that binds it again expires the prepared statement and parses and plans it anew.
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { sqlLimit } from './db.js';

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(full));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) out.push(full);
  }
  return out;
}

describe('sqlLimit', () => {
  it('writes LIMIT, and OFFSET when there is one', () => {
    expect(sqlLimit(100)).toBe('LIMIT 100');
    expect(sqlLimit(0)).toBe('LIMIT 0');
    expect(sqlLimit(50, 0)).toBe('LIMIT 50');
    expect(sqlLimit(50, 200)).toBe('LIMIT 50 OFFSET 200');
  });

  it.each([[-1, 0], [1.5, 0], [Number.NaN, 0], [Number.POSITIVE_INFINITY, 0], [10, -5], [10, 0.5], [2 ** 60, 0]])('refuses LIMIT %s OFFSET %s', (limit, offset) => {
    expect(() => sqlLimit(limit, offset)).toThrow(RangeError);
  });

  it('no statement in the agent binds LIMIT or OFFSET as a parameter', () => {
    const bound = /\b(LIMIT|OFFSET)\s+(\?|[@:]\w|\$(?!\{))/; // SQL keywords as the code writes them; `${` is a literal
    const offenders = ['main', 'shared', 'bench']
      .flatMap((dir) => sourceFiles(path.resolve(dir)))
      .flatMap((file) =>
        fs
          .readFileSync(file, 'utf8')
          .split('\n')
          .map((line, i) => ({ line, at: `${path.relative(process.cwd(), file)}:${i + 1}` }))
          .filter(({ line }) => bound.test(line))
          .map(({ at }) => at),
      );
    expect(offenders).toEqual([]);
  });
});
