import { describe, expect, it } from 'vitest';
import { parseAlert } from './index.js';
import { signalViolation } from './schema.js';

function ok(body: string) {
  const r = parseAlert(body, 'text/plain');
  if (!r.ok) throw new Error(`expected ok, got ${r.code}: ${r.message}`);
  expect(signalViolation(r.signal)).toBeUndefined();
  expect(r.signal.dialect).toBe('keyvalue');
  return r;
}

describe('key=value text (Autoview / OctoBot style)', () => {
  it.each([
    ['ticker=BTCUSD action=sell quantity=0.05', { symbol: 'BTCUSD', action: 'sell', quantity: '0.05' }],
    ['ticker=BTCUSD\naction=buy\nquantity=1', { action: 'buy', quantity: '1' }],
    ['ticker=BTCUSD,action=buy,quantity=1', { action: 'buy' }],
    ['ticker=BTCUSD; action=buy; quantity=1', { action: 'buy' }],
    ['TICKER=btcusd ACTION=BUY Order_Type=limit limit_price=64000.50', { symbol: 'BTCUSD', orderType: 'limit', limitPrice: '64000.5' }],
    ['ticker="NASDAQ:AAPL" action=buy takeProfit.percent=4 stopLoss.type=stop stopLoss.percent=2', { symbol: 'AAPL', exchange: 'NASDAQ', takeProfit: { percent: '4' }, stopLoss: { type: 'stop', percent: '2' } }],
    ['e=binance s=BTCUSDT b=long q=10%', { symbol: 'BTCUSDT', exchange: 'BINANCE', action: 'buy', sentiment: 'bullish', quantity: '10', quantityType: 'percent_of_equity' }],
    ['e=kraken s=XBTUSD b=sell q=0.01 t=limit fp=65000', { action: 'sell', orderType: 'limit', limitPrice: '65000' }],
    ['s=eurusd c=position', { symbol: 'EURUSD', action: 'exit' }],
    ['s=eurusd c=order', { action: 'cancel' }],
    ['EXCHANGE=binance SYMBOL=BTCUSDT SIGNAL=BUY ORDER_TYPE=LIMIT VOLUME=0.01 PRICE=42000 STOP_PRICE=40000 TAKE_PROFIT_PRICE=45000', { symbol: 'BTCUSDT', exchange: 'BINANCE', action: 'buy', orderType: 'limit', quantity: '0.01', price: '42000', stopLoss: { type: 'stop', stopPrice: '40000' }, takeProfit: { limitPrice: '45000' } }],
  ])('%s', (body, expected) => {
    expect(ok(body).signal).toMatchObject(expected);
  });

  it('keeps Autoview price offsets in extras without applying them, and unknown keys too', () => {
    const r = ok('s=BTCUSD b=buy q=1 sl=2% tp=5% a=main note=hello');
    expect(r.signal.stopLoss).toBeUndefined();
    expect(r.signal.extras).toEqual({ sl: '2%', tp: '5%', a: 'main', note: 'hello' });
    expect(r.warnings.join(' ')).toMatch(/NOT applied/);
  });

  it('reads OctoBot REDUCE_ONLY=true as an exit of the side the order reduces, never an entry', () => {
    const sell = ok('EXCHANGE=binance\nSYMBOL=BTCUSDT\nSIGNAL=SELL\nVOLUME=0.01\nREDUCE_ONLY=true\nTAG=t1');
    expect(sell.signal).toMatchObject({ action: 'exit', closeSide: 'long', quantity: '0.01', extras: { TAG: 't1' } });
    expect(sell.signal.extras).not.toHaveProperty('REDUCE_ONLY');
    expect(sell.warnings.join(' ')).toMatch(/never opens a short/);
    expect(ok('EXCHANGE=binance;SYMBOL=BTCUSDT;SIGNAL=BUY;REDUCE_ONLY=TRUE').signal).toMatchObject({ action: 'exit', closeSide: 'short' });
    const off = ok('SYMBOL=BTCUSDT SIGNAL=SELL VOLUME=0.01 REDUCE_ONLY=false');
    expect(off.signal.action).toBe('sell');
    expect(off.signal.closeSide).toBeUndefined();
    const bad = parseAlert('SYMBOL=BTCUSDT SIGNAL=SELL REDUCE_ONLY=maybe', 'text/plain');
    expect(bad).toMatchObject({ ok: false, code: 'INVALID_FIELD', field: 'reduceOnly' });
  });

  it('reads OctoBot STOP_PRICE as the stop price of an ORDER_TYPE=STOP order, and as the stop loss otherwise', () => {
    const stop = ok('EXCHANGE=binance\nSYMBOL=ETHUSDT\nSIGNAL=SELL\nORDER_TYPE=STOP\nVOLUME=0.01\nSTOP_PRICE=2800');
    expect(stop.signal).toMatchObject({ action: 'sell', orderType: 'stop', stopPrice: '2800', quantity: '0.01' });
    expect(stop.signal.stopLoss).toBeUndefined();
    expect(stop.warnings.join(' ')).toMatch(/stop price of the stop order/);
    expect(ok('SYMBOL=ETHUSDT SIGNAL=BUY ORDER_TYPE=LIMIT PRICE=3000 STOP_PRICE=2800').signal).toMatchObject({ orderType: 'limit', stopLoss: { type: 'stop', stopPrice: '2800' } });
  });

  it("refuses Autoview's d=1 dry run instead of trading it; d=0 trades as usual", () => {
    for (const body of ['e=binance s=BTCUSDT b=buy q=0.01 d=1', 'e=binance s=BTCUSDT b=buy q=0.01 D=true']) {
      const r = parseAlert(body, 'text/plain');
      expect(r).toMatchObject({ ok: false, code: 'INVALID_FIELD', field: 'd' });
      if (!r.ok) expect(r.message).toMatch(/dry run/);
    }
    const live = ok('e=binance s=BTCUSDT b=buy q=0.01 d=0');
    expect(live.signal).toMatchObject({ action: 'buy', quantity: '0.01' });
    expect(live.signal.extras).toBeUndefined();
    expect(parseAlert('s=BTCUSDT b=buy d=yes', 'text/plain')).toMatchObject({ ok: false, code: 'INVALID_FIELD', field: 'd' });
  });

  it("reads Autoview's c=position b=long / b=short as closing that side only, never the other (autoview.com command reference)", () => {
    const long = ok('e=binance s=BTCUSDT c=position b=long');
    expect(long.signal).toMatchObject({ symbol: 'BTCUSDT', action: 'exit', closeSide: 'long', prevMarketPosition: 'long' });
    expect(long.signal.sentiment).toBeUndefined();
    expect(ok('s=eur/usd b=short c=position').signal).toMatchObject({ action: 'exit', closeSide: 'short' });
    expect(ok('s=BTCUSDT c=position b=sell').signal).toMatchObject({ action: 'exit', closeSide: 'short' });
    const both = ok('s=eurusd c=position b=all').signal;
    expect(both).toMatchObject({ action: 'exit' });
    expect(both.closeSide).toBeUndefined();
  });

  it("refuses Autoview commands on several lines or | parts (Autoview's several orders) rather than merging them into one", () => {
    for (const body of ['c=position\ne=binance s=BTCUSDT b=short q=1', 's=BTCUSDT c=position | b=long q=1', 'e=binance s=BTCUSDT c=order\r\nt=market b=buy q=1']) {
      const r = parseAlert(body, 'text/plain');
      expect(r).toMatchObject({ ok: false, code: 'INVALID_FIELD' });
      if (!r.ok) expect(r.message).toMatch(/several commands/);
    }
    // One command on one line, a quoted "|", and key=value text without Autoview keys on several lines are read.
    expect(ok('e=binance s=BTCUSDT c=position b=long\n').signal).toMatchObject({ action: 'exit', closeSide: 'long' });
    expect(ok('e=binance s=BTCUSDT b=buy q=1 note="a|b"').signal).toMatchObject({ action: 'buy' });
    expect(ok('ticker=BTCUSD\naction=buy\nquantity=1').signal).toMatchObject({ action: 'buy' });
  });

  it('refuses c=order with a side rather than cancelling both sides, and an unknown side with c=', () => {
    const one = parseAlert('e=binance s=BTCUSDT c=order b=long', 'text/plain');
    expect(one).toMatchObject({ ok: false, code: 'INVALID_FIELD', field: 'b' });
    if (!one.ok) expect(one.message).toMatch(/all open orders/);
    expect(parseAlert('s=eurusd c=position b=moon', 'text/plain')).toMatchObject({ ok: false, code: 'INVALID_FIELD', field: 'b' });
  });

  it("says that Autoview's delay= is not applied (the order goes out at once); a= and delay=0 need no warning", () => {
    const late = ok('e=binance s=BTCUSDT b=buy q=1 delay=5');
    expect(late.warnings).toEqual([expect.stringMatching(/^delay=5 is not applied: the order is sent at once/)]);
    expect(late.signal.extras).toEqual({ delay: '5' });
    expect(ok('e=binance s=BTCUSDT b=buy q=1 delay=1-9').warnings.join(' ')).toMatch(/delay=1-9 is not applied/);
    expect(ok('e=binance s=BTCUSDT b=buy q=1 delay=0 a=main').warnings).toEqual([]);
  });

  it('returns passphrase= separately', () => {
    const r = ok('ticker=AAPL action=buy passphrase="my secret"');
    expect(r.passphrase).toBe('my secret');
    expect(JSON.stringify(r.signal)).not.toContain('my secret');
  });

  it('keeps a __proto__ key as plain data', () => {
    const r = ok('ticker=AAPL action=buy __proto__.polluted=yes');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(r.signal.extras).toBeDefined();
  });

  it.each([
    ['ticker=AAPL action=buy action=sell', 'INVALID_FIELD', /twice/],
    ['ticker=AAPL s=MSFT action=buy', 'INVALID_FIELD', /keep one/],
    ['s=AAPL action=buy c=position', 'INVALID_FIELD', /more than once/],
    ['s=AAPL action=sell b=long', 'INVALID_FIELD', /more than once/],
    ['s=AAPL c=everything', 'INVALID_ACTION', /c=order/],
    ['ticker=AAPL action=hold', 'INVALID_ACTION', /buy, sell/],
    ['ticker=AAPL action=buy quantity=-1', 'INVALID_QUANTITY', /greater than zero/],
    ['action=buy quantity=1', 'MISSING_TICKER', /ticker/],
    ['ticker=AAPL quantity=1', 'MISSING_ACTION', /action/],
    ['ticker="AAPL action=buy', 'UNRECOGNISED_FORMAT', /quote/],
  ])('%s → %s', (body, code, message) => {
    const r = parseAlert(body, 'text/plain');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.code).toBe(code);
      expect(r.message).toMatch(message);
    }
  });
});
