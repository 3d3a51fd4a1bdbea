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
      stopLoss: { type: 'stop_limit', stopPrice: '180', limitPrice: '179.5', percent: '2', amount: '3' },
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
      stopLoss: { type: 'stop_limit', stopPrice: '180', limitPrice: '179.5', percent: '2', amount: '3' },
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
    // Three take-profit levels and three stop prices: one of each is used, and the others are said, not dropped.
    expect(r.warnings.join(' ')).toContain('"takeProfit.limitPrice" is used and "takeProfit.percent", "takeProfit.amount" are NOT applied');
    expect(r.warnings.join(' ')).toContain('"stopLoss.stopPrice" is used and "stopLoss.percent", "stopLoss.amount" are NOT applied');
  });

  it.each([
    [{ optionType: 'call' }, 'optionType'],
    [{ option_type: 'put', expiration: '+6 months' }, 'option_type'],
    [{ strikePrice: '500' }, 'strikePrice'],
    [{ intrinsicValue: 'itm', strikesAway: 1 }, 'intrinsicValue'],
  ])('refuses a TradersPost options alert %j instead of trading the underlying', (fields, field) => {
    const r = parseAlert(JSON.stringify({ ticker: 'SPY', action: 'buy', quantity: '1', ...fields }), 'application/json');
    expect(r).toMatchObject({ ok: false, code: 'INVALID_FIELD', field });
    if (!r.ok) expect(r.message).toMatch(/does not trade options/);
  });

  it('reads every documented stop-loss shape (TradersPost: stop, stop_limit, trailing_stop; type optional)', () => {
    const shapes: Array<[Record<string, unknown>, Record<string, string>]> = [
      [{ type: 'stop', stopPrice: '90' }, { type: 'stop', stopPrice: '90' }],
      [{ type: 'stop', percent: 5 }, { type: 'stop', percent: '5' }],
      [{ type: 'stop', amount: '10' }, { type: 'stop', amount: '10' }],
      [{ stopPrice: 90 }, { stopPrice: '90' }],
      [{ type: 'stop_limit', stopPrice: '95', limitPrice: '94.5' }, { type: 'stop_limit', stopPrice: '95', limitPrice: '94.5' }],
      [{ type: 'trailing_stop', trailAmount: '2' }, { type: 'trailing_stop', trailAmount: '2' }],
      [{ type: 'trailing_stop', trailPercent: '5' }, { type: 'trailing_stop', trailPercent: '5' }],
      [{ trailPercent: '3' }, { trailPercent: '3' }],
    ];
    for (const [stopLoss, expected] of shapes) {
      const r = ok({ ticker: 'AAPL', action: 'buy', orderType: 'limit', limitPrice: 100, stopLoss });
      expect(r.signal.stopLoss).toEqual(expected);
      expect(r.warnings).toEqual([]);
    }
  });

  it.each([
    // TradersPost "Invalid Stop Loss Trail Value Required": the stop would silently become a fixed stop.
    [{ stopLoss: { type: 'trailing_stop' } }, 'stopLoss', /no level/],
    [{ stopLoss: { type: 'trailing_stop', stopPrice: '90' } }, 'stopLoss.type', /no trailAmount or trailPercent/],
    // TradersPost "Invalid Stop Loss Trail Value": trails by one of them.
    [{ stopLoss: { type: 'trailing_stop', trailAmount: '2', trailPercent: '5' } }, 'stopLoss.trailPercent', /both trailAmount and trailPercent/],
    [{ stopLoss: { trailPercent: '2', stopPrice: '90' } }, 'stopLoss', /either trails or sits at a price/],
    // A limit price alone has nothing to trigger it: the broker refused the whole entry later.
    [{ stopLoss: { type: 'stop', limitPrice: '95' } }, 'stopLoss', /no price to trigger at/],
    [{ stopLoss: { type: 'stop_limit', limitPrice: '95' } }, 'stopLoss', /no price to trigger at/],
    // TradersPost "Invalid Trailing Stop": the order was accepted, then denied PRICE_UNAVAILABLE.
    [{ orderType: 'trailing_stop' }, 'orderType', /no trailAmount or trailPercent/],
    [{ orderType: 'trailing_stop', trailAmount: '1', trailPercent: '2' }, 'trailPercent', /both trailAmount and trailPercent/],
  ])('refuses an unusable stop %j at the webhook (%s)', (fields, field, message) => {
    const r = parseAlert(JSON.stringify({ ticker: 'AAPL', action: 'sell', price: '100', ...fields }), 'application/json');
    expect(r).toMatchObject({ ok: false, code: 'INVALID_FIELD', field });
    if (!r.ok) expect(r.message).toMatch(message);
  });

  it('says which of several take-profit or stop levels is used, and that a stop with a limit is a stop-limit', () => {
    const tp = ok({ ticker: 'KO', action: 'buy', price: 60, takeProfit: { limitPrice: '66', percent: '5' } });
    expect(tp.warnings).toEqual(['"takeProfit" gives "limitPrice" and "percent"; "takeProfit.limitPrice" is used and "takeProfit.percent" is NOT applied. Give one of them.']);
    const sl = ok({ ticker: 'PEP', action: 'buy', price: 160, stopLoss: { type: 'stop', percent: '2', amount: '3' } });
    expect(sl.warnings).toEqual(['"stopLoss" gives "percent" and "amount"; "stopLoss.percent" is used and "stopLoss.amount" is NOT applied. Give one of them.']);
    const stopWithLimit = ok({ ticker: 'PEP', action: 'buy', price: 160, stopLoss: { type: 'stop', stopPrice: '150', limitPrice: '149' } });
    expect(stopWithLimit.warnings.join(' ')).toMatch(/placed as a stop-limit/);
    expect(ok({ ticker: 'WMT', action: 'buy', price: 80, stopLoss: { type: 'stop_limit', stopPrice: '75' } }).warnings.join(' ')).toMatch(/its limit is its stop price/);
    expect(ok({ ticker: 'AMD', action: 'sell', orderType: 'trailing_stop', trailAmount: '2' }).signal).toMatchObject({ orderType: 'trailing_stop', trailAmount: '2' });
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
