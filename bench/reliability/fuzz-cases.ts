// Alert bodies for the webhook fuzz: generated native alerts with hostile values, and mutations of real alerts
// (/work fixtures' shapes): truncated JSON, unfilled {{placeholders}}, NaN, huge numbers, unicode, backslash-
// mangled copy-paste, random byte damage. Deterministic for a seed.
import fc from 'fast-check';

const REAL = [
  '{"ticker": "AAPL", "action": "buy", "sentiment": "bullish", "quantity": "10", "price": "189.42", "time": "2026-03-02T14:31:00Z", "id": "Long Entry 2026-03-02T14:31:00Z", "positionSize": "10", "marketPosition": "long"}',
  '{"ticker": "TSLA", "action": "exit", "quantityType": "percent_of_position", "quantity": 25}',
  '{"ticker": "MSFT", "action": "buy", "orderType": "limit", "limitPrice": 410.5, "quantity": 3, "takeProfit": {"percent": 4}, "stopLoss": {"type": "stop", "percent": 2}}',
  '{"ticker": "NASDAQ:NVDA", "action": "sell", "sentiment": "flat", "price": "121.7"}',
  '{"ticker":"SPY","action":"buy","quantity":1}',
  'LICENSE123,buy,EURUSD,risk=1,sl=0.0020,tp=0.0040',
  'ticker=BTCUSD action=sell quantity=0.05',
  '{"ticker": "{{ticker}}", "action": "{{strategy.order.action}}", "quantity": "{{strategy.order.contracts}}"}',
  '{"ticker":"ETHUSD","action":"buy","price":NaN}',
];

const hostileString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('{{ticker}}', '{{close}}', '{{strategy.order.contracts}}', 'NaN', 'Infinity', '-0', '1e309', '0x1F', '', ' ', '\u0000', '\u202e', 'null', '__proto__', 'constructor'),
  fc.integer().map(String),
  fc.double().map(String),
);
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.double(),
  fc.integer(),
  fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }).map((b) => Number(b)),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
);

const generated = fc
  .record(
    {
      ticker: fc.oneof(fc.constantFrom('AAPL', 'NASDAQ:NVDA', 'BINANCE:BTCUSDT', 'ES1!', 'EURUSD'), hostileValue),
      action: fc.oneof(fc.constantFrom('buy', 'sell', 'exit', 'cancel', 'add', 'BUY', 'long'), hostileValue),
      quantity: fc.oneof(fc.constantFrom('1', '0.5', '0', '-1', '1e3', '10'), hostileValue),
      price: fc.oneof(fc.constantFrom('189.42', '0', 'NaN'), hostileValue),
      orderType: hostileValue,
      limitPrice: hostileValue,
      time: fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), hostileValue),
      id: fc.oneof(fc.uuid(), hostileString),
      passphrase: hostileString,
      extra: hostileValue,
    },
    { requiredKeys: [] },
  )
  .map((o) => JSON.stringify(o));

type Mutation = (s: string, a: number, b: string) => string;
const mutations: Mutation[] = [
  (s, a) => s.slice(0, a % (s.length + 1)), // truncated
  (s, a) => s.replace(/"\d+(\.\d+)?"/, a % 2 ? 'NaN' : '1e999'), // NaN / huge number
  (s) => s.replace(/"/g, '\\"'), // backslash-mangled copy-paste
  (s, a, b) => s.slice(0, a % (s.length + 1)) + b + s.slice(a % (s.length + 1)), // inserted text
  (s, a) => s.replace(/"[A-Z]+"/, a % 2 ? '"{{ticker}}"' : '"{{strategy.order.action}}"'), // unfilled placeholder
  (s, a) => {
    const i = a % Math.max(1, s.length);
    return s.slice(0, i) + String.fromCharCode((s.charCodeAt(i) + a) % 0xffff) + s.slice(i + 1);
  }, // one character damaged
  (s) => `${s}${s}`, // doubled paste
  (s) => `\ufeff${s}`, // byte-order mark
  (s, _a, b) => s.replace(/:\s*"[^"]*"/, `: ${JSON.stringify(b)}`), // a value replaced
];
const mutated = fc
  .tuple(fc.constantFrom(...REAL), fc.array(fc.tuple(fc.nat({ max: mutations.length - 1 }), fc.nat(), fc.string({ unit: 'binary', maxLength: 12 })), { minLength: 1, maxLength: 3 }))
  .map(([base, ops]) => ops.reduce((s, [m, a, b]) => mutations[m]!(s, a, b), base));

export interface FuzzCase {
  body: string;
  contentType: string;
}

export const fuzzCase: fc.Arbitrary<FuzzCase> = fc.record({
  body: fc.oneof({ weight: 2, arbitrary: mutated }, { weight: 2, arbitrary: generated }, { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 300 }) }),
  contentType: fc.constantFrom('application/json', 'text/plain', 'text/plain; charset=utf-8', 'application/x-www-form-urlencoded', ''),
});

export function fuzzCases(n: number, seed: number): FuzzCase[] {
  return fc.sample(fuzzCase, { numRuns: n, seed });
}
