// The alert-template check reports every problem of a template and shows the signal it would become.
import { describe, expect, it } from 'vitest';
import { checkAlertTemplate } from './check.js';

const strategyTemplate = `{
  "ticker": "{{ticker}}",
  "action": "{{strategy.order.action}}",
  "sentiment": "{{strategy.market_position}}",
  "quantity": "{{strategy.order.contracts}}",
  "price": "{{close}}",
  "time": "{{timenow}}",
  "id": "{{strategy.order.id}} {{timenow}}",
  "positionSize": "{{strategy.position_size}}",
  "marketPosition": "{{strategy.market_position}}",
  "marketPositionSize": "{{strategy.market_position_size}}",
  "prevMarketPosition": "{{strategy.prev_market_position}}",
  "prevMarketPositionSize": "{{strategy.prev_market_position_size}}",
  "passphrase": "secret-1"
}`;

describe('checkAlertTemplate: id and time placeholders that lose or refuse alerts', () => {
  const audited = '{"ticker":"{{ticker}}","action":"{{strategy.order.action}}","quantity":"{{strategy.order.contracts}}","price":"{{close}}","time":"{{timenow}}","id":"{{strategy.order.id}}"}';

  it('warns when the id has no {{timenow}} (the same at every firing), and not when it has one', () => {
    const r = checkAlertTemplate(audited, { alertType: 'strategy' });
    expect(r.problems).toEqual([]);
    expect(r.warnings.some((w) => w.includes('"id" has no {{timenow}}') && w.includes('"Long Entry"'))).toBe(true);
    const fixed = checkAlertTemplate('{"ticker":"AAPL","action":"buy","id":"Long"}');
    expect(fixed.warnings.some((w) => w.includes('"id" has no {{timenow}}'))).toBe(true);
    const good = checkAlertTemplate(audited.replace('"{{strategy.order.id}}"', '"{{strategy.order.id}} {{timenow}}"'), { alertType: 'strategy' });
    expect(good.warnings.filter((w) => w.includes('"id"'))).toEqual([]);
    const none = checkAlertTemplate('{"ticker":"AAPL","action":"buy","time":"{{timenow}}"}');
    expect(none.warnings).toEqual([]);
  });

  it('warns when "time" uses {{time}} (the bar open time), and not for {{timenow}}', () => {
    const r = checkAlertTemplate('{"ticker":"{{ticker}}","action":"buy","quantity":"1","price":"{{close}}","time":"{{time}}"}');
    expect(r.problems).toEqual([]);
    expect(r.warnings.some((w) => w.includes('"time" uses {{time}}') && w.includes('{{timenow}}'))).toBe(true);
    const kv = checkAlertTemplate('ticker={{ticker}} action=buy time={{time}}');
    expect(kv.warnings.some((w) => w.includes('"time" uses {{time}}'))).toBe(true);
    expect(checkAlertTemplate('{"ticker":"{{ticker}}","action":"buy","time":"{{timenow}}"}').warnings).toEqual([]);
  });
});

describe('checkAlertTemplate', () => {
  it('passes the strategy template and shows the signal with sample values', () => {
    const r = checkAlertTemplate(strategyTemplate, { alertType: 'strategy' });
    expect(r.problems).toEqual([]);
    expect(r.signal).toMatchObject({ symbol: 'AAPL', action: 'buy', sentiment: 'bullish', quantity: '10', price: '189.42', time: '2026-03-02T14:31:00.000Z', id: 'Long Entry 2026-03-02T14:31:00Z', marketPosition: 'long' });
    expect(JSON.stringify(r.signal)).not.toContain('secret-1');
  });

  it('warns that strategy.* placeholders need a strategy alert when the alert type is not known, and flags them in an indicator alert', () => {
    const unknown = checkAlertTemplate(strategyTemplate);
    expect(unknown.problems).toHaveLength(1);
    expect(unknown.problems[0]).toMatchObject({ code: 'UNFILLED_PLACEHOLDER', message: expect.stringMatching(/strategy\.order\.action.*only filled in alerts created from a strategy/) });
    const indicator = checkAlertTemplate(strategyTemplate, { alertType: 'indicator' });
    expect(indicator.problems[0]!.message).toMatch(/arrive unfilled/);
  });

  it('a template pasted with curly quotes is told about the curly quotes once, not about unquoted placeholders', () => {
    const r = checkAlertTemplate('{\u201cticker\u201d: \u201c{{ticker}}\u201d, \u201caction\u201d: \u201cbuy\u201d, \u201cprice\u201d: \u201c{{close}}\u201d}');
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ code: 'INVALID_JSON', message: expect.stringContaining('curly quotes') });
    expect(r.rendered).not.toContain('"AAPL"'); // the sample is not quoted a second time
  });

  it('reports every problem of a bad template, not just the first', () => {
    const r = checkAlertTemplate(`{
      "ticker": "{{Ticker}}",
      "action": "{{strategy.order.action}}",
      "quantity": {{strategy.order.contracts}},
      "price": {{close}},
      "exchange": {{exchange}},
      "sentiment": "sideways",
      "orderType": "iceberg",
      "timeInForce": "GTC",
      "comment": "{{plot("Signal")}} {{foo.bar}}"
    }`, { alertType: 'strategy' });
    const summary = r.problems.map((p) => `${p.code}:${p.field ?? ''}`);
    expect(summary).toEqual(
      expect.arrayContaining([
        'UNFILLED_PLACEHOLDER:ticker',
        'UNQUOTED_NAN:quantity',
        'UNQUOTED_NAN:price',
        'INVALID_JSON:exchange',
        'UNFILLED_PLACEHOLDER:comment',
        'INVALID_FIELD:sentiment',
        'INVALID_FIELD:orderType',
      ]),
    );
    expect(r.problems.find((p) => p.field === 'ticker')!.message).toMatch(/case-sensitive: write \{\{ticker\}\}/);
    expect(r.problems.find((p) => p.field === 'comment')!.message).toMatch(/\{\{foo\.bar\}\}/);
    // Each unknown placeholder is reported once for the template, not again by the sample parse.
    expect(summary.filter((s) => s === 'UNFILLED_PLACEHOLDER:ticker')).toHaveLength(1);
    expect(r.problems.filter((p) => p.message.includes('{{foo.bar}}'))).toHaveLength(1);
    expect(r.signal).toBeUndefined();
  });

  it('checks a sample alert without placeholders', () => {
    const good = checkAlertTemplate('{"ticker":"NASDAQ:NVDA","action":"sell","quantity":"3"}');
    expect(good.problems).toEqual([]);
    expect(good.signal).toMatchObject({ symbol: 'NVDA', exchange: 'NASDAQ', action: 'sell', quantity: '3' });
    const bad = checkAlertTemplate('{"ticker":"AAPL","action":"buy","price":NaN}');
    expect(bad.problems).toEqual([expect.objectContaining({ code: 'UNQUOTED_NAN', field: 'price' })]);
  });

  it('reports missing ticker and action together', () => {
    const r = checkAlertTemplate('{"quantity":"1"}');
    expect(r.problems.map((p) => p.code)).toEqual(['MISSING_TICKER', 'MISSING_ACTION']);
  });

  it('checks text dialect templates', () => {
    const pc = checkAlertTemplate('60123456789,buy,{{ticker}},risk=1');
    expect(pc.problems).toEqual([]);
    expect(pc.signal).toMatchObject({ dialect: 'pineconnector', symbol: 'AAPL', action: 'buy' });
    const kv = checkAlertTemplate('ticker={{ticker}} action={{strategy.order.action}} quantity={{strategy.order.contracts}}', { alertType: 'strategy' });
    expect(kv.signal).toMatchObject({ dialect: 'keyvalue', symbol: 'AAPL', action: 'buy', quantity: '10' });
    const unknownKv = checkAlertTemplate('ticker={{symbol}} action=buy');
    expect(unknownKv.problems).toEqual([expect.objectContaining({ code: 'UNFILLED_PLACEHOLDER', field: 'ticker' })]);
  });

  it('reports an empty template and broken JSON', () => {
    expect(checkAlertTemplate('  ').problems).toEqual([expect.objectContaining({ code: 'EMPTY_BODY' })]);
    expect(checkAlertTemplate('{"ticker":"{{ticker}}","action":"buy"').problems).toEqual([expect.objectContaining({ code: 'TRUNCATED_JSON' })]);
  });

  it('explains that {{strategy.order.alert_message}} cannot be checked', () => {
    const r = checkAlertTemplate('{{strategy.order.alert_message}}', { alertType: 'strategy' });
    expect(r.problems).toEqual([expect.objectContaining({ code: 'UNFILLED_PLACEHOLDER', message: expect.stringMatching(/alert_message/) })]);
  });
});

describe('checkAlertTemplate: brackets on the wrong side of the entry price', () => {
  it('reports the audit alert: a long with the take profit below and the stop above its price, each with the field and the fix', () => {
    const r = checkAlertTemplate('{"ticker":"BRX","action":"buy","quantity":"10","price":"100","takeProfit":{"limitPrice":"90"},"stopLoss":{"stopPrice":"110"}}');
    expect(r.problems.map((p) => `${p.code}:${p.field ?? ''}`)).toEqual(['BRACKET_WRONG_SIDE:takeProfit.limitPrice', 'BRACKET_WRONG_SIDE:stopLoss.stopPrice']);
    expect(r.problems[0]!.message).toBe(
      'takeProfit.limitPrice is 90, but this buy (long) enters at 100: a long\'s take profit must be above the entry price, or it fills at once. Set takeProfit.limitPrice so the take profit is above 100.',
    );
    expect(r.problems[1]!.message).toMatch(/stopLoss\.stopPrice is 110.*below 100/);
  });

  it('judges a short, a limit entry against its limit price, and a stop-limit\'s limit; right-side brackets pass', () => {
    const check = (alert: object): string[] => checkAlertTemplate(JSON.stringify({ ticker: 'BRX', quantity: '1', ...alert })).problems.map((p) => `${p.code}:${p.field ?? ''}`);
    expect(check({ action: 'sell', price: '100', takeProfit: { limitPrice: '90' }, stopLoss: { stopPrice: '110' } })).toEqual([]);
    expect(check({ action: 'sell', price: '100', takeProfit: { limitPrice: '100' } })).toEqual(['BRACKET_WRONG_SIDE:takeProfit.limitPrice']);
    expect(check({ action: 'buy', price: '100', orderType: 'limit', limitPrice: '50', takeProfit: { limitPrice: '60' }, stopLoss: { stopPrice: '45' } })).toEqual([]);
    expect(check({ action: 'buy', price: '100', orderType: 'limit', limitPrice: '50', stopLoss: { stopPrice: '55' } })).toEqual(['BRACKET_WRONG_SIDE:stopLoss.stopPrice']);
    expect(check({ action: 'buy', price: '100', stopLoss: { type: 'stop_limit', stopPrice: '95', limitPrice: '101' } })).toEqual(['BRACKET_WRONG_SIDE:stopLoss.limitPrice']);
    expect(check({ action: 'buy', price: '100', takeProfit: { percent: '5' }, stopLoss: { amount: '3' } })).toEqual([]);
  });

  it('judges nothing without a price, for trailing stops, exits, or when a placeholder fills a price', () => {
    const codes = (text: string): string[] => checkAlertTemplate(text, { alertType: 'strategy' }).problems.map((p) => p.code);
    expect(codes('{"ticker":"BRX","action":"buy","quantity":"1","takeProfit":{"limitPrice":"90"},"stopLoss":{"stopPrice":"110"}}')).toEqual([]);
    expect(codes('{"ticker":"BRX","action":"buy","quantity":"1","price":"100","stopLoss":{"type":"trailing_stop","trailPercent":"2"}}')).toEqual([]);
    expect(codes('{"ticker":"BRX","action":"buy","sentiment":"flat","price":"100","takeProfit":{"limitPrice":"90"}}')).toEqual([]);
    expect(codes('{"ticker":"BRX","action":"buy","quantity":"1","price":"{{close}}","takeProfit":{"limitPrice":"150"}}')).toEqual([]);
    expect(codes('{"ticker":"{{ticker}}","action":"buy","quantity":"1","price":"100","takeProfit":{"limitPrice":"90"}}')).toEqual(['BRACKET_WRONG_SIDE']);
  });
});
