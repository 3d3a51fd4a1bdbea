// The import command as README and --help show it (`viewzenix import FILE`) and as docs/export.md shows it
// (`viewzenix import config FILE`), and `viewzenix export signals` during an alert storm, against a running agent's
// control API.
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestAgent, type TestAgent } from '../test-support/agent.js';
import { inboxInsert } from '../test-support/inbox-rows.js';
import { InboxStore, INBOX_FILE, openInboxDatabase } from '../store/inbox-db.js';
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

describe('viewzenix export signals', () => {
  it('holds the alerts still waiting in inbox.db to be copied (an alert storm), as queued or rejected', async () => {
    agent = await startTestAgent();
    const cli = cliFor(agent);
    const strategyId = (await agent.api<{ items: { id: string }[] }>('GET', '/api/strategies')).body.items[0]!.id;
    // Committed to inbox.db without the copier being told: it stays there, as a storm's rows do until the worker
    // asks for them.
    const inbox = openInboxDatabase(path.join(agent.dataDir, INBOX_FILE));
    const store = new InboxStore(inbox);
    const now = Date.now();
    store.commitBatch([
      inboxInsert(1, { id: 'sig_waiting_1', strategyId, dedupeKey: 'waiting-1', receivedAt: new Date(now).toISOString() }),
      inboxInsert(2, { id: 'sig_waiting_2', strategyId, dedupeKey: undefined, status: 'rejected', code: 'INVALID_JSON', receivedAt: new Date(now + 1).toISOString() }),
    ]);
    store.syncCommittedNow();
    store.closeSync();
    inbox.close();
    const listed = (await agent.api<{ items: { id: string }[] }>('GET', '/api/signals')).body.items.map((x) => x.id);
    expect(listed.slice(0, 2)).toEqual(['sig_waiting_2', 'sig_waiting_1']);

    expect(await runExportCommand(['signals', '--format', 'json'], cli.ctx)).toBe(0);
    const rows = JSON.parse(cli.out()) as { signal_id: string; status: string; code: string }[];
    expect(rows.map((r) => [r.signal_id, r.status, r.code])).toEqual([
      ['sig_waiting_1', 'queued', ''],
      ['sig_waiting_2', 'rejected', 'INVALID_JSON'],
    ]);
  });
});
