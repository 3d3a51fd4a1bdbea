import { describe, expect, it } from 'vitest';
import { parseAlert } from './index.js';
import { signalViolation } from './schema.js';

function ok(body: unknown) {
  const r = parseAlert(JSON.stringify(body), 'application/json');
  if (!r.ok) throw new Error(`expected ok, got ${r.code}: ${r.message}`);
  expect(signalViolation(r.signal)).toBeUndefined();
  expect(r.signal.dialect).toBe('threecommas');
  return r;
}

describe('3Commas JSON', () => {
  it('reads a DCA bot start-deal message as buy, with the token as passphrase and never in extras', () => {
    const r = ok({ message_type: 'bot', bot_id: 4567, email_token: 'canary-tok-1', delay_seconds: 0, pair: 'USDT_BTC' });
    expect(r.signal).toMatchObject({ symbol: 'BTCUSDT', ticker: 'BTCUSDT', action: 'buy' });
    expect(r.signal.extras).toEqual({ message_type: 'bot', bot_id: 4567, delay_seconds: 0, pair: 'USDT_BTC' });
    expect(r.passphrase).toBe('canary-tok-1');
    expect(JSON.stringify(r.signal)).not.toContain('canary-tok-1');
    expect(r.warnings.join(' ')).toMatch(/start-deal/);
  });

  it('says what it does not apply: a delay 3Commas would wait, and fields it does not read', () => {
    const delayed = ok({ message_type: 'bot', bot_id: 4567, email_token: 'tok-1', delay_seconds: 30, pair: 'USDT_BTC', action: 'close_at_market_price' });
    expect(delayed.warnings).toEqual(['"delay_seconds" (30) is not applied: the order is sent at once, not after the delay 3Commas would wait.']);
    const extra = ok({ secret: 'tok-2', bot_uuid: 'u-1', tv_instrument: 'ETHUSDT', action: 'buy', order: { amount: '1', currency_type: 'base', price: '3000' }, leverage: 5 });
    expect(extra.signal.extras).toEqual({ bot_uuid: 'u-1', order: { price: '3000' }, leverage: 5 });
    expect(extra.warnings).toEqual(['Not acted on, kept in extras: "leverage", "order".']);
    expect(ok({ message_type: 'bot', bot_id: 1, email_token: 'tok-3', delay_seconds: 0, pair: 'USDT_ETH' }).warnings.join(' ')).not.toMatch(/not applied|Not acted on/);
  });

  it('drops a mangled secret key from extras instead of storing the token (fuzz regression)', () => {
    const r = parseAlert('{"message_type":"bot","bot_id":4567,"email_token\\"email_token":"canary-T","pair":"USDT_BTC","action":"close_at_market_price"}');
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(JSON.stringify(r.signal)).not.toContain('canary-T');
      expect(r.warnings.join(' ')).toMatch(/Secret-looking fields were dropped/);
    }
  });

  it.each([
    [{ message_type: 'bot', bot_id: 1, email_token: 't', pair: 'USDT_ETH', action: 'close_at_market_price' }, { symbol: 'ETHUSDT', action: 'exit' }],
    [{ message_type: 'bot', bot_id: 1, email_token: 't', pair: 'USDT_BTCUSDT', action: 'close_at_market_price' }, { symbol: 'BTCUSDT' }],
    [{ message_type: 'bot', bot_id: 1, email_token: 't', pair: 'USDT_ETH', action: 'add_funds_in_quote', volume: 100 }, { action: 'add', quantity: '100', quantityType: 'dollar_amount' }],
    [{ message_type: 'bot', bot_id: 1, email_token: 't', pair: 'USDT_ETH', action: 'add_funds_in_percent', volume: '25' }, { action: 'add', quantity: '25', quantityType: 'percent_of_position' }],
  ])('DCA %j', (body, expected) => {
    expect(ok(body).signal).toMatchObject(expected);
  });

  it('reads max_lag as the signal\'s maximum age in seconds, and refuses one that is not a whole positive number', () => {
    const base = { secret: 's', bot_uuid: 'b', tv_instrument: 'BTCUSDT', action: 'enter_long', timestamp: '2026-03-02T14:31:00Z' };
    expect(ok({ ...base, max_lag: 45 }).signal.maxAgeSeconds).toBe(45);
    expect(ok({ ...base }).signal.maxAgeSeconds).toBeUndefined();
    const { timestamp: _t, ...untimed } = base;
    expect(ok({ ...untimed, max_lag: '300' }).warnings.join(' ')).toMatch(/"max_lag" is not applied: the message has no "timestamp"/);
    expect(ok({ ...base, max_lag: '300' }).warnings).toEqual([]);
    for (const bad of ['soon', '0', '-5', '1.5', '', ' ', true]) {
      const r = parseAlert(JSON.stringify({ ...base, max_lag: bad }), 'application/json');
      expect(r).toMatchObject({ ok: false, code: 'INVALID_FIELD', field: 'max_lag' });
    }
  });

  it('reads a signal-bot strategy message with all its fields', () => {
    const r = ok({
      secret: 'canary-sec-2',
      max_lag: '300',
      timestamp: '2026-03-02T14:31:00Z',
      trigger_price: '64000.5',
      tv_exchange: 'BINANCE',
      tv_instrument: 'BTCUSDT',
      action: 'sell',
      bot_uuid: 'b-uuid',
      strategy_info: { market_position: 'short', market_position_size: '0.5', prev_market_position: 'flat', prev_market_position_size: '0' },
      order: { amount: '0.5', currency_type: 'base' },
    });
    expect(r.signal).toEqual({
      dialect: 'threecommas',
      symbol: 'BTCUSDT',
      exchange: 'BINANCE',
      ticker: 'BINANCE:BTCUSDT',
      action: 'sell',
      quantity: '0.5',
      quantityType: 'fixed_quantity',
      price: '64000.5',
      time: '2026-03-02T14:31:00.000Z',
      marketPosition: 'short',
      marketPositionSize: '0.5',
      prevMarketPosition: 'flat',
      prevMarketPositionSize: '0',
      maxAgeSeconds: 300,
      extras: { bot_uuid: 'b-uuid' },
    });
    expect(r.passphrase).toBe('canary-sec-2');
  });

  it.each([
    ['enter_long', { action: 'buy', sentiment: 'bullish' }],
    ['enter_short', { action: 'sell', sentiment: 'bearish' }],
    ['exit_long', { action: 'exit', prevMarketPosition: 'long', closeSide: 'long', quantity: '100' }],
    ['EXIT_SHORT', { action: 'exit', prevMarketPosition: 'short', closeSide: 'short' }],
  ])('custom signal action %s', (action, expected) => {
    expect(ok({ secret: 's', bot_uuid: 'u', tv_instrument: 'ETHUSDT', action, order: { amount: '100', currency_type: 'quote' } }).signal).toMatchObject({ ...expected, quantityType: 'dollar_amount' });
  });

  it('exit_long without an amount closes the long (flat); with an amount it closes that amount only', () => {
    const base = { secret: 's', bot_uuid: 'u', tv_instrument: 'ETHUSDT', action: 'exit_long' };
    expect(ok(base).signal).toMatchObject({ action: 'exit', marketPosition: 'flat', closeSide: 'long' });
    const partial = ok({ ...base, order: { amount: '1', currency_type: 'base' } }).signal;
    expect(partial).toMatchObject({ action: 'exit', closeSide: 'long', quantity: '1', quantityType: 'fixed_quantity' });
    expect(partial.marketPosition).toBeUndefined();
  });

  it.each([
    [{ message_type: 'bot', bot_id: 1, email_token: 't', pair: 'BTC', action: 'close_at_market_price' }, 'INVALID_FIELD', 'pair'],
    [{ message_type: 'bot', bot_id: 1, email_token: 't', pair: 'USDT_BTC', action: 'stop_bot' }, 'INVALID_ACTION', 'action'],
    [{ message_type: 'bot', bot_id: 1, email_token: 't' }, 'MISSING_TICKER', 'ticker'],
    [{ secret: 's', bot_uuid: 'u', tv_instrument: 'ETHUSDT', action: 'moon' }, 'INVALID_ACTION', 'action'],
    [{ secret: 's', bot_uuid: 'u', tv_instrument: 'ETHUSDT', action: 'buy', order: { amount: '1', currency_type: 'coins' } }, 'INVALID_FIELD', 'order.currency_type'],
    [{ secret: 's', bot_uuid: 'u', tv_instrument: '{{ticker}}', action: 'buy' }, 'UNFILLED_PLACEHOLDER', 'tv_instrument'],
    [{ secret: 's', bot_uuid: 'u', tv_instrument: 'ETHUSDT', action: 'buy', order: { amount: '-1' } }, 'INVALID_QUANTITY', 'quantity'],
  ])('%j → %s', (body, code, field) => {
    const r = parseAlert(JSON.stringify(body));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.code).toBe(code);
      expect(r.field).toBe(field);
    }
  });
});
