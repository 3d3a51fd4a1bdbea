// Broker accounts through the control API, with the real adapters against the fake brokers (no network here):
// a setting the broker cannot work without is a validation error; an account without credentials needs no
// keychain; keys are tested at the broker before an account is created or its keys replaced; `connected`
// follows what the broker answers; and one broker that cannot be reached neither breaks the positions list nor
// sets aside the alerts (or approvals) of the strategy's other accounts.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeAlpaca } from './brokers/alpaca/fake-server.js';
import { FakeOanda } from './brokers/oanda/fake-server.js';
import { FakeBinance } from './brokers/ccxt/fake-binance.js';
import { EnvStore, KeytarStore, Vault } from './secrets/index.js';
import { memoryVault } from './test-support/memory-secret-store.js';
import { eventually, listenEvents, startTestAgent, type TestAgent } from './test-support/agent.js';
import type { NotifyMessage } from './notify/types.js';
import type { AccountView, ApprovalView, ConnectionTestView, OrderView, PositionsView, SignalView, StrategyView } from '../shared/api-types.js';
import { tradingDayAt } from './risk/trading-day.js';
import { Decimal } from 'decimal.js';

const ALPACA = { keyId: 'PKACCOUNTSTEST000001', secretKey: 'accounts-test-alpaca-secret-01' };
const OANDA_TOKEN = 'accounts-test-oanda-token-0001';
const OANDA_ACCOUNT = '101-001-1234567-001';
const BINANCE = { apiKey: 'accountsTestBinanceKey0001', secret: 'accountsTestBinanceSecret0001' };
/** Alpaca settings for tests: no stream, no polling within a test, and a short timeout for the timeout cases. */
const ALPACA_CONFIG = { streaming: false, pollIntervalMs: 600_000, timeoutMs: 500, risk: { enforceMarketHours: false } };

type ErrorBody = { status: string; code: string; message: string; errors?: { path: string; message: string }[] };
type SignalDetail = SignalView & { decisions: { accountId: string; verdict: string; code?: string; detail?: string }[]; orders: OrderView[] };

/** A loopback address nothing listens on: connections are refused at once (the broker cannot be reached). */
async function closedPortUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return `http://127.0.0.1:${port}`;
}

let alpaca: FakeAlpaca;
let oanda: FakeOanda;
let binance: FakeBinance;
let unreachable: string;
const agents: TestAgent[] = [];
const extraFakes: FakeAlpaca[] = [];

beforeAll(async () => {
  alpaca = await new FakeAlpaca({ ...ALPACA, prices: { AAPL: '190', MSFT: '410' } }).start();
  oanda = await new FakeOanda({ token: OANDA_TOKEN, accountId: OANDA_ACCOUNT }).start();
  binance = await new FakeBinance({ ...BINANCE }).start();
  unreachable = await closedPortUrl();
});
afterEach(async () => {
  for (const a of agents.splice(0)) await a.stop();
  for (const f of extraFakes.splice(0)) await f.close().catch(() => undefined);
});
afterAll(async () => {
  await alpaca.close();
  await oanda.close();
  await binance.close();
});

async function agentWith(vault: Vault = memoryVault(), dataDir?: string): Promise<TestAgent> {
  const agent = await startTestAgent(dataDir ? { dataDir } : {}, { vault });
  agents.push(agent);
  return agent;
}

const alpacaAccount = (baseUrl: string, credentials: Record<string, string> = ALPACA, name = 'Alpaca paper') => ({ name, broker: 'alpaca', environment: 'paper', baseUrl, credentials, config: ALPACA_CONFIG });

async function accountIds(agent: TestAgent): Promise<string[]> {
  return (await agent.api<{ items: AccountView[] }>('GET', '/api/accounts')).body.items.map((a) => a.id);
}

describe('settings a broker cannot work without are validation errors', () => {
  it('OANDA without an account id, CCXT without an exchange and an environment the broker does not have answer 400 VALIDATION_FAILED naming the field', async () => {
    const agent = await agentWith();
    const before = await accountIds(agent);

    const oandaNoId = await agent.api<ErrorBody>('POST', '/api/accounts', { name: 'OANDA', broker: 'oanda', environment: 'practice', baseUrl: oanda.baseUrl, credentials: { token: OANDA_TOKEN } });
    expect(oandaNoId.status).toBe(400);
    expect(oandaNoId.body.code).toBe('VALIDATION_FAILED');
    expect(oandaNoId.body.message).toMatch(/accountId/);
    expect(oandaNoId.body.errors).toEqual([{ path: '/config/accountId', message: expect.stringMatching(/required for oanda/) }]);
    // Without credentials too: the setting is checked when the account is created, not when it first connects.
    const oandaBare = await agent.api<ErrorBody>('POST', '/api/accounts', { name: 'OANDA', broker: 'oanda', environment: 'practice' });
    expect([oandaBare.status, oandaBare.body.errors?.[0]?.path]).toEqual([400, '/config/accountId']);

    const ccxtNoExchange = await agent.api<ErrorBody>('POST', '/api/accounts', { name: 'Binance', broker: 'ccxt', environment: 'live', baseUrl: binance.baseUrl, credentials: BINANCE });
    expect([ccxtNoExchange.status, ccxtNoExchange.body.code, ccxtNoExchange.body.errors?.[0]?.path]).toEqual([400, 'VALIDATION_FAILED', '/config/exchange']);
    const ccxtUnknown = await agent.api<ErrorBody>('POST', '/api/accounts', { name: 'Nowhere', broker: 'ccxt', environment: 'live', credentials: BINANCE, config: { exchange: 'no-such-exchange' } });
    expect([ccxtUnknown.status, ccxtUnknown.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(ccxtUnknown.body.message).toMatch(/no-such-exchange/);

    const alpacaPractice = await agent.api<ErrorBody>('POST', '/api/accounts', { ...alpacaAccount(alpaca.baseUrl), environment: 'practice' });
    expect([alpacaPractice.status, alpacaPractice.body.code, alpacaPractice.body.errors?.[0]?.path]).toEqual([400, 'VALIDATION_FAILED', '/environment']);

    expect(await accountIds(agent)).toEqual(before);
    expect((await agent.api<{ items: unknown[] }>('GET', '/api/credentials')).body.items).toEqual([]);
  });
});

describe('no keychain', () => {
  const noKeychain = () =>
    new KeytarStore({
      service: 'viewzenix-test-no-keychain',
      loadKeytar: async () => {
        throw new Error("Cannot find module '../build/Release/keytar.node'");
      },
    });

  it('an account without credentials is created (nothing to store) and names the VIEWZENIX_SECRET_* variables; with them set it connects at the next start', async () => {
    const first = await agentWith(new Vault({ keychain: noKeychain(), env: new EnvStore({}) }));
    const created = await first.api<AccountView>('POST', '/api/accounts', { name: 'Alp', broker: 'alpaca', environment: 'paper', baseUrl: alpaca.baseUrl, config: ALPACA_CONFIG });
    expect(created.status).toBe(201);
    const id = created.body.id;
    const prefix = `VIEWZENIX_SECRET_BROKER_${id.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
    expect(created.body).toMatchObject({ connected: false, credentials: { keyId: 'not set', secretKey: 'not set' } });
    expect(created.body.credentialVariables).toEqual({ keyId: `${prefix}_KEYID`, secretKey: `${prefix}_SECRETKEY` });
    // Keys in the body still need somewhere to be stored.
    expect((await first.api<ErrorBody>('POST', '/api/accounts', alpacaAccount(alpaca.baseUrl))).body.code).toBe('VAULT_UNAVAILABLE');
    const dataDir = first.dataDir;
    await first.stop();
    agents.splice(agents.indexOf(first), 1);

    const vars = created.body.credentialVariables!;
    const again = await agentWith(new Vault({ keychain: noKeychain(), env: new EnvStore({ [vars.keyId!]: ALPACA.keyId, [vars.secretKey!]: ALPACA.secretKey }) }), dataDir);
    const account = (await again.api<AccountView>('GET', `/api/accounts/${id}`)).body;
    expect(account).toMatchObject({ connected: true, credentials: { keyId: 'set', secretKey: 'set' } });
    expect(account.credentialVariables).toBeUndefined();
    expect((await again.api<ConnectionTestView>('POST', `/api/accounts/${id}/test`)).body.ok).toBe(true);
  });
});

describe('the event stream tells the window and the desktop app what changed', () => {
  it('an account added or deleted is published with every account\'s name; saved or removed notification settings with all of them', async () => {
    const agent = await agentWith();
    const stream = await listenEvents(agent);
    try {
      const before = (await agent.api<{ items: AccountView[] }>('GET', '/api/accounts')).body.items.map((a) => ({ id: a.id, name: a.name }));
      const created = await agent.api<AccountView>('POST', '/api/accounts', { name: 'Swing', broker: 'paper', environment: 'paper' });
      expect(created.status).toBe(201);
      expect((await agent.api('DELETE', `/api/accounts/${created.body.id}`)).status).toBe(200);
      expect((await agent.api('PUT', '/api/notifications/channels/desktop', { enabled: true, events: ['halt'] })).status).toBe(200);
      expect((await agent.api('DELETE', '/api/notifications/channels/desktop')).status).toBe(200);
      const told = (e: (typeof stream.events)[number]) =>
        e.type === 'accounts' ? e.accounts : e.type === 'notification-settings' ? e.config.desktop : undefined;
      await eventually(() => stream.events.map(told).filter((x) => x !== undefined).length, (n) => n === 4);
      expect(stream.events.map(told).filter((x) => x !== undefined)).toEqual([
        [...before, { id: created.body.id, name: 'Swing' }],
        before,
        { enabled: true, events: ['halt'] },
        { enabled: false, events: expect.arrayContaining(['fill', 'halt']) },
      ]);
    } finally {
      stream.close();
    }
  });
});

describe('keys are tested at the broker before an account is created or its keys replaced', () => {
  it('alpaca: refused keys answer 502 BROKER_AUTH_FAILED, an unreachable broker 502 BROKER_UNREACHABLE; neither leaves an account or a vault entry', async () => {
    const agent = await agentWith();
    const before = await accountIds(agent);

    const refused = await agent.api<ErrorBody>('POST', '/api/accounts', alpacaAccount(alpaca.baseUrl, { keyId: ALPACA.keyId, secretKey: 'not-the-secret-000000' }));
    expect(refused.status).toBe(502);
    expect(refused.body.code).toBe('BROKER_AUTH_FAILED');
    expect(refused.body.message).toMatch(/refused the API key/);

    const down = await agent.api<ErrorBody>('POST', '/api/accounts', alpacaAccount(unreachable));
    expect(down.status).toBe(502);
    expect(down.body.code).toBe('BROKER_UNREACHABLE');
    expect(down.body.message).toMatch(/could not be reached/);

    expect(await accountIds(agent)).toEqual(before);
    expect((await agent.api<{ items: unknown[] }>('GET', '/api/credentials')).body.items).toEqual([]);

    const created = await agent.api<AccountView>('POST', '/api/accounts', alpacaAccount(alpaca.baseUrl));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ connected: true, credentials: { keyId: 'set', secretKey: 'set' } });
    expect(created.body.connectionError).toBeUndefined();
  });

  it('alpaca: new keys replace the old ones only when the broker accepts them', async () => {
    const vault = memoryVault();
    const agent = await agentWith(vault);
    const created = await agent.api<AccountView>('POST', '/api/accounts', alpacaAccount(alpaca.baseUrl));
    expect(created.status).toBe(201);
    const id = created.body.id;

    const refused = await agent.api<ErrorBody>('PUT', `/api/accounts/${id}/credentials`, { credentials: { keyId: 'PKSOMEOTHERKEY000001', secretKey: 'some-other-secret-0001' } });
    expect(refused.status).toBe(502);
    expect(refused.body.code).toBe('BROKER_AUTH_FAILED');
    expect(await vault.get(`broker:${id}:keyId`)).toBe(ALPACA.keyId);
    expect((await agent.api<ConnectionTestView>('POST', `/api/accounts/${id}/test`)).body.ok).toBe(true);
  });

  it('oanda: a refused token, an unreachable broker and an unknown account id are each refused with the broker code', async () => {
    const agent = await agentWith();
    const before = await accountIds(agent);
    const oandaAccount = (baseUrl: string, token: string, accountId = OANDA_ACCOUNT) => ({ name: 'OANDA practice', broker: 'oanda', environment: 'practice', baseUrl, credentials: { token }, config: { accountId, streaming: false, pollIntervalMs: 600_000 } });

    const refused = await agent.api<ErrorBody>('POST', '/api/accounts', oandaAccount(oanda.baseUrl, 'not-the-token-0000000000'));
    expect([refused.status, refused.body.code]).toEqual([502, 'BROKER_AUTH_FAILED']);
    const down = await agent.api<ErrorBody>('POST', '/api/accounts', oandaAccount(unreachable, OANDA_TOKEN));
    expect([down.status, down.body.code]).toEqual([502, 'BROKER_UNREACHABLE']);
    const wrongAccount = await agent.api<ErrorBody>('POST', '/api/accounts', oandaAccount(oanda.baseUrl, OANDA_TOKEN, '101-001-0000000-009'));
    expect([wrongAccount.status, wrongAccount.body.code]).toEqual([502, 'BROKER_AUTH_FAILED']);
    expect(await accountIds(agent)).toEqual(before);

    const created = await agent.api<AccountView>('POST', '/api/accounts', oandaAccount(oanda.baseUrl, OANDA_TOKEN));
    expect(created.status).toBe(201);
    expect(created.body.connected).toBe(true);
  });

  it('ccxt: a refused API key answers 502 BROKER_AUTH_FAILED (loading the public markets proves nothing about the key)', async () => {
    const agent = await agentWith();
    const before = await accountIds(agent);
    const ccxtAccount = (credentials: Record<string, string>) => ({ name: 'Binance', broker: 'ccxt', environment: 'live', baseUrl: binance.baseUrl, credentials, config: { exchange: 'binance', rateLimitMs: 1, timeoutMs: 1000 } });

    const refused = await agent.api<ErrorBody>('POST', '/api/accounts', ccxtAccount({ apiKey: 'notTheApiKey000000000000', secret: BINANCE.secret }));
    expect([refused.status, refused.body.code]).toEqual([502, 'BROKER_AUTH_FAILED']);
    expect(await accountIds(agent)).toEqual(before);
    const created = await agent.api<AccountView>('POST', '/api/accounts', ccxtAccount(BINANCE));
    expect(created.status).toBe(201);
    expect(created.body.connected).toBe(true);
  });
});

describe('connected is what the broker last answered', () => {
  it('a failed connection test marks the account not connected, with the code and reason; a passing one connects it again', async () => {
    const agent = await agentWith();
    const id = (await agent.api<AccountView>('POST', '/api/accounts', alpacaAccount(alpaca.baseUrl))).body.id;

    alpaca.faults.failNext('auth_error', { on: 'account' });
    const failed = await agent.api<ConnectionTestView>('POST', `/api/accounts/${id}/test`);
    expect(failed.body).toMatchObject({ ok: false, code: 'BROKER_AUTH_FAILED' });
    const after = (await agent.api<AccountView>('GET', `/api/accounts/${id}`)).body;
    expect(after.connected).toBe(false);
    expect(after.connectionError).toMatchObject({ code: 'BROKER_AUTH_FAILED', message: failed.body.message });
    const listed = (await agent.api<{ items: AccountView[] }>('GET', '/api/accounts')).body.items.find((a) => a.id === id);
    expect(listed?.connected).toBe(false);

    expect((await agent.api<ConnectionTestView>('POST', `/api/accounts/${id}/test`)).body.ok).toBe(true);
    const again = (await agent.api<AccountView>('GET', `/api/accounts/${id}`)).body;
    expect(again.connected).toBe(true);
    expect(again.connectionError).toBeUndefined();
  });

  it('a broker that went away: the test answers BROKER_UNREACHABLE and the account shows not connected', async () => {
    const fake = await new FakeAlpaca({ ...ALPACA }).start();
    extraFakes.push(fake);
    const agent = await agentWith();
    const id = (await agent.api<AccountView>('POST', '/api/accounts', alpacaAccount(fake.baseUrl))).body.id;
    await fake.close();

    expect((await agent.api<ConnectionTestView>('POST', `/api/accounts/${id}/test`)).body).toMatchObject({ ok: false, code: 'BROKER_UNREACHABLE' });
    expect((await agent.api<AccountView>('GET', `/api/accounts/${id}`)).body).toMatchObject({ connected: false, connectionError: { code: 'BROKER_UNREACHABLE' } });
  });
});

describe('keys are tested again at every start', () => {
  it('keys revoked while the agent was stopped: at the next start the account shows not connected with BROKER_AUTH_FAILED and the trader is told, before any alert', async () => {
    const fake = await new FakeAlpaca({ ...ALPACA }).start();
    extraFakes.push(fake);
    const vault = memoryVault();
    const first = await agentWith(vault);
    const id = (await first.api<AccountView>('POST', '/api/accounts', alpacaAccount(fake.baseUrl))).body.id;
    expect((await first.api<AccountView>('GET', `/api/accounts/${id}`)).body.connected).toBe(true);
    const dataDir = first.dataDir;
    await first.stop();
    agents.splice(agents.indexOf(first), 1);

    fake.revokeKeys(); // regenerated on the broker's dashboard while the agent was stopped
    const second = await agentWith(vault, dataDir);
    const events = await listenEvents(second);
    try {
      expect((await second.api<AccountView>('GET', `/api/accounts/${id}`)).body.connected).toBe(true); // not known yet
      const account = await eventually(
        async () => (await second.api<AccountView>('GET', `/api/accounts/${id}`)).body,
        (a) => a.connected === false,
        10_000,
      );
      expect(account.connectionError).toMatchObject({ code: 'BROKER_AUTH_FAILED' });
      expect(account.connectionError!.message).toMatch(/refused the API key/);
      const notice = await eventually(() => events.events.find((e) => e.type === 'notice' && e.code === 'BROKER_AUTH_FAILED'), (e) => e !== undefined);
      expect(notice).toMatchObject({ type: 'notice', level: 'error', message: expect.stringMatching(/^Account "Alpaca paper" \(acc_[^)]+\): /) });
    } finally {
      events.close();
    }
  });

  it('the trader is told: a broker-down desktop notification with the account name and the code, no secret', async () => {
    const fake = await new FakeAlpaca({ ...ALPACA }).start();
    extraFakes.push(fake);
    const vault = memoryVault();
    const first = await agentWith(vault);
    await first.api<AccountView>('POST', '/api/accounts', alpacaAccount(fake.baseUrl, ALPACA, 'Alpaca revoked'));
    const dataDir = first.dataDir;
    await first.stop();
    agents.splice(agents.indexOf(first), 1);
    fake.revokeKeys();
    const second = await agentWith(vault, dataDir);
    const shown: NotifyMessage[] = [];
    second.notifications.desktop.subscribe((m) => shown.push(m)); // as the window does when it opens
    const message = await eventually(() => shown.find((m) => m.kind === 'broker-down'), (m) => m !== undefined, 10_000);
    expect(message!.title).toBe('Broker account not usable (BROKER_AUTH_FAILED)');
    // Named as every message names an account (main/account-label.ts).
    expect(message!.lines[0]).toMatch(/^Account "Alpaca revoked" \(acc_[^)]+\): Alpaca \(configured\) refused the API key/);
    expect(JSON.stringify(message)).not.toContain(ALPACA.secretKey);
  });
});

/** The demo paper account, an Alpaca account whose broker has gone away, and strategies trading it (with the paper account, and alone). */
async function setUp(): Promise<{ agent: TestAgent; paperId: string; downId: string; both: StrategyView; downOnly: StrategyView }> {
  const fake = await new FakeAlpaca({ ...ALPACA }).start();
  extraFakes.push(fake);
  const agent = await agentWith();
  const paperId = (await agent.api<{ items: AccountView[] }>('GET', '/api/accounts')).body.items.find((a) => a.broker === 'paper')!.id;
  const down = await agent.api<AccountView>('POST', '/api/accounts', alpacaAccount(fake.baseUrl, ALPACA, 'Alpaca gone'));
  expect(down.status).toBe(201);
  await fake.close();
  // The account that cannot be reached comes first: it must not stop the paper account behind it.
  const both = (await agent.api<StrategyView>('POST', '/api/strategies', { name: 'Both', accountIds: [down.body.id, paperId] })).body;
  const downOnly = (await agent.api<StrategyView>('POST', '/api/strategies', { name: 'Gone only', accountIds: [down.body.id] })).body;
  return { agent, paperId, downId: down.body.id, both, downOnly };
}

const settled = (s: SignalDetail | undefined) => s !== undefined && s.status !== 'queued' && s.status !== 'processing';

describe('GET /api/positions with one broker that cannot be reached', () => {
  it('GET /api/positions lists the positions of the other accounts and reports the one that cannot be reached in errors', async () => {
    const { agent, paperId, downId } = await setUp();
    const sent = await agent.post(new URL(agent.demoWebhookUrl!).pathname, '{"ticker":"MSFT","action":"buy","quantity":2,"price":410}');
    expect(sent.status).toBe(202);
    await eventually(async () => (await agent.api<{ items: OrderView[] }>('GET', `/api/orders?signalId=${sent.body.signalId as string}`)).body.items, (o) => o.length === 1 && o[0]!.status === 'filled');

    const positions = await agent.api<PositionsView>('GET', '/api/positions');
    expect(positions.status).toBe(200);
    expect(positions.body.items).toEqual([expect.objectContaining({ accountId: paperId, symbol: 'MSFT', quantity: '2' })]);
    // The id stays in accountId; the words name the account as the trader knows it.
    expect(positions.body.errors).toEqual([{ accountId: downId, code: 'BROKER_UNREACHABLE', message: expect.stringMatching(/could not connect/) }]);
    expect(positions.body.errors[0]!.message.startsWith(`The positions of account "Alpaca gone" (${downId}) could not be read at the broker: `)).toBe(true);
    expect((await agent.api<AccountView>('GET', `/api/accounts/${downId}`)).body).toMatchObject({ connected: false, connectionError: { code: 'BROKER_UNREACHABLE' } });

    // The positions export would miss that account: its code instead of a partial file; the paper account alone exports.
    const all = await agent.api<ErrorBody>('GET', '/api/export/positions?format=json');
    expect([all.status, all.body.code]).toEqual([502, 'BROKER_UNREACHABLE']);
    expect(all.body.message).toMatch(new RegExp(`^The positions of account "Alpaca gone" \\(${downId}\\) could not be read at the broker: .*could not connect.* The export would be incomplete, so none was made\\.$`));
    const paperOnly = await agent.api<unknown[]>('GET', `/api/export/positions?format=json&accountId=${paperId}`);
    expect(paperOnly.status).toBe(200);
    expect(paperOnly.body).toEqual([expect.objectContaining({ account_id: paperId, symbol: 'MSFT', quantity: '2' })]);
  });
});

describe('GET /api/positions: each account\'s day P&L', () => {
  it('answers equity − the day\'s starting equity with the day\'s start: a 17:00 New York paper day from its first reading, Alpaca\'s UTC day from last_equity', async () => {
    const fake = await new FakeAlpaca({ ...ALPACA, prices: { AAPL: '190' } }).start();
    extraFakes.push(fake);
    fake.lastEquity = new Decimal('101250.5'); // the previous close
    const agent = await agentWith();
    const ny17 = { timeZone: 'America/New_York', startsAt: '17:00' };
    const paper = (await agent.api<AccountView>('POST', '/api/accounts', { name: 'NY day', broker: 'paper', environment: 'paper', config: { risk: { tradingDay: ny17, enforceMarketHours: false } } })).body;
    const alpacaId = (await agent.api<AccountView>('POST', '/api/accounts', alpacaAccount(fake.baseUrl))).body.id;
    const strategy = (await agent.api<StrategyView>('POST', '/api/strategies', { name: 'NY', accountIds: [paper.id] })).body;

    const before = new Date().toISOString();
    const first = await agent.api<PositionsView>('GET', '/api/positions');
    const after = new Date().toISOString();
    expect(first.status).toBe(200);
    const days = (id: string, view: PositionsView) => view.days?.find((d) => d.accountId === id);
    const nyDay = days(paper.id, first.body)!;
    expect([tradingDayAt(before, ny17).start, tradingDayAt(after, ny17).start]).toContain(nyDay.dayStart);
    expect(Date.parse(nyDay.dayEnd) - Date.parse(nyDay.dayStart)).toBeGreaterThanOrEqual(23 * 3_600_000);
    expect(nyDay).toMatchObject({ currency: 'USD', equity: '100000', dayPnl: '0', dayStartEquity: '100000', dayHighEquity: '100000', timeZone: 'America/New_York', startsAt: '17:00', startFrom: 'first_reading' });
    expect(nyDay.startReadAt! >= before && nyDay.startReadAt! <= after).toBe(true);
    const alpacaDay = days(alpacaId, first.body)!;
    expect([tradingDayAt(before).start, tradingDayAt(after).start]).toContain(alpacaDay.dayStart);
    expect(alpacaDay).toEqual({ accountId: alpacaId, currency: 'USD', equity: '100000', dayPnl: '-1250.5', dayStartEquity: '101250.5', dayHighEquity: '101250.5', dayStart: alpacaDay.dayStart, dayEnd: alpacaDay.dayEnd, timeZone: 'UTC', startsAt: '00:00', startFrom: 'broker' });

    // Ten bought at 100, then marked at 90 by the next alert: the day is 100 down, realised or not.
    const hook = new URL(strategy.webhookUrl).pathname;
    for (const alert of ['{"ticker":"DAYX","action":"buy","quantity":10,"price":100}', '{"ticker":"DAYX","action":"buy","quantity":1,"price":90}']) {
      const sent = await agent.post(hook, alert);
      await eventually(async () => (await agent.api<SignalView>('GET', `/api/signals/${sent.body.signalId as string}`)).body.status, (st) => st === 'done');
    }
    const later = await agent.api<PositionsView>('GET', '/api/positions');
    expect(days(paper.id, later.body)).toMatchObject({ equity: '99900', dayPnl: '-100', dayStartEquity: '100000', dayHighEquity: '100000', dayStart: nyDay.dayStart, startReadAt: nyDay.startReadAt });

    // An account whose equity cannot be read has no day P&L (its positions are still listed); one without an
    // adapter is in errors, as before. (A read is reused for a second: wait that out first.)
    const pause = () => new Promise((r) => setTimeout(r, 1100));
    await pause();
    fake.faults.failNext('timeout', { on: 'account' });
    const unread = await agent.api<PositionsView>('GET', '/api/positions');
    expect(unread.status).toBe(200);
    expect(days(alpacaId, unread.body)).toBeUndefined();
    expect(days(paper.id, unread.body)).toMatchObject({ dayPnl: '-100' });

    // Listings at the same moment (the window refreshes after every order event) share one equity read.
    await pause();
    fake.faults.failNext('timeout', { on: 'account' });
    const together = await Promise.all([agent.api<PositionsView>('GET', '/api/positions'), agent.api<PositionsView>('GET', '/api/positions')]);
    expect(together.map((r) => days(alpacaId, r.body))).toEqual([undefined, undefined]);
    await pause();
    expect(days(alpacaId, (await agent.api<PositionsView>('GET', '/api/positions')).body)).toMatchObject({ dayPnl: '-1250.5', startFrom: 'broker' });
    fake.faults.clear();
  });
});

describe('alerts for an account whose broker cannot be read', () => {
  it('an alert is denied BROKER_UNREACHABLE for that account after two quick retries (never INTERNAL_ERROR), and the strategy\'s paper account still trades', async () => {
    const { agent, paperId, downId, both, downOnly } = await setUp();

    const sent = await agent.post(new URL(both.webhookUrl).pathname, '{"ticker":"MSFT","action":"buy","quantity":2,"price":410}');
    expect(sent.status).toBe(202);
    const signal = await eventually(async () => (await agent.api<SignalDetail>('GET', `/api/signals/${sent.body.signalId as string}`)).body, settled, 8000);
    expect(signal.status).toBe('done');
    expect(signal.decisions.find((d) => d.accountId === downId)).toMatchObject({ verdict: 'denied', code: 'BROKER_UNREACHABLE' });
    expect(signal.decisions.find((d) => d.accountId === downId)?.detail).toMatch(/could not connect/);
    expect(signal.decisions.find((d) => d.accountId === downId)?.detail).toContain(`BROKER_UNREACHABLE: account="Alpaca gone" (${downId}), reason=`);
    const orders = await eventually(async () => (await agent.api<{ items: OrderView[] }>('GET', `/api/orders?signalId=${signal.id}`)).body.items, (o) => o.length === 1 && o[0]!.status === 'filled');
    expect(orders).toEqual([expect.objectContaining({ accountId: paperId, symbol: 'MSFT', status: 'filled' })]);

    // Only that account: the signal is denied with the broker code (never failed / INTERNAL_ERROR after retries).
    const alone = await agent.post(new URL(downOnly.webhookUrl).pathname, '{"ticker":"MSFT","action":"buy","quantity":1,"price":410}');
    const denied = await eventually(async () => (await agent.api<SignalDetail>('GET', `/api/signals/${alone.body.signalId as string}`)).body, settled, 8000);
    expect(denied).toMatchObject({ status: 'denied', code: 'BROKER_UNREACHABLE' });
    expect((await agent.api<AccountView>('GET', `/api/accounts/${downId}`)).body).toMatchObject({ connected: false, connectionError: { code: 'BROKER_UNREACHABLE' } });
  });

  it('one 429 (with its Retry-After) or one 503 on a read while an exit is planned is waited out: the exit is sent', async () => {
    const fake = await new FakeAlpaca({ ...ALPACA, prices: { AAPL: '190' } }).start();
    extraFakes.push(fake);
    const agent = await agentWith();
    // Alpaca's own read timeout: the short one of the timeout cases denied an alert whose read took over 0.5 s on a
    // loaded machine, with no fault at all. The stream tells the fills: without it each alert also waited for the
    // earlier market order to settle (2 s, twice for the second alert), and the test neared its time limit.
    const { timeoutMs: _short, ...config } = { ...ALPACA_CONFIG, streaming: true };
    const account = (await agent.api<AccountView>('POST', '/api/accounts', { ...alpacaAccount(fake.baseUrl, ALPACA, 'Blips'), config })).body;
    const strategy = (await agent.api<StrategyView>('POST', '/api/strategies', { name: 'Blips', accountIds: [account.id] })).body;
    const hook = new URL(strategy.webhookUrl).pathname;
    const run = async (alert: string) => {
      const sent = await agent.post(hook, alert);
      expect(sent.status).toBe(202);
      return eventually(async () => (await agent.api<SignalDetail>('GET', `/api/signals/${sent.body.signalId as string}`)).body, settled, 10_000);
    };
    const bought = await run('{"ticker":"AAPL","action":"buy","quantity":4,"price":190}');
    expect(bought, JSON.stringify(bought.decisions)).toMatchObject({ status: 'done' });
    await eventually(async () => (await agent.api<PositionsView>('GET', '/api/positions')).body.items.find((p) => p.accountId === account.id)?.quantity, (q) => q === '4');
    // The faults hit the alert's own read of the instrument (only planning reads it): a background read of the same
    // kind (the periodic reconciliation's, the stream's catch-up poll) must not take them first.
    const planningRead = { on: 'query', path: '/v2/assets/AAPL' } as const;
    fake.faults.failNext('rate_limit', { ...planningRead, retryAfterSeconds: 1 });
    const afterRateLimit = await run('{"ticker":"AAPL","action":"sell","quantity":2,"sentiment":"long","price":190}');
    expect(fake.faults.pending()).toBe(0); // the alert's read got the 429
    expect(afterRateLimit, JSON.stringify(afterRateLimit.decisions)).toMatchObject({ status: 'done' });
    expect(afterRateLimit.orders.map((o) => [o.side, o.quantity])).toEqual([['sell', '2']]);
    await eventually(async () => (await agent.api<PositionsView>('GET', '/api/positions')).body.items.find((p) => p.accountId === account.id)?.quantity, (q) => q === '2');
    fake.faults.failNext('server_error', { ...planningRead, status: 503 });
    const afterServerError = await run('{"ticker":"AAPL","action":"exit","price":190}');
    expect(fake.faults.pending()).toBe(0); // the alert's read got the 503
    expect(afterServerError, JSON.stringify(afterServerError.decisions)).toMatchObject({ status: 'done' });
    expect(afterServerError.orders.map((o) => [o.side, o.quantity])).toEqual([['sell', '2']]);
  });

  it('a read that times out while the alert is planned denies it for that account (nothing is sent); the next alert trades', async () => {
    const fake = await new FakeAlpaca({ ...ALPACA, prices: { AAPL: '190' } }).start();
    extraFakes.push(fake);
    const agent = await agentWith();
    const id = (await agent.api<AccountView>('POST', '/api/accounts', alpacaAccount(fake.baseUrl))).body.id;
    const strategy = (await agent.api<StrategyView>('POST', '/api/strategies', { name: 'Alpaca', accountIds: [id] })).body;
    fake.faults.failNext('timeout', { on: 'account' });

    const first = await agent.post(new URL(strategy.webhookUrl).pathname, '{"ticker":"AAPL","action":"buy","quantity":1,"price":190}');
    const denied = await eventually(async () => (await agent.api<SignalDetail>('GET', `/api/signals/${first.body.signalId as string}`)).body, settled, 4000);
    expect(denied).toMatchObject({ status: 'denied', code: 'BROKER_UNREACHABLE' });
    expect(denied.orders).toEqual([]);
    expect(fake.orders.size).toBe(0);

    const second = await agent.post(new URL(strategy.webhookUrl).pathname, '{"ticker":"AAPL","action":"buy","quantity":2,"price":190}');
    expect(second.body.signalId).not.toBe(first.body.signalId);
    const done = await eventually(async () => (await agent.api<SignalDetail>('GET', `/api/signals/${second.body.signalId as string}`)).body, settled, 4000);
    expect(done.status).toBe('done');
    expect(fake.orders.size).toBe(1);
    expect((await agent.api<AccountView>('GET', `/api/accounts/${id}`)).body.connected).toBe(true);
  });
});

describe('alerts for an account that is not connected (no keys, or its keychain was locked at start)', () => {
  it('are denied ACCOUNT_UNAVAILABLE for it, the detail naming the account by its name and id', async () => {
    const agent = await agentWith();
    const created = await agent.api<AccountView>('POST', '/api/accounts', { name: 'Alpaca locked', broker: 'alpaca', environment: 'paper', baseUrl: unreachable, config: ALPACA_CONFIG });
    expect(created.body).toMatchObject({ connected: false });
    const locked = created.body.id;
    const strategy = (await agent.api<StrategyView>('POST', '/api/strategies', { name: 'Locked', accountIds: [locked] })).body;
    const sent = await agent.post(new URL(strategy.webhookUrl).pathname, '{"ticker":"AAPL","action":"buy","quantity":1,"price":190}');
    expect(sent.status).toBe(202);
    const signal = await eventually(async () => (await agent.api<SignalDetail>('GET', `/api/signals/${sent.body.signalId as string}`)).body, settled, 8000);
    expect(signal).toMatchObject({ status: 'denied', code: 'ACCOUNT_UNAVAILABLE' });
    expect(signal.decisions).toEqual([expect.objectContaining({ accountId: locked, verdict: 'denied', code: 'ACCOUNT_UNAVAILABLE', detail: `ACCOUNT_UNAVAILABLE: account="Alpaca locked" (${locked})` })]);
  });
});

describe('approving an order for a broker that cannot be reached', () => {
  it('is refused with BROKER_UNREACHABLE, sends nothing, and the approval stays pending', async () => {
    const fake = await new FakeAlpaca({ ...ALPACA, prices: { AAPL: '190' } }).start();
    extraFakes.push(fake);
    const agent = await agentWith();
    const id = (await agent.api<AccountView>('POST', '/api/accounts', alpacaAccount(fake.baseUrl))).body.id;
    const strategy = (await agent.api<StrategyView>('POST', '/api/strategies', { name: 'Manual', accountIds: [id], config: { strategy: { approval: { mode: 'manual', timeoutSeconds: 60 } } } })).body;
    await agent.post(new URL(strategy.webhookUrl).pathname, '{"ticker":"AAPL","action":"buy","quantity":1,"price":190}');
    const [approval] = await eventually(async () => (await agent.api<{ items: ApprovalView[] }>('GET', '/api/approvals?status=pending')).body.items, (items) => items.length === 1);
    await fake.close();

    const refused = await agent.api<ErrorBody>('POST', `/api/approvals/${approval!.id}/approve`);
    expect([refused.status, refused.body.code]).toEqual([502, 'BROKER_UNREACHABLE']);
    expect(refused.body.message).toMatch(/stays pending/);
    expect(refused.body.message).toContain(`The broker of account "Alpaca paper" (${id}) could not be read`);
    expect((await agent.api<ApprovalView>('GET', `/api/approvals/${approval!.id}`)).body.status).toBe('pending');
    expect((await agent.api<{ items: OrderView[] }>('GET', '/api/orders')).body.items).toEqual([]);
  });

  it('is refused ACCOUNT_UNAVAILABLE naming the account when its keys were not available at start; it stays pending', async () => {
    const fake = await new FakeAlpaca({ ...ALPACA, prices: { AAPL: '190' } }).start();
    extraFakes.push(fake);
    const first = await agentWith();
    const id = (await first.api<AccountView>('POST', '/api/accounts', alpacaAccount(fake.baseUrl))).body.id;
    const strategy = (await first.api<StrategyView>('POST', '/api/strategies', { name: 'Manual', accountIds: [id], config: { strategy: { approval: { mode: 'manual', timeoutSeconds: 120 } } } })).body;
    await first.post(new URL(strategy.webhookUrl).pathname, '{"ticker":"AAPL","action":"buy","quantity":1,"price":190}');
    const [approval] = await eventually(async () => (await first.api<{ items: ApprovalView[] }>('GET', '/api/approvals?status=pending')).body.items, (items) => items.length === 1);
    const dataDir = first.dataDir;
    await first.stop();
    agents.splice(agents.indexOf(first), 1);

    const second = await agentWith(memoryVault(), dataDir); // an empty keychain: the account has no adapter
    const refused = await second.api<ErrorBody>('POST', `/api/approvals/${approval!.id}/approve`);
    expect([refused.status, refused.body.code]).toEqual([409, 'ACCOUNT_UNAVAILABLE']);
    expect(refused.body.message).toBe(`The account "Alpaca paper" (${id}) is not connected; nothing was sent.`);
    expect((await second.api<ApprovalView>('GET', `/api/approvals/${approval!.id}`)).body.status).toBe('pending');
  });
});
