// What a quantity of an instrument is worth in the account's currency. Money-based sizing and the notional and
// exposure limits all go through here, so a size and the limit that checks it agree.
//
// The quote-currency value of a quantity is quantity × price × contractSize (the contract size is a future's point
// value). It becomes account currency only where that is certain:
//   - the quote currency is the account currency: as it is (AAPL, EUR_USD or ES on a USD account);
//   - the base currency is the account currency: divided by the instrument's own price (USD_JPY on a USD account:
//     a JPY amount ÷ JPY per USD);
//   - anything else (EUR_GBP or ETH/BTC on a USD account, BTC/USDT on a USD account) needs a rate the agent does
//     not have: refused with SIZING_NEEDS_CONVERSION, never guessed. A stablecoin is not its fiat currency.
import { Decimal } from 'decimal.js';
import type { Code } from '../../shared/codes.js';
import type { InstrumentView } from './broker-view.js';
import { currencyPairOf, lotUnitsOf } from './contract-specs.js';
import { fmt } from './grid.js';

export type ValuationFacts = Pick<InstrumentView, 'symbol' | 'baseCurrency' | 'quoteCurrency' | 'contractSize'>;

export interface Valuation {
  /** Quote-currency money per unit of quantity per 1.0 of price. */
  contractSize: Decimal;
  /** 'quote': the quote currency is the account currency; 'base': the base is, and amounts divide by the price. */
  via: 'quote' | 'base';
}

export interface ValuationFailure {
  ok: false;
  code: Code;
  values: Record<string, string>;
}

export type ValuationResult = { ok: true; valuation: Valuation } | ValuationFailure;

const same = (a: string | undefined, b: string | undefined): boolean => a !== undefined && b !== undefined && a.trim().toUpperCase() === b.trim().toUpperCase();

/** How the instrument's money becomes the account's, or why it cannot. */
export function valuationOf(instrument: ValuationFacts, accountCurrency: string | undefined): ValuationResult {
  const size = instrument.contractSize !== undefined ? new Decimal(instrument.contractSize) : undefined;
  if (!size || !size.isFinite() || size.lte(0)) return { ok: false, code: 'CONTRACT_SIZE_UNKNOWN', values: { symbol: instrument.symbol } };
  const { quoteCurrency: quote, baseCurrency: base } = instrument;
  const values: Record<string, string> = { symbol: instrument.symbol, quote: quote ?? 'unknown' };
  if (base !== undefined) values.base = base;
  values.account = accountCurrency ?? 'unknown';
  if (same(quote, accountCurrency)) return { ok: true, valuation: { contractSize: size, via: 'quote' } };
  if (quote !== undefined && same(base, accountCurrency)) return { ok: true, valuation: { contractSize: size, via: 'base' } };
  return { ok: false, code: 'SIZING_NEEDS_CONVERSION', values };
}

/** An amount in the instrument's quote currency, in the account's currency, at `price` (the instrument's own). An
 *  amount given as a Decimal keeps its precision (the paper books' exact arithmetic): only the division rounds. */
export function quoteToAccount(v: Valuation, quoteAmount: Decimal.Value, price: Decimal.Value): Decimal {
  const amount = Decimal.isDecimal(quoteAmount) ? quoteAmount : new Decimal(quoteAmount);
  return v.via === 'quote' ? amount : amount.div(price);
}

/** Account-currency money one unit of quantity is worth at `price`. */
export function unitValue(v: Valuation, price: Decimal.Value): Decimal {
  return quoteToAccount(v, new Decimal(price).mul(v.contractSize), price);
}

/** Account-currency money one unit of quantity gains or loses when the price moves by `distance`, at `price`. */
export function unitRisk(v: Valuation, distance: Decimal.Value, price: Decimal.Value): Decimal {
  return quoteToAccount(v, new Decimal(distance).abs().mul(v.contractSize), price);
}

/** Account-currency value of `quantity` at `price` (the notional). */
export function notionalValue(v: Valuation, quantity: Decimal.Value, price: Decimal.Value): Decimal {
  return new Decimal(quantity).abs().mul(unitValue(v, price));
}

export type LotResult = { ok: true; quantityPerLot: Decimal } | ValuationFailure;

/**
 * The instrument quantity of one MetaTrader lot (PineConnector vol_lots=): 100,000 units of a forex pair's base,
 * 100 oz of gold (XAU), 5,000 oz of silver (XAG), divided by the contract size when a contract holds more than one
 * unit. Anything else has no standard lot: LOT_SIZE_UNKNOWN.
 */
export function quantityPerLot(instrument: Pick<InstrumentView, 'symbol' | 'baseCurrency' | 'quoteCurrency' | 'contractSize' | 'assetClass'>): LotResult {
  const unknown: ValuationFailure = { ok: false, code: 'LOT_SIZE_UNKNOWN', values: { symbol: instrument.symbol } };
  if (instrument.assetClass === 'future' || instrument.assetClass === 'equity' || instrument.assetClass === 'crypto') return unknown;
  const pair =
    instrument.baseCurrency !== undefined && instrument.quoteCurrency !== undefined
      ? currencyPairOf(`${instrument.baseCurrency}${instrument.quoteCurrency}`)
      : currencyPairOf(instrument.symbol);
  const units = pair ? lotUnitsOf(pair) : undefined;
  const size = instrument.contractSize !== undefined ? new Decimal(instrument.contractSize) : undefined;
  if (!units || !size || !size.isFinite() || size.lte(0)) return unknown;
  return { ok: true, quantityPerLot: new Decimal(units).div(size) };
}

/** For messages: a money figure to 2 decimals. */
export const money = (d: Decimal): string => fmt(d.toDecimalPlaces(2));
