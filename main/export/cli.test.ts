// The import command as README and --help show it (`viewzenix import FILE`) and as docs/export.md shows it
// (`viewzenix import config FILE`), against a running agent's control API.
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestAgent, type TestAgent } from '../test-support/agent.js';
import { CliUsageError, type CliClient, type CliContext } from './cli-context.js';
import { runExportCommand, runImportCommand } from './cli.js';

let agent: TestAgent | undefined;
afterEach(async () => {
  await agent?.stop();
  agent = undefined;
});

/** A CLI context talking to the test agent over HTTP, as main/cli.ts does (an error answer throws its message). */
function cliFor(a: TestAgent): { ctx: CliContext; out: () => string } {
  const send = async (method: string, p: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(a.controlBase + p, { method, headers: { authorization: `Bearer ${a.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, body: body === undefined ? undefined : JSON.stringify(body) });
    const answer = (await res.json()) as { code?: string; message?: string };
    if (!res.ok) throw new CliUsageError(`${answer.code}: ${answer.message}`);
    return answer;
  };
  const client: CliClient = { get: (p) => send('GET', p), send, raw: (p) => fetch(a.controlBase + p, { headers: { authorization: `Bearer ${a.token}` } }) };
  let out = '';
  const stdout = new Writable({ write(c: Buffer, _e, cb) { out += c.toString(); cb(); } });
  return { ctx: { dataDir: a.dataDir, connect: async () => client, stdout, json: false }, out: () => out };
}

describe('viewzenix import', () => {
  it('`import FILE` and `import config FILE` both preview the file; --apply applies it; a bad file lists every problem', async () => {
    agent = await startTestAgent();
    const cli = cliFor(agent);
    const cfg = path.join(agent.dataDir, 'cfg.json');
    expect(await runExportCommand(['config', '--out', cfg], cli.ctx)).toBe(0);
    const snap = JSON.parse(fs.readFileSync(cfg, 'utf8')) as { strategies: { name: string }[] };
    snap.strategies[0]!.name = 'Renamed by import';
    fs.writeFileSync(cfg, JSON.stringify(snap));

    expect(await runImportCommand([cfg], cli.ctx)).toBe(0);
    expect(cli.out()).toMatch(/~ strategy \S+\n {4}\/name: "[^"]+" → "Renamed by import"/);
    expect(cli.out()).toContain('Nothing changed yet: run again with --apply.');
    expect(await runImportCommand(['config', cfg], cli.ctx)).toBe(0);
    expect(await runImportCommand([cfg, '--apply'], cli.ctx)).toBe(0);
    expect(cli.out()).toContain('Applied.');
    const names = (await agent.api<{ items: { name: string }[] }>('GET', '/api/strategies')).body.items.map((s) => s.name);
    expect(names).toContain('Renamed by import');

    fs.writeFileSync(cfg, JSON.stringify({ ...snap, strategies: [{ ...snap.strategies[0], config: { strategy: { sides: 'up' }, colour: 'red' } }] }));
    const refused = runImportCommand([cfg], cli.ctx);
    await expect(refused).rejects.toThrow(/VALIDATION_FAILED: The configuration has 2 problem\(s\):\n {2}\/strategies\/0\/config: unknown field "colour"\n {2}\/strategies\/0\/config\/strategy\/sides: /);
  });

  it('without a file it prints the usage, which shows `import FILE`, and exits 2', async () => {
    agent = await startTestAgent();
    const cli = cliFor(agent);
    expect(await runImportCommand([], cli.ctx)).toBe(2);
    expect(cli.out()).toMatch(/viewzenix import FILE \[--apply\]/);
    expect(await runImportCommand(['one', 'two'], cli.ctx)).toBe(2);
  });
});
