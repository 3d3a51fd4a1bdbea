import { describe, expect, it } from 'vitest';
import { orderTimeline } from './timeline.js';
import type { OrderDetail, SignalDetail } from '../api/types.js';

const order: OrderDetail = {
  id: 'ord_1', clientOrderId: 'c1', signalId: 'sig_1', accountId: 'acc_1', symbol: 'AAPL', side: 'buy', type: 'market', quantity: '1', timeInForce: 'day',
  status: 'filled', filledQuantity: '1', averageFillPrice: '190', createdAt: '2025-01-01T10:00:01.000Z', updatedAt: '2025-01-01T10:00:02.000Z',
  events: [
    { seq: 2, orderId: 'ord_1', at: '2025-01-01T10:00:01.500Z', kind: 'status', fromStatus: 'created', toStatus: 'submitting' },
    { seq: 1, orderId: 'ord_1', at: '2025-01-01T10:00:01.000Z', kind: 'created', toStatus: 'created', data: { leg: 'entry' } },
    { seq: 3, orderId: 'ord_1', at: '2025-01-01T10:00:02.000Z', kind: 'status', fromStatus: 'submitting', toStatus: 'filled' },
  ],
  fills: [{ tradeId: 't1', quantity: '1', price: '190', time: '2025-01-01T10:00:02.000Z' }],
};
const signal: SignalDetail = {
  id: 'sig_1', strategyId: 'str_1', receivedAt: '2025-01-01T10:00:00.000Z', status: 'done', rawBody: '{"ticker":"AAPL"}', symbol: 'AAPL',
  decisions: [
    { accountId: 'acc_2', verdict: 'denied', code: 'TRADING_HALTED', at: '2025-01-01T10:00:01.000Z' },
    { accountId: 'acc_1', verdict: 'order', at: '2025-01-01T10:00:01.000Z' },
  ],
  orders: [],
};

describe('order timeline', () => {
  it('runs alert → decision → request → updates → fill, in time order, with only this account’s decision', () => {
    const t = orderTimeline(order, signal);
    expect(t.map((e) => e.kind)).toEqual(['alert', 'decision', 'event', 'event', 'event', 'fill']);
    expect(t[1]!.title).toBe('Decision: place order');
    expect(t.some((e) => e.code === 'TRADING_HALTED')).toBe(false);
    expect(t[4]!.title).toContain('submitting → filled');
    expect(t[5]!.title).toBe('Fill 1 @ 190');
  });

  it('without the signal it still shows every order event and fill', () => {
    expect(orderTimeline(order).map((e) => e.kind)).toEqual(['event', 'event', 'event', 'fill']);
  });
});
