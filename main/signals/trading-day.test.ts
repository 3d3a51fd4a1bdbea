// The risk rules' day as planForAccount gathers it: the daily loss, the drawdown high and the orders per day of a
// 17:00 New York trading day, across the UTC midnight (19:00 New York in winter) and a restart.
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { openDatabase, type Db } from '../store/db.js';
import { OrderRepo } from '../store/orders.js';
import { AccountDayRepo } from '../store/account-days.js';
import { tempDir } from '../test-support/agent.js';
import { checkRisk, planForAccount, type AccountSettings, type StrategySettings } from './decide.js';
import type { BrokerAdapter } from '../brokers/port.js';
import type { Signal } from '../../shared/signal.js';
import type { RiskRules } from '../../shared/risk-rules.js';

const ny17 = { timeZone: 'America/New_York', startsAt: '17:00' };
const signal: Signal = { dialect: 'native', symbol: 'AAPL', ticker: 'AAPL', action: 'buy', quantity: '1', price: '100' } as Signal;

/** An account whose equity the test sets; no positions, no orders, no market clock. */
function broker(): BrokerAdapter & { equity: string } {
  const a = {
    broker: 'paper',
    equity: '10000',
    positions: async () => [],
    openOrders: async () => [],
    account: async () => ({ currency: 'USD', equity: a.equity, cash: a.equity, buyingPower: a.equity }),
    instrument: async (symbol: string) => ({ symbol, assetClass: 'equity' as const, tradable: true, lotSize: '1', tickSize: '0.01', minQuantity: '1' }),
  };
  return a as unknown as BrokerAdapter & { equity: string };
}

/** Plans the buy at `now` on the account and answers the risk verdict's denial code (undefined: allowed). */
async function verdict(db: Db, adapter: BrokerAdapter, now: string, risk: Partial<RiskRules>, strategySettings: StrategySettings = {}) {
  const accountSettings: AccountSettings = { risk: { enforceMarketHours: false, priceBandPercent: undefined, ...risk } };
  const orders = new OrderRepo(db);
  const facts = await planForAccount({ signal, accountId: 'acc1', adapter, orders, accountDays: days(db), strategySettings, accountSettings, now, strategyId: 's1' });
  if (facts.plan.kind === 'denied') throw new Error(facts.plan.denial.detail);
  const v = checkRisk({ intent: facts.plan.intents[0]!, assetClass: 'equity', state: { global: 'active', account: 'active' }, accountSettings, strategySettings, context: facts.context, now });
  return { code: v.denial?.code, detail: v.denial?.detail, dayStart: facts.context.dayStart, dayStartEquity: facts.context.dayStartEquity, dayEquityHigh: facts.context.dayEquityHigh };
}

/** One repository per database, as the agent has (a restart makes a new one). */
const repos = new WeakMap<Db, AccountDayRepo>();
const days = (db: Db) => repos.get(db) ?? repos.set(db, new AccountDayRepo(db)).get(db)!;

describe('the risk rules on a 17:00 New York trading day', () => {
  it('the daily loss is measured from the 17:00 New York start across the UTC midnight and a restart; the UTC day would forget it', async () => {
    const file = path.join(tempDir(), 'ny-loss.db');
    let db = openDatabase({ file });
    const adapter = broker();
    const limit = { maxDailyLoss: '500', tradingDay: ny17 };
    // 18:00 New York: the day's first reading.
    expect(await verdict(db, adapter, '2026-01-06T23:00:00.000Z', limit)).toMatchObject({ code: undefined, dayStart: '2026-01-06T22:00:00.000Z', dayStartEquity: '10000' });
    db.close();
    db = openDatabase({ file }); // a restart
    adapter.equity = '9400';
    // 19:30 New York: the UTC day turned half an hour ago; the trading day did not, and the 600 lost still counts.
    expect(await verdict(db, adapter, '2026-01-07T00:30:00.000Z', limit)).toMatchObject({ code: 'DAILY_LOSS_LIMIT', detail: 'DAILY_LOSS_LIMIT: loss=600, max=500', dayStart: '2026-01-06T22:00:00.000Z', dayStartEquity: '10000' });
    // With the day left out (the UTC day), the same account at the same moment starts a new day at 9,400.
    const utc = openDatabase({ file: path.join(tempDir(), 'utc-loss.db') });
    adapter.equity = '10000';
    await verdict(utc, adapter, '2026-01-06T23:00:00.000Z', { maxDailyLoss: '500' });
    adapter.equity = '9400';
    expect(await verdict(utc, adapter, '2026-01-07T00:30:00.000Z', { maxDailyLoss: '500' })).toMatchObject({ code: undefined, dayStart: '2026-01-07T00:00:00.000Z', dayStartEquity: '9400' });
    utc.close();
    // 17:00 New York the next evening: a new trading day, measured from its own first reading.
    expect(await verdict(db, adapter, '2026-01-07T21:59:00.000Z', limit)).toMatchObject({ code: 'DAILY_LOSS_LIMIT' });
    expect(await verdict(db, adapter, '2026-01-07T22:00:00.000Z', limit)).toMatchObject({ code: undefined, dayStart: '2026-01-07T22:00:00.000Z', dayStartEquity: '9400' });
    db.close();
  });

  it('the drawdown high of the evening session is kept past the UTC midnight', async () => {
    const db = openDatabase({ file: path.join(tempDir(), 'ny-drawdown.db') });
    const adapter = broker();
    const limit = { maxDrawdownPercent: '5', tradingDay: ny17 };
    adapter.equity = '10000';
    await verdict(db, adapter, '2026-07-15T21:30:00.000Z', limit); // 17:30 New York (summer)
    adapter.equity = '11000';
    await verdict(db, adapter, '2026-07-15T23:30:00.000Z', limit);
    adapter.equity = '10400';
    expect(await verdict(db, adapter, '2026-07-16T00:30:00.000Z', limit)).toMatchObject({ code: 'DRAWDOWN_LIMIT', dayEquityHigh: '11000', dayStart: '2026-07-15T21:00:00.000Z' });
    db.close();
  });

  it('orders per day count the orders of the trading day, not of the UTC day', async () => {
    const db = openDatabase({ file: path.join(tempDir(), 'ny-orders.db') });
    const orders = new OrderRepo(db);
    const order = (id: string, createdAt: string) => orders.insertIfAbsent({ id, accountId: 'acc1', leg: 'entry', createdAt, request: { clientOrderId: `c-${id}`, symbol: 'AAPL', side: 'buy', type: 'market', quantity: '1', timeInForce: 'day' } });
    order('o1', '2026-01-06T21:30:00.000Z'); // 16:30 New York: the day before
    order('o2', '2026-01-06T22:30:00.000Z'); // 17:30 New York: this trading day, yesterday in UTC
    const adapter = broker();
    expect(await verdict(db, adapter, '2026-01-07T01:00:00.000Z', { maxOrdersPerDay: 1, tradingDay: ny17 })).toMatchObject({ code: 'ORDER_RATE_EXCEEDED', detail: 'ORDER_RATE_EXCEEDED: symbol=AAPL, window=day, count=1, max=1' });
    expect(await verdict(db, adapter, '2026-01-07T01:00:00.000Z', { maxOrdersPerDay: 1 })).toMatchObject({ code: undefined });
    expect(await verdict(db, adapter, '2026-01-07T01:00:00.000Z', { maxOrdersPerDay: 2, tradingDay: ny17 })).toMatchObject({ code: undefined });
    db.close();
  });

  it('a strategy that sets its own trading day is judged on it, the account\'s other strategies on the account\'s', async () => {
    const db = openDatabase({ file: path.join(tempDir(), 'ny-strategy.db') });
    const adapter = broker();
    const own: StrategySettings = { risk: { tradingDay: ny17 } };
    expect(await verdict(db, adapter, '2026-01-07T01:00:00.000Z', { maxDailyLoss: '500' }, own)).toMatchObject({ dayStart: '2026-01-06T22:00:00.000Z' });
    expect(await verdict(db, adapter, '2026-01-07T01:00:00.000Z', { maxDailyLoss: '500' })).toMatchObject({ dayStart: '2026-01-07T00:00:00.000Z' });
    expect(db.prepare('SELECT scope, definition, day FROM account_day_scope ORDER BY scope').all()).toEqual([
      { scope: 'account', definition: 'UTC 00:00', day: '2026-01-07T00:00:00.000Z' },
      { scope: 'strategy:s1', definition: 'America/New_York 17:00', day: '2026-01-06T22:00:00.000Z' },
    ]);
    db.close();
  });
});
