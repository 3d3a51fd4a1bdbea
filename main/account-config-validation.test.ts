// POST /api/accounts checks every setting it can without calling a broker, credentials given or not, and
// reports every problem at once; a credential put in `config` (instead of `credentials`) is refused, and its
// value reaches no database, answer, export or log.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

import { memoryVault } from './test-support/memory-secret-store.js';
import { startTestAgent, type TestAgent } from './test-support/agent.js';
import type { AccountView } from '../shared/api-types.js';

type ErrorBody = { status: string; code: string; message: string; errors?: { path: string; message: string }[] };

let agent: TestAgent | undefined;
afterEach(async () => {
  await agent?.stop();
  agent = undefined;
});

async function start(): Promise<TestAgent> {
  agent = await startTestAgent({}, { vault: memoryVault() });
  return agent;
}

/** Every file under a directory, as text (the database, its WAL, backups, logs). */
function allText(dir: string): string {
  let out = '';
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out += allText(p);
    else out += fs.readFileSync(p).toString('latin1');
  }
  return out;
}

describe('account settings are checked whether or not credentials are given', () => {
  it('a CCXT account with an exchange CCXT does not know is 400 VALIDATION_FAILED without credentials too', async () => {
    const a = await start();
    const r = await a.api<ErrorBody>('POST', '/api/accounts', { name: 'C1', broker: 'ccxt', environment: 'live', config: { exchange: 'nope' } });
    expect([r.status, r.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(r.body.errors).toEqual([{ path: '/config/exchange', message: expect.stringMatching(/not an exchange id CCXT knows/) }]);
    const ok = await a.api<AccountView>('POST', '/api/accounts', { name: 'C2', broker: 'ccxt', environment: 'live', config: { exchange: 'binance' } });
    expect(ok.status).toBe(201);
  });

  it('a bad environment is reported together with bad credentials (every problem at once)', async () => {
    const a = await start();
    const r = await a.api<ErrorBody>('POST', '/api/accounts', { name: 'A', broker: 'alpaca', environment: 'practice', credentials: { bogusField: 'x' } });
    expect([r.status, r.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    const paths = r.body.errors!.map((e) => e.path);
    expect(paths).toContain('/environment');
    expect(paths).toContain('/credentials');
    expect(paths).toContain('/credentials/keyId');
  });
});

describe('credentials in an account\'s config are refused', () => {
  it('apiKey / password / nested secret in config answer 400 naming each field and pointing to credentials; the canary is stored, answered, exported and logged nowhere', async () => {
    const a = await start();
    const before = (await a.api<{ items: AccountView[] }>('GET', '/api/accounts')).body.items.length;
    const paper = await a.api<ErrorBody>('POST', '/api/accounts', { name: 'P3', broker: 'paper', environment: 'paper', config: { apiKey: 'CANARYCFGKEY777', password: 'CANARYPW888' } });
    expect([paper.status, paper.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(paper.body.errors).toEqual([
      { path: '/config/apiKey', message: expect.stringMatching(/credential.*"credentials"/) },
      { path: '/config/password', message: expect.stringMatching(/credential/) },
    ]);
    const ccxt = await a.api<ErrorBody>('POST', '/api/accounts', { name: 'C', broker: 'ccxt', environment: 'live', config: { exchange: 'binance', options: { Secret: 'CANARYNESTED999' } } });
    expect([ccxt.status, ccxt.body.errors?.map((e) => e.path)]).toEqual([400, ['/config/options/Secret']]);
    expect(JSON.stringify([paper.body, ccxt.body])).not.toMatch(/CANARY/);

    expect((await a.api<{ items: AccountView[] }>('GET', '/api/accounts')).body.items).toHaveLength(before);
    const exported = await a.api('GET', '/api/config/export');
    expect(JSON.stringify(exported.body)).not.toMatch(/CANARY/);
    const dataDir = a.dataDir;
    await a.stop();
    agent = undefined;
    expect(allText(dataDir)).not.toMatch(/CANARY/);
  });
});

describe('a login in a URL setting is refused (settings are answered, exported and audited in the clear)', () => {
  it("an account's baseUrl with user:password@ or a ?token= is 400 VALIDATION_FAILED naming /baseUrl; a plain one is accepted", async () => {
    const a = await start();
    const before = (await a.api<{ items: AccountView[] }>('GET', '/api/accounts')).body.items.length;
    for (const baseUrl of ['http://USERCANARY:BASEURLPWCANARY@127.0.0.1:6005', 'http://127.0.0.1:6005/?token=QTOKCANARY', 'https://paper-api.example.com/v2?api_key=QKEYCANARY']) {
      const r = await a.api<ErrorBody>('POST', '/api/accounts', { name: 'U', broker: 'paper', environment: 'paper', baseUrl });
      expect([r.status, r.body.code, r.body.errors?.map((e) => e.path)], baseUrl).toEqual([400, 'VALIDATION_FAILED', ['/baseUrl']]);
      expect(JSON.stringify(r.body)).not.toMatch(/CANARY/);
    }
    expect((await a.api<{ items: AccountView[] }>('GET', '/api/accounts')).body.items).toHaveLength(before);
    const plain = await a.api<AccountView>('POST', '/api/accounts', { name: 'Plain', broker: 'paper', environment: 'paper', baseUrl: 'http://127.0.0.1:6005/?region=eu' });
    expect(plain.status).toBe(201);
  });

  it('the localtunnel host with user:password@ is 400 VALIDATION_FAILED naming /localtunnel/host, and nothing is saved', async () => {
    const a = await start();
    const r = await a.api<ErrorBody>('PUT', '/api/tunnel', { localtunnel: { host: 'https://LTUSER:LTPWCANARY@lt.example.com' } });
    expect([r.status, r.body.code, r.body.errors?.map((e) => e.path)]).toEqual([400, 'VALIDATION_FAILED', ['/localtunnel/host']]);
    const q = await a.api<ErrorBody>('PUT', '/api/tunnel', { provider: 'localtunnel', localtunnel: { host: 'https://lt.example.com/?token=LTQTOKCANARY' } });
    expect([q.status, q.body.errors?.map((e) => e.path)]).toEqual([400, ['/localtunnel/host']]);
    expect(JSON.stringify([r.body, q.body])).not.toMatch(/CANARY/);
    const ok = await a.api('PUT', '/api/tunnel', { localtunnel: { host: 'https://lt.example.com' } });
    expect(ok.status).toBe(200);
    const exported = await a.api('GET', '/api/config/export');
    expect(JSON.stringify(exported.body)).toContain('lt.example.com');
    expect(JSON.stringify(exported.body)).not.toMatch(/CANARY/);
    // An import carrying such a host is refused the same way.
    const file = exported.body as { settings: Record<string, string> };
    file.settings['tunnel.settings'] = JSON.stringify({ localtunnel: { host: 'https://LTUSER:LTPWCANARY@lt.example.com' } });
    const imported = await a.api<ErrorBody>('POST', '/api/config/import', file);
    expect([imported.status, imported.body.errors?.map((e) => e.path)]).toEqual([400, ['/settings/tunnel.settings/localtunnel/host']]);
    expect(JSON.stringify(imported.body)).not.toMatch(/CANARY/);
    const dataDir = a.dataDir;
    await a.stop();
    agent = undefined;
    expect(allText(dataDir)).not.toMatch(/CANARY/);
  });
});
