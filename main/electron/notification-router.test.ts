import { describe, expect, it } from 'vitest';
import { BrokerOutages, INITIAL_STATUS, routeAgentEvent, type DesktopStatus } from './notification-router.js';
import { AccountTradingStates, missedStateNotification } from './trading-state-notices.js';
import { notificationFor } from '../notify/from-event.js';
import type { AccountNames } from '../account-label.js';
import { SeenKeys } from '../../shared/notify.js';
import type { AgentEvent, OrderView, TunnelStatusView } from '../../shared/api-types.js';

const ACTIVE: DesktopStatus = { tradingState: 'active', tunnel: 'up' };

describe('routeAgentEvent', () => {
  it('announces a fill with side, quantity, symbol and price as the agent wrote them', () => {
    const { notification } = routeAgentEvent({ type: 'order', status: 'filled', side: 'buy', filledQuantity: '10', symbol: 'AAPL', avgFillPrice: '189.2' }, ACTIVE);
    expect(notification).toEqual({ title: 'Order filled', body: 'BUY 10 AAPL @ 189.2', urgency: 'normal' });
  });

  it('announces partial fills, broker rejections with the documented code text, and unknown outcomes', () => {
    expect(routeAgentEvent({ type: 'order', status: 'partially_filled', side: 'sell', quantity: 3, symbol: 'BTC/USD' }, ACTIVE).notification?.title).toBe('Order partially filled');
    const rejected = routeAgentEvent({ type: 'order', status: 'rejected', side: 'buy', quantity: 1, symbol: 'ES', code: 'TRADING_HALTED' }, ACTIVE).notification;
    expect(rejected).toEqual({ title: 'Order rejected by the broker', body: 'BUY 1 ES: TRADING_HALTED: Trading is halted.', urgency: 'critical' });
    expect(routeAgentEvent({ type: 'order', status: 'unknown', symbol: 'EUR_USD' }, ACTIVE).notification).toMatchObject({ title: 'Order outcome unknown', urgency: 'critical' });
  });

  it('stays quiet for routine order updates', () => {
    for (const status of ['created', 'submitting', 'accepted', 'cancel_pending', 'canceled', 'expired', 'constructor', '__proto__']) {
      expect(routeAgentEvent({ type: 'order', status, symbol: 'AAPL' }, ACTIVE).notification).toBeNull();
      expect(routeAgentEvent({ type: 'order', status, symbol: 'AAPL', quantity: '5', filledQuantity: '0' }, ACTIVE).notification).toBeNull();
      if (!['cancel_pending', 'canceled', 'expired'].includes(status)) expect(routeAgentEvent({ type: 'order', status, symbol: 'AAPL', quantity: '5', filledQuantity: '2' }, ACTIVE).notification).toBeNull();
    }
  });

  it('announces a part filled while a cancel is pending, and a part filled before the order ended canceled or expired', () => {
    const o = { type: 'order', id: 'o1', accountId: 'acc1', side: 'buy', symbol: 'AAPL', quantity: '5', filledQuantity: '2', averageFillPrice: '99' };
    expect(routeAgentEvent({ ...o, status: 'cancel_pending' }, ACTIVE).notification).toEqual({
      title: 'Order partially filled, cancel pending',
      body: 'BUY 2 of 5 AAPL @ 99 in account acc1: filled before the cancel took effect; the rest is being canceled.',
      urgency: 'normal',
    });
    expect(routeAgentEvent({ ...o, status: 'canceled' }, ACTIVE).notification).toEqual({ title: 'Order canceled after a partial fill', body: 'BUY 2 of 5 AAPL @ 99 in account acc1: filled before the cancel took effect; the rest was canceled.', urgency: 'normal' });
    expect(routeAgentEvent({ ...o, status: 'expired' }, ACTIVE).notification).toEqual({ title: 'Order expired after a partial fill', body: 'BUY 2 of 5 AAPL @ 99 in account acc1: filled before it expired; the rest will not fill.', urgency: 'normal' });
  });

  it('announces each fill quantity of an order once: the same fill reported again, or by the cancel, is not news', () => {
    const fills = new SeenKeys();
    const o = { type: 'order', id: 'o1', side: 'buy', symbol: 'AAPL', quantity: '5' };
    const titles = [
      { ...o, status: 'partially_filled', filledQuantity: '2' },
      { ...o, status: 'partially_filled', filledQuantity: '2' }, // reconciliation reads the same part
      { ...o, status: 'cancel_pending', filledQuantity: '2' }, // the trader cancels the rest
      { ...o, status: 'cancel_pending', filledQuantity: '3' }, // a part more filled before the cancel took
      { ...o, status: 'canceled', filledQuantity: '3' }, // the broker's final answer
      { ...o, id: 'o2', status: 'canceled', filledQuantity: '3' }, // another order
      { ...o, status: 'filled', filledQuantity: '5' }, // a fill after the cancel: the whole order
    ].map((e) => routeAgentEvent(e, ACTIVE, fills).notification?.title ?? null);
    expect(titles).toEqual(['Order partially filled', null, null, 'Order partially filled, cancel pending', null, 'Order canceled after a partial fill', 'Order filled before the cancel took effect']);
  });

  it('announces an order filled in full after its cancel was asked as the cancel coming too late, once', () => {
    const told = new SeenKeys();
    const o = { type: 'order', side: 'buy', symbol: 'AAPL', quantity: '5', accountId: 'acc_1' };
    const route = (e: Record<string, unknown>) => routeAgentEvent(e, ACTIVE, told).notification;
    expect(route({ ...o, id: 'o1', status: 'accepted', filledQuantity: '0' })).toBeNull();
    expect(route({ ...o, id: 'o1', status: 'cancel_pending', filledQuantity: '0' })).toBeNull(); // nothing filled yet: not news
    expect(route({ ...o, id: 'o1', status: 'filled', filledQuantity: '5', averageFillPrice: '99' })).toEqual({
      title: 'Order filled before the cancel took effect',
      body: 'BUY 5 AAPL @ 99 in account acc_1: a cancel was asked for this order, but it filled in full before the cancel took effect; the position changed by the whole order.',
      urgency: 'critical',
    });
    expect(route({ ...o, id: 'o1', status: 'filled', filledQuantity: '5', averageFillPrice: '99' })).toBeNull(); // reported again
    // Another order, never seen with a cancel pending, is a plain fill.
    expect(route({ ...o, id: 'o2', status: 'filled', filledQuantity: '5', averageFillPrice: '99' })?.title).toBe('Order filled');
  });

  it('announces risk denials from denial, signal and order events', () => {
    expect(routeAgentEvent({ type: 'denial', code: 'TRADING_HALTED', symbol: 'AAPL' }, ACTIVE).notification).toEqual({ title: 'Order denied', body: 'AAPL: TRADING_HALTED: Trading is halted.', urgency: 'normal' });
    expect(routeAgentEvent({ type: 'signal', status: 'denied', code: 'MAX_NOTIONAL', message: 'too big' }, ACTIVE).notification?.title).toBe('Order denied');
    expect(routeAgentEvent({ type: 'order', status: 'denied', code: 'X' }, ACTIVE).notification?.title).toBe('Order denied');
    expect(routeAgentEvent({ type: 'signal', status: 'queued' }, ACTIVE).notification).toBeNull();
  });

  it('announces a halt once, updates the tray state, and does not repeat it', () => {
    const first = routeAgentEvent({ type: 'trading-state', state: 'halted', reason: 'Reconciliation mismatch on AAPL' }, ACTIVE);
    expect(first.notification).toEqual({ title: 'Trading halted', body: 'Reconciliation mismatch on AAPL', urgency: 'critical' });
    expect(first.status.tradingState).toBe('halted');
    expect(routeAgentEvent({ type: 'trading-state', state: 'halted' }, first.status).notification).toBeNull();
    expect(routeAgentEvent({ type: 'trading-state', state: 'active' }, first.status).notification?.title).toBe('Trading resumed');
  });

  it('does not announce the first known state (it is not a change)', () => {
    const routed = routeAgentEvent({ type: 'trading-state', state: 'active' }, INITIAL_STATUS);
    expect(routed.notification).toBeNull();
    expect(routed.status.tradingState).toBe('active');
  });

  it('ignores an unknown trading state', () => {
    expect(routeAgentEvent({ type: 'trading-state', state: 'paused' }, ACTIVE)).toEqual({ notification: null, kinds: [], status: ACTIVE });
  });

  it('announces position drift', () => {
    expect(routeAgentEvent({ type: 'drift', symbol: 'AAPL', message: 'broker 10, agent 0' }, ACTIVE).notification).toEqual({ title: 'Position drift detected', body: 'AAPL: broker 10, agent 0', urgency: 'critical' });
    expect(routeAgentEvent({ type: 'reconciliation', status: 'mismatch' }, ACTIVE).notification?.title).toBe('Position drift detected');
    expect(routeAgentEvent({ type: 'reconciliation', status: 'ok' }, ACTIVE).notification).toBeNull();
  });

  it('announces the tunnel going down once, and tracks it coming back', () => {
    const down = routeAgentEvent({ type: 'tunnel', status: 'down', reason: 'ngrok session expired' }, ACTIVE);
    expect(down.notification).toMatchObject({ title: 'Tunnel down', urgency: 'critical' });
    expect(down.notification?.body).toContain('ngrok session expired');
    expect(down.status.tunnel).toBe('down');
    expect(routeAgentEvent({ type: 'tunnel', status: 'error' }, down.status).notification).toBeNull();
    const up = routeAgentEvent({ type: 'tunnel', status: 'connected', url: 'https://x.ngrok.app' }, down.status);
    expect(up).toEqual({ notification: { title: 'Tunnel up', body: 'Public URL: https://x.ngrok.app', urgency: 'normal' }, kinds: ['tunnel-up'], status: { tradingState: 'active', tunnel: 'up' } });
  });

  it('shows only bounded plain text from event fields', () => {
    const { notification } = routeAgentEvent({ type: 'order', status: 'filled', symbol: { toString: () => 'X' }, side: 'buy\u0007', quantity: 'x'.repeat(500) }, ACTIVE);
    expect(notification?.body).not.toContain('[object');
    expect(notification?.body).not.toContain('\u0007');
    expect(notification?.body.length).toBeLessThan(200);
  });

  it('ignores unknown event types', () => {
    expect(routeAgentEvent({ type: 'heartbeat' }, ACTIVE)).toEqual({ notification: null, kinds: [], status: ACTIVE });
  });
});

describe('routeAgentEvent with the events the agent publishes (shared/api-types.ts)', () => {
  const ACTIVE_NOW: DesktopStatus = { tradingState: 'active', tunnel: 'up' };
  const order = (fields: Partial<OrderView>): AgentEvent => ({
    type: 'order',
    order: { id: 'ord_1', clientOrderId: 'vz-1', accountId: 'acc', symbol: 'AAPL', side: 'buy', type: 'market', quantity: '10', timeInForce: 'day', status: 'accepted', filledQuantity: '0', createdAt: 'now', updatedAt: 'now', ...fields },
  });
  const route = (e: AgentEvent, s = ACTIVE_NOW, accounts?: AccountNames) => routeAgentEvent(e as unknown as Record<string, unknown>, s, undefined, accounts);
  const names: AccountNames = new Map([['acc', { name: 'Paper' }]]);

  it('names the account as the trader did, as the agent\'s messages do, and by its id when it has no name', () => {
    expect(route(order({ status: 'filled', filledQuantity: '10', averageFillPrice: '189.2' }), ACTIVE_NOW, names).notification?.body).toBe('BUY 10 AAPL @ 189.2 in account "Paper" (acc)');
    expect(route(order({ status: 'partially_filled', filledQuantity: '4' }), ACTIVE_NOW, names).notification?.body).toBe('BUY 4 AAPL in account "Paper" (acc)');
    expect(route(order({ status: 'cancel_pending', filledQuantity: '4', averageFillPrice: '9' }), ACTIVE_NOW, names).notification?.body).toBe(
      'BUY 4 of 10 AAPL @ 9 in account "Paper" (acc): filled before the cancel took effect; the rest is being canceled.',
    );
    expect(route(order({ status: 'rejected', reason: 'insufficient buying power' }), ACTIVE_NOW, names).notification?.body).toBe('BUY 10 AAPL in account "Paper" (acc): insufficient buying power');
    expect(route(order({ status: 'unknown' }), ACTIVE_NOW, names).notification?.body).toMatch(/^BUY 10 AAPL in account "Paper" \(acc\): the broker did not answer in time/);
    expect(route(order({ status: 'filled', filledQuantity: '10', accountId: 'acc_other' }), ACTIVE_NOW, names).notification?.body).toBe('BUY 10 AAPL in account acc_other');
    const drift: AgentEvent = { type: 'drift', accountId: 'acc', symbol: 'AAPL', expected: '10', actual: '5' };
    expect(route(drift, ACTIVE_NOW, names).notification).toEqual({ title: 'Position drift detected', body: 'AAPL in account "Paper" (acc): the broker holds 5; the agent expected 10.', urgency: 'critical' });
  });

  it('says which kinds each notification is, so the shell shows only those the trader chose for the desktop', () => {
    const kinds = (e: AgentEvent, s = ACTIVE_NOW) => route(e, s).kinds;
    expect(kinds(order({ status: 'filled', filledQuantity: '10' }))).toEqual(['fill']);
    expect(kinds(order({ status: 'partially_filled', filledQuantity: '1' }))).toEqual(['fill']);
    expect(kinds(order({ status: 'canceled', filledQuantity: '1' }))).toEqual(['fill']);
    expect(kinds(order({ status: 'rejected' }))).toEqual(['rejection']);
    expect(kinds(order({ status: 'unknown' }))).toEqual(['unknown-order']);
    expect(kinds(order({ status: 'accepted' }))).toEqual([]);
    expect(kinds({ type: 'signal', signal: { id: 's1', strategyId: 'st', status: 'denied', code: 'MAX_POSITION' } })).toEqual(['denial']);
    expect(kinds({ type: 'drift', accountId: 'acc', symbol: 'AAPL', expected: '1', actual: '0' })).toEqual(['drift']);
    expect(kinds({ type: 'tunnel', status: { state: 'down', lastError: null } } as unknown as AgentEvent)).toEqual(['tunnel-down']);
    const state = (to: 'halted' | 'reducing' | 'active') => ({ state: to, reason: null, updatedAt: 'now', accounts: {} });
    expect(kinds({ type: 'trading-state', state: state('halted') })).toEqual(['halt']);
    expect(kinds({ type: 'trading-state', state: state('active') }, { tradingState: 'halted', tunnel: 'up' })).toEqual(['halt']);
    // A loss limit is `daily-loss`, and `halt` for a desktop channel that wants only halts (as the agent's channels take it).
    const limit: AgentEvent = { type: 'trading-state', state: state('reducing'), change: { scope: 'global', from: 'active', to: 'reducing', reason: null, code: 'DAILY_LOSS_LIMIT', at: 'now' } };
    expect(kinds(limit)).toEqual(['daily-loss', 'halt']);
  });

  it('announces fills, rejections and unknown outcomes of the nested order', () => {
    expect(route(order({ status: 'filled', filledQuantity: '10', averageFillPrice: '189.2' })).notification).toEqual({ title: 'Order filled', body: 'BUY 10 AAPL @ 189.2 in account acc', urgency: 'normal' });
    expect(route(order({ status: 'rejected', reason: 'TRADING_HALTED: Trading is halted' })).notification).toMatchObject({ title: 'Order rejected by the broker', urgency: 'critical' });
    expect(route(order({ status: 'rejected', reason: 'TRADING_HALTED: Trading is halted' })).notification?.body).toContain('TRADING_HALTED');
    expect(route(order({ status: 'unknown' })).notification?.title).toBe('Order outcome unknown');
    expect(route(order({ status: 'accepted' })).notification).toBeNull();
  });

  it('announces a denied signal with its code and symbol', () => {
    const e: AgentEvent = { type: 'signal', signal: { id: 's1', strategyId: 'st', status: 'denied', code: 'MAX_POSITION', symbol: 'TSLA' } };
    expect(route(e).notification).toMatchObject({ title: 'Order denied', urgency: 'normal' });
    expect(route(e).notification?.body).toMatch(/^TSLA: MAX_POSITION/);
    expect(route({ type: 'signal', signal: { id: 's2', strategyId: 'st', status: 'done', symbol: 'TSLA' } }).notification).toBeNull();
  });

  it('follows the trading state inside the event and announces a halt with its reason', () => {
    const halted = route({ type: 'trading-state', state: { state: 'halted', reason: 'daily loss limit', updatedAt: 'now', accounts: {} } });
    expect(halted).toEqual({ notification: { title: 'Trading halted', body: 'daily loss limit', urgency: 'critical' }, kinds: ['halt'], status: { tradingState: 'halted', tunnel: 'up' } });
    expect(route({ type: 'trading-state', state: { state: 'active', reason: null, updatedAt: 'now', accounts: {} } }, halted.status).notification?.title).toBe('Trading resumed');
  });

  it('announces the tunnel going down from its status object', () => {
    const status = (state: TunnelStatusView['state'], lastError: TunnelStatusView['lastError'] = null) =>
      ({ type: 'tunnel', status: { state, lastError } }) as unknown as AgentEvent;
    const down = route(status('down', { code: 'TUNNEL_DOWN', message: 'ngrok session expired', fix: null }));
    expect(down.notification).toMatchObject({ title: 'Tunnel down', urgency: 'critical' });
    expect(down.notification?.body).toContain('ngrok session expired');
    expect(route(status('up'), down.status).status.tunnel).toBe('up');
  });
});

describe("routeAgentEvent with a change of one account's trading state", () => {
  const ACTIVE_NOW: DesktopStatus = { tradingState: 'active', tunnel: 'up' };
  const names: AccountNames = new Map([['acc_1', { name: 'Paper' }]]);
  type State = 'active' | 'reducing' | 'halted';
  /** The event main/trading-state.ts publishes when one account's state changes. */
  const accountChange = (accountId: string, from: State, to: State, reason: string | null, code?: string, global: State = 'active', at = '2026-11-29T10:00:00.000Z'): AgentEvent => ({
    type: 'trading-state',
    state: { state: global, reason: null, updatedAt: 'then', accounts: { [accountId]: { state: to, reason } } },
    change: { scope: 'account', accountId, from, to, reason, ...(code === undefined ? {} : { code }), at },
  });
  const route = (e: AgentEvent, states: AccountTradingStates, s = ACTIVE_NOW) => routeAgentEvent(e as unknown as Record<string, unknown>, s, undefined, names, states);
  const limitHalt = accountChange('acc_1', 'active', 'halted', 'DAILY_LOSS_LIMIT: loss=512.30, limit=500', 'DAILY_LOSS_LIMIT');

  it('announces a loss limit halting one account, naming it, with the reason, as `daily-loss` and `halt`; the tray keeps the global state', () => {
    const routed = route(limitHalt, new AccountTradingStates());
    expect(routed).toEqual({
      notification: {
        title: 'Trading halted for account "Paper" (acc_1)',
        body: 'The daily loss limit is reached (DAILY_LOSS_LIMIT: loss=512.30, limit=500). No new orders are sent to this account until trading is resumed for it.',
        urgency: 'critical',
      },
      kinds: ['daily-loss', 'halt'],
      status: ACTIVE_NOW,
    });
    const drawdown = route(accountChange('acc_9', 'active', 'reducing', 'DRAWDOWN_LIMIT: drawdown=8%, max=5%', 'DRAWDOWN_LIMIT'), new AccountTradingStates());
    expect(drawdown.kinds).toEqual(['daily-loss', 'halt']);
    expect(drawdown.notification).toEqual({
      title: 'Trading reduced to closing orders for account acc_9',
      body: "The drawdown from today's equity high exceeds the limit (DRAWDOWN_LIMIT: drawdown=8%, max=5%). Only orders that reduce a position are sent to this account until trading is resumed for it.",
      urgency: 'normal',
    });
  });

  it("announces the trader's or another rule's halt, reduce and resume of one account as `halt`", () => {
    const states = new AccountTradingStates();
    const halted = route(accountChange('acc_1', 'active', 'halted', 'set by the trader'), states);
    expect(halted.kinds).toEqual(['halt']);
    expect(halted.notification).toEqual({ title: 'Trading halted for account "Paper" (acc_1)', body: 'Reason: set by the trader. No new orders are sent to this account until trading is resumed for it.', urgency: 'critical' });
    const reducing = route(accountChange('acc_1', 'halted', 'reducing', 'Reconciliation mismatch on AAPL.', 'RECONCILIATION_MISMATCH'), states);
    expect(reducing.kinds).toEqual(['halt']);
    expect(reducing.notification?.body).toBe('Reason: Reconciliation mismatch on AAPL. Only orders that reduce a position are sent to this account until trading is resumed for it.');
    const resumed = route(accountChange('acc_1', 'reducing', 'active', null), states);
    expect(resumed).toEqual({ notification: { title: 'Trading active again for account "Paper" (acc_1)', body: 'New orders are sent to this account again.', urgency: 'normal' }, kinds: ['halt'], status: ACTIVE_NOW });
  });

  it('says so when an account is active again while trading is still halted or reduced for all accounts', () => {
    const halted: DesktopStatus = { tradingState: 'halted', tunnel: 'up' };
    const routed = route(accountChange('acc_1', 'halted', 'active', 'set by the trader', undefined, 'halted'), new AccountTradingStates(), halted);
    expect(routed.notification?.body).toBe('Reason: set by the trader. Trading is still halted for all accounts: no new orders are sent until it is resumed.');
    expect(routed.status).toEqual(halted);
    const reducing: DesktopStatus = { tradingState: 'reducing', tunnel: 'up' };
    expect(route(accountChange('acc_1', 'halted', 'active', null, undefined, 'reducing'), new AccountTradingStates(), reducing).notification?.body).toBe(
      'Trading is still reduced to closing orders for all accounts: only orders that reduce a position are sent.',
    );
  });

  it('does not announce a state the account is already known to be in: the same change again, a set that changed nothing, a state read at reconnect', () => {
    const states = new AccountTradingStates();
    expect(route(limitHalt, states).notification).not.toBeNull();
    expect(route(limitHalt, states).notification).toBeNull(); // the same event again
    const { change: _, ...republished } = limitHalt as Extract<AgentEvent, { type: 'trading-state' }>;
    expect(route(republished, states).notification).toBeNull(); // the limit hit again: the agent publishes the state without a change
    // After a reconnect the shell reads every account's state; an account the read already shows halted is not news.
    const reread = new AccountTradingStates();
    reread.adopt(new Map([['acc_1', 'halted']]));
    expect(route(limitHalt, reread).notification).toBeNull();
    // Each later change is news again.
    expect(route(accountChange('acc_1', 'halted', 'active', null), reread).notification?.title).toBe('Trading active again for account "Paper" (acc_1)');
    expect(route(limitHalt, reread).notification?.title).toBe('Trading halted for account "Paper" (acc_1)');
    // An account the last list does not hold has no state of its own: it is active, and its halt is news.
    expect(route(accountChange('acc_2', 'active', 'halted', 'set by the trader'), reread).notification?.title).toBe('Trading halted for account acc_2');
  });

  it('learns every account state the event carries, so another account already known halted is not announced', () => {
    const states = new AccountTradingStates();
    const both: AgentEvent = {
      type: 'trading-state',
      state: { state: 'active', reason: null, updatedAt: 'then', accounts: { acc_1: { state: 'halted', reason: 'x' }, acc_2: { state: 'halted', reason: 'y' } } },
      change: { scope: 'account', accountId: 'acc_1', from: 'active', to: 'halted', reason: 'x', at: 'now' },
    };
    expect(route(both, states).notification?.title).toBe('Trading halted for account "Paper" (acc_1)');
    expect(route(accountChange('acc_2', 'active', 'halted', 'y'), states).notification).toBeNull();
    // An event without an account's change (the global state set, a state set again) carries them too.
    const fresh = new AccountTradingStates();
    const global: AgentEvent = { type: 'trading-state', state: { state: 'reducing', reason: 'r', updatedAt: 'now', accounts: { acc_3: { state: 'reducing', reason: 'z' } } }, change: { scope: 'global', from: 'active', to: 'reducing', reason: 'r', at: 'now' } };
    expect(route(global, fresh).notification?.title).toBe('Trading reduced');
    expect(route(accountChange('acc_3', 'active', 'reducing', 'z', undefined, 'reducing'), fresh, { tradingState: 'reducing', tunnel: 'up' }).notification).toBeNull();
  });

  it("an account's change is not announced as a change of the global state, nor does its code classify one", () => {
    // The shell has not read the global state yet: the account's event tells it, and only the account's change is news.
    const first = route(accountChange('acc_1', 'active', 'halted', 'set by the trader', undefined, 'halted'), new AccountTradingStates(), INITIAL_STATUS);
    expect(first.notification?.title).toBe('Trading halted for account "Paper" (acc_1)');
    expect(first.status.tradingState).toBe('halted');
    const global = route({ type: 'trading-state', state: { state: 'halted', reason: 'by the trader', updatedAt: 'now', accounts: {} }, change: { scope: 'global', from: 'active', to: 'halted', reason: 'by the trader', at: 'now' } }, new AccountTradingStates());
    expect(global).toEqual({ notification: { title: 'Trading halted', body: 'by the trader', urgency: 'critical' }, kinds: ['halt'], status: { tradingState: 'halted', tunnel: 'up' } });
  });

  it('ignores an account change it cannot read', () => {
    const states = new AccountTradingStates();
    const bad = (change: Record<string, unknown>) => route({ type: 'trading-state', state: { state: 'active', reason: null, updatedAt: 'now', accounts: {} }, change } as unknown as AgentEvent, states);
    expect(bad({ scope: 'account', from: 'active', to: 'halted', reason: null, at: 'now' })).toEqual({ notification: null, kinds: [], status: ACTIVE_NOW });
    expect(bad({ scope: 'account', accountId: 'acc_1', from: 'active', to: 'paused', reason: null, at: 'now' })).toEqual({ notification: null, kinds: [], status: ACTIVE_NOW });
  });
});

describe('routeAgentEvent with the tunnel coming back, an approval waiting and a broker account down, in the agent\'s own words', () => {
  const ACTIVE_NOW: DesktopStatus = { tradingState: 'active', tunnel: 'up' };
  const names: AccountNames = new Map([['acc_1', { name: 'Alpaca paper' }]]);
  const at = '2026-01-02T10:00:00.000Z';
  const route = (e: AgentEvent, s: DesktopStatus = ACTIVE_NOW, told?: SeenKeys, outages?: BrokerOutages) => routeAgentEvent(e as unknown as Record<string, unknown>, s, told, names, undefined, outages);
  const tunnel = (state: TunnelStatusView['state'], extra: Partial<TunnelStatusView> = {}) =>
    ({ type: 'tunnel', status: { state, provider: 'ngrok', publicUrl: null, since: '2026-01-02T10:07:00.000Z', lastError: null, ...extra } }) as unknown as AgentEvent;

  it('tells the tunnel up when it comes back after the shell saw it down, as the agent says it (`tunnel-up`)', () => {
    const down = route(tunnel('down', { lastError: { code: 'TUNNEL_DOWN', message: 'session expired', fix: null } }));
    const starting = route(tunnel('starting'), down.status);
    expect(starting.notification).toBeNull();
    expect(starting.status.tunnel).toBe('down');
    const upEvent = tunnel('up', { publicUrl: 'https://my-desk.ngrok-free.app' });
    const up = route(upEvent, starting.status);
    const agents = notificationFor(upEvent, at)!.message;
    expect(agents.title).toBe('Tunnel up');
    expect(up).toEqual({ notification: { title: agents.title, body: 'Public URL: https://my-desk.ngrok-free.app\nProvider: ngrok', urgency: 'normal' }, kinds: ['tunnel-up'], status: ACTIVE_NOW });
  });

  it('does not tell the tunnel up when the shell did not see it down: at each connection, on a health check, after a stop', () => {
    expect(route(tunnel('up'), INITIAL_STATUS)).toEqual({ notification: null, kinds: [], status: { tradingState: 'unknown', tunnel: 'up' } });
    expect(route(tunnel('up'), ACTIVE_NOW).notification).toBeNull();
    const off = route(tunnel('stopped'), ACTIVE_NOW);
    expect(off.status.tunnel).toBe('off');
    expect(route(tunnel('up'), off.status).notification).toBeNull();
    expect(route(tunnel('degraded'), ACTIVE_NOW)).toEqual({ notification: null, kinds: [], status: ACTIVE_NOW });
  });

  it('tells an approval waiting in the agent\'s words (`approval-waiting`), once per approval id', () => {
    const waiting = (approvalId: string): AgentEvent => ({ type: 'approval-waiting', approvalId, accountId: 'acc_1', strategyId: 'str_1', symbol: 'AAPL', side: 'buy', quantity: '10', expiresAt: '2026-01-02T10:15:00.000Z' });
    const told = new SeenKeys();
    const first = route(waiting('ap_1'), ACTIVE_NOW, told);
    const agents = notificationFor(waiting('ap_1'), at, { account: (id) => names.get(id)?.name, strategy: () => undefined })!.message;
    expect(first).toEqual({
      notification: { title: 'Approval waiting: buy 10 AAPL', body: 'Expires at 2026-01-02T10:15:00.000Z.\nAccount: "Alpaca paper" (acc_1)\nStrategy: str_1', urgency: 'normal' },
      kinds: ['approval-waiting'],
      status: ACTIVE_NOW,
    });
    expect(first.notification?.title).toBe(agents.title);
    expect(route(waiting('ap_1'), ACTIVE_NOW, told).notification).toBeNull(); // published again
    expect(route(waiting('ap_2'), ACTIVE_NOW, told).notification?.title).toBe('Approval waiting: buy 10 AAPL');
    expect(route({ type: 'approval-waiting', symbol: 'AAPL' } as unknown as AgentEvent, ACTIVE_NOW, told).notification).toBeNull(); // no id: not an approval
  });

  it('tells a broker account that failed its test (`broker-down`), once per account and code while it stays down', () => {
    const down = (code: string, accountId = 'acc_1'): AgentEvent => ({ type: 'notice', level: 'error', code, message: 'Alpaca paper: Alpaca (paper) refused the API key.', accountId });
    const outages = new BrokerOutages();
    const first = route(down('BROKER_AUTH_FAILED'), ACTIVE_NOW, undefined, outages);
    expect(first).toEqual({
      notification: {
        title: 'Broker account not usable (BROKER_AUTH_FAILED)',
        body: 'Alpaca paper: Alpaca (paper) refused the API key.\nIts alerts are denied until this is fixed: check the keys (PUT /api/accounts/:id/credentials) or the broker, then test the account.\nCode: BROKER_AUTH_FAILED',
        urgency: 'critical',
      },
      kinds: ['broker-down'],
      status: ACTIVE_NOW,
    });
    expect(first.notification?.title).toBe(notificationFor(down('BROKER_AUTH_FAILED'), at)!.message.title);
    expect(route(down('BROKER_AUTH_FAILED'), ACTIVE_NOW, undefined, outages).notification).toBeNull(); // the agent restarted: still down
    expect(route(down('BROKER_UNREACHABLE'), ACTIVE_NOW, undefined, outages).notification?.title).toBe('Broker account not usable (BROKER_UNREACHABLE)');
    expect(route(down('BROKER_UNREACHABLE', 'acc_2'), ACTIVE_NOW, undefined, outages).notification).not.toBeNull(); // another account
    // Its broker takes an order: it works again, and its next failure is news.
    const order = { type: 'order', order: { id: 'o1', clientOrderId: 'vz-1', accountId: 'acc_1', symbol: 'AAPL', side: 'buy', type: 'market', quantity: '1', timeInForce: 'day', status: 'accepted', filledQuantity: '0', createdAt: at, updatedAt: at } } as AgentEvent;
    expect(route(order, ACTIVE_NOW, undefined, outages).notification).toBeNull();
    expect(route(down('BROKER_UNREACHABLE'), ACTIVE_NOW, undefined, outages).notification).not.toBeNull();
    // An agent that does not say which account: the same notice is the same outage.
    const { accountId: _, ...unnamed } = down('BROKER_AUTH_FAILED', 'x') as Extract<AgentEvent, { type: 'notice' }>;
    expect(route(unnamed, ACTIVE_NOW, undefined, outages).notification).not.toBeNull();
    expect(route(unnamed, ACTIVE_NOW, undefined, outages).notification).toBeNull();
  });

  it('tells a changed tunnel URL in the agent\'s words, once per change: TradingView alerts still go to the old one', () => {
    const changed = (message: string): AgentEvent => ({ type: 'notice', level: 'warning', code: 'TUNNEL_URL_CHANGED', message });
    const told = new SeenKeys();
    const text = 'The tunnel\'s public URL changed from https://a.example to https://b.example; edit your TradingView alerts.';
    const first = route(changed(text), ACTIVE_NOW, told);
    expect(first).toEqual({
      notification: { title: 'Tunnel URL changed: edit the webhook URL in your TradingView alerts', body: text, urgency: 'critical' },
      kinds: ['tunnel-down'],
      status: ACTIVE_NOW,
    });
    expect(first.notification?.title).toBe(notificationFor(changed(text), at)!.message.title);
    expect(route(changed(text), ACTIVE_NOW, told).notification).toBeNull(); // replayed at a reconnect
    expect(route(changed(text.replace('b.example', 'c.example')), ACTIVE_NOW, told).notification?.urgency).toBe('critical'); // changed again
    expect(route({ type: 'notice', level: 'warning', code: 'TUNNEL_URL_CHANGED' } as unknown as AgentEvent, ACTIVE_NOW, told).notification).toBeNull(); // no message
  });

  it('tells no other notice', () => {
    for (const e of [
      { type: 'notice', level: 'warning', code: 'BROKER_AUTH_FAILED', message: 'x' },
      { type: 'notice', level: 'error', code: 'RECONCILE_MISMATCH', message: 'x' },
      { type: 'notice', level: 'error', message: 'no code' },
    ]) {
      expect(route(e as AgentEvent, ACTIVE_NOW, undefined, new BrokerOutages())).toEqual({ notification: null, kinds: [], status: ACTIVE_NOW });
    }
  });
});

describe('a trading state changed while the shell was not connected', () => {
  const names: AccountNames = new Map([['acc_1', { name: 'Paper' }]]);

  it('the global state: says it changed meanwhile, what it was, and why, as `halt` (a loss limit as `daily-loss` too)', () => {
    expect(missedStateNotification({ accountId: null, from: 'active', to: 'halted', reason: 'set by the trader' }, 'halted', names)).toEqual({
      kinds: ['halt'],
      spec: { title: 'Trading halted while the app was disconnected', body: 'Reason: set by the trader. No new orders will be sent until trading is resumed. It was active when the app last heard from the agent.', urgency: 'critical' },
    });
    expect(missedStateNotification({ accountId: null, from: 'halted', to: 'active', reason: null }, 'active', names)).toEqual({
      kinds: ['halt'],
      spec: { title: 'Trading resumed while the app was disconnected', body: 'Trading is active again. It was halted when the app last heard from the agent.', urgency: 'normal' },
    });
    const limit = missedStateNotification({ accountId: null, from: 'active', to: 'reducing', reason: 'DRAWDOWN_LIMIT: drawdown=8%, max=5%' }, 'reducing', names);
    expect(limit.kinds).toEqual(['daily-loss', 'halt']);
    expect(limit.spec.body).toBe("The drawdown from today's equity high exceeds the limit (DRAWDOWN_LIMIT: drawdown=8%, max=5%). Only orders that reduce positions will be sent. It was active when the app last heard from the agent.");
  });

  it("one account's state: named as the trader named it", () => {
    expect(missedStateNotification({ accountId: 'acc_1', from: 'active', to: 'halted', reason: 'DAILY_LOSS_LIMIT: loss=512.30, limit=500' }, 'active', names)).toEqual({
      kinds: ['daily-loss', 'halt'],
      spec: {
        title: 'Trading halted for account "Paper" (acc_1) while the app was disconnected',
        body: 'The daily loss limit is reached (DAILY_LOSS_LIMIT: loss=512.30, limit=500). No new orders are sent to this account until trading is resumed for it. It was active when the app last heard from the agent.',
        urgency: 'critical',
      },
    });
    expect(missedStateNotification({ accountId: 'acc_2', from: 'halted', to: 'active', reason: null }, 'halted', names).spec).toEqual({
      title: 'Trading active again for account acc_2 while the app was disconnected',
      body: 'Trading is still halted for all accounts: no new orders are sent until it is resumed. It was halted when the app last heard from the agent.',
      urgency: 'normal',
    });
  });

  it('finds which accounts changed against what was known before the read, also before the agent went away; the first read finds none', () => {
    const states = new AccountTradingStates();
    expect(states.reread(new Map([['acc_1', 'halted']]))).toEqual([]); // nothing was known: not a change
    expect(states.reread(new Map([['acc_1', 'halted']]))).toEqual([]);
    expect(states.reread(new Map([['acc_2', 'reducing']]))).toEqual([
      { accountId: 'acc_1', from: 'halted', to: 'active' },
      { accountId: 'acc_2', from: 'active', to: 'reducing' },
    ]);
    states.forget(); // the agent went away
    expect(states.get('acc_2')).toBeUndefined();
    states.forget(); // and failed again before it came back
    expect(states.reread(new Map([['acc_2', 'halted']]))).toEqual([{ accountId: 'acc_2', from: 'reducing', to: 'halted' }]);
    states.forget();
    expect(states.reread(new Map([['acc_2', 'halted']]))).toEqual([]);
  });
});
