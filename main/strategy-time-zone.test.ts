// A strategy's trading-window time zone (config.strategy.tradingWindows.timezone, and an account's override of it)
// must be an IANA zone the agent knows, as a trading day's is: an unknown one is refused with 400 VALIDATION_FAILED
// naming the field. A strategy stored before that check with an unknown zone still loads at start-up and trades as
// it did: with trading windows, every alert is outside them (entries denied OUTSIDE_TRADING_WINDOW, exits still run
// unless the windows hold them too); without windows, the zone is never read.
import { afterEach, describe, expect, it } from 'vitest';
import { settledSignal, startTestAgent, type TestAgent } from './test-support/agent.js';
import { openDatabase } from './store/db.js';
import { StrategyRepo } from './store/strategies.js';
import type { AccountView, OrderView, StrategyView } from '../shared/api-types.js';
import path from 'node:path';

type ErrorBody = { code: string; message: string; errors?: { path: string; message: string }[] };
type SignalDetail = { status: string; code?: string; decisions: { verdict: string; code?: string; detail?: string }[]; orders: OrderView[] };

const UNKNOWN_ZONE = 'is not an IANA time zone this agent knows (e.g. America/New_York, Europe/London, UTC)';
const weekdays = { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:30', end: '16:00' };
const windowsIn = (timezone: string, windows: unknown[] = [weekdays]) => ({ timezone, windows, allowExitsOutside: true });

let agent: TestAgent | undefined;
afterEach(async () => {
  await agent?.stop();
  agent = undefined;
});

async function paperAccount(a: TestAgent): Promise<string> {
  return (await a.api<{ items: AccountView[] }>('GET', '/api/accounts')).body.items[0]!.id;
}

describe('a trading-window time zone the agent does not know', () => {
  it('is refused 400 VALIDATION_FAILED naming the field, on create and on update, for the strategy and an account override; a known zone passes', async () => {
    agent = await startTestAgent();
    const acc = await paperAccount(agent);
    const before = (await agent.api<{ items: StrategyView[] }>('GET', '/api/strategies')).body.items.length;

    const bad = await agent.api<ErrorBody>('POST', '/api/strategies', { name: 'Nowhere', accountIds: [acc], config: { strategy: { tradingWindows: windowsIn('America/Nowhere') } } });
    expect([bad.status, bad.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(bad.body.errors).toEqual([{ path: '/config/strategy/tradingWindows/timezone', message: UNKNOWN_ZONE }]);
    const override = await agent.api<ErrorBody>('POST', '/api/strategies', { name: 'Override', accountIds: [acc], config: { accounts: { [acc]: { tradingWindows: windowsIn('New York') } } } });
    expect([override.status, override.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(override.body.errors).toEqual([{ path: `/config/accounts/${acc}/tradingWindows/timezone`, message: UNKNOWN_ZONE }]);
    expect((await agent.api<{ items: StrategyView[] }>('GET', '/api/strategies')).body.items).toHaveLength(before); // nothing stored

    const good = await agent.api<StrategyView>('POST', '/api/strategies', { name: 'London', accountIds: [acc], config: { strategy: { tradingWindows: windowsIn('Europe/London') } } });
    expect(good.status).toBe(201);
    const refused = await agent.api<ErrorBody>('PUT', `/api/strategies/${good.body.id}`, { config: { strategy: { tradingWindows: windowsIn('Mars/Olympus_Mons') } } });
    expect([refused.status, refused.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(refused.body.errors).toEqual([{ path: '/config/strategy/tradingWindows/timezone', message: UNKNOWN_ZONE }]);
    expect((await agent.api<StrategyView>('GET', `/api/strategies/${good.body.id}`)).body.config).toEqual({ strategy: { tradingWindows: windowsIn('Europe/London') } });
    const updated = await agent.api<StrategyView>('PUT', `/api/strategies/${good.body.id}`, { config: { strategy: { tradingWindows: windowsIn('UTC') } } });
    expect(updated.status).toBe(200);
    expect(updated.body.config).toEqual({ strategy: { tradingWindows: windowsIn('UTC') } });
  });

  it('is refused in a configuration import too, naming the strategy field', async () => {
    agent = await startTestAgent();
    const acc = await paperAccount(agent);
    const file = { format: 'viewzenix-config', version: 1, accounts: [], settings: {}, strategies: [{ id: 'str_tz', name: 'Imported', enabled: true, accountIds: [acc], config: { strategy: { tradingWindows: windowsIn('America/Nowhere') } } }] };
    const res = await agent.api<ErrorBody>('POST', '/api/config/import', file);
    expect([res.status, res.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(res.body.errors).toEqual([{ path: '/strategies/0/config/strategy/tradingWindows/timezone', message: UNKNOWN_ZONE }]);
  });
});

describe('a strategy stored with an unknown zone before the check', () => {
  it('still loads at start-up and trades as before: outside every window (entries denied, exits run); without windows, as if no zone were set', async () => {
    const first = await startTestAgent();
    agent = first;
    const acc = await paperAccount(first);
    const windowed = (await first.api<StrategyView>('POST', '/api/strategies', { name: 'Windowed', accountIds: [acc] })).body;
    const open = (await first.api<StrategyView>('POST', '/api/strategies', { name: 'No windows', accountIds: [acc] })).body;
    await first.stop();
    agent = undefined;
    // Written as an earlier version stored it, past the API's check.
    const db = openDatabase({ file: path.join(first.dataDir, 'viewzenix.db') });
    const repo = new StrategyRepo(db);
    repo.update({ ...repo.get(windowed.id)!, config: { strategy: { tradingWindows: windowsIn('Mars/Olympus_Mons') } } });
    repo.update({ ...repo.get(open.id)!, config: { strategy: { tradingWindows: windowsIn('Mars/Olympus_Mons', []) } } });
    db.close();

    agent = await startTestAgent({ dataDir: first.dataDir });
    const a = agent;
    const listed = (await a.api<{ items: StrategyView[] }>('GET', '/api/strategies')).body.items;
    expect(listed.find((s) => s.id === windowed.id)?.config).toEqual({ strategy: { tradingWindows: windowsIn('Mars/Olympus_Mons') } });

    // No windows: the zone is never read, the entry trades.
    const opened = await a.post(`/webhook/${open.webhookId}`, '{"ticker":"MSFT","action":"buy","quantity":2,"price":410}');
    expect((await settledSignal<SignalDetail>(a, String(opened.body.signalId))).status).toBe('done');
    // Windows: the entry is outside them (the local time cannot be known), the exit (of the position the other
    // strategy opened on the same account) still runs.
    const entry = await a.post(`/webhook/${windowed.webhookId}`, '{"ticker":"AAPL","action":"buy","quantity":1,"price":190}');
    const denied = await settledSignal<SignalDetail>(a, String(entry.body.signalId));
    expect(denied).toMatchObject({ status: 'denied', code: 'OUTSIDE_TRADING_WINDOW' });
    expect(denied.decisions[0]!.detail).toBe('OUTSIDE_TRADING_WINDOW: symbol=AAPL, time=unknown time zone, timezone=Mars/Olympus_Mons');
    const exit = await a.post(`/webhook/${windowed.webhookId}`, '{"ticker":"MSFT","action":"exit","price":410}');
    const exited = await settledSignal<SignalDetail>(a, String(exit.body.signalId));
    expect(exited.status).toBe('done');
    expect(exited.orders.map((o) => [o.side, o.quantity])).toEqual([['sell', '2']]);

    // Still editable without touching the zone (a rename), and fixed by sending a known one.
    expect((await a.api('PUT', `/api/strategies/${windowed.id}`, { name: 'Windowed, renamed' })).status).toBe(200);
    expect((await a.api('PUT', `/api/strategies/${windowed.id}`, { config: { strategy: { tradingWindows: windowsIn('America/New_York') } } })).status).toBe(200);
  });
});
