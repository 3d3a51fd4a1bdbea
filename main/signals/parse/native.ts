// The native alert (a superset of TradersPost's webhook JSON) → Signal. Every dialect translates its own
// syntax into this raw shape and ends here, so every signal passes the same checks.

import type { Code } from '../../../shared/codes.js';
import { NATIVE_FIELDS } from '../../../shared/schemas/alert.js';
import {
  ACTIONS,
  MARKET_POSITIONS,
  ORDER_TYPES,
  QUANTITY_TYPES,
  TIME_IN_FORCE,
  type Action,
  type Dialect,
  type MarketPosition,
  type OrderType,
  type Sentiment,
  type Signal,
  type StopLoss,
  type TakeProfit,
} from '../../../shared/signal.js';
import { describeDecimalProblem, isNegative, isZero, normaliseDecimal } from './decimal.js';
import { findPlaceholder } from './placeholders.js';
import { reject, show, type ParseResult, type Rejection } from './result.js';
import { errorField, signalViolation, validateNativeShape } from './schema.js';
import { normaliseTime } from './time.js';
import { isSecretName } from '../../secret-names.js';

export type RawAlert = Record<string, unknown>;

/** Deeper nesting than this is not an alert; refusing it keeps every walk below cheap and bounded. */
export const MAX_DEPTH = 16;


const PRICE_FIELDS = new Set(['limitPrice', 'stopPrice', 'price', 'signalPrice', 'takeProfit.limitPrice', 'stopLoss.stopPrice', 'stopLoss.limitPrice']);

function codeForField(field: string): Code {
  if (field === 'action') return 'INVALID_ACTION';
  if (field === 'quantity') return 'INVALID_QUANTITY';
  if (PRICE_FIELDS.has(field)) return 'INVALID_PRICE';
  return 'INVALID_FIELD';
}

/** Lower case without "_", "-" or spaces: "limit_price", "LimitPrice" and "limitprice" meet here. */
export function looseKey(key: string): string {
  return key.toLowerCase().replace(/[_\s-]/g, '');
}

const NATIVE_BY_LOOSE = new Map(NATIVE_FIELDS.map((f) => [looseKey(f), f]));
const TAKE_PROFIT_FIELDS = ['limitPrice', 'percent', 'amount'] as const;
const STOP_LOSS_FIELDS = ['type', 'stopPrice', 'limitPrice', 'percent', 'amount', 'trailAmount', 'trailPercent'] as const;
const TP_BY_LOOSE = new Map<string, string>(TAKE_PROFIT_FIELDS.map((f) => [looseKey(f), f]));
const SL_BY_LOOSE = new Map<string, string>(STOP_LOSS_FIELDS.map((f) => [looseKey(f), f]));

type Walk = { kind: 'placeholder'; field: string; text: string } | { kind: 'too_deep'; field: string } | undefined;

/** The first unfilled placeholder or over-deep value anywhere in the alert (iterative: no stack to blow). */
function walk(raw: RawAlert): Walk {
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value: raw, path: '', depth: 0 }];
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!;
    if (typeof value === 'string') {
      const text = findPlaceholder(value);
      if (text !== undefined) return { kind: 'placeholder', field: path, text };
    } else if (value !== null && typeof value === 'object') {
      if (depth >= MAX_DEPTH) return { kind: 'too_deep', field: path };
      const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
      // Reverse so the first field in the alert is reported first.
      for (let i = entries.length - 1; i >= 0; i--) {
        const [k, v] = entries[i]!;
        stack.push({ value: v, path: path === '' ? k : `${path}.${k}`, depth: depth + 1 });
      }
    }
  }
  return undefined;
}

/**
 * Copy of a value with secret-named keys removed at every level (the walk above bounded the depth). Secret names
 * follow main/secret-names.ts, the rule the stored-body redactor and the config credential guard use, so a
 * mangled or decorated key ("email_token2", "my_secret", "x-api-key", "Api Key") is dropped too.
 */
function withoutSecrets(value: unknown, dropped: string[], path: string): unknown {
  if (Array.isArray(value)) return value.map((v, i) => withoutSecrets(v, dropped, `${path}.${i}`));
  if (value === null || typeof value !== 'object') return value;
  const entries: Array<[string, unknown]> = [];
  for (const [k, v] of Object.entries(value)) {
    if (isSecretName(k)) dropped.push(path === '' ? k : `${path}.${k}`);
    else entries.push([k, withoutSecrets(v, dropped, path === '' ? k : `${path}.${k}`)]);
  }
  // fromEntries defines own properties, so a "__proto__" key stays data and cannot change a prototype.
  return Object.fromEntries(entries);
}

class Reject extends Error {
  constructor(readonly rejection: Rejection) {
    super(rejection.message);
  }
}

function fail(code: Code, message: string, field?: string): never {
  throw new Reject(reject(code, message, field));
}

function word(value: unknown): string {
  return String(value).trim().toLowerCase().replace(/[\s-]+/g, '_');
}

function oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[], synonyms: Record<string, T> = {}): T {
  const w = word(value);
  if ((allowed as readonly string[]).includes(w)) return w as T;
  const syn = synonyms[w];
  if (syn !== undefined) return syn;
  return fail(codeForField(field), `"${field}" is ${show(value)}; use one of: ${allowed.join(', ')}.`, field);
}

type NumberRule = 'positive' | 'nonNegative' | 'any';

function decimal(field: string, value: unknown, rule: NumberRule): string {
  const code = codeForField(field);
  const d = normaliseDecimal(value);
  if (!d.ok) {
    const hint = field === 'quantity' ? ' Use a quantity greater than zero, e.g. "quantity": "{{strategy.order.contracts}}".' : ' Quote placeholders ("{{close}}") and send plain decimals.';
    return fail(code, `"${field}" ${describeDecimalProblem(d.problem)} (got ${show(value)}).${hint}`, field);
  }
  if (rule === 'positive' && (isZero(d.value) || isNegative(d.value))) {
    const what = field === 'quantity' ? 'The quantity must be greater than zero' : `"${field}" must be greater than zero`;
    const hint = field === 'quantity' ? ' To close a position use "action": "exit" (quantity is optional); to go short use "action": "sell".' : '';
    return fail(code, `${what} (got ${show(value)}).${hint}`, field);
  }
  if (rule === 'nonNegative' && isNegative(d.value)) {
    return fail(code, `"${field}" must not be negative (got ${show(value)}); TradingView sends it as an absolute size.`, field);
  }
  return d.value;
}

function bool(field: string, value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  const w = String(value).trim().toLowerCase();
  if (w === 'true') return true;
  if (w === 'false') return false;
  return fail('INVALID_FIELD', `"${field}" is ${show(value)}; use true or false.`, field);
}

const SYMBOL = /^[A-Z0-9][A-Z0-9._!/&^=#+*-]*$/;
const EXCHANGE = /^[A-Z0-9][A-Z0-9._-]*$/;

function ticker(value: unknown): { ticker: string; symbol: string; exchange?: string } {
  const raw = typeof value === 'number' ? String(value) : (value as string);
  const text = raw.trim();
  const colon = text.indexOf(':');
  const exchange = colon >= 0 ? text.slice(0, colon).trim().toUpperCase() : undefined;
  const symbol = (colon >= 0 ? text.slice(colon + 1) : text).trim().toUpperCase();
  if (symbol === '' || symbol.length > 64 || !SYMBOL.test(symbol)) {
    return fail('INVALID_FIELD', `"ticker" is ${show(raw)}, which is not a symbol. Use "ticker": "{{ticker}}" (or EXCHANGE:SYMBOL such as "NASDAQ:AAPL").`, 'ticker');
  }
  if (exchange !== undefined && (exchange === '' || exchange.length > 64 || !EXCHANGE.test(exchange))) {
    return fail('INVALID_FIELD', `"ticker" is ${show(raw)}; the exchange before ":" is not valid. Use EXCHANGE:SYMBOL such as "NASDAQ:AAPL", or just "{{ticker}}".`, 'ticker');
  }
  return exchange === undefined ? { ticker: raw, symbol } : { ticker: raw, symbol, exchange };
}

/**
 * TradingView names an exchange whose data the user sees delayed with "_DL" or "_DLY" after it ({{exchange}} is then
 * "NYMEX_DL", "CME_MINI_DL"): the same venue and instruments, so it is read as the exchange itself, with a warning.
 */
const DELAYED = /^(.+?)_DLY?$/;

function liveExchange(exchange: string, warnings: string[]): string {
  const m = DELAYED.exec(exchange);
  if (!m) return exchange;
  warnings.push(`The exchange ${show(exchange)} is TradingView's name for ${show(m[1]!)} with delayed data; it was read as ${show(m[1]!)}.`);
  return m[1]!;
}

/** The `exchange` field ("{{exchange}}"), upper-cased; undefined when absent or empty (with a warning). */
function exchangeField(value: unknown, warnings: string[]): string | undefined {
  if (value === undefined || value === null) return undefined;
  const text = String(value).trim().toUpperCase();
  if (text === '') {
    warnings.push('"exchange" is empty and is ignored.');
    return undefined;
  }
  if (text.length > 64 || !EXCHANGE.test(text)) {
    return fail('INVALID_FIELD', `"exchange" is ${show(value)}, which is not an exchange name. Use "exchange": "{{exchange}}" (such as "NASDAQ" or "BINANCE"), or leave it out.`, 'exchange');
  }
  return text;
}

/** Resolves field names case-insensitively ("Ticker", "limit_price"); ambiguity is an error, not a guess. */
function canonicalKeys(obj: RawAlert, known: ReadonlyMap<string, string>, where: string, warnings: string[], keepUnknown: boolean): RawAlert {
  const out: Array<[string, unknown]> = [];
  const seen = new Map<string, string>();
  for (const [key, value] of Object.entries(obj)) {
    const canonical = known.get(looseKey(key));
    if (canonical === undefined) {
      if (!keepUnknown) {
        const field = where === '' ? key : `${where}.${key}`;
        fail('INVALID_FIELD', `"${field}" is not a field of ${where}; use ${[...known.values()].join(', ')}.`, field);
      }
      out.push([key, value]);
      continue;
    }
    const before = seen.get(canonical);
    const field = where === '' ? canonical : `${where}.${canonical}`;
    if (before !== undefined) {
      fail('INVALID_FIELD', `The alert has both "${before}" and "${key}"; keep only "${canonical}".`, field);
    }
    seen.set(canonical, key);
    if (key !== canonical) warnings.push(`"${where === '' ? key : `${where}.${key}`}" was read as "${field}".`);
    out.push([canonical, value]);
  }
  return Object.fromEntries(out);
}

function present(obj: RawAlert, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key) && obj[key] !== null && obj[key] !== undefined;
}

/** TradersPost's options fields: an alert with one of them trades an option contract, not the ticker itself. */
const OPTION_FIELDS = new Set(['optionType', 'intrinsicValue', 'expiration', 'strikeCount', 'strikesAway', 'strikePrice'].map(looseKey));

const SENTIMENT_SYNONYMS: Record<string, Sentiment> = { long: 'bullish', short: 'bearish', bull: 'bullish', bear: 'bearish', neutral: 'flat' };

export interface NormaliseOptions {
  dialect: Dialect;
  warnings: string[];
}

/**
 * Raw alert object → Signal. Returns the passphrase separately (it never enters the signal).
 * The raw object is the output of JSON.parse or of a dialect's translation.
 */
export function normaliseAlert(input: RawAlert, opts: NormaliseOptions): ParseResult {
  try {
    return build(input, opts);
  } catch (e) {
    if (e instanceof Reject) return e.rejection;
    throw e;
  }
}

/**
 * An unfilled {{placeholder}} or over-deep nesting anywhere in a parsed alert, reported with the field's name
 * (field names of the native format are shown in their canonical spelling). Secret fields are named, not shown.
 */
export function structuralProblem(input: RawAlert): Rejection | undefined {
  const found = walk(input);
  if (found === undefined) return undefined;
  if (found.kind === 'too_deep') {
    return reject('INVALID_FIELD', `The alert is nested too deeply at "${found.field}" (more than ${MAX_DEPTH} levels); an alert is a flat object.`, found.field);
  }
  const parts = found.field.split('.');
  const top = parts[0] ?? found.field;
  const secret = parts.some((p) => isSecretName(p));
  const canonicalTop = NATIVE_BY_LOOSE.get(looseKey(top));
  const shownField = canonicalTop !== undefined ? [canonicalTop, ...parts.slice(1)].join('.') : found.field;
  const what = secret ? 'a {{placeholder}}' : found.text;
  return reject(
    'UNFILLED_PLACEHOLDER',
    `"${shownField}" contains ${what}, which TradingView did not fill. Use placeholders TradingView knows for this alert type: strategy.* ones (such as {{strategy.order.action}}) only work in alerts created from a strategy, not from an indicator.`,
    shownField,
  );
}

function build(input: RawAlert, { dialect, warnings }: NormaliseOptions): ParseResult {
  const problem = structuralProblem(input);
  if (problem) return problem;
  const raw = canonicalKeys(input, NATIVE_BY_LOOSE, '', warnings, true);

  let passphrase: string | undefined;
  if (present(raw, 'passphrase')) {
    const p = raw.passphrase;
    if (typeof p === 'string' || typeof p === 'number') passphrase = String(p);
    else return reject('INVALID_FIELD', '"passphrase" must be text.', 'passphrase');
  }
  delete raw.passphrase;

  if (!present(raw, 'ticker') || (typeof raw.ticker === 'string' && raw.ticker.trim() === '')) {
    return reject('MISSING_TICKER', 'The alert has no ticker. Add "ticker": "{{ticker}}" to the alert message.', 'ticker');
  }
  if (!present(raw, 'action') || (typeof raw.action === 'string' && raw.action.trim() === '')) {
    return reject('MISSING_ACTION', 'The alert has no action. Add "action": "{{strategy.order.action}}" (or one of buy, sell, exit, cancel, add).', 'action');
  }

  // Known fields set to null are treated as absent (a hand-written template may say "limitPrice": null).
  for (const key of NATIVE_FIELDS) {
    if (Object.prototype.hasOwnProperty.call(raw, key) && raw[key] === null) {
      delete raw[key];
      warnings.push(`"${key}" was null and is ignored.`);
    }
  }

  if (!validateNativeShape(raw)) {
    const e = validateNativeShape.errors?.[0];
    const field = e ? errorField(e) : '';
    const value = field.split('.').reduce<unknown>((o, k) => (o !== null && typeof o === 'object' ? (o as RawAlert)[k] : undefined), raw);
    if (typeof value === 'number' && !Number.isFinite(value)) {
      // JSON.parse turns 1e400 into Infinity; say what the trader sent, not what the schema saw.
      return reject(codeForField(field), `"${field}" is too large to be a real value (it reads as ${String(value)}). Send a plain decimal such as "10".`, field);
    }
    const expected = e?.keyword === 'type' ? ` (expected ${String((e.params as { type?: unknown }).type).replace(/,/g, ' or ')})` : '';
    return reject(codeForField(field), `"${field}" has a value the agent cannot use${expected}: ${e?.message ?? 'invalid'}. See docs/alerts.md for the field list.`, field);
  }

  const t = ticker(raw.ticker);
  const actionWord = word(raw.action);
  if (!(ACTIONS as readonly string[]).includes(actionWord)) {
    return reject('INVALID_ACTION', `The action is ${show(raw.action)}; use buy, sell, exit, cancel or add (in a strategy alert: "action": "{{strategy.order.action}}").`, 'action');
  }
  const signal: Signal = { dialect, symbol: t.symbol, ticker: t.ticker, action: actionWord as Action };
  const given = exchangeField(raw.exchange, warnings);
  const prefix = t.exchange === undefined ? undefined : liveExchange(t.exchange, warnings);
  // The same delayed name in both places is said once.
  const exchange = given === undefined ? undefined : given === t.exchange ? prefix : liveExchange(given, warnings);
  if (prefix !== undefined) {
    signal.exchange = prefix;
    // The ticker's EXCHANGE: prefix is what TradingView wrote for this symbol: it wins over a separate field.
    if (exchange !== undefined && exchange !== prefix) warnings.push(`"exchange" is ${show(raw.exchange)} but the ticker says ${show(t.exchange)}; the ticker's exchange is used.`);
  } else if (exchange !== undefined) signal.exchange = exchange;

  if (present(raw, 'sentiment')) {
    const s = oneOf('sentiment', raw.sentiment, ['bullish', 'bearish', 'flat'] as const, SENTIMENT_SYNONYMS);
    if (word(raw.sentiment) !== s) warnings.push(`sentiment ${show(raw.sentiment)} was read as "${s}".`);
    signal.sentiment = s;
  }
  if (present(raw, 'quantity')) signal.quantity = decimal('quantity', raw.quantity, 'positive');
  if (present(raw, 'quantityType')) signal.quantityType = oneOf('quantityType', raw.quantityType, QUANTITY_TYPES);
  if (present(raw, 'orderType')) signal.orderType = oneOf<OrderType>('orderType', raw.orderType, ORDER_TYPES, { stoplimit: 'stop_limit', trailingstop: 'trailing_stop', trailing: 'trailing_stop' });
  for (const f of ['limitPrice', 'stopPrice', 'trailAmount', 'trailPercent', 'signalPrice'] as const) {
    if (present(raw, f)) signal[f] = decimal(f, raw[f], 'positive');
  }
  if (signal.orderType === 'trailing_stop') {
    // As TradersPost refuses it: without exactly one trail value a trailing-stop order has nothing to trail by.
    if (signal.trailAmount === undefined && signal.trailPercent === undefined) {
      return reject('INVALID_FIELD', '"orderType" is "trailing_stop" but the alert has no trailAmount or trailPercent. Add one, e.g. "trailPercent": "2".', 'orderType');
    }
    if (signal.trailAmount !== undefined && signal.trailPercent !== undefined) {
      return reject('INVALID_FIELD', 'The alert gives both trailAmount and trailPercent; a trailing stop trails by one of them. Keep one.', 'trailPercent');
    }
  }
  if (present(raw, 'price')) signal.price = decimal('price', raw.price, 'positive');
  else if (signal.signalPrice !== undefined) signal.price = signal.signalPrice;
  if (present(raw, 'timeInForce')) signal.timeInForce = oneOf('timeInForce', raw.timeInForce, TIME_IN_FORCE);

  if (present(raw, 'takeProfit')) signal.takeProfit = takeProfit(raw.takeProfit as RawAlert, warnings);
  if (present(raw, 'stopLoss')) signal.stopLoss = stopLoss(raw.stopLoss as RawAlert, warnings);

  if (present(raw, 'time')) {
    const time = normaliseTime(raw.time);
    if (!time.ok) {
      return reject('INVALID_FIELD', `"time" is ${show(raw.time)}; use "{{timenow}}" (2026-03-02T14:31:00Z), another ISO-8601 time, or epoch seconds / milliseconds.`, 'time');
    }
    if (time.warning) warnings.push(time.warning);
    signal.time = time.value;
  }
  for (const f of ['extendedHours', 'cancel', 'ignoreTradingWindows'] as const) {
    if (present(raw, f)) signal[f] = bool(f, raw[f]);
  }
  if (present(raw, 'id')) {
    const id = String(raw.id).trim();
    if (id === '') warnings.push('"id" is empty and is ignored; the alert is de-duplicated by its content instead.');
    else signal.id = id;
  }
  if (present(raw, 'positionSize')) signal.positionSize = decimal('positionSize', raw.positionSize, 'any');
  if (present(raw, 'marketPosition')) signal.marketPosition = oneOf<MarketPosition>('marketPosition', raw.marketPosition, MARKET_POSITIONS);
  if (present(raw, 'marketPositionSize')) signal.marketPositionSize = decimal('marketPositionSize', raw.marketPositionSize, 'nonNegative');
  if (present(raw, 'prevMarketPosition')) signal.prevMarketPosition = oneOf<MarketPosition>('prevMarketPosition', raw.prevMarketPosition, MARKET_POSITIONS);
  if (present(raw, 'prevMarketPositionSize')) signal.prevMarketPositionSize = decimal('prevMarketPositionSize', raw.prevMarketPositionSize, 'nonNegative');

  const option = Object.keys(raw).find((k) => OPTION_FIELDS.has(looseKey(k)) && raw[k] !== null && raw[k] !== '');
  if (option !== undefined) {
    return reject('INVALID_FIELD', `"${option}" asks for an option contract (TradersPost's options fields), and this agent does not trade options: the order would buy or sell ${show(t.symbol)} itself instead. Remove the options fields to trade ${show(t.symbol)}, or route options alerts elsewhere.`, option);
  }
  const extras = collectExtras(raw, warnings);
  if (extras !== undefined) signal.extras = extras;

  const violation = signalViolation(signal);
  if (violation !== undefined) {
    // Every check above should make this unreachable; it is the last guard before an order can follow.
    const field = violation.split(' ')[0];
    return reject('INVALID_FIELD', `The alert produced an invalid signal: ${violation}. See docs/alerts.md.`, field);
  }
  return passphrase === undefined ? { ok: true, signal, warnings } : { ok: true, signal, passphrase, warnings };
}

function takeProfit(obj: RawAlert, warnings: string[]): TakeProfit {
  const tp = canonicalKeys(obj, TP_BY_LOOSE, 'takeProfit', warnings, false);
  const out: TakeProfit = {};
  if (present(tp, 'limitPrice')) out.limitPrice = decimal('takeProfit.limitPrice', tp.limitPrice, 'positive');
  if (present(tp, 'percent')) out.percent = decimal('takeProfit.percent', tp.percent, 'positive');
  if (present(tp, 'amount')) out.amount = decimal('takeProfit.amount', tp.amount, 'positive');
  if (Object.keys(out).length === 0) {
    fail('INVALID_FIELD', '"takeProfit" has no level; give one of limitPrice, percent or amount, e.g. "takeProfit": {"percent": "4"}.', 'takeProfit');
  }
  // The take profit is placed at one price: the absolute limit first, then the percent, then the amount.
  warnUnused(['limitPrice', 'percent', 'amount'].filter((k) => k in out), 'takeProfit', warnings);
  return out;
}

/** Several levels for one price: the first is used (as strategy/brackets.ts reads them); the others are said. */
function warnUnused(given: string[], where: string, warnings: string[]): void {
  if (given.length < 2) return;
  const [used, ...rest] = given;
  warnings.push(`"${where}" gives ${given.map((k) => `"${k}"`).join(' and ')}; "${where}.${used}" is used and ${rest.map((k) => `"${where}.${k}"`).join(', ')} ${rest.length > 1 ? 'are' : 'is'} NOT applied. Give one of them.`);
}

function stopLoss(obj: RawAlert, warnings: string[]): StopLoss {
  const sl = canonicalKeys(obj, SL_BY_LOOSE, 'stopLoss', warnings, false);
  const out: StopLoss = {};
  if (present(sl, 'type')) {
    out.type = oneOf<NonNullable<StopLoss['type']>>('stopLoss.type', sl.type, ['stop', 'stop_limit', 'trailing_stop'] as const, { stoplimit: 'stop_limit', trailingstop: 'trailing_stop', trailing: 'trailing_stop' });
  }
  for (const f of ['stopPrice', 'limitPrice', 'percent', 'amount', 'trailAmount', 'trailPercent'] as const) {
    if (present(sl, f)) out[f] = decimal(`stopLoss.${f}`, sl[f], 'positive');
  }
  const levels = Object.keys(out).filter((k) => k !== 'type');
  if (levels.length === 0) {
    fail('INVALID_FIELD', '"stopLoss" has no level; give one of stopPrice, percent, amount, trailAmount or trailPercent, e.g. "stopLoss": {"type": "stop", "percent": "2"}.', 'stopLoss');
  }
  // As TradersPost refuses them: a trailing stop needs exactly one trail value, and a stop-loss whose only level is
  // a limit price has no price to trigger at (the broker would refuse the whole entry later, with its bracket).
  const trail = out.trailAmount !== undefined || out.trailPercent !== undefined;
  const trigger = ['stopPrice', 'percent', 'amount'].filter((k) => k in out);
  if (out.trailAmount !== undefined && out.trailPercent !== undefined) {
    fail('INVALID_FIELD', '"stopLoss" gives both trailAmount and trailPercent; a trailing stop trails by one of them. Keep one, e.g. "stopLoss": {"type": "trailing_stop", "trailPercent": "2"}.', 'stopLoss.trailPercent');
  }
  if (out.type === 'trailing_stop' && !trail) {
    fail('INVALID_FIELD', '"stopLoss" has "type": "trailing_stop" but no trailAmount or trailPercent, so it would not trail. Add one, e.g. "stopLoss": {"type": "trailing_stop", "trailPercent": "2"}, or use "type": "stop" with a stopPrice.', 'stopLoss.type');
  }
  if (!trail && trigger.length === 0) {
    fail('INVALID_FIELD', '"stopLoss" has a limitPrice but no price to trigger at; give stopPrice, percent or amount as well (a stop_limit needs both), e.g. "stopLoss": {"type": "stop_limit", "stopPrice": "95", "limitPrice": "94.5"}.', 'stopLoss');
  }
  if (trail && (trigger.length > 0 || out.limitPrice !== undefined)) {
    const fixed = [...trigger, ...(out.limitPrice !== undefined ? ['limitPrice'] : [])];
    fail('INVALID_FIELD', `"stopLoss" mixes a trailing stop (${out.trailAmount !== undefined ? 'trailAmount' : 'trailPercent'}) with ${fixed.map((k) => `"${k}"`).join(' and ')}; a stop-loss either trails or sits at a price. Keep one kind.`, 'stopLoss');
  }
  warnUnused(trigger, 'stopLoss', warnings);
  if (out.type === 'stop_limit' && out.limitPrice === undefined) {
    warnings.push('"stopLoss" is a stop_limit without a limitPrice: its limit is its stop price. Add "limitPrice" to choose it.');
  }
  if (out.type === 'stop' && out.limitPrice !== undefined) {
    warnings.push('"stopLoss" has "type": "stop" and a limitPrice: it is placed as a stop-limit (its limit is stopLoss.limitPrice). Write "type": "stop_limit" to say so, or leave limitPrice out for a stop that fills at market.');
  }
  return out;
}

function collectExtras(raw: RawAlert, warnings: string[]): Record<string, unknown> | undefined {
  const entries: Array<[string, unknown]> = [];
  if (present(raw, 'extras')) entries.push(...Object.entries(raw.extras as RawAlert));
  const unknown: string[] = [];
  for (const [k, v] of Object.entries(raw)) {
    if (NATIVE_BY_LOOSE.has(looseKey(k))) continue;
    unknown.push(k);
    entries.push([k, v]);
  }
  if (unknown.length > 0) warnings.push(`Not acted on, kept in extras: ${unknown.slice(0, 20).map((k) => show(k)).join(', ')}${unknown.length > 20 ? ', …' : ''}.`);
  if (entries.length === 0) return undefined;
  const dropped: string[] = [];
  const extras = withoutSecrets(Object.fromEntries(entries), dropped, '') as Record<string, unknown>;
  if (dropped.length > 0) warnings.push(`Secret-looking fields were dropped and not stored: ${dropped.slice(0, 10).map((k) => show(k)).join(', ')}.`);
  return Object.keys(extras).length > 0 ? extras : undefined;
}
