// The native format (a superset of TradersPost's webhook JSON): every field is read and normalised.
import { describe, expect, it } from 'vitest';
import { parseAlert, type ParseResult } from './index.js';
import { signalViolation } from './schema.js';

function ok(body: unknown, contentType = 'application/json'): Extract<ParseResult, { ok: true }> {
  const r = parseAlert(typeof body === 'string' ? body : JSON.stringify(body), contentType);
  if (!r.ok) throw new Error(`expected ok, got ${r.code}: ${r.message}`);
  expect(signalViolation(r.signal)).toBeUndefined();
  return r;
}

describe('native alerts', () => {
  it('reads a full TradingView strategy alert into every signal field', () => {
    const r = ok({
      ticker: 'NASDAQ:AAPL',
      action: 'buy',
      sentiment: 'long',
      quantity: '10',
      quantityType: 'fixed_quantity',
      orderType: 'stop_limit',
      limitPrice: '190.5',
      stopPrice: 190,
      trailAmount: '1.5',
      trailPercent: '0.5',
      price: '189.42',
      signalPrice: '189.40',
      timeInForce: 'GTC',
      takeProfit: { limitPrice: '200', percent: '5', amount: '10' },
      stopLoss: { type: 'trailing_stop', stopPrice: '180', limitPrice: '179.5', percent: '2', amount: '3', trailAmount: '1', trailPercent: '0.8' },
      time: '2026-03-02T14:31:00Z',
      extendedHours: 'true',
      cancel: false,
      ignoreTradingWindows: 'FALSE',
      id: 'Long Entry 2026-03-02T14:31:00Z',
      positionSize: '-5',
      marketPosition: 'short',
      marketPositionSize: '5',
      prevMarketPosition: 'flat',
      prevMarketPositionSize: '0',
    });
    expect(r.signal).toEqual({
      dialect: 'native',
      symbol: 'AAPL',
      exchange: 'NASDAQ',
      ticker: 'NASDAQ:AAPL',
      action: 'buy',
      sentiment: 'bullish',
      quantity: '10',
      quantityType: 'fixed_quantity',
      orderType: 'stop_limit',
      limitPrice: '190.5',
      stopPrice: '190',
      trailAmount: '1.5',
      trailPercent: '0.5',
      price: '189.42',
      signalPrice: '189.4',
      timeInForce: 'gtc',
      takeProfit: { limitPrice: '200', percent: '5', amount: '10' },
      stopLoss: { type: 'trailing_stop', stopPrice: '180', limitPrice: '179.5', percent: '2', amount: '3', trailAmount: '1', trailPercent: '0.8' },
      time: '2026-03-02T14:31:00.000Z',
      extendedHours: true,
      cancel: false,
      ignoreTradingWindows: false,
      id: 'Long Entry 2026-03-02T14:31:00Z',
      positionSize: '-5',
      marketPosition: 'short',
      marketPositionSize: '5',
      prevMarketPosition: 'flat',
      prevMarketPositionSize: '0',
    });
    expect(r.warnings.some((w) => w.includes('bullish'))).toBe(true);
  });

  it.each([
    ['BUY', 'buy'],
    [' Sell ', 'sell'],
    ['Exit', 'exit'],
    ['CANCEL', 'cancel'],
    ['add', 'add'],
  ])('action %j is read case-insensitively as %s', (action, out) => {
    expect(ok({ ticker: 'AAPL', action }).signal.action).toBe(out);
  });

  it.each([
    ['bullish', 'bullish'],
    ['long', 'bullish'],
    ['SHORT', 'bearish'],
    ['bearish', 'bearish'],
    ['flat', 'flat'],
  ])('sentiment %j is %s (long/short are synonyms)', (sentiment, out) => {
    expect(ok({ ticker: 'AAPL', action: 'sell', sentiment }).signal.sentiment).toBe(out);
  });

  it('keeps the ticker exactly as received and splits EXCHANGE:SYMBOL', () => {
    const r = ok({ ticker: 'binance:btcusdt.p', action: 'buy' });
    expect(r.signal).toMatchObject({ ticker: 'binance:btcusdt.p', symbol: 'BTCUSDT.P', exchange: 'BINANCE' });
    expect(ok({ ticker: 'ES1!', action: 'buy' }).signal).toMatchObject({ symbol: 'ES1!', ticker: 'ES1!' });
    expect(ok({ ticker: 700, action: 'buy' }).signal).toMatchObject({ symbol: '700', ticker: '700' });
  });

  it('normalises numbers given as strings or JSON numbers without float round-trips', () => {
    expect(ok('{"ticker":"X","action":"buy","quantity":0.1,"price":" 189.420 "}').signal).toMatchObject({ quantity: '0.1', price: '189.42' });
    expect(ok('{"ticker":"X","action":"buy","quantity":"0.30000000000000004"}').signal.quantity).toBe('0.30000000000000004');
  });

  it('uses signalPrice as the price when no price is given', () => {
    expect(ok({ ticker: 'AMD', action: 'buy', signalPrice: 143.12 }).signal).toMatchObject({ price: '143.12', signalPrice: '143.12' });
  });

  it('accepts a zero or negative positionSize (flat or short strategies)', () => {
    expect(ok({ ticker: 'X', action: 'exit', positionSize: '0' }).signal.positionSize).toBe('0');
    expect(ok({ ticker: 'X', action: 'sell', positionSize: -3 }).signal.positionSize).toBe('-3');
  });

  it('reads field names case-insensitively and in snake_case, and says so', () => {
    const r = ok({ Ticker: 'AAPL', ACTION: 'buy', order_type: 'limit', limit_price: '10', take_profit: { limit_price: '12' } });
    expect(r.signal).toMatchObject({ symbol: 'AAPL', action: 'buy', orderType: 'limit', limitPrice: '10', takeProfit: { limitPrice: '12' } });
    expect(r.warnings.join(' ')).toContain('"order_type" was read as "orderType"');
  });

  it('returns the passphrase separately and never keeps it in the signal', () => {
    const r = ok({ ticker: 'AAPL', action: 'buy', passphrase: 'canary-Pa55' });
    expect(r.passphrase).toBe('canary-Pa55');
    expect(JSON.stringify(r.signal)).not.toContain('canary-Pa55');
    expect(JSON.stringify(r.warnings)).not.toContain('canary-Pa55');
    expect(ok({ ticker: 'AAPL', action: 'buy', Passphrase: 12345 }).passphrase).toBe('12345');
  });

  it('keeps unknown fields (and the extras object) in extras, but drops secret-looking ones', () => {
    const r = ok({ ticker: 'AAPL', action: 'buy', strategy: 'RSI', extras: { note: 'n', secret: 'canary-S3cret' }, password: 'canary-Pw', nested: { token: 'canary-T' } });
    expect(r.signal.extras).toEqual({ note: 'n', strategy: 'RSI', nested: {} });
    expect(JSON.stringify(r.signal)).not.toMatch(/canary/);
    expect(r.warnings.join(' ')).toContain('Not acted on');
  });

  it('keeps a "__proto__" field as data without touching any prototype', () => {
    const r = ok('{"ticker":"AAPL","action":"buy","__proto__":{"polluted":true},"extras":{"__proto__":{"polluted":true}}}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(r.signal.extras)).toBe(Object.prototype);
    expect(Object.prototype.hasOwnProperty.call(r.signal.extras, '__proto__')).toBe(true);
  });

  it('treats null known fields as absent, with a warning', () => {
    const r = ok({ ticker: 'AAPL', action: 'buy', limitPrice: null });
    expect(r.signal.limitPrice).toBeUndefined();
    expect(r.warnings.join(' ')).toContain('limitPrice');
  });

  it('tolerates a BOM and surrounding whitespace, and any content type', () => {
    expect(ok('\uFEFF  \n{"ticker":"AAPL","action":"buy"}\n ', 'application/x-www-form-urlencoded').signal.symbol).toBe('AAPL');
    expect(ok('{"ticker":"AAPL","action":"buy"}', 'text/plain; charset=utf-8').signal.symbol).toBe('AAPL');
    expect(ok('{"ticker":"AAPL","action":"buy"}').signal.symbol).toBe('AAPL');
  });

  it('reads TradingView strategy placeholders as they render ({{strategy.order.action}} is buy/sell)', () => {
    const rendered = '{"ticker":"BTCUSD","action":"sell","sentiment":"flat","quantity":"0.5","price":"64000.5","time":"2026-03-02T14:31:00Z","positionSize":"0","marketPosition":"flat","marketPositionSize":"0","prevMarketPosition":"long","prevMarketPositionSize":"0.5"}';
    expect(ok(rendered).signal).toMatchObject({ action: 'sell', sentiment: 'flat', prevMarketPosition: 'long', prevMarketPositionSize: '0.5' });
  });
});
