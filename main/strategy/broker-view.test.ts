// Proves the engines' structural views accept the broker port's real types, so the integrator can pass
// port values straight in (and an intent plus a clientOrderId is an OrderRequest).
import { describe, expect, it } from 'vitest';
import type { AccountSnapshot, InstrumentInfo, OrderRequest, Position, BrokerOrder, Side as PortSide } from '../brokers/port.js';
import type { AccountView, InstrumentView, OpenOrderView, OrderFields, PositionView, Side } from './broker-view.js';

describe('broker views match the broker port', () => {
  it('port values are assignable to the views and an intent with an id is an OrderRequest', () => {
    const instrument: InstrumentInfo = { symbol: 'AAPL', assetClass: 'equity', tradable: true, lotSize: '1', tickSize: '0.01', minQuantity: '1' };
    const account: AccountSnapshot = { currency: 'USD', equity: '1000', cash: '1000', buyingPower: '2000' };
    const position: Position = { symbol: 'AAPL', quantity: '-3', averagePrice: '10' };
    const order: BrokerOrder = { clientOrderId: 'c', brokerOrderId: 'b', symbol: 'AAPL', side: 'buy', type: 'limit', quantity: '2', filledQuantity: '0', status: 'accepted', updatedAt: '2026-01-01T00:00:00Z' };
    const iv: InstrumentView = instrument;
    const av: AccountView = account;
    const pv: PositionView = position;
    const ov: OpenOrderView = order;
    const side: Side = 'buy' as PortSide;
    const fields: OrderFields = { symbol: 'AAPL', side, type: 'market', quantity: '1', timeInForce: 'day' };
    const request: OrderRequest = { ...fields, clientOrderId: 'x' };
    expect([iv.symbol, av.equity, pv.quantity, ov.side, request.clientOrderId]).toEqual(['AAPL', '1000', '-3', 'buy', 'x']);
  });
});
