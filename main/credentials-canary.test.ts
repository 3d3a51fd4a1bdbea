// Canary credentials go in through the control API, are used against a fake broker (a real HTTP server that
// checks them, and echoes a refused key back in its error, as a careless server might), and must then appear
// nowhere: not in any HTTP answer, not in the logs, not in the database file or its WAL. They must be in the
// vault, though: that is where they belong.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAgent, eventually, type TestAgent } from './test-support/agent.js';
import { memoryVault } from './test-support/memory-secret-store.js';
import { testKeychain } from './test-support/test-keychain.js';
import { EnvStore, KeytarStore, Vault } from './secrets/index.js';
import { BrokerError, type BrokerAdapter, type BrokerOrder } from './brokers/port.js';
import type { AccountRow } from './store/accounts.js';
import type { AccountView, ConnectionTestView, OrderView, VaultStatusView } from '../shared/api-types.js';

const KEY = 'CANARYKEY-4f9a1c';
const SECRET = 'CANARYSECRET-77e2b0';
const WRONG_KEY = 'CANARYKEY-wrong-91d3';
const WRONG_SECRET = 'CANARYSECRET-wrong-5be8';
const NGROK = 'CANARYNGROK-3c1d0e';
const CANARIES = [KEY, SECRET, WRONG_KEY, WRONG_SECRET, NGROK];

const KEYS = await testKeychain();
const { service: SERVICE, description: KEYCHAIN } = KEYS;

// --- a fake Alpaca account endpoint (GET /v2/account with APCA-API-KEY-ID / APCA-API-SECRET-KEY) ---
let broker: http.Server;
let brokerUrl: string;
let refuseEverything = false;
beforeAll(async () => {
  broker = http.createServer((req, res) => {
    const key = String(req.headers['apca-api-key-id'] ?? '');
    const secret = String(req.headers['apca-api-secret-key'] ?? '');
    res.setHeader('content-type', 'application/json');
    if (req.url !== '/v2/account') return res.writeHead(404).end('{"code":40410000,"message":"endpoint not found"}');
    if (refuseEverything || key !== KEY || secret !== SECRET) {
      // A careless server echoing what it was sent: the agent must still keep it out of answers and logs.
      return res.writeHead(401).end(JSON.stringify({ code: 40110000, message: `request is not authorized (key ${key}, secret ${secret})` }));
    }
    res.writeHead(200).end(JSON.stringify({ currency: 'USD', equity: '100000', cash: '100000', buying_power: '200000' }));
  });
  await new Promise<void>((r) => broker.listen(0, '127.0.0.1', r));
  brokerUrl = `http://127.0.0.1:${(broker.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => broker.close(r));
  await KEYS.clear();
});

/** A test adapter that authenticates against the fake server the way an Alpaca adapter does; it trades nothing. */
class KeyCheckingAdapter implements BrokerAdapter {
  readonly broker = 'alpaca';
  readonly capabilities = { orderTypes: ['market'], timeInForce: ['day'], brackets: false, oco: false, trailingStops: false, fractional: false, shortSelling: false, clientIdLookup: true, modify: false, requestsPerMinute: 200, streaming: false } as const;
  constructor(
    readonly id: string,
    private readonly base: string,
    private readonly creds: Record<string, string>,
  ) {}
  async connect(): Promise<void> {
    await this.account();
  }
  async disconnect(): Promise<void> {}
  async account() {
    const res = await fetch(`${this.base}/v2/account`, { headers: { 'apca-api-key-id': this.creds.keyId ?? '', 'apca-api-secret-key': this.creds.secretKey ?? '' } });
    const text = await res.text();
    if (res.status === 401 || res.status === 403) throw new BrokerError('auth', `Alpaca answered ${res.status}: ${text}`);
    const a = JSON.parse(text) as { currency: string; equity: string; cash: string; buying_power: string };
    return { currency: a.currency, equity: a.equity, cash: a.cash, buyingPower: a.buying_power };
  }
  async instrument(): Promise<never> {
    throw new BrokerError('invalid', 'not traded in this test');
  }
  async submit(): Promise<never> {
    throw new BrokerError('invalid', 'not traded in this test');
  }
  async cancel(): Promise<never> {
    throw new BrokerError('invalid', 'not traded in this test');
  }
  async cancelAll(): Promise<void> {}
  async orderByClientId(): Promise<BrokerOrder | undefined> {
    return undefined;
  }
  async openOrders(): Promise<BrokerOrder[]> {
    return [];
  }
  async fillsSince() {
    return [];
  }
  async positions() {
    return [];
  }
  onUpdate(): () => void {
    return () => undefined;
  }
}

function factory(a: AccountRow, creds: Record<string, string>): BrokerAdapter | undefined {
  if (a.broker !== 'alpaca') return undefined;
  if (a.name === 'explodes') throw new Error(`adapter setup failed for ${creds.keyId}/${creds.secretKey}`);
  return new KeyCheckingAdapter(a.id, a.baseUrl ?? brokerUrl, creds);
}

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

function readLogs(dataDir: string): string {
  const dir = path.join(dataDir, 'logs');
  return fs.existsSync(dir) ? filesUnder(dir).map((f) => fs.readFileSync(f, 'utf8')).join('') : '';
}

function leaks(haystack: Buffer | string): string[] {
  const text = Buffer.isBuffer(haystack) ? haystack.toString('latin1') : haystack;
  return CANARIES.filter((c) => text.includes(c));
}

describe(`canary credentials never leave the vault (${KEYCHAIN})`, () => {
  it('appear in no HTTP answer, no log line and no database byte, through success, bad JSON, validation, adapter and connection-test errors', async () => {
    const vault = KEYS.vault();
    const agent = await startTestAgent({}, { vault, adapterFactory: factory });
    const answers: string[] = [];
    const call = async (method: string, p: string, body?: unknown, raw?: string) => {
      const res = await fetch(agent.controlBase + p, {
        method,
        headers: { authorization: `Bearer ${agent.token}`, ...(body !== undefined || raw !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
      });
      const text = await res.text();
      answers.push(text);
      return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
    };
    try {
      // 1. A working account: keys stored in the vault, shown as "set", connected.
      const created = await call('POST', '/api/accounts', { name: 'Alpaca paper', broker: 'alpaca', environment: 'paper', baseUrl: brokerUrl, credentials: { keyId: KEY, secretKey: SECRET } });
      expect(created.status).toBe(201);
      const account = created.body as unknown as AccountView;
      expect(account).toMatchObject({ broker: 'alpaca', credentials: { keyId: 'set', secretKey: 'set' }, connected: true });
      expect(await vault.get(`broker:${account.id}:keyId`)).toBe(KEY);
      expect(await vault.get(`broker:${account.id}:secretKey`)).toBe(SECRET);
      expect((await call('GET', '/api/accounts')).body.items).toContainEqual(expect.objectContaining({ id: account.id, credentials: { keyId: 'set', secretKey: 'set' } }));
      expect((await call('GET', `/api/accounts/${account.id}`)).status).toBe(200);
      const names = (await call('GET', '/api/credentials')).body.items as { name: string }[];
      expect(names).toEqual(expect.arrayContaining([{ name: `broker:${account.id}:keyId` }, { name: `broker:${account.id}:secretKey` }]));
      expect((await call('POST', `/api/accounts/${account.id}/test`)).body).toMatchObject({ ok: true });

      // 2. Bad JSON carrying a canary.
      const badJson = await call('POST', '/api/accounts', undefined, `{"name":"x","broker":"alpaca","environment":"paper","credentials":{"keyId":"${KEY}","secretKey":"${SECRET}"`);
      expect(badJson.status).toBe(400);
      expect(badJson.body.code).toBe('VALIDATION_FAILED');

      // 3. Validation failures: a wrong broker field, a missing one, a value too long, a canary pasted as a field name.
      const badFields = await call('POST', '/api/accounts', { name: 'x', broker: 'alpaca', environment: 'paper', credentials: { keyId: KEY, [WRONG_KEY]: SECRET } });
      expect(badFields.status).toBe(400);
      expect(JSON.stringify(badFields.body.errors)).toMatch(/secretKey/);
      const tooLong = await call('PUT', `/api/accounts/${account.id}/credentials`, { credentials: { keyId: KEY, secretKey: SECRET.repeat(400) } });
      expect(tooLong.status).toBe(400);
      const badName = await call('PUT', `/api/credentials/${encodeURIComponent(SECRET)}`, { value: NGROK });
      expect(badName.status).toBe(400);
      expect(badName.body.code).toBe('SECRET_NAME_INVALID');

      // 4. Adapter errors: refused keys (echoed back by the server), and an adapter that throws with the keys in its message.
      const refused = await call('POST', '/api/accounts', { name: 'Refused', broker: 'alpaca', environment: 'paper', baseUrl: brokerUrl, credentials: { keyId: WRONG_KEY, secretKey: WRONG_SECRET } });
      expect(refused.status).toBe(502);
      expect(refused.body.code).toBe('BROKER_AUTH_FAILED');
      expect(String(refused.body.message)).toMatch(/401/);
      const exploded = await call('POST', '/api/accounts', { name: 'explodes', broker: 'alpaca', environment: 'paper', baseUrl: brokerUrl, credentials: { keyId: WRONG_KEY, secretKey: WRONG_SECRET } });
      expect(exploded.status).toBeGreaterThanOrEqual(400);
      const replaced = await call('PUT', `/api/accounts/${account.id}/credentials`, { credentials: { keyId: WRONG_KEY, secretKey: WRONG_SECRET } });
      expect(replaced.status).toBe(502);
      // Refused keys were not kept: the good ones are still there, and no entry was left for the refused accounts.
      expect(await vault.get(`broker:${account.id}:keyId`)).toBe(KEY);
      expect((await call('GET', '/api/credentials')).body.items).toHaveLength(2);
      expect((await call('GET', '/api/accounts')).body.items).toHaveLength(2); // the paper demo account and this one
      // A replace with keys that connect is kept, and the account stays connected.
      const good = await call('PUT', `/api/accounts/${account.id}/credentials`, { credentials: { keyId: KEY, secretKey: SECRET } });
      expect(good.status).toBe(200);
      expect(good.body).toMatchObject({ id: account.id, credentials: { keyId: 'set', secretKey: 'set' }, connected: true });

      // 5. The connection test failing at the broker, which echoes the key.
      refuseEverything = true;
      const failedTest = await call('POST', `/api/accounts/${account.id}/test`);
      refuseEverything = false;
      expect(failedTest.status).toBe(200);
      expect(failedTest.body as unknown as ConnectionTestView).toMatchObject({ ok: false, code: 'BROKER_AUTH_FAILED' });

      // 6. A tunnel token through PUT /api/credentials/:name: stored, listed by name, never returned.
      expect((await call('PUT', '/api/credentials/tunnel:ngrok:authtoken', { value: NGROK })).status).toBe(200);
      expect(await vault.get('tunnel:ngrok:authtoken')).toBe(NGROK);
      expect((await call('GET', '/api/vault/status')).body).toMatchObject({ available: true, backend: 'keychain', writable: true });

      // 7. A paper account sent with keys (the same shape as every broker): created, the keys dropped, nowhere stored.
      const credentialsBefore = (await call('GET', '/api/credentials')).body.items;
      const paper = await call('POST', '/api/accounts', { name: 'Paper with keys', broker: 'paper', environment: 'paper', credentials: { keyId: KEY, secretKey: SECRET } });
      expect(paper.status).toBe(201);
      expect(paper.body).toMatchObject({ broker: 'paper', connected: true });
      expect((await call('GET', '/api/credentials')).body.items).toEqual(credentialsBefore);

      // Everything the API answered, then the data directory while the agent runs (database WAL included).
      expect(leaks(answers.join('\n'))).toEqual([]);
      for (const f of filesUnder(agent.dataDir)) expect({ file: f, leaks: leaks(fs.readFileSync(f)) }).toEqual({ file: f, leaks: [] });
    } finally {
      await agent.stop();
    }
    // The log transport writes from a worker thread: wait until the last line of this run is on disk.
    await eventually(() => readLogs(agent.dataDir), (t) => t.includes('agent stopping'));
    const files = filesUnder(agent.dataDir);
    expect(files.some((f) => f.endsWith('viewzenix.db'))).toBe(true);
    const logs = files.filter((f) => f.includes(`${path.sep}logs${path.sep}`));
    expect(logs.length).toBeGreaterThan(0);
    for (const f of files) expect({ file: f, leaks: leaks(fs.readFileSync(f)) }).toEqual({ file: f, leaks: [] });
    // The refused keys did reach the log path (the broker's reason is logged), masked.
    const logText = logs.map((f) => fs.readFileSync(f, 'utf8')).join('');
    expect(logText).toMatch(/broker connection failed/);
    expect(logText).toContain('[REDACTED]');
  });
});

describe('broker accounts across restarts', () => {
  it('reconnect at start with the keys from the vault; without them the agent still starts and the account is not connected', async () => {
    const vault = memoryVault();
    const first = await startTestAgent({}, { vault, adapterFactory: factory });
    const created = await first.api<AccountView>('POST', '/api/accounts', { name: 'Alpaca paper', broker: 'alpaca', environment: 'paper', baseUrl: brokerUrl, credentials: { keyId: KEY, secretKey: SECRET } });
    expect(created.status).toBe(201);
    const dataDir = first.dataDir;
    await first.stop();

    const again = await startTestAgent({ dataDir }, { vault, adapterFactory: factory });
    try {
      const account = await again.api<AccountView>('GET', `/api/accounts/${created.body.id}`);
      expect(account.body).toMatchObject({ connected: true, credentials: { keyId: 'set', secretKey: 'set' } });
      expect((await again.api<ConnectionTestView>('POST', `/api/accounts/${created.body.id}/test`)).body.ok).toBe(true);
    } finally {
      await again.stop();
    }

    // Another machine's keychain, without these keys: the agent starts, the account waits for its keys.
    const empty = memoryVault();
    const third = await startTestAgent({ dataDir }, { vault: empty, adapterFactory: factory });
    try {
      const account = await third.api<AccountView>('GET', `/api/accounts/${created.body.id}`);
      expect(account.body).toMatchObject({ connected: false, credentials: { keyId: 'not set', secretKey: 'not set' } });
      const test = await third.api<ConnectionTestView>('POST', `/api/accounts/${created.body.id}/test`);
      expect(test.body).toMatchObject({ ok: false, code: 'ACCOUNT_UNAVAILABLE' });
      // Setting the keys connects it without a restart.
      const set = await third.api<AccountView>('PUT', `/api/accounts/${created.body.id}/credentials`, { credentials: { keyId: KEY, secretKey: SECRET } });
      expect(set.body).toMatchObject({ connected: true, credentials: { keyId: 'set', secretKey: 'set' } });
    } finally {
      await third.stop();
    }
  });
});

describe('vault unavailable', () => {
  it('POST /api/accounts for alpaca answers 503 VAULT_UNAVAILABLE with the fix, and the paper pipeline still trades', async () => {
    const noKeychain = new KeytarStore({
      service: SERVICE,
      loadKeytar: async () => {
        throw new Error("Cannot find module '../build/Release/keytar.node'");
      },
    });
    const agent: TestAgent = await startTestAgent({}, { vault: new Vault({ keychain: noKeychain, env: new EnvStore({}) }), adapterFactory: factory });
    try {
      const status = await agent.api<VaultStatusView>('GET', '/api/vault/status');
      expect(status.body).toMatchObject({ available: false, backend: 'none', writable: false });
      expect(status.body.fix.linux).toMatch(/Secret Service/);

      const res = await agent.api<{ code: string; message: string; fix: string }>('POST', '/api/accounts', { name: 'Alpaca', broker: 'alpaca', environment: 'paper', credentials: { keyId: KEY, secretKey: SECRET } });
      expect(res.status).toBe(503);
      expect(res.body.code).toBe('VAULT_UNAVAILABLE');
      expect(res.body.message).toMatch(/keychain module \(keytar\) could not be loaded/);
      expect(res.body.fix).toContain(process.platform === 'darwin' ? 'login keychain' : process.platform === 'win32' ? 'Credential Manager' : 'gnome-keyring');
      expect(JSON.stringify(res.body)).not.toContain(KEY);
      expect((await agent.api<{ items: AccountView[] }>('GET', '/api/accounts')).body.items.map((a) => a.broker)).toEqual(['paper']);
      const token = await agent.api<{ code: string }>('PUT', '/api/credentials/tunnel:ngrok:authtoken', { value: NGROK });
      expect(token.status).toBe(503);
      expect(token.body.code).toBe('VAULT_UNAVAILABLE');

      const alert = await agent.post(new URL(agent.demoWebhookUrl!).pathname, '{"ticker":"MSFT","action":"buy","quantity":2,"price":410}');
      expect(alert.status).toBe(202);
      const orders = await eventually(async () => (await agent.api<{ items: OrderView[] }>('GET', '/api/orders')).body.items, (o) => o.length === 1 && o[0]!.status === 'filled');
      expect(orders[0]).toMatchObject({ symbol: 'MSFT', status: 'filled' });
    } finally {
      await agent.stop();
    }
    const log = await eventually(() => readLogs(agent.dataDir), (t) => t.includes('credential vault unavailable'));
    expect(log).toMatch(/credential vault unavailable/);
  });
});
