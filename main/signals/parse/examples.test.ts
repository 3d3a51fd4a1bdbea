// Every example alert in the shared fixtures behaves as its `expect` says. The examples are read from the
// shared folder beside the checkout when it exists, and always from the copy kept with these tests (CI may
// have no sibling shared/).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isCode } from '../../../shared/codes.js';
import { parseAlert } from './index.js';
import { signalViolation } from './schema.js';

interface Example {
  name: string;
  contentType: string;
  body: string;
  expect: { accept: boolean; signal?: Record<string, unknown> };
}

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../..');
const sources = [
  { label: 'local copy', path: resolve(here, 'fixtures/examples.jsonl') },
  { label: 'shared', path: resolve(repoRoot, '../shared/fixtures/alerts/examples.jsonl') },
].filter((s) => existsSync(s.path));

function load(path: string): Example[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Example);
}

it('the local copy of the examples exists (CI relies on it)', () => {
  expect(sources.some((s) => s.label === 'local copy')).toBe(true);
  expect(load(resolve(here, 'fixtures/examples.jsonl')).length).toBeGreaterThanOrEqual(14);
});

for (const source of sources) {
  describe(`examples (${source.label})`, () => {
    for (const ex of load(source.path)) {
      it(`${ex.name}: ${ex.expect.accept ? 'accepted with the expected signal' : 'rejected with a documented code'}`, () => {
        const r = parseAlert(ex.body, ex.contentType);
        expect(r.ok).toBe(ex.expect.accept);
        if (r.ok) {
          expect(signalViolation(r.signal)).toBeUndefined();
          for (const [k, v] of Object.entries(ex.expect.signal ?? {})) {
            expect((r.signal as unknown as Record<string, unknown>)[k], k).toEqual(v);
          }
        } else {
          expect(isCode(r.code)).toBe(true);
          expect(r.message.length).toBeGreaterThan(20);
        }
      });
    }
  });
}

it('the mistakes among the examples get their precise codes', () => {
  const byName = new Map(load(resolve(here, 'fixtures/examples.jsonl')).map((e) => [e.name, e]));
  const code = (name: string): string | undefined => {
    const ex = byName.get(name)!;
    const r = parseAlert(ex.body, ex.contentType);
    return r.ok ? undefined : r.code;
  };
  expect(code('unfilled-placeholder')).toBe('UNFILLED_PLACEHOLDER');
  expect(code('nan-price-becomes-text')).toBe('UNQUOTED_NAN');
  expect(code('truncated-json')).toBe('TRUNCATED_JSON');
  expect(code('bad-action')).toBe('INVALID_ACTION');
  expect(code('negative-quantity')).toBe('INVALID_QUANTITY');
  expect(code('empty-body')).toBe('EMPTY_BODY');
});
