// What one contract or lot of an instrument holds, for the instruments the agent can name without asking a broker:
// futures contracts (by root) and MetaTrader lots of forex pairs and metals. Pure data and pure functions.
import { MONTH_CODES } from './futures-roll.js';

/**
 * Point values of the futures roots the agent maps: the US-dollar money per 1.0 of price per contract, from the
 * exchanges' contract specifications (contract unit × the price's unit). Currency futures are quoted in US dollars
 * per unit of the foreign currency, so their point value is the contract's size in that currency; Treasury futures
 * are quoted in points of par on a $100,000 face value. A root left out has no known value: money-based sizing
 * refuses it (CONTRACT_SIZE_UNKNOWN) rather than guess.
 */
export const FUTURES_POINT_VALUES: Readonly<Record<string, string>> = {
  // CME equity index: $ × index
  ES: '50', MES: '5', NQ: '20', MNQ: '2', RTY: '50', M2K: '5',
  // CBOT Dow: $ × index
  YM: '5', MYM: '0.5',
  // NYMEX energy: barrels, MMBtu
  CL: '1000', MCL: '100', NG: '10000',
  // COMEX metals: troy ounces, pounds
  GC: '100', MGC: '10', SI: '5000', HG: '25000',
  // CME currencies: units of the foreign currency
  '6E': '125000', '6B': '62500', '6J': '12500000', '6A': '100000', '6C': '100000', '6S': '125000',
  // CBOT Treasuries: $100,000 face, 1 point = $1,000
  ZB: '1000', ZN: '1000', ZF: '1000',
};

/** Every CME-listed root above is priced in US dollars. */
export const FUTURES_QUOTE_CURRENCY = 'USD';

const MONTHS = `[${MONTH_CODES}]`;
/** ROOT + month code + year: ESZ2026 (any root), ESZ26 or ESZ6 (a known root only: a short shape could be a
 *  stock symbol). */
const CONTRACT_ANY_ROOT = new RegExp(`^([A-Z0-9]{1,4}?)${MONTHS}(20[0-9]{2})$`);
const CONTRACT_SHORT_YEAR = new RegExp(`^([A-Z0-9]{1,4}?)${MONTHS}([0-9]{1,2})$`);

/** The futures contract a symbol names (its root and point value, when known), or undefined for any other symbol. */
export function futuresContractOf(symbol: string): { root: string; pointValue?: string } | undefined {
  const s = symbol.trim().toUpperCase();
  const long = CONTRACT_ANY_ROOT.exec(s);
  if (long?.[1]) {
    const root = long[1];
    return Object.hasOwn(FUTURES_POINT_VALUES, root) ? { root, pointValue: FUTURES_POINT_VALUES[root] } : { root };
  }
  const short = CONTRACT_SHORT_YEAR.exec(s);
  if (short?.[1] && Object.hasOwn(FUTURES_POINT_VALUES, short[1])) return { root: short[1], pointValue: FUTURES_POINT_VALUES[short[1]] };
  return undefined;
}

/** ISO 4217 currencies that trade as forex pairs. A crypto asset is never one of them. */
export const FIAT_CURRENCIES: ReadonlySet<string> = new Set([
  'USD', 'EUR', 'GBP', 'JPY', 'CHF', 'CAD', 'AUD', 'NZD', 'SEK', 'NOK', 'DKK', 'PLN', 'HUF', 'CZK', 'TRY', 'ZAR',
  'MXN', 'SGD', 'HKD', 'CNH', 'CNY', 'THB', 'INR', 'ILS', 'KRW', 'TWD', 'SAR', 'AED', 'RON', 'BRL', 'RUB',
]);

/** Units of the base in one MetaTrader lot: a forex pair 100,000, gold 100 oz, silver 5,000 oz. */
const METAL_LOT_UNITS: Readonly<Record<string, string>> = { XAU: '100', XAG: '5000' };
export const FOREX_LOT_UNITS = '100000';

/** A forex pair or spot metal written EURUSD, EUR_USD or EUR/USD: its base and quote. */
export function currencyPairOf(symbol: string): { base: string; quote: string } | undefined {
  const m = /^([A-Z]{3})[_/]?([A-Z]{3})$/.exec(symbol.trim().toUpperCase());
  if (!m?.[1] || !m[2]) return undefined;
  const [base, quote] = [m[1], m[2]];
  if (!FIAT_CURRENCIES.has(quote)) return undefined;
  return FIAT_CURRENCIES.has(base) || Object.hasOwn(METAL_LOT_UNITS, base) ? { base, quote } : undefined;
}

/** Units of the base in one lot of the pair, or undefined when a lot of it has no standard size. */
export function lotUnitsOf(pair: { base: string; quote: string }): string | undefined {
  if (!FIAT_CURRENCIES.has(pair.quote)) return undefined;
  if (Object.hasOwn(METAL_LOT_UNITS, pair.base)) return METAL_LOT_UNITS[pair.base];
  return FIAT_CURRENCIES.has(pair.base) ? FOREX_LOT_UNITS : undefined;
}
