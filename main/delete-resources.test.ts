// Deleting a strategy or a broker account through the control API (DELETE /api/strategies/:id, /api/accounts/:id):
// every refusal answers its code with a message saying what to do and changes nothing; a delete removes what the
// agent runs on (the webhook URL, the adapter, the keys in the vault, the account's own trading state) and keeps
// the history (signals, orders, fills, paper books). Real agents, the real paper broker, and the Alpaca fake.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from 'decimal.js';
import { FakeAlpaca } from './brokers/alpaca/fake-server.js';
import type { Vault } from './secrets/index.js';
import { memoryVault } from './test-support/memory-secret-store.js';
import { builtWebhookThreadEntry, eventually, settledSignal, startTestAgent, type TestAgent } from './test-support/agent.js';
import type { AccountView, ApprovalView, OrderView, PositionsView, SignalView, StrategyView, TradingStateView } from '../shared/api-types.js';

const ALPACA = { keyId: 'PKDELETETEST00000001', secretKey: 'delete-test-alpaca-secret-0001' };
/** No stream and no polling within a test; a timeout longer than the slow fake's answers. */
const ALPACA_CONFIG = { streaming: false, pollIntervalMs: 600_000, timeoutMs: 10_000, risk: { enforceMarketHours: false } };

type ErrorBody = { status: string; code: string; message: string; fix?: string };
type Deleted = { id: string; deleted: boolean };

let alpaca: FakeAlpaca;
const agents: TestAgent[] = [];
const extraFakes: FakeAlpaca[] = [];

beforeAll(async () => {
  alpaca = await new FakeAlpaca({ ...ALPACA, prices: { AAPL: '190' } }).start();
});
afterEach(async () => {
  for (const a of agents.splice(0)) await a.stop();
  for (const f of extraFakes.splice(0)) await f.close().catch(() => undefined);
  alpaca.faults.clear();
  alpaca.positions.clear();
});
afterAll(async () => {
  await alpaca.close();
});

async function agentWith(vault: Vault = memoryVault()): Promise<TestAgent> {
  const agent = await startTestAgent({}, { vault });
  agents.push(agent);
  return agent;
}

let alertSeq = 0;
const alert = (fields: Record<string, unknown>) => JSON.stringify({ quantity: 1, price: 100, ...fields, id: `del-${++alertSeq}-${Date.now()}` });

const accounts = async (a: TestAgent) => (await a.api<{ items: AccountView[] }>('GET', '/api/accounts')).body.items;
const strategies = async (a: TestAgent) => (await a.api<{ items: StrategyView[] }>('GET', '/api/strategies')).body.items;
const positions = async (a: TestAgent) => (await a.api<PositionsView>('GET', '/api/positions')).body;
const orders = async (a: TestAgent, q: string) => (await a.api<{ items: OrderView[] }>('GET', `/api/orders?${q}`)).body.items;
const auditDeletes = (a: TestAgent, table: string, rowId: string) => (a.db.prepare("SELECT count(*) AS n FROM audit_log WHERE tbl = ? AND row_id = ? AND op = 'delete'").get(table, rowId) as { n: number }).n;

/** The seeded paper account and demo strategy. */
async function demo(a: TestAgent): Promise<{ accountId: string; strategy: StrategyView }> {
  const [account] = await accounts(a);
  const [strategy] = await strategies(a);
  return { accountId: account!.id, strategy: strategy! };
}

/** Sends an alert to a strategy and waits until the worker is done with it. */
async function send(a: TestAgent, webhookId: string, fields: Record<string, unknown>): Promise<SignalView> {
  const r = await a.post(`/webhook/${webhookId}`, alert(fields));
  expect(r.status).toBe(202);
  return settledSignal<SignalView>(a, r.body.signalId as string);
}

async function paperAccount(a: TestAgent, name: string): Promise<string> {
  const r = await a.api<AccountView>('POST', '/api/accounts', { name, broker: 'paper', environment: 'paper' });
  expect(r.status).toBe(201);
  return r.body.id;
}

async function createStrategy(a: TestAgent, name: string, accountIds: string[], config: Record<string, unknown> = {}): Promise<StrategyView> {
  const r = await a.api<StrategyView>('POST', '/api/strategies', { name, accountIds, config });
  expect(r.status).toBe(201);
  return r.body;
}

async function alpacaAccount(a: TestAgent, baseUrl: string, name = 'Alpaca paper'): Promise<string> {
  const r = await a.api<AccountView>('POST', '/api/accounts', { name, broker: 'alpaca', environment: 'paper', baseUrl, credentials: ALPACA, config: ALPACA_CONFIG });
  expect(r.status).toBe(201);
  return r.body.id;
}

const vaultNamesOf = async (a: TestAgent, accountId: string) => (await a.vault.list()).filter((n) => n.startsWith(`broker:${accountId}:`)).sort();

describe('DELETE /api/strategies/:id', () => {
  it('answers 404 NOT_FOUND for a strategy that does not exist', async () => {
    const a = await agentWith();
    const r = await a.api<ErrorBody>('DELETE', '/api/strategies/str_nope');
    expect([r.status, r.body.status, r.body.code]).toEqual([404, 'error', 'NOT_FOUND']);
    expect(await strategies(a)).toHaveLength(1);
  });

  it('deletes it: 200 {id, deleted}, its webhook URL answers 404 WEBHOOK_NOT_FOUND at once, its history and the position at the broker stay, the audit trail has the delete', async () => {
    const a = await agentWith();
    const { accountId, strategy } = await demo(a);
    // The listener has looked the strategy up (and cached it) before the delete.
    const bought = await send(a, strategy.webhookId, { ticker: 'AAPL', action: 'buy' });
    expect(bought.status).toBe('done');
    expect(await orders(a, `strategyId=${strategy.id}`)).toMatchObject([{ status: 'filled', accountId }]);

    const r = await a.api<Deleted>('DELETE', `/api/strategies/${strategy.id}`);
    expect([r.status, r.body]).toEqual([200, { id: strategy.id, deleted: true }]);

    const late = await a.post(`/webhook/${strategy.webhookId}`, alert({ ticker: 'AAPL', action: 'buy' }));
    expect([late.status, late.body.code]).toEqual([404, 'WEBHOOK_NOT_FOUND']);
    expect((await a.api('GET', `/api/strategies/${strategy.id}`)).status).toBe(404);
    expect(await strategies(a)).toEqual([]);
    // History stays with the strategy's id; nothing at the broker changed.
    expect((await a.api<{ items: SignalView[] }>('GET', `/api/signals?strategyId=${strategy.id}`)).body.items.map((s) => s.id)).toEqual([bought.id]);
    expect(await orders(a, `strategyId=${strategy.id}`)).toMatchObject([{ status: 'filled', symbol: 'AAPL' }]);
    expect((await positions(a)).items).toMatchObject([{ accountId, symbol: 'AAPL', quantity: '1' }]);
    expect((await accounts(a)).map((x) => x.id)).toEqual([accountId]);
    // Its account links went with it (cascade), and the audit trail recorded both deletes.
    expect((a.db.prepare('SELECT count(*) AS n FROM strategy_accounts WHERE strategy_id = ?').get(strategy.id) as { n: number }).n).toBe(0);
    expect(auditDeletes(a, 'strategies', strategy.id)).toBe(1);
    expect(auditDeletes(a, 'strategy_accounts', `${strategy.id}:${accountId}`)).toBe(1);

    const again = await a.api<ErrorBody>('DELETE', `/api/strategies/${strategy.id}`);
    expect([again.status, again.body.code]).toEqual([404, 'NOT_FOUND']);
  });

  it('with the webhook listener in its own thread, the deleted strategy\'s URL answers 404 WEBHOOK_NOT_FOUND at once too', async () => {
    const a = await startTestAgent({}, { vault: memoryVault(), webhookThread: true, webhookThreadEntry: builtWebhookThreadEntry() });
    agents.push(a);
    expect(a.webhookMode).toBe('thread');
    const { strategy } = await demo(a);
    expect((await send(a, strategy.webhookId, { ticker: 'AAPL', action: 'buy' })).status).toBe('done'); // cached in the thread
    expect((await a.api<Deleted>('DELETE', `/api/strategies/${strategy.id}`)).body).toEqual({ id: strategy.id, deleted: true });
    const late = await a.post(`/webhook/${strategy.webhookId}`, alert({ ticker: 'AAPL', action: 'buy' }));
    expect([late.status, late.body.code]).toEqual([404, 'WEBHOOK_NOT_FOUND']);
  });

  it('is refused 409 CONFLICT while its orders wait for manual approval, and deleted once they are decided', async () => {
    const a = await agentWith();
    const { accountId } = await demo(a);
    const manual = await createStrategy(a, 'Manual', [accountId], { strategy: { approval: { mode: 'manual', timeoutSeconds: 600 } } });
    await send(a, manual.webhookId, { ticker: 'AAPL', action: 'buy' });
    const pending = (await a.api<{ items: ApprovalView[] }>('GET', '/api/approvals?status=pending')).body.items;
    expect(pending).toHaveLength(1);

    const refused = await a.api<ErrorBody>('DELETE', `/api/strategies/${manual.id}`);
    expect([refused.status, refused.body.code]).toEqual([409, 'CONFLICT']);
    expect(refused.body.message).toMatch(/"Manual".*1 of its orders waits for manual approval.*approve or reject/i);
    expect((await a.api<StrategyView>('GET', `/api/strategies/${manual.id}`)).body.webhookId).toBe(manual.webhookId);
    expect(auditDeletes(a, 'strategies', manual.id)).toBe(0);

    expect((await a.api('POST', `/api/approvals/${pending[0]!.id}/reject`, {})).status).toBe(200);
    const r = await a.api<Deleted>('DELETE', `/api/strategies/${manual.id}`);
    expect([r.status, r.body]).toEqual([200, { id: manual.id, deleted: true }]);
    expect((await a.post(`/webhook/${manual.webhookId}`, alert({ ticker: 'AAPL', action: 'buy' }))).body.code).toBe('WEBHOOK_NOT_FOUND');
  });

  it('is refused 409 CONFLICT while one of its alerts is being processed, and deleted once the alert is done', async () => {
    const a = await agentWith();
    const accountId = await alpacaAccount(a, alpaca.baseUrl);
    const s = await createStrategy(a, 'Slow broker', [accountId]);
    alpaca.faults.latencyMs = 1_500; // every broker answer takes a while: the alert stays in the worker meanwhile
    const posted = await a.post(`/webhook/${s.webhookId}`, alert({ ticker: 'AAPL', action: 'buy', price: 190 }));
    expect(posted.status).toBe(202);
    const signalId = posted.body.signalId as string;
    const busy = await eventually(async () => (await a.api<SignalView>('GET', `/api/signals/${signalId}`)).body, (x) => x.status === 'processing');
    expect(busy.status).toBe('processing');

    const refused = await a.api<ErrorBody>('DELETE', `/api/strategies/${s.id}`);
    expect([refused.status, refused.body.code]).toEqual([409, 'CONFLICT']);
    expect(refused.body.message).toMatch(/1 of its alerts is still queued or being processed.*wait for them to finish/i);
    expect((await strategies(a)).map((x) => x.id)).toContain(s.id);

    alpaca.faults.latencyMs = 0;
    await settledSignal(a, signalId, 30_000);
    const r = await a.api<Deleted>('DELETE', `/api/strategies/${s.id}`);
    expect([r.status, r.body]).toEqual([200, { id: s.id, deleted: true }]);
    expect((await strategies(a)).map((x) => x.id)).not.toContain(s.id);
  });
});

describe('DELETE /api/accounts/:id', () => {
  it('answers 404 NOT_FOUND for an account that does not exist, and 400 VALIDATION_FAILED for a force that is not true or false', async () => {
    const a = await agentWith();
    const { accountId } = await demo(a);
    const r = await a.api<ErrorBody>('DELETE', '/api/accounts/acc_nope');
    expect([r.status, r.body.code]).toEqual([404, 'NOT_FOUND']);
    const bad = await a.api<ErrorBody>('DELETE', `/api/accounts/${accountId}?force=yes`);
    expect([bad.status, bad.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect((await accounts(a)).map((x) => x.id)).toEqual([accountId]);
  });

  it('is refused 409 CONFLICT while strategies trade it, naming them', async () => {
    const a = await agentWith();
    const { accountId, strategy } = await demo(a);
    const second = await createStrategy(a, 'Second', [accountId]);
    const r = await a.api<ErrorBody>('DELETE', `/api/accounts/${accountId}`);
    expect([r.status, r.body.code]).toEqual([409, 'CONFLICT']);
    expect(r.body.message).toContain(`"Demo strategy" (${strategy.id})`);
    expect(r.body.message).toContain(`"Second" (${second.id})`);
    expect(r.body.message).toMatch(/remove the account from them or delete them first/);
    expect((await accounts(a)).map((x) => x.id)).toEqual([accountId]);
    expect((await strategies(a)).every((s) => s.accountIds.includes(accountId))).toBe(true);
  });

  it('is refused 409 CONFLICT while an order of it is not final; deleted once the order is canceled, its orders staying', async () => {
    const a = await agentWith();
    const { accountId: demoAccount } = await demo(a);
    const p2 = await paperAccount(a, 'Paper 2');
    const s = await createStrategy(a, 'Limits', [p2]);
    // A limit buy below the market rests at the paper broker: accepted, not final.
    await send(a, s.webhookId, { ticker: 'AAPL', action: 'buy', orderType: 'limit', limitPrice: 98, price: 100 });
    const [resting] = await orders(a, `accountId=${p2}`);
    expect(resting).toMatchObject({ status: 'accepted', symbol: 'AAPL' });
    // No strategy trades the account any more; its order still works.
    expect((await a.api('PUT', `/api/strategies/${s.id}`, { accountIds: [demoAccount] })).status).toBe(200);

    const refused = await a.api<ErrorBody>('DELETE', `/api/accounts/${p2}`);
    expect([refused.status, refused.body.code]).toEqual([409, 'CONFLICT']);
    expect(refused.body.message).toContain(`${resting!.id} AAPL accepted`);
    expect(refused.body.message).toMatch(/cancel it \(or flatten the account\)/);
    expect((await accounts(a)).map((x) => x.id)).toContain(p2);

    expect((await a.api('POST', '/api/flatten', { accountId: p2 })).status).toBe(200);
    await eventually(() => orders(a, `accountId=${p2}`), (o) => o[0]?.status === 'canceled');
    const r = await a.api<Deleted>('DELETE', `/api/accounts/${p2}`);
    expect([r.status, r.body]).toEqual([200, { id: p2, deleted: true }]);
    expect((await accounts(a)).map((x) => x.id)).toEqual([demoAccount]);
    expect(await orders(a, `accountId=${p2}`)).toMatchObject([{ id: resting!.id, status: 'canceled' }]);
  });

  it('is refused 409 CONFLICT while approvals for it are pending; deleted once they are decided', async () => {
    const a = await agentWith();
    const { accountId: demoAccount } = await demo(a);
    const p2 = await paperAccount(a, 'Paper 2');
    const manual = await createStrategy(a, 'Manual', [p2], { strategy: { approval: { mode: 'manual', timeoutSeconds: 600 } } });
    await send(a, manual.webhookId, { ticker: 'AAPL', action: 'buy' });
    const [pending] = (await a.api<{ items: ApprovalView[] }>('GET', '/api/approvals?status=pending')).body.items;
    expect(pending).toMatchObject({ accountId: p2, status: 'pending' });
    expect((await a.api('PUT', `/api/strategies/${manual.id}`, { accountIds: [demoAccount] })).status).toBe(200);

    const refused = await a.api<ErrorBody>('DELETE', `/api/accounts/${p2}`);
    expect([refused.status, refused.body.code]).toEqual([409, 'CONFLICT']);
    expect(refused.body.message).toMatch(/1 of its orders waits for manual approval: approve or reject it/);
    expect((await accounts(a)).map((x) => x.id)).toContain(p2);

    expect((await a.api('POST', `/api/approvals/${pending!.id}/reject`, {})).status).toBe(200);
    const r = await a.api<Deleted>('DELETE', `/api/accounts/${p2}`);
    expect([r.status, r.body]).toEqual([200, { id: p2, deleted: true }]);
    expect((await accounts(a)).map((x) => x.id)).toEqual([demoAccount]);
  });

  it('the paper account is refused 409 CONFLICT while its books hold a position; once flattened it is deleted with its own trading state and reconciliation cursor, its history and books staying', async () => {
    const a = await agentWith();
    const { accountId, strategy } = await demo(a);
    expect((await send(a, strategy.webhookId, { ticker: 'AAPL', action: 'buy' })).status).toBe('done');
    expect((await a.api('DELETE', `/api/strategies/${strategy.id}`)).status).toBe(200);

    const refused = await a.api<ErrorBody>('DELETE', `/api/accounts/${accountId}`);
    expect([refused.status, refused.body.code]).toEqual([409, 'CONFLICT']);
    expect(refused.body.message).toContain('open positions at the broker (AAPL 1)');
    expect(refused.body.message).toContain(`POST /api/flatten with {"accountId": "${accountId}"}`);
    // `force` only skips a check that cannot be made: a position the broker shows always refuses.
    expect((await a.api<ErrorBody>('DELETE', `/api/accounts/${accountId}?force=true`)).status).toBe(409);
    expect((await accounts(a)).map((x) => x.id)).toEqual([accountId]);
    expect((await positions(a)).items).toMatchObject([{ accountId, symbol: 'AAPL', quantity: '1' }]);

    expect((await a.api('POST', '/api/flatten', { accountId })).status).toBe(200);
    await eventually(() => positions(a), (p) => p.items.length === 0);
    expect((await a.api('PUT', '/api/trading-state', { state: 'halted', reason: 'before the delete', accountId })).status).toBe(200);
    expect((await a.api<TradingStateView>('GET', '/api/trading-state')).body.accounts[accountId]).toMatchObject({ state: 'halted' });
    // Its reconciliation cursor and baseline, and a trade placed by hand that was counted into the baseline.
    expect((await a.api('POST', '/api/reconcile')).status).toBe(200);
    a.db.prepare('INSERT INTO external_fills (account_id, trade_id) VALUES (?, ?)').run(accountId, 'by-hand-1');
    const reconcileRows = () => [
      (a.db.prepare('SELECT count(*) AS n FROM reconcile_state WHERE account_id = ?').get(accountId) as { n: number }).n,
      (a.db.prepare('SELECT count(*) AS n FROM external_fills WHERE account_id = ?').get(accountId) as { n: number }).n,
    ];
    expect(reconcileRows()).toEqual([1, 1]);

    const r = await a.api<Deleted>('DELETE', `/api/accounts/${accountId}`);
    expect([r.status, r.body]).toEqual([200, { id: accountId, deleted: true }]);
    expect(await accounts(a)).toEqual([]);
    expect((await a.api('GET', `/api/accounts/${accountId}`)).status).toBe(404);
    expect(await positions(a)).toEqual({ items: [], errors: [], days: [] });
    expect((await a.api<TradingStateView>('GET', '/api/trading-state')).body.accounts).toEqual({});
    expect(((await a.api<{ tradingState: TradingStateView }>('GET', '/api/status')).body.tradingState.accounts)).toEqual({});
    expect((await a.api<{ reports: { accountId: string }[] }>('POST', '/api/reconcile')).body.reports.map((x) => x.accountId)).not.toContain(accountId);
    // Its cursor went with it: the same id imported again is reconciled afresh, not against the deleted one's baseline.
    expect(reconcileRows()).toEqual([0, 0]);
    // History stays: the buy and the flatten's sell, their fills, the paper books.
    expect((await orders(a, `accountId=${accountId}`)).map((o) => [o.side, o.status]).sort()).toEqual([['buy', 'filled'], ['sell', 'filled']]);
    expect((a.db.prepare('SELECT count(*) AS n FROM fills WHERE account_id = ?').get(accountId) as { n: number }).n).toBe(2);
    expect((a.db.prepare('SELECT count(*) AS n FROM paper_accounts WHERE account_id = ?').get(accountId) as { n: number }).n).toBe(1);
    expect(auditDeletes(a, 'accounts', accountId)).toBe(1);
    expect(auditDeletes(a, 'trading_state', accountId)).toBe(1);
    // A flatten of it now is a mistyped account.
    expect((await a.api<ErrorBody>('POST', '/api/flatten', { accountId })).body.code).toBe('NOT_FOUND');
  });

  it('an Alpaca account is refused 409 CONFLICT while it holds a position; once closed it is deleted: its keys leave the vault, it leaves the accounts, positions and reconciliation', async () => {
    const a = await agentWith();
    const accountId = await alpacaAccount(a, alpaca.baseUrl);
    expect(await vaultNamesOf(a, accountId)).toEqual([`broker:${accountId}:keyId`, `broker:${accountId}:secretKey`]);
    alpaca.positions.set('AAPL', { qty: new Decimal(5), cost: new Decimal(950) });

    const refused = await a.api<ErrorBody>('DELETE', `/api/accounts/${accountId}`);
    expect([refused.status, refused.body.code]).toEqual([409, 'CONFLICT']);
    expect(refused.body.message).toContain('(AAPL 5)');
    expect((await accounts(a)).map((x) => x.id)).toContain(accountId);
    expect(await vaultNamesOf(a, accountId)).toHaveLength(2);

    alpaca.positions.delete('AAPL'); // closed at the broker
    const r = await a.api<Deleted>('DELETE', `/api/accounts/${accountId}`);
    expect([r.status, r.body]).toEqual([200, { id: accountId, deleted: true }]);
    expect(await vaultNamesOf(a, accountId)).toEqual([]);
    expect((await a.api<{ items: { name: string }[] }>('GET', '/api/credentials')).body.items.filter((x) => x.name.includes(accountId))).toEqual([]);
    expect((await accounts(a)).map((x) => x.id)).not.toContain(accountId);
    const p = await positions(a);
    expect([...p.items, ...p.errors].filter((x) => x.accountId === accountId)).toEqual([]);
    const reports = (await a.api<{ reports: { accountId: string }[] }>('POST', '/api/reconcile')).body.reports;
    expect(reports.map((x) => x.accountId)).not.toContain(accountId);
    expect(reports.length).toBeGreaterThan(0); // the paper account is still reconciled
  });

  it('an Alpaca account whose broker cannot be reached is refused 502 BROKER_UNREACHABLE, and deleted with ?force=true', async () => {
    const a = await agentWith();
    const gone = await new FakeAlpaca({ ...ALPACA }).start();
    extraFakes.push(gone);
    const accountId = await alpacaAccount(a, gone.baseUrl, 'Alpaca gone');
    await gone.close();

    const refused = await a.api<ErrorBody>('DELETE', `/api/accounts/${accountId}`);
    expect([refused.status, refused.body.code]).toEqual([502, 'BROKER_UNREACHABLE']);
    expect(refused.body.message).toMatch(/positions could not be read.*\?force=true/);
    expect(JSON.stringify(refused.body)).not.toContain(ALPACA.secretKey);
    expect((await accounts(a)).map((x) => x.id)).toContain(accountId);
    expect(await vaultNamesOf(a, accountId)).toHaveLength(2);

    const forced = await a.api<Deleted>('DELETE', `/api/accounts/${accountId}?force=true`);
    expect([forced.status, forced.body]).toEqual([200, { id: accountId, deleted: true }]);
    expect((await accounts(a)).map((x) => x.id)).not.toContain(accountId);
    expect(await vaultNamesOf(a, accountId)).toEqual([]);
    const p = await positions(a);
    expect([...p.items, ...p.errors].filter((x) => x.accountId === accountId)).toEqual([]);
  });

  it('an account that is not connected (no keys yet) is refused 409 ACCOUNT_UNAVAILABLE, and deleted with ?force=true', async () => {
    const a = await agentWith();
    const created = await a.api<AccountView>('POST', '/api/accounts', { name: 'No keys', broker: 'alpaca', environment: 'paper', baseUrl: alpaca.baseUrl, config: ALPACA_CONFIG });
    expect([created.status, created.body.connected]).toEqual([201, false]);
    const id = created.body.id;

    const refused = await a.api<ErrorBody>('DELETE', `/api/accounts/${id}`);
    expect([refused.status, refused.body.code]).toEqual([409, 'ACCOUNT_UNAVAILABLE']);
    expect(refused.body.message).toMatch(/not connected.*\?force=true/);
    expect((await accounts(a)).map((x) => x.id)).toContain(id);

    const forced = await a.api<Deleted>('DELETE', `/api/accounts/${id}?force=true`);
    expect([forced.status, forced.body]).toEqual([200, { id, deleted: true }]);
    expect((await accounts(a)).map((x) => x.id)).not.toContain(id);
  });
});
