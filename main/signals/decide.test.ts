import { describe, expect, it } from 'vitest';
import { tradingStateRefusal } from './decide.js';
import type { OrderIntent } from '../strategy/types.js';
import type { RiskContext } from '../risk/types.js';
import type { TradingState } from '../../shared/trading-state.js';

const context: RiskContext = {
  positions: [{ symbol: 'AAPL', quantity: '10' }],
  openOrders: [],
  equity: '100000',
  dayStartEquity: '100000',
  dayEquityHigh: '100000',
  recentOrders: [],
  lastPrices: { AAPL: '100' },
  marketHours: {},
};

const intent = (side: 'buy' | 'sell', quantity: string): OrderIntent => ({ leg: 'entry', symbol: 'AAPL', side, type: 'market', quantity, timeInForce: 'day' });

function refusal(i: OrderIntent, account: TradingState, global: TradingState = 'active', risk = {}) {
  return tradingStateRefusal({ intent: i, assetClass: 'equity', state: { global, account }, accountSettings: { risk }, strategySettings: {}, context, now: '2026-01-06T15:00:00Z' });
}

describe('tradingStateRefusal: the trading-state rule asked again at the moment of sending', () => {
  it('refuses everything while halted, on the account or everywhere', () => {
    expect(refusal(intent('sell', '5'), 'halted')?.code).toBe('TRADING_HALTED');
    expect(refusal(intent('buy', '5'), 'active', 'halted')?.code).toBe('TRADING_HALTED');
  });

  it('while reducing, refuses an order that adds and lets one that reduces go', () => {
    expect(refusal(intent('buy', '5'), 'reducing')).toMatchObject({ code: 'TRADING_REDUCING' });
    expect(refusal(intent('buy', '5'), 'reducing')!.detail).toContain('AAPL');
    expect(refusal(intent('sell', '5'), 'reducing')).toBeUndefined();
  });

  it('answers for the trading state only: another rule failing is not a refusal here', () => {
    expect(refusal(intent('buy', '5'), 'active', 'active', { blockedSymbols: ['AAPL'] })).toBeUndefined();
    expect(refusal(intent('buy', '5'), 'active')).toBeUndefined();
  });
});
