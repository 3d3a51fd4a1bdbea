import { describe, expect, it } from 'vitest';
import { parseAlert } from './index.js';
import { looksLikePineConnector } from './pineconnector.js';
import { signalViolation } from './schema.js';

function ok(body: string) {
  const r = parseAlert(body, 'text/plain');
  if (!r.ok) throw new Error(`expected ok, got ${r.code}: ${r.message}`);
  expect(signalViolation(r.signal)).toBeUndefined();
  expect(r.signal.dialect).toBe('pineconnector');
  return r;
}

describe('PineConnector comma syntax', () => {
  it.each([
    ['60123456789,buy,AUDUSD,risk=0.1', { symbol: 'AUDUSD', action: 'buy', sentiment: 'bullish', quantity: '0.1', quantityType: 'lots' }],
    ['60123456789,long,US30.Cash,risk=1', { symbol: 'US30.CASH', action: 'buy', quantity: '1' }],
    ['60123456789,sell,GBPJPY,sl=50,risk=1', { symbol: 'GBPJPY', action: 'sell', sentiment: 'bearish', quantity: '1' }],
    ['60123456789,bearish,EURUSD,vol_lots=0.5', { action: 'sell', quantity: '0.5', quantityType: 'lots' }],
    ['60123456789,closelong,GBPUSD', { symbol: 'GBPUSD', action: 'exit', prevMarketPosition: 'long', marketPosition: 'flat', closeSide: 'long' }],
    ['60123456789,closeshort,GBPUSD', { action: 'exit', prevMarketPosition: 'short', marketPosition: 'flat', closeSide: 'short' }],
    ['60123456789,closeall,GBPUSD', { action: 'exit', marketPosition: 'flat' }],
    ['60123456789,closelongsell,GBPUSD,risk=1', { action: 'sell', prevMarketPosition: 'long' }],
    ['60123456789,cancellong,GBPUSD', { action: 'cancel' }],
    ['60123456789,buylimit,EURUSD,risk=1,price=1.0850', { action: 'buy', orderType: 'limit', limitPrice: '1.085' }],
    ['60123456789,sellstop,EURUSD,risk=1,price=1.0700', { action: 'sell', orderType: 'stop', stopPrice: '1.07' }],
    ['60123456789,buylimit,EURUSD,vol_lots=0.1,entry_price=1.0850,sl_price=1.08', { action: 'buy', orderType: 'limit', limitPrice: '1.085', stopLoss: { stopPrice: '1.08' } }],
    ['60123456789,sellstop,XAUUSD,vol_lots=0.1,entry_price=2300.5', { action: 'sell', orderType: 'stop', stopPrice: '2300.5' }],
    ['60123456789,sell,GBPJPY,vol_dollar=50,sl_pips=20', { action: 'sell', quantity: '50', quantityType: 'risk_dollar_amount' }],
    ['60123456789,sell,"XAUUSD",vol_lots="0.1",comment="Short Entry"', { symbol: 'XAUUSD', action: 'sell', quantity: '0.1', quantityType: 'lots' }],
    ['60123456789,"closeall" , "EURUSD"', { symbol: 'EURUSD', action: 'exit', extras: { licenseId: '60123456789' } }],
    ['60123456789 , BUY , eurusd , risk=1 , sl_price=1.08 , tp_pct=2', { symbol: 'EURUSD', action: 'buy', stopLoss: { type: 'stop', stopPrice: '1.08' }, takeProfit: { percent: '2' } }],
  ])('%s', (body, expected) => {
    expect(ok(body).signal).toMatchObject(expected);
  });

  it('closelong with a size closes that size only (an exit with a quantity, never the whole position)', () => {
    const partial = ok('60123456789,closelong,GBPUSD,vol_lots=1').signal;
    expect(partial).toMatchObject({ action: 'exit', closeSide: 'long', quantity: '1', quantityType: 'lots' });
    expect(partial.marketPosition).toBeUndefined();
  });

  it('keeps the license id and the unapplied parameters in extras and warns about them', () => {
    const r = ok('LICENSE123,buy,EURUSD,risk=1,sl=0.0020,tp=0.0040,comment="strategy 1, v2"');
    expect(r.signal.extras).toEqual({ licenseId: 'LICENSE123', pineconnector: { command: 'buy', sl: '0.0020', tp: '0.0040', comment: 'strategy 1, v2' } });
    expect(r.warnings.join(' ')).toMatch(/sl, tp .*NOT applied/);
    expect(r.signal.stopLoss).toBeUndefined();
  });

  it('says that EA filters and other parameters it does not read are not acted on (unknown fields are never silent)', () => {
    const r = ok('60123456789,buy,EURUSD,vol_lots=0.1,spread=5,accfilter=5000,comment="ok"');
    expect(r.signal.extras).toEqual({ licenseId: '60123456789', pineconnector: { command: 'buy', spread: '5', accfilter: '5000', comment: 'ok' } });
    expect(r.warnings).toEqual([expect.stringMatching(/^Not acted on, kept in extras\.pineconnector: spread, accfilter\./)]);
    expect(ok('60123456789,buy,EURUSD,vol_lots=0.1,comment="just a note"').warnings).toEqual([]);
  });

  it("says that PineConnector's trailing, ATR trailing and breakeven stops are not applied, under their real names", () => {
    const r = ok('60123456789,buy,EURUSD,vol_lots=1,sl_price=1.08,trailtrig=15,traildist=10,trailstep=3,atrtimeframe=60,atrperiod=14,betrigger=30,beoffset=5');
    expect(r.warnings).toEqual([expect.stringMatching(/^trailtrig, traildist, trailstep, atrtimeframe, atrperiod, betrigger, beoffset depend on PineConnector EA settings or pip sizes and were NOT applied/)]);
    expect(r.signal.extras).toMatchObject({ pineconnector: { trailtrig: '15', atrperiod: '14', beoffset: '5' } });
  });

  it('returns secret= as the passphrase and never keeps it', () => {
    const r = ok('60123456789,sell,EURUSD,vol_lots=1,secret=HappyTrader501');
    expect(r.passphrase).toBe('HappyTrader501');
    expect(JSON.stringify(r.signal)).not.toContain('HappyTrader501');
  });

  it.each([
    ['60123456789,moon,EURUSD,risk=1', 'INVALID_ACTION', /not a PineConnector command/],
    ['60123456789,newsltplong,EURUSD,sl=10', 'INVALID_ACTION', /does not carry out/],
    ['60123456789,buylimit,EURUSD,risk=1', 'INVALID_PRICE', /needs its entry price.*entry_price=/],
    ['60123456789,buylimit,EURUSD,vol_lots=1,entry_pips=10', 'INVALID_PRICE', /entry_pips= places it at a distance/],
    ['60123456789,sellstop,EURUSD,vol_lots=1,entry_pct=0.5', 'INVALID_PRICE', /entry_pct=/],
    ['60123456789,buylimit,EURUSD,vol_lots=1,price=1.08,entry_price=1.08', 'INVALID_FIELD', /once/],
    ['60123456789,buy,EURUSD,risk=0', 'INVALID_QUANTITY', /greater than zero/],
    ['60123456789,buy,EURUSD,risk=1,risk=2', 'INVALID_FIELD', /twice/],
    ['60123456789,buy,EURUSD,risk=1,vol_lots=2', 'INVALID_FIELD', /one size/],
    ['60123456789,buy,EURUSD,vol_pct_bal_loss=1,sl_price=1.08', 'INVALID_FIELD', /vol_pct_bal_loss= sizes the order .*vol_lots=/],
    ['60123456789,short,XAUUSD,vol_pct_eq_loss=0.5,sl_pct=1', 'INVALID_FIELD', /vol_pct_eq_loss=/],
    ['60123456789 , sell , GBPUSD , VOL_PCT_BAL_MARGIN=2', 'INVALID_FIELD', /vol_pct_bal_margin=/],
    ['60123456789,buy,{{ticker}},risk=1', 'UNFILLED_PLACEHOLDER', /\{\{ticker\}\}/],
    ['60123456789,{{strategy.order.action}},EURUSD,risk=1', 'UNFILLED_PLACEHOLDER', /did not fill/],
  ])('%s → %s', (body, code, message) => {
    const r = parseAlert(body, 'text/plain');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.code).toBe(code);
      expect(r.message).toMatch(message);
    }
  });

  it('is not mistaken for other text', () => {
    expect(looksLikePineConnector('ticker=AAPL,action=buy,quantity=1')).toBe(false);
    expect(looksLikePineConnector('Buy AAPL, now, please')).toBe(false);
    expect(looksLikePineConnector('60123456789,buy,EURUSD,risk=1')).toBe(true);
  });
});

describe('lots are a PineConnector size only', () => {
  it('vol_lots= and risk= carry quantityType lots; a native JSON alert cannot send lots', () => {
    const lots = parseAlert('60123456789,buy,USDJPY,vol_lots=2', 'text/plain');
    expect(lots).toMatchObject({ ok: true, signal: { symbol: 'USDJPY', quantity: '2', quantityType: 'lots' } });
    const native = parseAlert('{"ticker":"FX:USDJPY","action":"buy","quantity":"2","quantityType":"lots"}', 'application/json');
    expect(native).toMatchObject({ ok: false, code: 'INVALID_FIELD', field: 'quantityType' });
  });

  it('vol_dollar= stays risk sizing, not lots', () => {
    expect(parseAlert('60123456789,sell,GBPJPY,vol_dollar=50,sl_price=190', 'text/plain')).toMatchObject({ ok: true, signal: { quantityType: 'risk_dollar_amount' } });
  });
});
