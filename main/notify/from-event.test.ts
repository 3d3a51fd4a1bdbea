import { describe, expect, it } from 'vitest';
import { notificationFor } from './from-event.js';
import { accountName } from '../account-label.js';
import type { AgentEvent, OrderView } from '../../shared/api-types.js';

import type { TunnelStatusView } from '../../shared/api-types.js';
function tunnelStatus(state: TunnelStatusView['state'], extra: Partial<TunnelStatusView> = {}): TunnelStatusView {
  return { state, provider: 'ngrok', publicUrl: null, since: null, lastCheck: null, consecutiveFailures: 0, lastError: null, reconnectAttempts: 0, nextRetryAt: null, lastPublicUrl: null, autoStart: false, settings: {} as TunnelStatusView['settings'], ...extra };
}


const at = '2026-01-02T10:00:00.000Z';
const order = (status: OrderView['status'], over: Partial<OrderView> = {}): AgentEvent => ({
  type: 'order',
  order: { id: 'o1', clientOrderId: 'vz-1', accountId: 'acc1', symbol: 'AAPL', side: 'buy', type: 'market', quantity: '10', timeInForce: 'day', status, filledQuantity: '4', createdAt: at, updatedAt: at, ...over },
});

describe('which events notify, as which kind', () => {
  it('maps every notifying event to its kind and ignores the rest', () => {
    const cases: [AgentEvent, string | undefined][] = [
      [order('partially_filled'), 'fill'],
      [order('filled'), 'fill'],
      [order('rejected'), 'rejection'],
      [order('unknown'), 'unknown-order'],
      [order('accepted'), undefined],
      [order('canceled', { filledQuantity: '0' }), undefined],
      [order('canceled', { filledQuantity: '4' }), 'fill'], // partly filled, then canceled: what filled is news
      [order('expired', { filledQuantity: '0' }), undefined],
      [order('expired', { filledQuantity: '4' }), 'fill'],
      [order('cancel_pending', { filledQuantity: '0' }), undefined],
      [{ type: 'signal', signal: { id: 's1', strategyId: 'x', status: 'denied', code: 'TRADING_HALTED' } }, 'denial'],
      [{ type: 'signal', signal: { id: 's1', strategyId: 'x', status: 'failed' } }, 'rejection'],
      [{ type: 'signal', signal: { id: 's1', strategyId: 'x', status: 'done' } }, undefined],
      [{ type: 'trading-state', state: { state: 'halted', reason: null, updatedAt: 't', accounts: {} }, change: { scope: 'global', from: 'active', to: 'halted', reason: null, at: 't' } }, 'halt'],
      [{ type: 'trading-state', state: { state: 'halted', reason: null, updatedAt: 't', accounts: {} } }, undefined], // set again, nothing changed
      [{ type: 'trading-state', state: { state: 'active', reason: null, updatedAt: 't', accounts: { A: { state: 'reducing', reason: 'x' } } }, change: { scope: 'account', accountId: 'A', from: 'active', to: 'reducing', reason: 'DRAWDOWN_LIMIT: x', code: 'DRAWDOWN_LIMIT', at: 't' } }, 'daily-loss'],
      [{ type: 'trading-state', state: { state: 'active', reason: null, updatedAt: 't', accounts: {} } }, undefined],
      [{ type: 'risk-limit', code: 'DAILY_LOSS_LIMIT', message: 'lost 500' }, 'daily-loss'],
      [{ type: 'notice', level: 'error', code: 'DAILY_LOSS_LIMIT', message: 'x' }, 'daily-loss'],
      [{ type: 'notice', level: 'info', message: 'hello' }, undefined],
      [{ type: 'notice', level: 'warning', code: 'TUNNEL_URL_CHANGED', message: 'The public URL changed from https://a.example to https://b.example' }, 'tunnel-down'],
      [{ type: 'notice', level: 'error', code: 'BROKER_AUTH_FAILED', message: 'Account "Alpaca paper" (acc_1): Alpaca (paper) refused the API key.' }, 'broker-down'],
      [{ type: 'notice', level: 'error', code: 'BROKER_UNREACHABLE', message: 'Account "Alpaca paper" (acc_1): the broker cannot be reached.' }, 'broker-down'],
      [{ type: 'notice', level: 'warning', code: 'ORDERS_CANCELED', message: 'Paper: 2 working order(s) were canceled first' }, undefined],
      [{ type: 'drift', accountId: 'a', symbol: 'AAPL', expected: '1', actual: '2' }, 'drift'],
      [{ type: 'tunnel', status: tunnelStatus('down') }, 'tunnel-down'],
      [{ type: 'tunnel', status: tunnelStatus('up', { publicUrl: 'https://x.ngrok.app' }) }, 'tunnel-up'],
      [{ type: 'agent', state: 'started', previousRun: 'crashed' }, 'agent-restart'],
      [{ type: 'approval-waiting', approvalId: 'ap', accountId: 'a', symbol: 'AAPL', side: 'buy', quantity: '1' }, 'approval-waiting'],
      [{ type: 'position', accountId: 'a', symbol: 'AAPL' }, undefined],
    ];
    for (const [event, kind] of cases) expect(notificationFor(event, at)?.kind, JSON.stringify(event)).toBe(kind);
  });

  it('a part filled while a cancel is pending (the order stays cancel_pending) is a partial fill that says the cancel is pending, said once per quantity', () => {
    const names = { account: (id: string) => ({ acc1: 'Alpaca live' })[id], strategy: () => undefined };
    const partial = notificationFor(order('partially_filled', { filledQuantity: '4' }), at)!;
    const pending = notificationFor(order('cancel_pending', { type: 'limit', filledQuantity: '4', averageFillPrice: '99.5' }), at, names)!;
    expect(pending).toMatchObject({ kind: 'fill', message: { severity: 'info', title: 'Partially filled, cancel pending: buy 4 AAPL @ 99.5' } });
    expect(pending.message.lines).toEqual(['Ordered 10 (limit); 4 filled so far.', 'A cancel was asked for this order: this part filled before the cancel took effect; the rest (6) is being canceled.']);
    expect(pending.message.fields).toContainEqual({ name: 'Account', value: '"Alpaca live" (acc1)' });
    expect(pending.dedupeKey).toBe(partial.dedupeKey); // a partly filled order whose cancel is asked: nothing new
    expect(notificationFor(order('cancel_pending', { filledQuantity: '6' }), at)!.dedupeKey).not.toBe(partial.dedupeKey);
    expect(notificationFor(order('cancel_pending', { filledQuantity: '0' }), at)).toBeUndefined();
  });

  it('an order that ends canceled or expired after a part filled says how much filled; the same quantity announced before is not news', () => {
    const canceled = notificationFor(order('canceled', { filledQuantity: '4', averageFillPrice: '99.5' }), at)!;
    expect(canceled).toMatchObject({ kind: 'fill', message: { severity: 'info', title: 'Canceled after a partial fill: buy 4 AAPL @ 99.5', lines: ['Ordered 10 (market); 4 filled before the cancel took effect, the rest (6) was canceled.'] } });
    const expired = notificationFor(order('expired', { filledQuantity: '0.25', quantity: '1' }), at)!;
    expect(expired.message).toMatchObject({ title: 'Expired after a partial fill: buy 0.25 AAPL', lines: ['Ordered 1 (market); 0.25 filled before it expired, the rest (0.75) will not fill.'] });
    // Keyed as the partial fill of that quantity: heard once, whichever report brought it.
    expect(canceled.dedupeKey).toBe(notificationFor(order('partially_filled', { filledQuantity: '4' }), at)!.dedupeKey);
    expect(canceled.dedupeKey).toBe(notificationFor(order('cancel_pending', { filledQuantity: '4' }), at)!.dedupeKey);
    expect(notificationFor(order('canceled', { filledQuantity: '5' }), at)!.dedupeKey).not.toBe(canceled.dedupeKey); // a late fill raised it
  });

  it('gives the same fact the same dedupe key and a new fill quantity a new one', () => {
    expect(notificationFor(order('filled'), at)!.dedupeKey).toBe(notificationFor(order('filled'), '2030-01-01T00:00:00.000Z')!.dedupeKey);
    expect(notificationFor(order('partially_filled', { filledQuantity: '4' }), at)!.dedupeKey).not.toBe(notificationFor(order('partially_filled', { filledQuantity: '6' }), at)!.dedupeKey);
  });

  it('names accounts and strategies as the trader named them, beside their ids, as account-label.ts does everywhere', () => {
    const names = { account: (id: string) => ({ acc_1: 'Alpaca live' })[id], strategy: (id: string) => ({ str_1: 'Breakout' })[id] };
    const label = accountName({ get: (id) => (id === 'acc_1' ? { name: 'Alpaca live' } : undefined) }, 'acc_1');
    expect(label).toBe('"Alpaca live" (acc_1)');
    const halt = notificationFor({ type: 'trading-state', state: { state: 'active', reason: null, updatedAt: 't', accounts: { acc_1: { state: 'halted', reason: 'x' } } }, change: { scope: 'account', accountId: 'acc_1', from: 'active', to: 'halted', reason: 'by hand', at: 't' } }, at, names)!;
    expect(halt.message.title).toBe('Trading halted for account "Alpaca live" (acc_1)');
    const limit = notificationFor({ type: 'trading-state', state: { state: 'active', reason: null, updatedAt: 't', accounts: {} }, change: { scope: 'account', accountId: 'acc_1', from: 'active', to: 'reducing', reason: 'DRAWDOWN_LIMIT: x', code: 'DRAWDOWN_LIMIT', at: 't' } }, at, names)!;
    expect(limit.message.title).toBe('Drawdown limit reached: trading reduced to closing orders for account "Alpaca live" (acc_1)');
    // Every message that names an account names it the same way.
    const withAccount: AgentEvent[] = [
      order('filled', { accountId: 'acc_1', strategyId: 'str_1' }),
      order('rejected', { accountId: 'acc_1' }),
      order('unknown', { accountId: 'acc_1' }),
      { type: 'risk-limit', code: 'DAILY_LOSS_LIMIT', accountId: 'acc_1', message: 'lost 500' },
      { type: 'drift', accountId: 'acc_1', symbol: 'AAPL', expected: '1', actual: '2' },
      { type: 'approval-waiting', approvalId: 'ap', accountId: 'acc_1', strategyId: 'str_1', symbol: 'AAPL', side: 'buy', quantity: '1' },
    ];
    for (const n of [halt, limit, ...withAccount.map((e) => notificationFor(e, at, names)!)]) expect(n.message.fields, n.message.title).toContainEqual({ name: 'Account', value: label });
    const fill = notificationFor(order('filled', { accountId: 'acc_1', strategyId: 'str_1' }), at, names)!;
    expect(fill.message.fields).toEqual(expect.arrayContaining([{ name: 'Account', value: label }, { name: 'Strategy', value: '"Breakout" (str_1)' }]));
    const denied = notificationFor({ type: 'signal', signal: { id: 's1', strategyId: 'str_1', status: 'denied', code: 'TRADING_HALTED' } }, at, names)!;
    expect(denied.message.fields).toContainEqual({ name: 'Strategy', value: '"Breakout" (str_1)' });
    // An account or strategy the agent no longer knows keeps its id, as without names.
    expect(notificationFor(order('filled', { accountId: 'acc_gone', strategyId: 'str_gone' }), at, names)!.message.fields).toEqual(expect.arrayContaining([{ name: 'Account', value: 'acc_gone' }, { name: 'Strategy', value: 'str_gone' }]));
    expect(notificationFor(order('filled', { accountId: 'acc_1' }), at)!.message.fields).toContainEqual({ name: 'Account', value: 'acc_1' });
  });

  it('an order filled whole although a cancel was asked says the cancel came too late, under the same key as its fill', () => {
    const asked = new Set(['o1']);
    const history = { cancelAsked: (id: string) => asked.has(id) };
    const event = order('filled', { type: 'limit', quantity: '5', filledQuantity: '5', averageFillPrice: '99' });
    const late = notificationFor(event, at, undefined, history)!;
    expect(late).toMatchObject({ kind: 'fill', message: { severity: 'warning', title: 'Filled before the cancel took effect: buy 5 AAPL @ 99' } });
    expect(late.message.lines).toEqual(['Ordered 5 (limit).', 'A cancel was asked for this order: all 5 filled before the cancel took effect, so nothing was canceled and your AAPL position changed by the whole order.']);
    const plain = notificationFor(event, at)!; // the draft the notifier routes by, built without the history
    expect(plain.message).toMatchObject({ severity: 'info', title: 'Filled: buy 5 AAPL @ 99', lines: ['Ordered 5 (limit).'] });
    expect(late.dedupeKey).toBe(plain.dedupeKey);
    // No cancel asked: a plain fill. The history is only asked about a filled order.
    asked.clear();
    expect(notificationFor(event, at, undefined, history)!.message.title).toBe('Filled: buy 5 AAPL @ 99');
    const askedAbout: string[] = [];
    const spy = { cancelAsked: (id: string) => (askedAbout.push(id), true) };
    expect(notificationFor(order('partially_filled', { filledQuantity: '4' }), at, undefined, spy)!.message.title).toBe('Partially filled: buy 4 AAPL');
    expect(notificationFor(order('accepted', { filledQuantity: '0' }), at, undefined, spy)).toBeUndefined();
    expect(askedAbout).toEqual([]);
  });

  it('says what happened in the title, with the crash case marked critical', () => {
    expect(notificationFor(order('filled', { filledQuantity: '10', averageFillPrice: '190.5' }), at)!.message).toMatchObject({ title: 'Filled: buy 10 AAPL @ 190.5', severity: 'info' });
    expect(notificationFor({ type: 'agent', state: 'started', previousRun: 'crashed' }, at)!.message).toMatchObject({ title: 'Agent restarted after a crash', severity: 'critical' });
  });
});
