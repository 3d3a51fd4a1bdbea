// PineConnector's comma syntax: `LicenseID,command,SYMBOL,key=value,...` (spaces around commas allowed).
// The license id identifies the PineConnector customer, not this agent's strategy: it is kept in extras.
// `secret=` is PineConnector's alert secret and is treated like a passphrase (never kept, never echoed).
//
// Mapping (PineConnector → native): buy/long/bull/bullish → buy; sell/short/bear/bearish → sell;
// buylimit/buystop/selllimit/sellstop → buy/sell with orderType limit/stop at entry_price= (or price=); closelong/closeshort →
// exit of that side only (closeSide; the side is also recorded as prevMarketPosition); closeall/closelongshort → exit;
// closelongsell → sell and closeshortbuy → buy (a reversal); cancellong/cancelshort/cancelall → cancel.
// Sizing: vol_lots= → quantity in lots (quantityType `lots`: MetaTrader lots, 100,000 units of a forex pair's base,
// 100 oz of gold, 5,000 oz of silver; sizing converts them per instrument and refuses any other instrument);
// vol_dollar= → risk_dollar_amount; legacy risk= → lots too (the EA's default volume type; its meaning is an EA
// setting, and the warning says so); any other vol_*= size (vol_pct_bal_loss= …) is refused, never traded at another
// size. sl=/tp= and *_pips= depend on EA settings and the instrument's pip
// size, so they are kept in extras and NOT applied (warning); sl_price=/tp_price=/sl_pct=/tp_pct= are applied.

import { normaliseAlert, type RawAlert } from './native.js';
import { reject, show, type ParseResult } from './result.js';

interface CommandMap {
  action: string;
  sentiment?: string;
  orderType?: 'limit' | 'stop';
  prev?: 'long' | 'short';
  flat?: boolean;
  /** Closes this side only (the signal's closeSide). */
  only?: 'long' | 'short';
}

const COMMANDS: ReadonlyMap<string, CommandMap> = new Map<string, CommandMap>([
  ['buy', { action: 'buy', sentiment: 'bullish' }],
  ['long', { action: 'buy', sentiment: 'bullish' }],
  ['bull', { action: 'buy', sentiment: 'bullish' }],
  ['bullish', { action: 'buy', sentiment: 'bullish' }],
  ['sell', { action: 'sell', sentiment: 'bearish' }],
  ['short', { action: 'sell', sentiment: 'bearish' }],
  ['bear', { action: 'sell', sentiment: 'bearish' }],
  ['bearish', { action: 'sell', sentiment: 'bearish' }],
  ['buylimit', { action: 'buy', sentiment: 'bullish', orderType: 'limit' }],
  ['buystop', { action: 'buy', sentiment: 'bullish', orderType: 'stop' }],
  ['selllimit', { action: 'sell', sentiment: 'bearish', orderType: 'limit' }],
  ['sellstop', { action: 'sell', sentiment: 'bearish', orderType: 'stop' }],
  ['closelong', { action: 'exit', prev: 'long', flat: true, only: 'long' }],
  ['closeshort', { action: 'exit', prev: 'short', flat: true, only: 'short' }],
  ['closeall', { action: 'exit', flat: true }],
  ['closelongshort', { action: 'exit', flat: true }],
  ['closelongsell', { action: 'sell', sentiment: 'bearish', prev: 'long' }],
  ['closeshortbuy', { action: 'buy', sentiment: 'bullish', prev: 'short' }],
  ['cancellong', { action: 'cancel' }],
  ['cancelshort', { action: 'cancel' }],
  ['cancelall', { action: 'cancel' }],
]);

/** PineConnector commands that have no equivalent here: named so the rejection can say so. */
const UNSUPPORTED = new Set(['newsltplong', 'newsltpshort', 'eaon', 'eaoff', 'closelongvol', 'closeshortvol', 'closepartlong', 'closepartshort']);

const NOT_APPLIED = new Set(['sl', 'tp', 'sl_pips', 'tp_pips', 'trailtrig', 'traildist', 'trailstep', 'trail_trig', 'trail_dist', 'trail_step', 'betrigger', 'beoffset']);

const LICENSE = /^[A-Za-z0-9_-]{3,64}$/;
const COMMAND_WORD = /^[A-Za-z]{2,20}$/;

/** Split on commas outside double quotes (comment="a, b"). */
function splitCommas(text: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let quoted = false;
  for (const c of text) {
    if (c === '"') quoted = !quoted;
    if (c === ',' && !quoted) {
      parts.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  parts.push(cur.trim());
  return parts;
}

/** A value written "in quotes" (values may be quoted, the symbol and the command too) without them. */
function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1).trim() : value;
}

/** The id, command and symbol parts, without their quotes. */
function head(parts: readonly string[]): [string, string, string] {
  return [unquote(parts[0] ?? ''), unquote(parts[1] ?? ''), unquote(parts[2] ?? '')];
}

/** True when the text has PineConnector's shape: id, a command word, a symbol, then only key=value parts. */
export function looksLikePineConnector(text: string): boolean {
  if (text.includes('\n') || !text.includes(',')) return false;
  const parts = splitCommas(text);
  if (parts.length < 3) return false;
  const [license, command, symbol] = head(parts);
  if (!LICENSE.test(license) || license.includes('=') || command.includes('=') || symbol.includes('=') || symbol === '') return false;
  if (!COMMAND_WORD.test(command) && !command.includes('{{')) return false;
  return parts.slice(3).every((p) => p === '' || p.includes('='));
}

export function parsePineConnector(text: string): ParseResult {
  const parts = splitCommas(text);
  const [license, commandRaw, symbol] = head(parts);
  const warnings: string[] = [];
  const command = commandRaw.toLowerCase();
  if (commandRaw.includes('{{')) {
    return reject('UNFILLED_PLACEHOLDER', `The PineConnector command is ${show(commandRaw)}, a placeholder TradingView did not fill. Use buy, sell, closelong, closeshort, closeall… (or a strategy alert for {{strategy.*}} values).`, 'action');
  }
  const mapped = COMMANDS.get(command);
  if (mapped === undefined) {
    const why = UNSUPPORTED.has(command) ? 'is a PineConnector command this agent does not carry out' : 'is not a PineConnector command';
    return reject('INVALID_ACTION', `${show(commandRaw)} ${why}. Use buy, sell, buylimit, buystop, selllimit, sellstop, closelong, closeshort, closeall, cancellong or cancelshort.`, 'action');
  }
  const raw: RawAlert = { ticker: symbol, action: mapped.action };
  if (mapped.sentiment) raw.sentiment = mapped.sentiment;
  if (mapped.prev) raw.prevMarketPosition = mapped.prev;
  // No prototype: a "__proto__" key is then plain data.
  const params: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const part of parts.slice(3)) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = part.slice(0, eq).trim().toLowerCase();
    const value = unquote(part.slice(eq + 1).trim());
    if (key === '') return reject('UNRECOGNISED_FORMAT', `The PineConnector part ${show(part)} has no name before "=". Write key=value, e.g. risk=1.`);
    if (Object.prototype.hasOwnProperty.call(params, key) || (key === 'secret' && raw.passphrase !== undefined)) {
      return reject('INVALID_FIELD', `"${key}" appears twice; PineConnector takes each parameter once.`, key);
    }
    if (key === 'secret') raw.passphrase = value;
    else params[key] = value;
  }
  const take = (k: string): string | undefined => {
    const v = params[k];
    delete params[k];
    return v;
  };
  const lots = take('vol_lots');
  const dollars = take('vol_dollar');
  const risk = take('risk');
  if ([lots, dollars, risk].filter((v) => v !== undefined).length > 1) {
    return reject('INVALID_FIELD', 'Give one size: vol_lots=, vol_dollar= or risk=.', 'quantity');
  }
  // PineConnector's other volume parameters (vol_pct_bal_loss=, vol_pct_eq_loss=, vol_pct_bal_margin= …) size the
  // order from the MetaTrader balance or equity. Kept in extras, the order would go out at another size (the
  // strategy's default) than the alert asked for, so the alert is refused instead.
  const otherSize = Object.keys(params).find((k) => k.startsWith('vol_'));
  if (otherSize !== undefined) {
    return reject('INVALID_FIELD', `${otherSize}= sizes the order from the MetaTrader account's balance or equity, which this agent does not do; it was not traded at another size. Use vol_lots= (lots) or vol_dollar= (amount at risk) instead.`, otherSize);
  }
  if (lots !== undefined) {
    raw.quantity = lots;
  } else if (dollars !== undefined) {
    raw.quantity = dollars;
    raw.quantityType = 'risk_dollar_amount';
  } else if (risk !== undefined) {
    raw.quantity = risk;
    warnings.push('risk= was read as the quantity in lots. Its meaning depends on PineConnector EA settings; use vol_lots= to be explicit.');
  }
  // entry_price= is PineConnector's explicit form of price= for a pending order's entry: always a price, never pips.
  const legacyPrice = take('price');
  const entryPrice = take('entry_price');
  if (legacyPrice !== undefined && entryPrice !== undefined) return reject('INVALID_FIELD', 'Give the entry price once: price= or entry_price=.', 'entry_price');
  const price = entryPrice ?? legacyPrice;
  if (price !== undefined) {
    if (mapped.orderType === 'limit') raw.limitPrice = price;
    else if (mapped.orderType === 'stop') raw.stopPrice = price;
    else raw.price = price;
    if (mapped.orderType && entryPrice === undefined) warnings.push('price= was read as an absolute price (not pips from the market).');
  } else if (mapped.orderType) {
    const offset = ['entry_pips', 'entry_pct'].find((k) => params[k] !== undefined);
    const why = offset !== undefined ? `; ${offset}= places it at a distance from the MetaTrader price, which this agent does not know` : '';
    return reject('INVALID_PRICE', `${show(commandRaw)} is a pending order and needs its entry price${why}. Use entry_price= (or price=), e.g. ${command},${symbol},vol_lots=1,entry_price=1.0850.`, mapped.orderType === 'limit' ? 'limitPrice' : 'stopPrice');
  }
  if (mapped.orderType) raw.orderType = mapped.orderType;
  const slPrice = take('sl_price');
  const slPct = take('sl_pct');
  const tpPrice = take('tp_price');
  const tpPct = take('tp_pct');
  if (slPrice !== undefined || slPct !== undefined) {
    raw.stopLoss = { type: 'stop', ...(slPrice !== undefined ? { stopPrice: slPrice } : {}), ...(slPct !== undefined ? { percent: slPct } : {}) };
  }
  if (tpPrice !== undefined || tpPct !== undefined) {
    raw.takeProfit = { ...(tpPrice !== undefined ? { limitPrice: tpPrice } : {}), ...(tpPct !== undefined ? { percent: tpPct } : {}) };
  }
  // Stops and targets this agent cannot place from the alert alone: pips and EA-setting values, PineConnector's
  // trailing stop (trailtrig= / traildist= / trailstep=), its ATR trailing stop (atr…=) and its breakeven (be…=).
  const notApplied = Object.keys(params).filter((k) => NOT_APPLIED.has(k) || k.startsWith('atr'));
  if (notApplied.length > 0) {
    warnings.push(`${notApplied.join(', ')} depend on PineConnector EA settings or pip sizes and were NOT applied (kept in extras). Use sl_price= / sl_pct= and tp_price= / tp_pct= for protective orders.`);
  }
  // Anything else (an EA filter such as spread= or accfilter=, a volume key this agent does not read) is kept, and
  // said: it is not acted on, so an order goes out that the EA might have filtered or sized differently.
  const other = Object.keys(params).filter((k) => !notApplied.includes(k) && k !== 'comment');
  if (other.length > 0) {
    warnings.push(`Not acted on, kept in extras.pineconnector: ${other.slice(0, 20).join(', ')}. This agent does not apply these PineConnector parameters (filters such as spread= or accfilter= included).`);
  }
  raw.extras = { licenseId: license, pineconnector: { command, ...params } };
  // A close with a size closes that much (an exit with a quantity); without one, the side goes flat.
  if (mapped.flat && raw.quantity === undefined) raw.marketPosition = 'flat';
  const result = normaliseAlert(raw, { dialect: 'pineconnector', warnings });
  // closelong closes long positions only: with a short held it must not buy it back (strategy/plan.ts).
  if (result.ok && mapped.only) result.signal.closeSide = mapped.only;
  // Lots are not a quantity type an alert may send, so they are set after the alert's checks: the quantity was
  // checked as a positive number there.
  if (result.ok && (lots !== undefined || risk !== undefined) && result.signal.quantity !== undefined) result.signal.quantityType = 'lots';
  return result;
}
