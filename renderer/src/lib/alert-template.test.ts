import { describe, expect, it } from 'vitest';
import { alertObject, alertText, fillPlaceholders, PASSPHRASE_PLACEHOLDER, sampleValues } from './alert-template.js';

describe('alert message builder', () => {
  it('simple buy is valid JSON with a fixed action, quoted price placeholder and the chosen quantity', () => {
    const text = alertText({ mode: 'simple-buy', passphrase: false, quantity: '2.5' });
    expect(JSON.parse(text)).toEqual({ ticker: '{{ticker}}', exchange: '{{exchange}}', action: 'buy', quantity: '2.5', price: '{{close}}', time: '{{timenow}}' });
    expect(text).toContain('"price": "{{close}}"');
  });

  it('simple sell says sell and defaults the quantity to 1', () => {
    expect(alertObject({ mode: 'simple-sell', passphrase: false })).toMatchObject({ action: 'sell', quantity: '1' });
  });

  it('strategy mode uses the strategy placeholders and every position field', () => {
    const o = alertObject({ mode: 'strategy', passphrase: false });
    expect(o).toMatchObject({
      action: '{{strategy.order.action}}',
      quantity: '{{strategy.order.contracts}}',
      ticker: '{{ticker}}',
      exchange: '{{exchange}}', // {{ticker}} carries no EXCHANGE: prefix; mapping rows may name the exchange
      price: '{{close}}',
      time: '{{timenow}}',
      positionSize: '{{strategy.position_size}}',
      marketPosition: '{{strategy.market_position}}',
      marketPositionSize: '{{strategy.market_position_size}}',
      prevMarketPosition: '{{strategy.prev_market_position}}',
      prevMarketPositionSize: '{{strategy.prev_market_position_size}}',
    });
    expect(o).not.toHaveProperty('passphrase');
  });

  it('a strategy with a passphrase gets the placeholder, or the typed value when given', () => {
    expect(alertObject({ mode: 'strategy', passphrase: true }).passphrase).toBe(PASSPHRASE_PLACEHOLDER);
    expect(alertObject({ mode: 'simple-buy', passphrase: true, passphraseValue: 's3cret-pass' }).passphrase).toBe('s3cret-pass');
  });

  it('the idempotency id combines the order id and the time in strategy mode', () => {
    expect(alertObject({ mode: 'strategy', passphrase: false, withId: true }).id).toBe('{{strategy.order.id}}-{{timenow}}');
  });

  it('filling the placeholders of the strategy template gives a complete alert with no {{…}} left', () => {
    const filled = fillPlaceholders(alertText({ mode: 'strategy', passphrase: false, withId: true }), sampleValues(new Date('2025-01-02T03:04:05.678Z')));
    expect(filled).not.toMatch(/\{\{/);
    expect(JSON.parse(filled)).toMatchObject({ ticker: 'AAPL', action: 'buy', quantity: '1', time: '2025-01-02T03:04:05Z', id: 'Long-2025-01-02T03:04:05Z' });
  });

  it('unknown placeholders stay visible so the check can report them', () => {
    expect(fillPlaceholders('{"a":"{{plot_0}}"}', sampleValues())).toBe('{"a":"{{plot_0}}"}');
  });
});
