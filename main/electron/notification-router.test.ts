import { describe, expect, it } from 'vitest';
import { INITIAL_STATUS, routeAgentEvent, type DesktopStatus } from './notification-router.js';

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
    for (const status of ['created', 'submitting', 'accepted', 'cancel_pending', 'canceled', 'expired']) {
      expect(routeAgentEvent({ type: 'order', status, symbol: 'AAPL' }, ACTIVE).notification).toBeNull();
    }
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
