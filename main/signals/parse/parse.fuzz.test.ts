// 100,000 generated and mutated alert bodies through parseAlert: real alerts truncated, with unfilled
// placeholders, NaN, huge numbers, unicode, backslash-mangling and random bytes, plus random native objects.
// Properties: parseAlert never throws; every rejection carries a documented intake code and a message;
// every accepted alert is a valid signal (shared/schemas/alert.ts) with its invariants.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { CODES, type Code } from '../../../shared/codes.js';
import { ACTIONS } from '../../../shared/signal.js';
import { checkAlertTemplate } from './check.js';
import { parseAlert } from './index.js';
import { signalViolation } from './schema.js';

const here = dirname(fileURLToPath(import.meta.url));
const fixtureBodies = readFileSync(resolve(here, 'fixtures/examples.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => (JSON.parse(l) as { body: string }).body);

const seeds = [
  ...fixtureBodies,
  '{"ticker":"NASDAQ:AAPL","action":"buy","sentiment":"long","quantity":"10","quantityType":"fixed_quantity","orderType":"limit","limitPrice":"190.5","price":"189.42","timeInForce":"gtc","takeProfit":{"percent":"4"},"stopLoss":{"type":"stop","stopPrice":"180"},"time":"2026-03-02T14:31:00Z","extendedHours":"false","id":"Long 1","positionSize":"-5","marketPosition":"short","marketPositionSize":"5","prevMarketPosition":"flat","prevMarketPositionSize":"0","passphrase":"canary-P4ss","extras":{"note":"x"}}',
  '{"ticker":"{{ticker}}","action":"{{strategy.order.action}}","quantity":"{{strategy.order.contracts}}","price":{{close}},"time":"{{timenow}}"}',
  '60123456789,buylimit,EURUSD,vol_lots=0.5,price=1.0850,sl_price=1.08,tp_pct=2,secret=canary-S,comment="a, b"',
  '60123456789,closelong,GBPUSD',
  'e=binance s=BTCUSDT b=long q=10% t=limit fp=65000 sl=2% passphrase=canary-K',
  'EXCHANGE=binance\nSYMBOL=BTCUSDT\nSIGNAL=SELL\nVOLUME=0.01\nSTOP_PRICE=40000',
  '{"message_type":"bot","bot_id":4567,"email_token":"canary-T","delay_seconds":0,"pair":"USDT_BTC","action":"close_at_market_price"}',
  '{"secret":"canary-Q","bot_uuid":"u","tv_exchange":"BINANCE","tv_instrument":"BTCUSDT","action":"enter_long","timestamp":"2026-03-02T14:31:00Z","trigger_price":"64000.5","order":{"amount":"0.5","currency_type":"base"},"strategy_info":{"market_position":"long","market_position_size":"0.5"}}',
  '{\\"ticker\\":\\"AAPL\\",\\"action\\":\\"buy\\"}',
];

const nasty = ['NaN', '-NaN', 'Infinity', '-Infinity', '1e400', '-1e400', '999999999999999999999999', '0x1F', '1e-400', '""', 'null', 'true', '{}', '[]', '"\\u0000"', '"{{close}}"', '{{close}}', '"\\ud800"', '-0', '0', '"0.1"', '" 10 "', '"1,5"'];

type Mutation = (s: string) => string;

const at = (n: number, s: string): number => (s.length === 0 ? 0 : n % (s.length + 1));

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.nat().map((n) => (s: string) => s.slice(0, at(n, s))),
  fc.tuple(fc.nat(), fc.constantFrom('{{ticker}}', '{{strategy.order.action}}', '{{close}}', '{{', '}}', '{{plot("x")}}')).map(([n, p]) => (s: string) => s.slice(0, at(n, s)) + p + s.slice(at(n, s))),
  fc.tuple(fc.nat(), fc.constantFrom(...nasty)).map(([n, v]) => (s: string) => {
    // Replace the value after the n-th colon or equals sign.
    const marks = [...s.matchAll(/[:=]/g)].map((m) => m.index);
    if (marks.length === 0) return s + v;
    const i = marks[n % marks.length]! + 1;
    const end = s.slice(i).search(/[,}\s]/);
    return s.slice(0, i) + v + (end < 0 ? '' : s.slice(i + end));
  }),
  fc.tuple(fc.nat(), fc.string({ unit: 'grapheme', maxLength: 6 })).map(([n, u]) => (s: string) => s.slice(0, at(n, s)) + u + s.slice(at(n, s))),
  fc.tuple(fc.nat(), fc.string({ unit: 'binary', maxLength: 6 })).map(([n, u]) => (s: string) => s.slice(0, at(n, s)) + u + s.slice(at(n, s))),
  fc.constant((s: string) => s.replace(/"/g, '\\"')),
  fc.nat().map((n) => (s: string) => {
    const i = at(n, s);
    return s.slice(0, i) + s.slice(i).replace('"', '\\"');
  }),
  fc.tuple(fc.nat(), fc.nat({ max: 12 })).map(([n, len]) => (s: string) => s.slice(0, at(n, s)) + s.slice(at(n, s) + len)),
  fc.tuple(fc.nat(), fc.nat({ max: 20 })).map(([n, len]) => (s: string) => s.slice(0, at(n, s) + len) + s.slice(at(n, s))),
  fc.constant((s: string) => s.toUpperCase()),
  fc.constant((s: string) => `\uFEFF  ${s}\n`),
  fc.constant((s: string) => JSON.stringify(s)),
);

const mutated = fc.tuple(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([seed, ms]) => ms.reduce((s, m) => m(s), seed));

const value = fc.oneof(
  fc.constantFrom('buy', 'SELL', 'exit', 'long', 'short', 'flat', 'limit', 'gtc', 'true', 'false', '', ' ', 'NaN', '0', '-1', '1e400', '0.1', '{{close}}', 'NASDAQ:AAPL', ':', 'AAPL'),
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.string({ maxLength: 12 }),
  fc.dictionary(fc.constantFrom('limitPrice', 'percent', 'amount', 'type', 'stopPrice', 'x', '__proto__'), fc.oneof(fc.double(), fc.string({ maxLength: 6 })), { maxKeys: 3 }),
);
const keys = ['ticker', 'action', 'sentiment', 'quantity', 'quantityType', 'orderType', 'limitPrice', 'stopPrice', 'trailAmount', 'trailPercent', 'price', 'signalPrice', 'timeInForce', 'takeProfit', 'stopLoss', 'time', 'extendedHours', 'cancel', 'ignoreTradingWindows', 'extras', 'passphrase', 'id', 'positionSize', 'marketPosition', 'marketPositionSize', 'prevMarketPosition', 'prevMarketPositionSize', 'Ticker', 'limit_price', 'pair', 'bot_id', 'tv_instrument', 'secret', '__proto__', 'other'];
const generated = fc
  .tuple(fc.constantFrom('AAPL', 'NASDAQ:NVDA', 'ES1!'), fc.constantFrom(...ACTIONS), fc.dictionary(fc.constantFrom(...keys), value, { maxKeys: 8 }))
  .map(([ticker, action, rest]) => JSON.stringify({ ticker, action, ...rest }));

const body = fc.oneof(
  { arbitrary: mutated, weight: 6 },
  { arbitrary: generated, weight: 3 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 80 }), weight: 1 },
);

const INTAKE_CODES = new Set<Code>(['EMPTY_BODY', 'INVALID_JSON', 'TRUNCATED_JSON', 'UNQUOTED_NAN', 'ESCAPED_JSON', 'UNFILLED_PLACEHOLDER', 'UNRECOGNISED_FORMAT', 'MISSING_TICKER', 'MISSING_ACTION', 'INVALID_ACTION', 'INVALID_FIELD', 'INVALID_QUANTITY', 'INVALID_PRICE']);
const SECRET_NAME = /passphrase|password|secret|token/i;
/** Any key, at any depth of extras, named like a secret. */
function hasSecretKey(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  return Object.entries(value).some(([k, v]) => SECRET_NAME.test(k) || hasSecretKey(v));
}
const POSITIVE = /^(0\.\d*[1-9]|[1-9]\d*(\.\d*[1-9])?)$/;

it('100,000 generated and mutated alerts: never a throw, documented codes only, only valid signals accepted', () => {
  let accepted = 0;
  const seen = new Set<Code>();
  fc.assert(
    fc.property(body, fc.constantFrom(undefined, 'application/json', 'text/plain', 'application/octet-stream'), (text, contentType) => {
      const r = parseAlert(text, contentType);
      if (!r.ok) {
        seen.add(r.code);
        return Object.prototype.hasOwnProperty.call(CODES, r.code) && INTAKE_CODES.has(r.code) && typeof r.message === 'string' && r.message.length > 10 && (r.field === undefined || typeof r.field === 'string');
      }
      accepted++;
      const s = r.signal;
      return (
        signalViolation(s) === undefined &&
        s.symbol.length > 0 &&
        (ACTIONS as readonly string[]).includes(s.action) &&
        (s.quantity === undefined || POSITIVE.test(s.quantity)) &&
        (s.time === undefined || !Number.isNaN(Date.parse(s.time))) &&
        Array.isArray(r.warnings) &&
        !hasSecretKey(s.extras)
      );
    }),
    { numRuns: 100_000 },
  );
  // The corpus must exercise both paths, or the run proves little.
  expect(accepted).toBeGreaterThan(1_000);
  expect(seen.size).toBeGreaterThanOrEqual(12);
  // About 10 s on the 2-core machine; the margin is for a loaded CI run, not for a slower parser.
}, 60_000);

it('10,000 mutated templates through the template check: never a throw, every problem has a documented code', () => {
  fc.assert(
    fc.property(body, (text) => {
      const r = checkAlertTemplate(text);
      return r.problems.every((p) => Object.prototype.hasOwnProperty.call(CODES, p.code) && p.message.length > 10) && (r.signal === undefined || signalViolation(r.signal) === undefined);
    }),
    { numRuns: 10_000 },
  );
});
