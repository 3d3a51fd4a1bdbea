import { describe, expect, it } from 'vitest';
import { alertPriceOf, approvalPrice } from './approval-price.js';

describe('approvalPrice shows the price an approved order goes out at', () => {
  it('a limit order shows its limit, a stop limit both prices', () => {
    expect(approvalPrice({ type: 'limit', limitPrice: '120.50' })).toBe('limit 120.50');
    expect(approvalPrice({ type: 'stop_limit', stopPrice: '99', limitPrice: '98.5' })).toBe('stop 99, limit 98.5');
    expect(approvalPrice({ type: 'stop', stopPrice: '99' }, '100')).toBe('stop 99');
  });
  it('a market order shows "market" with the alert price, or says the alert had none', () => {
    expect(approvalPrice({ type: 'market' }, '190.12345678901234567890')).toBe('market (alert price 190.12345678901234567890)');
    expect(approvalPrice({ type: 'market' })).toBe('market (the alert gave no price)');
  });
});

describe('alertPriceOf', () => {
  it('reads price, else signalPrice, as given', () => {
    expect(alertPriceOf({ price: '1.10' })).toBe('1.10');
    expect(alertPriceOf({ signalPrice: '7' })).toBe('7');
    expect(alertPriceOf({ ticker: 'AAPL' })).toBeUndefined();
    expect(alertPriceOf(undefined)).toBeUndefined();
  });
});
