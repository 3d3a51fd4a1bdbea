// 3Commas-style JSON, two generations:
//  - DCA bot:    {"message_type": "bot", "bot_id": 123, "email_token": "…", "delay_seconds": 0, "pair": "USDT_BTC"}
//                no action = start a deal (read as buy); "close_at_market_price" → exit;
//                "add_funds_in_quote" + volume → add (dollar amount); "add_funds_in_percent" + volume → add (% of position).
//  - Signal bot: {"secret": "…", "bot_uuid": "…", "tv_exchange": "{{exchange}}", "tv_instrument": "{{ticker}}",
//                "action": "{{strategy.order.action}}" | enter_long | exit_long | enter_short | exit_short,
//                "timestamp": "{{timenow}}", "trigger_price": "{{close}}", "max_lag": "300",
//                "order": {"amount": "…", "currency_type": "base" | "quote" | "margin_percent" | "position_percent"},
//                "strategy_info": {"market_position": …, "market_position_size": …, "prev_market_position": …, …}}
// email_token and secret authenticate at 3Commas; here they are returned as the passphrase and never kept.
// Pairs are QUOTE_BASE ("USDT_BTC") and become the symbol BASEQUOTE ("BTCUSDT").

import { normaliseAlert, structuralProblem, type RawAlert } from './native.js';
import { reject, show, type ParseResult } from './result.js';

const MARKERS = ['message_type', 'bot_id', 'email_token', 'bot_uuid', 'tv_instrument', 'delay_seconds'];

export function looksLikeThreeCommas(obj: RawAlert): boolean {
  if (Object.prototype.hasOwnProperty.call(obj, 'ticker')) return false;
  return MARKERS.some((k) => Object.prototype.hasOwnProperty.call(obj, k)) || (typeof obj.pair === 'string' && /_/.test(obj.pair));
}

const PAIR = /^([A-Za-z0-9]{1,20})_([A-Za-z0-9.]{1,40})$/;

const SIGNAL_ACTIONS: Record<string, { action: string; sentiment?: string; prev?: string; flat?: boolean; only?: 'long' | 'short' }> = {
  buy: { action: 'buy' },
  sell: { action: 'sell' },
  enter_long: { action: 'buy', sentiment: 'bullish' },
  enter_short: { action: 'sell', sentiment: 'bearish' },
  exit_long: { action: 'exit', prev: 'long', flat: true, only: 'long' },
  exit_short: { action: 'exit', prev: 'short', flat: true, only: 'short' },
};

const CURRENCY_TYPES: Record<string, string> = {
  base: 'fixed_quantity',
  quote: 'dollar_amount',
  margin_percent: 'percent_of_equity',
  position_percent: 'percent_of_position',
};

/** The 3Commas fields that only identify the bot or the pair: kept in extras without a warning. */
const IDENTIFIERS = new Set(['message_type', 'bot_id', 'bot_uuid', 'pair', 'delay_seconds']);

function take(obj: Map<string, unknown>, key: string): unknown {
  const v = obj.get(key);
  obj.delete(key);
  return v;
}

export function parseThreeCommas(input: RawAlert): ParseResult {
  // Field names in messages are the 3Commas ones the trader wrote.
  const problem = structuralProblem(input);
  if (problem) return problem;
  const rest = new Map<string, unknown>(Object.entries(input));
  const warnings: string[] = [];
  const raw: RawAlert = {};
  let maxAgeSeconds: number | undefined;
  let closeSide: 'long' | 'short' | undefined;
  /** exit_long / exit_short: flat, unless the message gives an amount (then that amount is closed). */
  let flat = false;
  const token = take(rest, 'email_token');
  const secret = take(rest, 'secret');
  if (token !== undefined && secret !== undefined) return reject('INVALID_FIELD', 'The alert has both email_token and secret; a 3Commas message has one of them.', 'secret');
  const pass = token ?? secret;
  if (pass !== undefined) raw.passphrase = pass;

  if (rest.has('tv_instrument') || rest.has('bot_uuid')) {
    const instrument = take(rest, 'tv_instrument');
    const exchange = take(rest, 'tv_exchange');
    if (instrument !== undefined) {
      raw.ticker = typeof exchange === 'string' && exchange.trim() !== '' && typeof instrument === 'string' && !instrument.includes(':') ? `${exchange}:${instrument}` : instrument;
    }
    const action = take(rest, 'action');
    if (action !== undefined && action !== null) {
      const mapped = SIGNAL_ACTIONS[String(action).trim().toLowerCase()];
      if (mapped === undefined) {
        return reject('INVALID_ACTION', `The 3Commas action is ${show(action)}; use "{{strategy.order.action}}" or enter_long, exit_long, enter_short, exit_short.`, 'action');
      }
      raw.action = mapped.action;
      if (mapped.sentiment) raw.sentiment = mapped.sentiment;
      if (mapped.prev) raw.prevMarketPosition = mapped.prev;
      flat = mapped.flat === true;
      closeSide = mapped.only;
    }
    const timestamp = take(rest, 'timestamp');
    if (timestamp !== undefined) raw.time = timestamp;
    const lag = take(rest, 'max_lag');
    if (lag !== undefined && lag !== null) {
      maxAgeSeconds = (typeof lag === 'number' || typeof lag === 'string') && String(lag).trim() !== '' ? Number(lag) : Number.NaN;
      if (!Number.isInteger(maxAgeSeconds) || maxAgeSeconds <= 0) {
        return reject('INVALID_FIELD', `"max_lag" is ${show(lag)}; it is the signal's maximum age in whole seconds, such as "300".`, 'max_lag');
      }
      if (timestamp === undefined) warnings.push('"max_lag" is not applied: the message has no "timestamp" ({{timenow}}) to measure the age from.');
    }
    const trigger = take(rest, 'trigger_price');
    if (trigger !== undefined) raw.price = trigger;
    const order = take(rest, 'order');
    if (order !== undefined && order !== null) {
      if (typeof order !== 'object' || Array.isArray(order)) return reject('INVALID_FIELD', '"order" must be an object such as {"amount": "1", "currency_type": "base"}.', 'order');
      const o = new Map<string, unknown>(Object.entries(order));
      const amount = take(o, 'amount');
      if (amount !== undefined) raw.quantity = amount;
      const currency = take(o, 'currency_type');
      if (currency !== undefined) {
        const qt = CURRENCY_TYPES[String(currency).trim().toLowerCase()];
        if (qt === undefined) return reject('INVALID_FIELD', `"order.currency_type" is ${show(currency)}; use base, quote, margin_percent or position_percent.`, 'order.currency_type');
        raw.quantityType = qt;
      }
      if (o.size > 0) rest.set('order', Object.fromEntries(o));
    }
    if (flat && raw.quantity === undefined) raw.marketPosition = 'flat';
    const info = take(rest, 'strategy_info');
    if (info !== undefined && info !== null) {
      if (typeof info !== 'object' || Array.isArray(info)) return reject('INVALID_FIELD', '"strategy_info" must be an object.', 'strategy_info');
      const i = new Map<string, unknown>(Object.entries(info));
      const pairs: Array<[string, string]> = [
        ['market_position', 'marketPosition'],
        ['market_position_size', 'marketPositionSize'],
        ['prev_market_position', 'prevMarketPosition'],
        ['prev_market_position_size', 'prevMarketPositionSize'],
      ];
      for (const [from, to] of pairs) {
        const v = take(i, from);
        // exit_long / exit_short already said which side was closed; the strategy's own report wins.
        if (v !== undefined) raw[to] = v;
      }
      if (i.size > 0) rest.set('strategy_info', Object.fromEntries(i));
    }
  } else {
    const pair = take(rest, 'pair');
    if (pair !== undefined) {
      const m = typeof pair === 'string' ? PAIR.exec(pair.trim()) : null;
      if (!m) return reject('INVALID_FIELD', `"pair" is ${show(pair)}; 3Commas pairs are QUOTE_BASE such as "USDT_BTC".`, 'pair');
      const quote = m[1]!.toUpperCase();
      const base = m[2]!.toUpperCase();
      // Futures pairs repeat the quote ("USDT_BTCUSDT"): the base is then already the market symbol.
      raw.ticker = base.endsWith(quote) ? base : `${base}${quote}`;
      rest.set('pair', pair);
    }
    const action = take(rest, 'action');
    const name = action === undefined || action === null ? 'start_deal' : String(action).trim().toLowerCase();
    if (name === 'start_deal') {
      raw.action = 'buy';
      warnings.push('A 3Commas start-deal message was read as buy (the message does not say whether the bot is long or short).');
    } else if (name === 'close_at_market_price') {
      raw.action = 'exit';
    } else if (name === 'add_funds_in_quote' || name === 'add_funds_in_percent') {
      raw.action = 'add';
      const volume = take(rest, 'volume');
      if (volume !== undefined) raw.quantity = volume;
      raw.quantityType = name === 'add_funds_in_quote' ? 'dollar_amount' : 'percent_of_position';
    } else {
      return reject('INVALID_ACTION', `The 3Commas action is ${show(action)}; supported are no action (start a deal), "close_at_market_price", "add_funds_in_quote" and "add_funds_in_percent".`, 'action');
    }
  }
  // Everything else (bot ids, delays, the pair) is kept for the trader to see, never acted on; what could have
  // changed the order is said.
  const delay = rest.get('delay_seconds');
  if (delay !== undefined && delay !== null && String(delay).trim() !== '' && Number(delay) !== 0) {
    warnings.push(`"delay_seconds" (${typeof delay === 'number' ? String(delay) : show(delay)}) is not applied: the order is sent at once, not after the delay 3Commas would wait.`);
  }
  const other = [...rest.keys()].filter((k) => !IDENTIFIERS.has(k));
  if (other.length > 0) warnings.push(`Not acted on, kept in extras: ${other.slice(0, 20).map((k) => show(k)).join(', ')}.`);
  if (rest.size > 0) raw.extras = Object.fromEntries(rest);
  const result = normaliseAlert(raw, { dialect: 'threecommas', warnings });
  // max_lag bounds the signal's age like the strategy's maximum alert age does (3Commas ignores older signals).
  if (result.ok && maxAgeSeconds !== undefined) result.signal.maxAgeSeconds = maxAgeSeconds;
  // exit_long closes a long only: with a short held it must not buy it back (strategy/plan.ts).
  if (result.ok && closeSide !== undefined) result.signal.closeSide = closeSide;
  return result;
}
