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

  it('key=value alerts read exchange= the same way', () => {
    const r = parseAlert('ticker=ETHUSDT exchange=BINANCE action=buy', 'text/plain');
    expect(r.ok && r.signal).toMatchObject({ symbol: 'ETHUSDT', exchange: 'BINANCE' });
  });
});
