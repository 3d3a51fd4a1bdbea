// The house plan's import boundaries fail the lint: each case lints a one-line file at a path where the
// import is forbidden (and one where it is allowed).
import { describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';

const eslint = new ESLint({ cwd: process.cwd() });

async function violations(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('import boundaries', () => {
  it.each([
    ["import { app } from 'electron';\nexport const a = app;", 'main/server/x.ts', 'electron'],
    ["import keytar from 'keytar';\nexport const k = keytar;", 'main/brokers/x.ts', 'keytar'],
    ["import Database from 'better-sqlite3';\nexport const d = Database;", 'main/signals/x.ts', 'better-sqlite3'],
    ["import fs from 'node:fs';\nexport const f = fs;", 'renderer/src/x.ts', 'renderer/ and shared/'],
    ["import express from 'express';\nexport const e = express;", 'shared/x.ts', 'renderer/ and shared/'],
    ["import fs from 'node:fs';\nexport const f = fs;", 'main/strategy/x.ts', 'pure'],
    ["import { OrderRepo } from '../store/orders.js';\nexport const o = OrderRepo;", 'main/risk/x.ts', 'pure'],
    ["import http from 'node:http';\nexport const h = http;", 'main/orders/state-machine.ts', 'pure'],
  ])('%s in %s is refused', async (code, file, expected) => {
    const messages = await violations(code, file);
    expect(messages.join('\n')).toContain(expected);
  });

  it.each([
    ["import { app } from 'electron';\nexport const a = app;", 'main/electron/x.ts'],
    ["import keytar from 'keytar';\nexport const k = keytar;", 'main/secrets/x.ts'],
    ["import Database from 'better-sqlite3';\nexport const d = Database;", 'main/store/x.ts'],
    ["import fs from 'node:fs';\nexport const f = fs;", 'main/server/x.ts'],
  ])('%s in %s is allowed', async (code, file) => {
    expect(await violations(code, file)).toEqual([]);
  });
});
