// The CLI covers what the window can do (PRODUCT.md, "Interfaces"): strategies (add, show, update, a new webhook URL,
// delete), broker accounts (add with keys, replace keys, test, balance, delete), positions, the agent's status, one
// order or alert in full, and the live events. Through the real CLI in a child process against a running agent;
// keys and passphrases are read from stdin only and never appear in what the CLI prints.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeAlpaca } from './brokers/alpaca/fake-server.js';
import { memoryVault } from './test-support/memory-secret-store.js';
import { eventually, startTestAgent, type TestAgent } from './test-support/agent.js';
import { CLI_TEST_TIMEOUT_MS, cliCommand, runCli, runCliWithInput } from './test-support/cli.js';
import type { AccountView, OrderView, PositionsView, StrategyView } from '../shared/api-types.js';
import { spawn } from 'node:child_process';

const KEYS = { keyId: 'PKCLIRESOURCES000001', secretKey: 'cli-resources-alpaca-secret-01' };
const OTHER_KEYS = { keyId: 'PKCLIRESOURCES000002', secretKey: 'cli-resources-alpaca-secret-02' };
const PASSPHRASE = 'cli-passphrase-canary-01';

let agent: TestAgent;
let alpaca: FakeAlpaca;
let paperAccount: string;

beforeAll(async () => {
  alpaca = await new FakeAlpaca({ ...KEYS, prices: { AAPL: '190' } }).start();
  agent = await startTestAgent({}, { vault: memoryVault() });
  paperAccount = (await agent.api<{ items: AccountView[] }>('GET', '/api/accounts')).body.items[0]!.id;
});
afterAll(async () => {
  await agent.stop();
  await alpaca.close();
});

const noSecretIn = (...texts: string[]) => {
  for (const t of texts) for (const secret of [KEYS.keyId, KEYS.secretKey, OTHER_KEYS.keyId, OTHER_KEYS.secretKey, PASSPHRASE]) expect(t).not.toContain(secret);
};

describe('viewzenix accounts brokers', { timeout: CLI_TEST_TIMEOUT_MS }, () => {
  it('lists the brokers an account can use and the exchange ids a ccxt account takes, as text and as JSON', async () => {
    const text = await runCli(agent, 'accounts', 'brokers');
    expect(text.stderr).toBe('');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^brokers: paper, alpaca, oanda, ccxt\n/);
    expect(text.stdout).toMatch(/ccxt exchanges .*: .*\bbinance\b.*\bkraken\b/);
    const asJson = await runCli(agent, 'accounts', 'brokers', '--json');
    const parsed = JSON.parse(asJson.stdout) as { items: string[]; ccxtExchanges: string[] };
    expect(parsed.items).toEqual(['paper', 'alpaca', 'oanda', 'ccxt']);
    expect(parsed.ccxtExchanges).toEqual(expect.arrayContaining(['binance', 'okx', 'kraken']));
    expect((await runCli(agent, 'accounts', 'brokers', 'extra')).code).not.toBe(0);
  });
});

describe('viewzenix strategies', { timeout: CLI_TEST_TIMEOUT_MS }, () => {
  it('add, show, update (passphrase from stdin), webhook (a new URL) and delete act on the agent; list stays as it was', async () => {
    const add = await runCli(agent, 'strategies', 'add', '--name', 'Trend', '--account', paperAccount, '--config', '{"risk": {"maxOrderQuantity": "10"}}', '--json');
    expect(add.stderr).toBe('');
    expect(add.code).toBe(0);
    const created = JSON.parse(add.stdout) as StrategyView;
    expect(created).toMatchObject({ name: 'Trend', accountIds: [paperAccount], enabled: true, hasPassphrase: false, config: { risk: { maxOrderQuantity: '10' } } });
    expect(created.webhookUrl).toBe(`${agent.webhookBase}/webhook/${created.webhookId}`);
    expect((await agent.api<StrategyView>('GET', `/api/strategies/${created.id}`)).body.name).toBe('Trend');

    const show = await runCli(agent, 'strategies', 'show', created.id);
    expect([show.code, show.stderr]).toEqual([0, '']);
    expect(show.stdout).toContain(created.webhookUrl);

    const update = await runCliWithInput(agent, `${PASSPHRASE}\n`, 'strategies', 'update', created.id, '--passphrase', '--disable', '--name', 'Trend 2');
    expect([update.code, update.stderr]).toEqual([0, '']);
    noSecretIn(update.stdout, update.stderr);
    expect((await agent.api<StrategyView>('GET', `/api/strategies/${created.id}`)).body).toMatchObject({ name: 'Trend 2', enabled: false, hasPassphrase: true });
    // The passphrase works: an alert without it is refused, with it accepted (the strategy is off: still stored).
    await agent.api('PUT', `/api/strategies/${created.id}`, { enabled: true });
    expect((await agent.post(`/webhook/${created.webhookId}`, '{"ticker":"AAPL","action":"buy","quantity":1,"price":190}')).body).toMatchObject({ code: 'PASSPHRASE_MISSING' });
    expect((await agent.post(`/webhook/${created.webhookId}`, `{"ticker":"AAPL","action":"buy","quantity":1,"price":190,"passphrase":"${PASSPHRASE}"}`)).status).toBe(202);

    const rotate = await runCli(agent, 'strategies', 'webhook', created.id, '--json');
    expect(rotate.code).toBe(0);
    const rotated = JSON.parse(rotate.stdout) as StrategyView;
    expect(rotated.webhookId).not.toBe(created.webhookId);
    expect((await agent.post(`/webhook/${created.webhookId}`, '{}')).body).toMatchObject({ code: 'WEBHOOK_NOT_FOUND' });

    const list = await runCli(agent, 'strategies');
    expect(list.stdout.split('\n')[0]).toMatch(/^id +name +enabled +webhook URL$/);
    expect(list.stdout).toContain(rotated.webhookUrl);

    await eventually(async () => (await agent.api<{ items: { status: string }[] }>('GET', `/api/signals?strategyId=${created.id}`)).body.items, (items) => items.every((s) => s.status !== 'queued' && s.status !== 'processing'));
    const del = await runCli(agent, 'strategies', 'delete', created.id);
    expect([del.code, del.stderr]).toEqual([0, '']);
    expect((await agent.api('GET', `/api/strategies/${created.id}`)).status).toBe(404);
  });

  it('refuses a passphrase or a strategy change it cannot make with exit code 2 and the agent\'s code', async () => {
    const nothing = await runCli(agent, 'strategies', 'update', 'str_nope');
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toMatch(/Nothing to change/);
    const unknown = await runCli(agent, 'strategies', 'show', 'str_nope');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('NOT_FOUND: No strategy str_nope.');
    const missing = await runCli(agent, 'strategies', 'add', '--name', 'No account');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/needs --name and at least one --account/);
  });
});

describe('viewzenix accounts', { timeout: CLI_TEST_TIMEOUT_MS }, () => {
  it('add --credentials reads the keys from stdin and the broker accepts them; credentials ID replaces them; test, balance, show, delete', async () => {
    const add = await runCliWithInput(agent, JSON.stringify(KEYS), 'accounts', 'add', '--name', 'Alpaca paper', '--broker', 'alpaca', '--environment', 'paper', '--base-url', alpaca.baseUrl, '--config', '{"streaming": false, "pollIntervalMs": 600000}', '--credentials', '--json');
    expect(add.stderr).toBe('');
    expect(add.code).toBe(0);
    noSecretIn(add.stdout);
    const account = JSON.parse(add.stdout) as AccountView;
    expect(account).toMatchObject({ name: 'Alpaca paper', broker: 'alpaca', connected: true, credentials: { keyId: 'set', secretKey: 'set' } });

    const list = await runCli(agent, 'accounts');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`${account.id} +Alpaca paper +alpaca +paper +yes +keyId set, secretKey set`));
    noSecretIn(list.stdout);

    const test = await runCli(agent, 'accounts', 'test', account.id);
    expect([test.code, test.stderr]).toEqual([0, '']);
    expect(test.stdout).toMatch(/^ok: /);
    const balance = await runCli(agent, 'accounts', 'balance', account.id, '--json');
    expect(balance.code).toBe(0);
    expect(JSON.parse(balance.stdout)).toMatchObject({ accountId: account.id, currency: 'USD' });

    // Keys the broker refuses are not stored: the old ones stay, and the CLI exits 2 with the broker's code.
    const refused = await runCliWithInput(agent, JSON.stringify(OTHER_KEYS), 'accounts', 'credentials', account.id);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/BROKER_AUTH_FAILED/);
    noSecretIn(refused.stdout, refused.stderr);
    const replaced = await runCliWithInput(agent, JSON.stringify(KEYS), 'accounts', 'credentials', account.id);
    expect([replaced.code, replaced.stderr]).toEqual([0, '']);
    noSecretIn(replaced.stdout);

    const show = await runCli(agent, 'accounts', 'show', account.id);
    expect(show.stdout).toContain(`${account.id}  Alpaca paper  alpaca paper  connected`);

    const del = await runCli(agent, 'accounts', 'delete', account.id);
    expect([del.code, del.stderr]).toEqual([0, '']);
    expect((await agent.api('GET', `/api/accounts/${account.id}`)).status).toBe(404);
  });

  it('a key given on the command line, or stdin that is not a JSON object, is refused without being repeated, and nothing is created', async () => {
    const before = (await agent.api<{ items: AccountView[] }>('GET', '/api/accounts')).body.items.length;
    const onArgv = await runCli(agent, 'accounts', 'add', '--name', 'A', '--broker', 'alpaca', '--environment', 'paper', JSON.stringify(KEYS));
    expect(onArgv.code).toBe(2);
    expect(onArgv.stderr).toMatch(/not shown/);
    noSecretIn(onArgv.stdout, onArgv.stderr);
    const notJson = await runCliWithInput(agent, `keyId=${KEYS.keyId}`, 'accounts', 'add', '--name', 'A', '--broker', 'alpaca', '--environment', 'paper', '--credentials');
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(/not a JSON object/);
    noSecretIn(notJson.stdout, notJson.stderr);
    expect((await agent.api<{ items: AccountView[] }>('GET', '/api/accounts')).body.items).toHaveLength(before);
  });
});

describe('viewzenix positions, status, order show, signal show, events', { timeout: CLI_TEST_TIMEOUT_MS }, () => {
  it('events streams an alert\'s order and signal as they happen; positions, status, order show and signal show read them', async () => {
    // `viewzenix events --json` running while an alert is sent: one JSON object a line.
    const { argv } = cliCommand('events', '--json', '--type', 'signal', '--type', 'order', '--data-dir', agent.dataDir);
    const child = spawn(process.execPath, argv, { env: { ...process.env, VIEWZENIX_CONTROL_TOKEN: agent.token }, stdio: ['ignore', 'pipe', 'pipe'] });
    let streamed = '';
    child.stdout.on('data', (d: Buffer) => (streamed += d.toString()));
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      // The stream is open once an alert rejected at the webhook (an empty one: stored, never traded) shows in it;
      // until then an alert's events would be missed.
      const demoPath = new URL(agent.demoWebhookUrl!).pathname;
      await eventually(
        async () => {
          await agent.post(demoPath, '');
          await new Promise((r) => setTimeout(r, 300));
          return streamed;
        },
        (text) => text.includes('"status":"rejected"'),
        60_000,
      );
      expect(streamed).toContain('"code":"EMPTY_BODY"');
      const sent = await agent.post(demoPath, '{"ticker":"MSFT","action":"buy","quantity":2,"price":400}');
      expect(sent.status).toBe(202);
      const signalId = sent.body.signalId as string;
      const lines = await eventually(
        async () => streamed.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; signal?: { id: string; status: string }; order?: OrderView }),
        (events) => events.some((e) => e.type === 'signal' && e.signal?.id === signalId),
      );
      expect(lines.every((e) => e.type === 'signal' || e.type === 'order')).toBe(true);
      const order = lines.find((e) => e.type === 'order' && e.order?.signalId === signalId)?.order;
      expect(order).toBeDefined();
      expect(lines.find((e) => e.type === 'signal' && e.signal?.id === signalId)?.signal).toMatchObject({ id: signalId, status: 'done' });

      const shown = await runCli(agent, 'order', 'show', order!.id);
      expect([shown.code, shown.stderr]).toEqual([0, '']);
      expect(JSON.parse(shown.stdout)).toMatchObject({ id: order!.id, symbol: 'MSFT', events: expect.any(Array), fills: expect.any(Array) });
      const signal = await runCli(agent, 'signal', 'show', signalId);
      expect([signal.code, signal.stderr]).toEqual([0, '']);
      expect(JSON.parse(signal.stdout)).toMatchObject({ id: signalId, status: 'done', decisions: expect.any(Array), orders: [expect.objectContaining({ id: order!.id })] });

      await eventually(async () => (await agent.api<PositionsView>('GET', '/api/positions')).body, (p) => p.items.some((i) => i.symbol === 'MSFT'));
      const positions = await runCli(agent, 'positions');
      expect([positions.code, positions.stderr]).toEqual([0, '']);
      expect(positions.stdout).toMatch(new RegExp(`${paperAccount} +MSFT +2 +400`));
      const json = await runCli(agent, 'positions', '--json');
      expect((JSON.parse(json.stdout) as PositionsView).items).toEqual(expect.arrayContaining([expect.objectContaining({ accountId: paperAccount, symbol: 'MSFT', quantity: '2' })]));

      const status = await runCli(agent, 'status', '--json');
      expect(status.code).toBe(0);
      expect(JSON.parse(status.stdout)).toMatchObject({ pid: process.pid, webhookPort: agent.info.webhookPort, controlPort: agent.info.controlPort });
    } finally {
      child.kill();
      await closed;
    }
  });

  it('an order or alert that does not exist is NOT_FOUND naming it, exit code 2', async () => {
    const order = await runCli(agent, 'order', 'show', 'ord_nope');
    expect(order.code).toBe(2);
    expect(order.stderr).toContain('NOT_FOUND: No order ord_nope.');
    const signal = await runCli(agent, 'signal', 'show', 'sig_nope');
    expect(signal.code).toBe(2);
    expect(signal.stderr).toContain('NOT_FOUND: No signal sig_nope.');
  });
});

describe('viewzenix notify set', { timeout: CLI_TEST_TIMEOUT_MS }, () => {
  it('saves a channel\'s whole settings as the window does; settings that are not a JSON object, or that the agent refuses, exit 2', async () => {
    const set = await runCli(agent, 'notify', 'set', 'slack', '{"enabled": false, "events": ["fill", "halt"], "perMinute": 9}');
    expect([set.code, set.stderr]).toEqual([0, '']);
    const { config } = (await agent.api<{ config: Record<string, unknown> }>('GET', '/api/notifications')).body;
    expect(config.slack).toMatchObject({ enabled: false, events: ['fill', 'halt'], perMinute: 9 });

    const notJson = await runCli(agent, 'notify', 'set', 'slack', 'enabled=true');
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(/must be a JSON object/);
    const refused = await runCli(agent, 'notify', 'set', 'slack', '{"enabled": true, "events": ["fill"], "colour": "red"}');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/VALIDATION_FAILED/);
    expect((await agent.api<{ config: Record<string, unknown> }>('GET', '/api/notifications')).body.config.slack).toMatchObject({ enabled: false, perMinute: 9 });
  });
});

describe('viewzenix orders and signals filters', { timeout: CLI_TEST_TIMEOUT_MS }, () => {
  it('--symbol, --status, --account and --strategy narrow the lists as the window\'s filters do; a value is one value', async () => {
    const demoPath = new URL(agent.demoWebhookUrl!).pathname;
    const a = await agent.post(demoPath, '{"ticker":"NVDA","action":"buy","quantity":1,"price":100}');
    const b = await agent.post(demoPath, '{"ticker":"AMD","action":"buy","quantity":1,"price":100}');
    expect([a.status, b.status]).toEqual([202, 202]);
    await eventually(async () => (await agent.api<{ items: OrderView[] }>('GET', '/api/orders?status=filled')).body.items, (items) => ['NVDA', 'AMD'].every((s) => items.some((o) => o.symbol === s)));

    const nvda = await runCli(agent, 'orders', '--symbol', 'NVDA', '--status', 'filled', '--account', paperAccount, '--json');
    expect([nvda.code, nvda.stderr]).toEqual([0, '']);
    const items = JSON.parse(nvda.stdout) as OrderView[];
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((o) => o.symbol === 'NVDA' && o.status === 'filled' && o.accountId === paperAccount)).toBe(true);
    // `&` inside a value is part of it (no order has that symbol), not a second parameter that lifts the filter.
    const injected = await runCli(agent, 'orders', '--symbol', 'NVDA&symbol=AMD', '--json');
    expect(JSON.parse(injected.stdout)).toEqual([]);

    const strategyId = (await agent.api<{ items: StrategyView[] }>('GET', '/api/strategies')).body.items[0]!.id;
    await agent.post(demoPath, '');
    const rejected = await runCli(agent, 'signals', '--status', 'rejected', '--strategy', strategyId, '--json');
    expect([rejected.code, rejected.stderr]).toEqual([0, '']);
    const signals = JSON.parse(rejected.stdout) as { status: string; strategyId: string }[];
    expect(signals.length).toBeGreaterThan(0);
    expect(signals.every((s) => s.status === 'rejected' && s.strategyId === strategyId)).toBe(true);

    const bad = await runCli(agent, 'orders', '--status', 'nonsense');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/VALIDATION_FAILED: status must be one of/);
  });
});
