// Config import through a running agent: a strategy imported with manual approval and long-only (in the shape
// the agent exports, or the flat shape of earlier files) holds its orders and refuses a short exactly like one
// created through the API; export → import round-trips; and an import cannot move a running account to
// another broker or environment.
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, listenEvents, startTestAgent, type TestAgent } from '../test-support/agent.js';
import type { AccountView, ApprovalView, OrderView, PositionView, StrategyView } from '../../shared/api-types.js';
import type { ConfigSnapshot, ImportPlan } from './config-io.js';

type SignalDetail = { status: string; decisions: { accountId: string; verdict: string; code?: string }[] };
type ErrorBody = { code: string; errors?: { path: string; message: string }[] };

let agent: TestAgent | undefined;
afterEach(async () => {
  await agent?.stop();
  agent = undefined;
});

const MANUAL_LONG_ONLY = { approval: { mode: 'manual', timeoutSeconds: 600 }, sides: 'long' } as const;

/** What the strategy does with a buy and a sell while flat: the buy's pending approval, the sell's decision. */
async function behaviour(a: TestAgent, strategyId: string, tag: string) {
  const s = (await a.api<StrategyView>('GET', `/api/strategies/${strategyId}`)).body;
  const buy = await a.post(`/webhook/${s.webhookId}`, JSON.stringify({ ticker: 'ORCL', action: 'buy', quantity: 1, price: 100, id: `${tag}-buy` }));
  const sell = await a.post(`/webhook/${s.webhookId}`, JSON.stringify({ ticker: 'IBM', action: 'sell', quantity: 1, price: 100, id: `${tag}-sell` }));
  expect([buy.status, sell.status]).toEqual([202, 202]);
  const detail = (id: unknown) => eventually(async () => (await a.api<SignalDetail>('GET', `/api/signals/${String(id)}`)).body, (x) => x.status !== 'queued' && x.status !== 'processing');
  const [b, sl] = [await detail(buy.body.signalId), await detail(sell.body.signalId)];
  const pending = (await a.api<{ items: ApprovalView[] }>('GET', '/api/approvals?status=pending')).body.items.filter((x) => x.signalId === buy.body.signalId);
  return {
    buy: { status: b.status, pending: pending.map((p) => ({ symbol: p.symbol, side: p.side, status: p.status })) },
    sell: { status: sl.status, decisions: sl.decisions.map((d) => ({ verdict: d.verdict, code: d.code })) },
  };
}

describe('an imported strategy behaves like one created through the API', () => {
  it('manual approval + long-only: the buy is held for approval and the sell is denied SIDE_NOT_ALLOWED, from the exported shape and from the flat shape of earlier files alike', async () => {
    agent = await startTestAgent();
    const a = agent;
    const acc = (await a.api<{ items: AccountView[] }>('GET', '/api/accounts')).body.items[0]!.id;
    const viaApi = await a.api<StrategyView>('POST', '/api/strategies', { name: 'API manual', accountIds: [acc], config: { strategy: MANUAL_LONG_ONLY } });
    expect(viaApi.status).toBe(201);

    const file: ConfigSnapshot = {
      format: 'viewzenix-config',
      version: 1,
      exportedAt: new Date().toISOString(),
      accounts: [],
      settings: {},
      strategies: [
        { id: 'str_imported_nested', name: 'Imported nested', enabled: true, accountIds: [acc], config: { strategy: MANUAL_LONG_ONLY } },
        { id: 'str_imported_flat', name: 'Imported flat', enabled: true, accountIds: [acc], config: { ...MANUAL_LONG_ONLY } },
      ],
    };
    const imported = await a.api<ImportPlan>('POST', '/api/config/import?dryRun=false', file);
    expect(imported.status).toBe(200);
    expect(imported.body).toMatchObject({ applied: true, summary: { add: 2 } });

    const expected = {
      buy: { status: 'done', pending: [{ symbol: 'ORCL', side: 'buy', status: 'pending' }] },
      sell: { status: 'denied', decisions: [{ verdict: 'denied', code: 'SIDE_NOT_ALLOWED' }] },
    };
    expect(await behaviour(a, viaApi.body.id, 'api')).toEqual(expected);
    expect(await behaviour(a, 'str_imported_nested', 'nested')).toEqual(expected);
    expect(await behaviour(a, 'str_imported_flat', 'flat')).toEqual(expected);
    // Nothing reached the broker: every order is held, the short never opened.
    expect((await a.api<{ items: OrderView[] }>('GET', '/api/orders')).body.items).toEqual([]);
    expect((await a.api<{ items: PositionView[] }>('GET', '/api/positions')).body.items).toEqual([]);
    // Both are stored as the API stores them.
    for (const id of ['str_imported_nested', 'str_imported_flat']) expect((await a.api<StrategyView>('GET', `/api/strategies/${id}`)).body.config).toEqual({ strategy: MANUAL_LONG_ONLY });
  });

  it('an account and a strategy created by an import trade at once, without a restart', async () => {
    agent = await startTestAgent();
    const a = agent;
    const file: ConfigSnapshot = {
      format: 'viewzenix-config',
      version: 1,
      exportedAt: new Date().toISOString(),
      accounts: [{ id: 'acc_imported_paper', name: 'Imported paper', broker: 'paper', environment: 'paper', config: {} }],
      settings: {},
      strategies: [{ id: 'str_imported_trades', name: 'Imported trades', enabled: true, accountIds: ['acc_imported_paper'], config: {} }],
    };
    expect((await a.api<ImportPlan>('POST', '/api/config/import?dryRun=false', file)).status).toBe(200);
    const s = (await a.api<StrategyView>('GET', '/api/strategies/str_imported_trades')).body;
    const res = await a.post(`/webhook/${s.webhookId}`, JSON.stringify({ ticker: 'IMPT', action: 'buy', quantity: 2, price: 50 }));
    expect(res.status).toBe(202);
    const orders = await eventually(async () => (await a.api<{ items: OrderView[] }>('GET', `/api/orders?signalId=${String(res.body.signalId)}`)).body.items, (o) => o[0]?.status === 'filled');
    expect(orders).toMatchObject([{ accountId: 'acc_imported_paper', symbol: 'IMPT', quantity: '2', status: 'filled' }]);
  });

  it('an import that brings an account and notification settings tells the event stream (the window and the desktop app follow)', async () => {
    agent = await startTestAgent();
    const a = agent;
    const stream = await listenEvents(a);
    try {
      const file: ConfigSnapshot = {
        format: 'viewzenix-config',
        version: 1,
        exportedAt: new Date().toISOString(),
        accounts: [{ id: 'acc_imported_named', name: 'Imported named', broker: 'paper', environment: 'paper', config: {} }],
        settings: { 'notify.config': JSON.stringify({ desktop: { enabled: false, events: ['halt'] } }) },
        strategies: [],
      };
      expect((await a.api<ImportPlan>('POST', '/api/config/import?dryRun=false', file)).body).toMatchObject({ applied: true });
      const accounts = await eventually(() => stream.events.find((e) => e.type === 'accounts'), (e) => e !== undefined);
      expect(accounts?.type === 'accounts' && accounts.accounts).toContainEqual({ id: 'acc_imported_named', name: 'Imported named' });
      const settings = await eventually(() => stream.events.find((e) => e.type === 'notification-settings'), (e) => e !== undefined);
      expect(settings?.type === 'notification-settings' && settings.config.desktop).toEqual({ enabled: false, events: ['halt'] });
    } finally {
      stream.close();
    }
  });

  it('the agent\'s own export imports back with nothing to change, strategy settings, risk and intake included', async () => {
    agent = await startTestAgent();
    const a = agent;
    const acc = (await a.api<{ items: AccountView[] }>('GET', '/api/accounts')).body.items[0]!.id;
    const s1 = await a.api<StrategyView>('POST', '/api/strategies', { name: 'S1', accountIds: [acc] });
    expect((await a.api('PUT', `/api/strategies/${s1.body.id}`, { config: { risk: { maxOrderQuantity: '5' } } })).status).toBe(200);
    expect((await a.api('POST', '/api/strategies', { name: 'Sx', accountIds: [acc], config: { strategy: { allowAdd: true }, accounts: { [acc]: { sides: 'long' } }, intake: { ipAllowlist: ['52.89.214.238'] } } })).status).toBe(201);
    const exported = await a.api<ConfigSnapshot>('GET', '/api/config/export');
    const back = await a.api<ImportPlan>('POST', '/api/config/import', exported.body);
    expect(back.status).toBe(200);
    expect(back.body.summary).toMatchObject({ add: 0, update: 0 });
  });

  it('an import cannot change the broker or environment of a running account, nor add an account POST /api/accounts would refuse', async () => {
    agent = await startTestAgent();
    const a = agent;
    const paper = (await a.api<{ items: AccountView[] }>('GET', '/api/accounts')).body.items[0]!;
    const file = {
      format: 'viewzenix-config',
      version: 1,
      settings: {},
      strategies: [],
      accounts: [
        { id: 'acc_imp_o', name: 'O', broker: 'oanda', environment: 'practice', config: {} },
        { id: paper.id, name: paper.name, broker: 'alpaca', environment: 'live', config: paper.config },
      ],
    };
    const r = await a.api<ErrorBody>('POST', '/api/config/import?dryRun=false', file);
    expect([r.status, r.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(r.body.errors!.map((e) => e.path)).toEqual(['/accounts/0/config/accountId', '/accounts/1/broker', '/accounts/1/environment']);
    const after = (await a.api<{ items: AccountView[] }>('GET', '/api/accounts')).body.items;
    expect(after.map((x) => [x.id, x.broker, x.environment])).toEqual([[paper.id, 'paper', 'paper']]);
  });
});
