// "exchange": "{{exchange}}" beside "ticker": "{{ticker}}" (which has no EXCHANGE: prefix) gives the signal its
// exchange, so mapping rows with an exchange match alerts built from TradingView's placeholders.
import { describe, expect, it } from 'vitest';
import { parseAlert } from './index.js';
import { NATIVE_FIELDS } from '../../../shared/schemas/alert.js';

const parse = (o: Record<string, unknown>) => parseAlert(JSON.stringify(o), 'application/json');

describe('the exchange field', () => {
  it('is a native field: the signal gets its exchange from it when the ticker has no prefix, and it is not left in extras', () => {
    expect(NATIVE_FIELDS).toContain('exchange');
    const r = parse({ ticker: 'BTCUSDT.P', exchange: 'bybit', action: 'buy' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.signal).toMatchObject({ symbol: 'BTCUSDT.P', exchange: 'BYBIT', ticker: 'BTCUSDT.P' });
    expect(r.signal.extras).toBeUndefined();
    expect(r.warnings).toEqual([]);
  });

  it("the ticker's EXCHANGE: prefix wins over a different exchange field, with a warning; the same one gives none", () => {
    const r = parse({ ticker: 'NASDAQ:AAPL', exchange: 'NYSE', action: 'buy' });
    expect(r.ok && r.signal.exchange).toBe('NASDAQ');
    expect(r.ok && r.warnings).toEqual(['"exchange" is "NYSE" but the ticker says "NASDAQ"; the ticker\'s exchange is used.']);
    const same = parse({ ticker: 'NASDAQ:AAPL', exchange: 'nasdaq', action: 'buy' });
    expect(same.ok && same.signal.exchange).toBe('NASDAQ');
    expect(same.ok && same.warnings).toEqual([]);
  });

  it('an empty exchange is ignored with a warning; one that is not a name is refused naming the field; an unfilled placeholder is refused', () => {
    const empty = parse({ ticker: 'AAPL', exchange: ' ', action: 'buy' });
    expect(empty.ok && empty.signal.exchange).toBeUndefined();
    expect(empty.ok && empty.warnings).toEqual(['"exchange" is empty and is ignored.']);
    const bad = parse({ ticker: 'AAPL', exchange: 'NAS DAQ!', action: 'buy' });
    expect(bad).toMatchObject({ ok: false, code: 'INVALID_FIELD', field: 'exchange' });
    const placeholder = parse({ ticker: 'AAPL', exchange: '{{exchange}}', action: 'buy' });
    expect(placeholder).toMatchObject({ ok: false, code: 'UNFILLED_PLACEHOLDER', field: 'exchange' });
  });

  it("reads TradingView's delayed-data exchange names (NYMEX_DL, CME_MINI_DL, …_DLY) as the exchange itself, with a warning", () => {
    const field = parse({ ticker: 'CL1!', exchange: 'NYMEX_DL', action: 'buy' });
    expect(field.ok && field.signal).toMatchObject({ symbol: 'CL1!', exchange: 'NYMEX', ticker: 'CL1!' });
    expect(field.ok && field.warnings).toEqual(['The exchange "NYMEX_DL" is TradingView\'s name for "NYMEX" with delayed data; it was read as "NYMEX".']);
    const prefixed = parse({ ticker: 'CME_MINI_DL:ES1!', exchange: 'CME_MINI_DL', action: 'sell' });
    expect(prefixed.ok && prefixed.signal).toMatchObject({ symbol: 'ES1!', exchange: 'CME_MINI', ticker: 'CME_MINI_DL:ES1!' });
    expect(prefixed.ok && prefixed.warnings).toHaveLength(1);
    const mixed = parse({ ticker: 'NSE:NIFTY', exchange: 'nse_dly', action: 'buy' });
    expect(mixed.ok && mixed.signal.exchange).toBe('NSE');
    expect(mixed.ok && mixed.warnings.join(' ')).not.toMatch(/ticker's exchange is used/);
    const pine = parseAlert('60123456789,buy,COMEX_DL:GC1!,vol_lots=1', 'text/plain');
    expect(pine.ok && pine.signal.exchange).toBe('COMEX');
    const kv = parseAlert('e=CBOT_DL s=ZC1! b=buy q=1', 'text/plain');
    expect(kv.ok && kv.signal.exchange).toBe('CBOT');
    // An exchange that only contains the letters keeps its name.
    expect(parse({ ticker: 'AAPL', exchange: 'DLX', action: 'buy' })).toMatchObject({ ok: true, signal: { exchange: 'DLX' } });
  });

  it('key=value alerts read exchange= the same way', () => {
    const r = parseAlert('ticker=ETHUSDT exchange=BINANCE action=buy', 'text/plain');
    expect(r.ok && r.signal).toMatchObject({ symbol: 'ETHUSDT', exchange: 'BINANCE' });
  });
});
