// Each usual mistake gets its precise code, names the field where there is one, and says how to fix it.
import { describe, expect, it } from 'vitest';
import { CODES, type Code } from '../../../shared/codes.js';
import { parseAlert } from './index.js';

const cases: Array<[string, string, Code, string | undefined, RegExp]> = [
  ['empty body', '', 'EMPTY_BODY', undefined, /empty/],
  ['whitespace only', ' \n\t ', 'EMPTY_BODY', undefined, /empty/],
  ['BOM only', '\uFEFF', 'EMPTY_BODY', undefined, /empty/],
  ['quoted unfilled placeholder', '{"ticker":"{{ticker}}","action":"buy"}', 'UNFILLED_PLACEHOLDER', 'ticker', /\{\{ticker\}\}/],
  ['strategy placeholder in an indicator alert', '{"ticker":"AAPL","action":"{{strategy.order.action}}"}', 'UNFILLED_PLACEHOLDER', 'action', /strategy/],
  ['unquoted unfilled placeholder', '{"ticker":"AAPL","action":"buy","quantity":{{strategy.order.contracts}}}', 'UNFILLED_PLACEHOLDER', 'quantity', /quotes/],
  ['placeholder in a nested field', '{"ticker":"AAPL","action":"buy","stopLoss":{"stopPrice":"{{plot_1}}"}}', 'UNFILLED_PLACEHOLDER', 'stopLoss.stopPrice', /\{\{plot_1\}\}/],
  ['placeholder in key=value text', 'ticker={{ticker}} action=buy', 'UNFILLED_PLACEHOLDER', 'ticker', /did not fill/],
  ['placeholder in free text', 'buy {{ticker}} now', 'UNFILLED_PLACEHOLDER', undefined, /did not fill/],
  ['NaN from an unquoted number', '{"ticker":"ETHUSD","action":"buy","price":NaN}', 'UNQUOTED_NAN', 'price', /Quote the placeholder/],
  ['negative Infinity', '{"ticker":"ETHUSD","action":"buy","quantity":-Infinity}', 'UNQUOTED_NAN', 'quantity', /Infinity/],
  ['NaN in an object', '{"ticker":"ETHUSD","action":"buy","takeProfit":{"limitPrice":NaN}}', 'UNQUOTED_NAN', 'limitPrice', /NaN/],
  ['truncated inside a string', '{"ticker":"AAPL","action":"bu', 'TRUNCATED_JSON', undefined, /ends early/],
  ['truncated after a value', '{"ticker":"AAPL","action":"buy"', 'TRUNCATED_JSON', undefined, /ends early/],
  ['truncated nested', '{"ticker":"AAPL","action":"buy","stopLoss":{"percent":2', 'TRUNCATED_JSON', undefined, /ends early/],
  ['backslash-escaped copy-paste', '{\\"ticker\\":\\"AAPL\\",\\"action\\":\\"buy\\"}', 'ESCAPED_JSON', undefined, /backslash/],
  ['JSON inside a JSON string', '"{\\"ticker\\":\\"AAPL\\",\\"action\\":\\"buy\\"}"', 'ESCAPED_JSON', undefined, /backslash|quoted/],
  ['missing comma', '{"ticker":"AAPL" "action":"buy"}', 'INVALID_JSON', undefined, /comma/],
  ['trailing comma', '{"ticker":"AAPL","action":"buy",}', 'INVALID_JSON', undefined, /trailing comma/],
  ['single quotes', "{'ticker':'AAPL','action':'buy'}", 'INVALID_JSON', undefined, /single quotes \('ticker'\); JSON needs double quotes/],
  ['curly quotes from a word processor', '{“ticker”: “AAPL”, “action”: “buy”}', 'INVALID_JSON', undefined, /curly quotes/],
  ['curly single quotes', '{‘ticker’: ‘AAPL’, ‘action’: ‘buy’}', 'INVALID_JSON', undefined, /curly quotes/],
  ['a trailing comma named', '{"ticker":"AAPL","action":"buy",\n}', 'INVALID_JSON', undefined, /comma before a closing \}/],
  ['a comment', '{"ticker":"AAPL","action":"buy" // entry\n}', 'INVALID_JSON', undefined, /comment/],
  ['unknown action', '{"ticker":"AAPL","action":"moon"}', 'INVALID_ACTION', 'action', /buy, sell, exit, cancel or add/],
  ['action as a number', '{"ticker":"AAPL","action":1}', 'INVALID_ACTION', 'action', /action/],
  ['negative quantity', '{"ticker":"AAPL","action":"buy","quantity":-5}', 'INVALID_QUANTITY', 'quantity', /greater than zero/],
  ['zero quantity', '{"ticker":"AAPL","action":"buy","quantity":"0"}', 'INVALID_QUANTITY', 'quantity', /greater than zero/],
  ['NaN quantity string', '{"ticker":"AAPL","action":"buy","quantity":"NaN"}', 'INVALID_QUANTITY', 'quantity', /not a number/],
  ['hex quantity', '{"ticker":"AAPL","action":"buy","quantity":"0x10"}', 'INVALID_QUANTITY', 'quantity', /plain decimal/],
  ['empty quantity', '{"ticker":"AAPL","action":"buy","quantity":""}', 'INVALID_QUANTITY', 'quantity', /empty/],
  ['huge quantity', '{"ticker":"AAPL","action":"buy","quantity":1e400}', 'INVALID_QUANTITY', 'quantity', /not a number|too large/],
  ['huge quantity string', '{"ticker":"AAPL","action":"buy","quantity":"1e400"}', 'INVALID_QUANTITY', 'quantity', /too large/],
  ['zero limit price', '{"ticker":"AAPL","action":"buy","limitPrice":0}', 'INVALID_PRICE', 'limitPrice', /greater than zero/],
  ['negative take-profit price', '{"ticker":"AAPL","action":"buy","takeProfit":{"limitPrice":"-1"}}', 'INVALID_PRICE', 'takeProfit.limitPrice', /greater than zero/],
  ['missing ticker', '{"action":"buy"}', 'MISSING_TICKER', 'ticker', /"ticker": "\{\{ticker\}\}"/],
  ['empty ticker', '{"ticker":"  ","action":"buy"}', 'MISSING_TICKER', 'ticker', /no ticker/],
  ['missing action', '{"ticker":"AAPL"}', 'MISSING_ACTION', 'action', /strategy\.order\.action/],
  ['bad sentiment', '{"ticker":"AAPL","action":"buy","sentiment":"happy"}', 'INVALID_FIELD', 'sentiment', /bullish, bearish, flat/],
  ['bad quantityType', '{"ticker":"AAPL","action":"buy","quantityType":"shares"}', 'INVALID_FIELD', 'quantityType', /fixed_quantity/],
  ['bad orderType', '{"ticker":"AAPL","action":"buy","orderType":"iceberg"}', 'INVALID_FIELD', 'orderType', /market, limit/],
  ['bad timeInForce', '{"ticker":"AAPL","action":"buy","timeInForce":"forever"}', 'INVALID_FIELD', 'timeInForce', /gtc/],
  ['bad boolean', '{"ticker":"AAPL","action":"buy","extendedHours":"yes"}', 'INVALID_FIELD', 'extendedHours', /true or false/],
  ['bad time', '{"ticker":"AAPL","action":"buy","time":"yesterday"}', 'INVALID_FIELD', 'time', /timenow/],
  ['negative market position size', '{"ticker":"AAPL","action":"buy","marketPositionSize":"-1"}', 'INVALID_FIELD', 'marketPositionSize', /negative/],
  ['bad market position', '{"ticker":"AAPL","action":"buy","marketPosition":"up"}', 'INVALID_FIELD', 'marketPosition', /long, short, flat/],
  ['take profit without a level', '{"ticker":"AAPL","action":"buy","takeProfit":{}}', 'INVALID_FIELD', 'takeProfit', /limitPrice, percent or amount/],
  ['stop loss with an unknown key', '{"ticker":"AAPL","action":"buy","stopLoss":{"stop":"10"}}', 'INVALID_FIELD', 'stopLoss.stop', /stopPrice/],
  ['stop loss as a number', '{"ticker":"AAPL","action":"buy","stopLoss":5}', 'INVALID_FIELD', 'stopLoss', /object/],
  ['ticker with spaces', '{"ticker":"AA PL","action":"buy"}', 'INVALID_FIELD', 'ticker', /not a symbol/],
  ['ticker with an empty exchange', '{"ticker":":AAPL","action":"buy"}', 'INVALID_FIELD', 'ticker', /exchange/],
  ['duplicate spelling of a field', '{"ticker":"AAPL","Ticker":"MSFT","action":"buy"}', 'INVALID_FIELD', 'ticker', /both/],
  ['a JSON list', '[{"ticker":"AAPL","action":"buy"}]', 'UNRECOGNISED_FORMAT', undefined, /list/],
  ['a bare string', '"buy AAPL"', 'UNRECOGNISED_FORMAT', undefined, /quoted string/],
  ['free text', 'Buy Apple now please', 'UNRECOGNISED_FORMAT', undefined, /docs\/alerts\.md/],
  ['PineConnector size with a decimal comma', '60123456789,buy,EURUSD,risk=0,5', 'UNRECOGNISED_FORMAT', 'risk', /risk=0,5 has a comma in its number.*dot/],
  ['PineConnector price with a decimal comma, spaces after commas', '60123456789, sell, EURUSD, vol_lots=1, sl_price=1,0850', 'UNRECOGNISED_FORMAT', 'sl_price', /sl_price=1,0850 has a comma/],
  ['key=value quantity with a thousands separator', 'ticker=BTCUSD action=sell quantity=1,000', 'UNRECOGNISED_FORMAT', 'quantity', /quantity=1,000 has a comma.*without thousands separators/],
  ['Autoview quantity with a decimal comma', 'e=binance s=BTCUSDT b=sell q=0,05', 'UNRECOGNISED_FORMAT', 'q', /q=0,05/],
  ['deep nesting', `{"ticker":"AAPL","action":"buy","extras":${'{"a":'.repeat(40)}1${'}'.repeat(40)}}`, 'INVALID_FIELD', undefined, /nested too deeply/],
];

describe('mistakes are rejected with precise codes and fixes', () => {
  it.each(cases)('%s → %s', (_name, body, code, field, message) => {
    const r = parseAlert(body, body.startsWith('{') ? 'application/json' : 'text/plain');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.code).toBe(code);
    expect(CODES[r.code]).toBeDefined();
    if (field !== undefined) expect(r.field).toBe(field);
    expect(r.message).toMatch(message);
  });
});

describe('rejection messages never echo a secret', () => {
  it('a secret written with a comma is not named by the comma-number hint', () => {
    const r = parseAlert('60123456789,buy,EURUSD,vol_lots=1,secret=4711,9090', 'text/plain');
    expect(r).toMatchObject({ ok: false, code: 'UNRECOGNISED_FORMAT' });
    expect(JSON.stringify(r)).not.toMatch(/4711|9090/);
  });

  const canary = 'canary-9f3Kq';
  it.each([
    ['placeholder in the passphrase', `{"ticker":"AAPL","action":"buy","passphrase":"{{${canary}}}"}`],
    ['passphrase pasted into the action', `{"ticker":"AAPL","action":"${canary}","passphrase":"${canary}"}`],
    ['passphrase pasted into the ticker', `{"ticker":"${canary} x","action":"buy","passphrase":"${canary}"}`],
    ['passphrase in the quantity of broken JSON', `{"ticker":"AAPL","action":"buy","passphrase":"${canary}","quantity":"${canary}"`],
    ['key=value secret', `ticker=AAPL action=${canary} passphrase=${canary}`],
    ['PineConnector secret', `60123456789,buy,EURUSD,vol_lots=${canary},secret=${canary}`],
    ['3Commas token', `{"message_type":"bot","bot_id":1,"email_token":"${canary}","pair":"USDT_BTC","action":"${canary}"}`],
    ['backslash-escaped copy-paste', `{\\"ticker\\":\\"AAPL\\",\\"action\\":\\"buy\\",\\"passphrase\\":\\"${canary}\\"}`],
    ['cut off inside the passphrase', `{"ticker":"AAPL","action":"cancel","passphrase":"${canary}`],
    ['passphrase spelled pass-phrase, pasted into the action', `{"ticker":"AAPL","action":"${canary}","pass-phrase":"${canary}"}`],
    ['passphrase spelled Pass_Phrase, pasted into the ticker', `{"ticker":"${canary} x","action":"buy","Pass_Phrase":"${canary}"}`],
    ['escaped passphrase pasted into the action', `{"ticker":"AAPL","action":"${canary}\\u0021","passphrase":"${canary}\\u0021"}`],
    ['PineConnector secret with a space, pasted into the size', `60123456789,buy,EURUSD,vol_lots=${canary} x,secret=${canary} x`],
  ])('%s', (_name, body) => {
    const r = parseAlert(body);
    expect(r.ok).toBe(false);
    expect(JSON.stringify(r)).not.toContain(canary);
  });
});
