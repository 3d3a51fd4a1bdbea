// key=value text, as sent to Autoview / OctoBot-style bots: `ticker=BTCUSD action=sell quantity=0.05`.
// Pairs are separated by spaces, new lines, commas or semicolons; values may be "quoted". Keys are the native
// field names (any case, snake_case too: order_type=limit, takeProfit.percent=4) plus these short forms:
//   Autoview: e= exchange, s= symbol, b= side (buy/long → buy, sell/short → sell), q= quantity ("10%" → percent
//             of equity), c=order → cancel, c=position → exit (c=position b=long / b=short: that side only, as
//             PineConnector's closelong; c=order b=long is refused: here a cancel takes every order of the symbol),
//             t= order type (market/limit), fp= limit price.
//             p= / sl= / tp= / ts= are offsets that depend on the market price: kept in extras, NOT applied.
//             d=1 (disabled: Autoview's dry run) is refused, never traded; d=0 changes nothing.
//   OctoBot:  symbol=, signal= (buy/sell/cancel), volume=, order_type=, stop_price= (stop loss; the order's own
//             stop price with order_type=stop),
//             take_profit_price=, exchange=, reduce_only=true (a sell closes part or all of a long only, a buy of a
//             short: an exit of that side, never an entry).
// One alert is one order: a key given twice is an error rather than a guess.

import { normaliseAlert, type RawAlert } from './native.js';
import { reject, show, type ParseResult } from './result.js';

const PAIR = /^([A-Za-z_][A-Za-z0-9_.-]{0,63})=(.*)$/s;

/** Split on separators outside quotes; answers undefined when a quote is never closed. */
function tokens(text: string): string[] | undefined {
  const out: string[] = [];
  let cur = '';
  let quote: string | undefined;
  for (const c of text) {
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
      else cur += c;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === ',' || c === ';' || c === '|') {
      if (cur !== '') out.push(cur);
      cur = '';
    } else cur += c;
  }
  if (quote !== undefined) return undefined;
  if (cur !== '') out.push(cur);
  return out;
}

/** Every token is key=value (quotes may only wrap values). */
export function looksLikeKeyValue(text: string): boolean {
  const t = tokens(text);
  // An unclosed quote after a key= start is still key=value text: the parser then names the quote problem.
  if (t === undefined) return /^[A-Za-z_][A-Za-z0-9_.-]{0,63}=/.test(text);
  return t.length > 0 && t.every((p) => PAIR.test(p));
}

/** Keys only Autoview's syntax uses: with them, a new line or "|" starts another command (another order). */
const AUTOVIEW_KEYS = ['e', 's', 'b', 'c', 'q', 't', 'fp'];

/** How many lines or "|"-separated parts with something in them the text has, outside quotes. */
function commandCount(text: string): number {
  let count = 0;
  let filled = false;
  let quote: string | undefined;
  for (const c of text) {
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    if (c === '\n' || c === '|') {
      if (filled) count++;
      filled = false;
    } else if (c.trim() !== '') filled = true;
  }
  return filled ? count + 1 : count;
}

const SIDE: Record<string, string> = { buy: 'buy', long: 'buy', sell: 'sell', short: 'sell' };
const NOT_APPLIED = new Set(['p', 'sl', 'tp', 'ts', 'fsl', 'ftp']);

export function parseKeyValue(text: string): ParseResult {
  const list = tokens(text);
  if (list === undefined) return reject('UNRECOGNISED_FORMAT', 'A quoted value is never closed; check the quotes in the alert message.');
  const pairs = new Map<string, { key: string; value: string }>();
  for (const token of list) {
    const m = PAIR.exec(token);
    if (!m) return reject('UNRECOGNISED_FORMAT', `${show(token)} is not key=value. Write each part as key=value, e.g. ticker=BTCUSD action=sell quantity=0.05.`);
    const key = m[1]!;
    const lower = key.toLowerCase();
    if (pairs.has(lower)) return reject('INVALID_FIELD', `"${key}" appears twice; one alert is one order, so give each key once.`, key);
    pairs.set(lower, { key, value: m[2]! });
  }
  // Autoview reads every line (or "|" part) as its own command: "c=position" then "b=short q=1" closes and then
  // opens. Read as one set of keys, such an alert would be one different order, so it is refused.
  const autoview = AUTOVIEW_KEYS.filter((k) => pairs.has(k));
  if (autoview.length > 0 && commandCount(text) > 1) {
    return reject('INVALID_FIELD', `The alert uses Autoview's syntax (${autoview.map((k) => `${k}=`).join(', ')}) on several lines or "|" parts, which Autoview reads as several commands. One alert is one order here: send each command as its own alert, on one line.`, autoview[0]);
  }
  const warnings: string[] = [];
  const raw: RawAlert = {};
  let closeSide: 'long' | 'short' | undefined;
  const used = new Set<string>();
  /** The first of several synonymous keys; two given at once is ambiguous. */
  const pick = (field: string, ...names: string[]): string | undefined => {
    const given = names.filter((n) => pairs.has(n));
    if (given.length > 1) {
      throw reject('INVALID_FIELD', `${given.map((g) => `"${g}"`).join(' and ')} both set the ${field}; keep one.`, field);
    }
    const name = given[0];
    if (name === undefined) return undefined;
    used.add(name);
    return pairs.get(name)!.value;
  };
  try {
    const symbol = pick('ticker', 'ticker', 's', 'symbol');
    const exchange = pick('exchange', 'e', 'exchange');
    if (symbol !== undefined) raw.ticker = exchange !== undefined && exchange !== '' && !symbol.includes(':') ? `${exchange}:${symbol}` : symbol;
    else if (exchange !== undefined) raw.exchange = exchange;

    const action = pick('action', 'action', 'signal');
    const side = pick('action', 'b', 'side');
    const close = pick('action', 'c');
    // Autoview's c= may name its side with b= ("s=eur/usd c=position b=long" closes the long position only).
    const chosen = [action, close !== undefined ? close : side].filter((v) => v !== undefined);
    if (chosen.length > 1) throw reject('INVALID_FIELD', 'The action is given more than once (action=, b= or c=); keep one.', 'action');
    if (action !== undefined) raw.action = action;
    if (side !== undefined && close === undefined) {
      const a = SIDE[side.trim().toLowerCase()];
      raw.action = a ?? side;
      if (a !== undefined && side.trim().toLowerCase() !== a) raw.sentiment = a === 'buy' ? 'bullish' : 'bearish';
    }
    if (close !== undefined) {
      const c = close.trim().toLowerCase();
      const book = side === undefined ? undefined : side.trim().toLowerCase();
      if (book !== undefined && book !== 'all' && SIDE[book] === undefined) {
        throw reject('INVALID_FIELD', `b=${show(side)} is not understood with c=${close}; use b=long or b=short (or leave b= out for both sides).`, 'b');
      }
      const only = book === undefined || book === 'all' ? undefined : SIDE[book] === 'buy' ? 'long' : 'short';
      if (c === 'order' || c === 'orders') {
        // This agent cancels every open order of the symbol: cancelling both sides for a one-sided request would
        // also take away the other side's orders, so it is refused rather than widened.
        if (only !== undefined) throw reject('INVALID_FIELD', `c=order b=${side} cancels only the ${only} orders at Autoview; this agent cancels all open orders of the symbol. Use c=order without b= when that is meant.`, 'b');
        raw.action = 'cancel';
      } else if (c === 'position' || c === 'positions') {
        raw.action = 'exit';
        // Like PineConnector's closelong: c=position b=long closes a long only and never buys back a short.
        if (only !== undefined) {
          closeSide = only;
          raw.prevMarketPosition = only;
        }
      } else throw reject('INVALID_ACTION', `c=${show(close)} is not understood; use c=order (cancel open orders) or c=position (close the position).`, 'action');
    }

    const quantity = pick('quantity', 'quantity', 'q', 'volume', 'qty');
    if (quantity !== undefined) {
      const pct = /^\s*(.+?)\s*%\s*$/.exec(quantity);
      if (pct) {
        raw.quantity = pct[1];
        if (!pairs.has('quantitytype')) raw.quantityType = 'percent_of_equity';
      } else raw.quantity = quantity;
    }
    const orderType = pick('orderType', 't', 'order_type', 'ordertype');
    if (orderType !== undefined) raw.orderType = orderType;
    const limit = pick('limitPrice', 'fp', 'limitprice', 'limit_price');
    if (limit !== undefined) raw.limitPrice = limit;
    const stop = pick('stopLoss', 'stop_price');
    // OctoBot: STOP_PRICE is the stop loss of a market or limit order, and the order's own stop price when
    // ORDER_TYPE=STOP ("required when ORDER_TYPE=STOP").
    const stopOrder = orderType !== undefined && orderType.trim().toLowerCase() === 'stop';
    if (stop !== undefined && stopOrder) {
      if (pairs.has('stopprice')) throw reject('INVALID_FIELD', 'STOP_PRICE and stopPrice both set the stop order\'s price; keep one.', 'stopPrice');
      raw.stopPrice = stop;
      warnings.push('STOP_PRICE was read as the stop price of the stop order (ORDER_TYPE=STOP), not as a stop loss.');
    } else if (stop !== undefined) raw.stopLoss = { type: 'stop', stopPrice: stop };
    const take = pick('takeProfit', 'take_profit_price');
    if (take !== undefined) raw.takeProfit = { limitPrice: take };
    const secret = pick('passphrase', 'passphrase', 'secret');
    if (secret !== undefined) raw.passphrase = secret;
    // Autoview's d=1 ("disabled") is its dry run: the alert is logged and never traded. Traded here it would be a
    // real order the trader meant as a test, so it is refused (stored, visible, nothing sent).
    const disabled = pick('d', 'd');
    if (disabled !== undefined) {
      const v = disabled.trim().toLowerCase();
      if (v === '1' || v === 'true') {
        throw reject('INVALID_FIELD', 'd=1 is Autoview\'s "disabled" switch: the alert is a dry run that must not trade, so it was not queued. Remove d=1 (or set d=0) when the alert should trade.', 'd');
      }
      if (v !== '0' && v !== 'false') throw reject('INVALID_FIELD', `d=${show(disabled)} is not understood; Autoview's disabled switch is d=0 or d=1.`, 'd');
    }
    const reduce = pick('reduceOnly', 'reduce_only', 'reduceonly');
    if (reduce !== undefined) closeSide = reduceOnly(reduce, raw, warnings) ?? closeSide;
  } catch (e) {
    if (e && typeof e === 'object' && 'ok' in e) return e as ParseResult;
    throw e;
  }

  // Maps, then fromEntries: a key such as "__proto__" stays a plain data key and can never reach a prototype.
  const notApplied: string[] = [];
  const extras = new Map<string, unknown>();
  const rest = new Map<string, unknown>(Object.entries(raw));
  const nested = new Map<string, Map<string, string>>();
  for (const [lower, { key, value }] of pairs) {
    if (used.has(lower)) continue;
    if (NOT_APPLIED.has(lower)) {
      notApplied.push(key);
      extras.set(key, value);
    } else if (lower === 'a' || lower === 'delay') {
      extras.set(key, value);
      // Autoview waits delay= seconds before the command; here the order goes out at once, which is said.
      if (lower === 'delay' && !/^\s*0*\s*$/.test(value)) warnings.push(`${key}=${value} is not applied: the order is sent at once, not after the delay Autoview would wait.`);
    } else if (key.includes('.')) {
      const dot = key.indexOf('.');
      const head = key.slice(0, dot);
      let group = nested.get(head);
      if (group === undefined) nested.set(head, (group = new Map()));
      group.set(key.slice(dot + 1), value);
    } else {
      rest.set(key, value);
    }
  }
  for (const [head, group] of nested) {
    if (rest.has(head)) return reject('INVALID_FIELD', `"${head}" is given both as a value and as ${head}.<field>; use one form.`, head);
    rest.set(head, Object.fromEntries(group));
  }
  if (notApplied.length > 0) {
    warnings.push(`${notApplied.join(', ')} are price offsets of the Autoview syntax and were NOT applied (kept in extras); use limitPrice=, takeProfit.percent=, stopLoss.percent= instead.`);
  }
  if (extras.size > 0) {
    if (rest.has('extras')) return reject('INVALID_FIELD', '"extras" cannot be set in key=value text.', 'extras');
    rest.set('extras', Object.fromEntries(extras));
  }
  const result = normaliseAlert(Object.fromEntries(rest), { dialect: 'keyvalue', warnings });
  // Like PineConnector's closelong: a reduce-only sell closes (part of) a long only, and never buys back a short.
  if (result.ok && closeSide !== undefined) result.signal.closeSide = closeSide;
  return result;
}

/**
 * OctoBot's REDUCE_ONLY=true: the order may only shrink the position ("avoid accidental short position opening when
 * reducing a long position"). A reduce-only sell is an exit of the long side (of VOLUME, or all of it), a reduce-only
 * buy an exit of the short side; false changes nothing.
 */
function reduceOnly(value: string, raw: RawAlert, warnings: string[]): 'long' | 'short' | undefined {
  const v = value.trim().toLowerCase();
  if (v === 'false') return undefined;
  if (v !== 'true') throw reject('INVALID_FIELD', `REDUCE_ONLY is ${show(value)}; use true or false.`, 'reduceOnly');
  const action = typeof raw.action === 'string' ? raw.action.trim().toLowerCase() : undefined;
  const side = action === undefined ? undefined : SIDE[action];
  if (action === 'exit' || action === 'cancel') return undefined;
  if (side === undefined) {
    throw reject('INVALID_FIELD', `REDUCE_ONLY=true needs a buy or sell signal (SIGNAL=SELL reduces a long, SIGNAL=BUY a short); the action is ${show(raw.action ?? '')}.`, 'reduceOnly');
  }
  const closes = side === 'sell' ? 'long' : 'short';
  raw.action = 'exit';
  warnings.push(`REDUCE_ONLY=true: the ${side} only closes ${raw.quantity !== undefined ? 'that much of ' : ''}a ${closes} position (read as an exit of the ${closes} side) and never opens a ${closes === 'long' ? 'short' : 'long'}.`);
  return closes;
}
