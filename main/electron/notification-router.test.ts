import { describe, expect, it } from 'vitest';
import { INITIAL_STATUS, routeAgentEvent, type DesktopStatus } from './notification-router.js';
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
      body: 'BUY 2 of 5 AAPL @ 99 (account acc1): filled before the cancel took effect; the rest is being canceled.',
      urgency: 'normal',
    });
    expect(routeAgentEvent({ ...o, status: 'canceled' }, ACTIVE).notification).toEqual({ title: 'Order canceled after a partial fill', body: 'BUY 2 of 5 AAPL @ 99 (account acc1): filled before the cancel took effect; the rest was canceled.', urgency: 'normal' });
    expect(routeAgentEvent({ ...o, status: 'expired' }, ACTIVE).notification).toEqual({ title: 'Order expired after a partial fill', body: 'BUY 2 of 5 AAPL @ 99 (account acc1): filled before it expired; the rest will not fill.', urgency: 'normal' });
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
    expect(titles).toEqual(['Order partially filled', null, null, 'Order partially filled, cancel pending', null, 'Order canceled after a partial fill', 'Order filled']);
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
    expect(routeAgentEvent({ type: 'trading-state', state: 'paused' }, ACTIVE)).toEqual({ notification: null, status: ACTIVE });
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
    expect(up).toEqual({ notification: null, status: { tradingState: 'active', tunnel: 'up' } });
  });

  it('shows only bounded plain text from event fields', () => {
    const { notification } = routeAgentEvent({ type: 'order', status: 'filled', symbol: { toString: () => 'X' }, side: 'buy\u0007', quantity: 'x'.repeat(500) }, ACTIVE);
    expect(notification?.body).not.toContain('[object');
    expect(notification?.body).not.toContain('\u0007');
    expect(notification?.body.length).toBeLessThan(200);
  });

  it('ignores unknown event types', () => {
    expect(routeAgentEvent({ type: 'heartbeat' }, ACTIVE)).toEqual({ notification: null, status: ACTIVE });
  });
});

describe('routeAgentEvent with the events the agent publishes (shared/api-types.ts)', () => {
  const ACTIVE_NOW: DesktopStatus = { tradingState: 'active', tunnel: 'up' };
  const order = (fields: Partial<OrderView>): AgentEvent => ({
    type: 'order',
    order: { id: 'ord_1', clientOrderId: 'vz-1', accountId: 'acc', symbol: 'AAPL', side: 'buy', type: 'market', quantity: '10', timeInForce: 'day', status: 'accepted', filledQuantity: '0', createdAt: 'now', updatedAt: 'now', ...fields },
  });
  const route = (e: AgentEvent, s = ACTIVE_NOW) => routeAgentEvent(e as unknown as Record<string, unknown>, s);

  it('announces fills, rejections and unknown outcomes of the nested order', () => {
    expect(route(order({ status: 'filled', filledQuantity: '10', averageFillPrice: '189.2' })).notification).toEqual({ title: 'Order filled', body: 'BUY 10 AAPL @ 189.2', urgency: 'normal' });
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
    expect(halted).toEqual({ notification: { title: 'Trading halted', body: 'daily loss limit', urgency: 'critical' }, status: { tradingState: 'halted', tunnel: 'up' } });
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
