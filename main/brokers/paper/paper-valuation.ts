// How the paper books count an instrument's money in the account's currency: with the valuation that sizing and
// the notional and exposure limits use (strategy/valuation.ts, contract sizes from strategy/contract-specs.ts), so
// the P&L and equity the trader sees agree with the sizes the agent computed. Pure functions.
//
// A quantity's quote-currency amount is quantity × price × contract size (a future's point value: 1 ES moving 10
// points is 10 × 50 = 500 USD). It is counted in the account's currency only where valuationOf says how: as it is
// when the quote currency is the account's, divided by the instrument's own price when the base currency is (the
// rate at that moment: a fill's price for what the fill realises, the mark for what is unrealised).
//
// How a position settles, as at the brokers that offer the instrument:
//   - cash: a stock or a spot coin is paid for. Buying takes quantity × price × contract size out of cash, selling
//     puts the proceeds back; the position counts in equity at its market value (the books as they always were).
//   - margin: a futures contract, a forex pair or a CFD is not paid for: opening it moves no cash. What it gains or
//     loses is realised into cash as it closes, and counts in equity (unrealised) while it is open, so equity
//     moves by the P&L in the account's currency, as the daily-loss and drawdown limits expect.
import { Decimal } from 'decimal.js';
import type { AssetClass, InstrumentInfo } from '../port.js';
import { FIAT_CURRENCIES, FUTURES_QUOTE_CURRENCY, currencyPairOf, futuresContractOf } from '../../strategy/contract-specs.js';
import { quoteToAccount, valuationOf, type Valuation, type ValuationResult } from '../../strategy/valuation.js';
import { COST_DECIMALS, Money, applyFill, type Book } from './cost-basis.js';

export type Settlement = 'cash' | 'margin';

/** How a position's money is counted: the instrument's facts when it opened, kept with the position. */
export interface PositionTerms {
  /** Quote-currency money per unit of quantity per 1.0 of price; undefined when not known (a future's root with
   *  no point value). */
  contractSize?: string;
  quoteCurrency?: string;
  baseCurrency?: string;
  settlement: Settlement;
}

/** The terms of a position stored without any (by the books before they kept terms, or by a tool writing the old
 *  columns only): one unit of the account currency per 1.0 of price, paid for from cash, as those books counted. */
export function oldBookTerms(accountCurrency: string): PositionTerms {
  return { contractSize: '1', quoteCurrency: accountCurrency, settlement: 'cash' };
}

/**
 * What the paper broker says a symbol is, as the real instrument's broker would: a futures contract (ESZ2026) is
 * worth its point value per 1.0 of price in US dollars (unknown for a root without one) and trades in whole
 * contracts (lot and minimum 1, never fractional, whatever the account's `fractional` setting), a forex pair or spot
 * metal (EURUSD, EUR_USD, XAUUSD) is priced in its quote currency, anything else in the account's currency.
 */
export function paperInstrument(symbol: string, accountCurrency: string, opts: { fractional: boolean; allowShort: boolean }): InstrumentInfo {
  const info: InstrumentInfo = {
    symbol,
    assetClass: 'other',
    tradable: true,
    lotSize: opts.fractional ? '0.000001' : '1',
    tickSize: '0.0001',
    minQuantity: opts.fractional ? '0.000001' : '1',
    shortable: opts.allowShort,
    fractionable: opts.fractional,
  };
  const future = futuresContractOf(symbol);
  const pair = future ? undefined : currencyPairOf(symbol);
  if (future) {
    info.assetClass = 'future';
    info.lotSize = '1';
    info.minQuantity = '1';
    info.fractionable = false;
    info.quoteCurrency = FUTURES_QUOTE_CURRENCY;
    if (future.pointValue !== undefined) info.contractSize = future.pointValue;
  } else if (pair) {
    info.assetClass = FIAT_CURRENCIES.has(pair.base) ? 'forex' : 'cfd';
    info.baseCurrency = pair.base;
    info.quoteCurrency = pair.quote;
    info.contractSize = '1';
  } else {
    info.quoteCurrency = accountCurrency;
    info.contractSize = '1';
  }
  return info;
}

/** Futures, forex and CFDs settle on margin; everything else (stocks, spot crypto) is paid for in cash. */
export function settlementOf(assetClass: AssetClass): Settlement {
  return assetClass === 'future' || assetClass === 'forex' || assetClass === 'cfd' ? 'margin' : 'cash';
}

/** The terms a position opened in this instrument is kept with. */
export function termsOf(info: InstrumentInfo): PositionTerms {
  const terms: PositionTerms = { settlement: settlementOf(info.assetClass) };
  if (info.contractSize !== undefined) terms.contractSize = info.contractSize;
  if (info.quoteCurrency !== undefined) terms.quoteCurrency = info.quoteCurrency;
  if (info.baseCurrency !== undefined) terms.baseCurrency = info.baseCurrency;
  return terms;
}

/** A position's terms and, when the books can count its money in the account currency, how (valuationOf). */
export interface Counted {
  terms: PositionTerms;
  valuation?: Valuation;
}

/** How `symbol` kept with `terms` is counted in `accountCurrency`, or why it cannot be (the code sizing gives). */
export function countingOf(symbol: string, terms: PositionTerms, accountCurrency: string): ValuationResult {
  return valuationOf({ symbol, contractSize: terms.contractSize, quoteCurrency: terms.quoteCurrency, baseCurrency: terms.baseCurrency }, accountCurrency);
}

export function counted(symbol: string, terms: PositionTerms, accountCurrency: string): Counted {
  const v = countingOf(symbol, terms, accountCurrency);
  return v.ok ? { terms, valuation: v.valuation } : { terms };
}

/** A quote-currency amount in the account currency at `price` (quoteToAccount in the books' exact arithmetic);
 *  a conversion through the base currency is a division, rounded to COST_DECIMALS places. */
function toAccount(v: Valuation, quoteAmount: Decimal, price: Decimal.Value): Decimal {
  const amount = new Money(quoteToAccount(v, new Money(quoteAmount), new Money(price)));
  return v.via === 'quote' ? amount : amount.toDecimalPlaces(COST_DECIMALS, Decimal.ROUND_HALF_EVEN);
}

export interface SettledFill {
  /** The position after the fill, in price units (quantity and cost basis, see cost-basis.ts). */
  quantity: Decimal;
  costBasis: Decimal;
  /** The fill opened a new position (from flat, or by reversing the one held): it is kept with the fresh terms. */
  fresh: boolean;
  /** Account-currency change of cash and P&L realised by the fill, before commission. */
  cash: Decimal;
  realized: Decimal;
}

/**
 * A fill of `signedQty` at `price` on the position `book` kept with `held`. An add is counted with the position's
 * terms; a part that opens a new position (from flat, or past a reversal) with `fresh`, the instrument's now. The
 * part that closes realises (exit − entry) × quantity × contract size, in the account currency at the fill's price.
 * Cash moves by what was realised (margin), or by what was paid or received (cash settlement). A position the books cannot value (kept from before they could tell) is
 * counted at cost: closing it gives back what it took from cash and realises nothing, since any number would be in
 * the wrong currency.
 */
export function settleFill(book: Book, signedQty: Decimal.Value, price: Decimal.Value, held: Counted, fresh: Counted): SettledFill {
  const heldQty = new Money(book.quantity);
  const qty = new Money(signedQty);
  const px = new Money(price);
  const after = applyFill(book, qty, px);
  const closes = !heldQty.isZero() && heldQty.isNegative() !== qty.isNegative();
  const closing = closes ? Money.min(heldQty.abs(), qty.abs()).times(qty.isNegative() ? -1 : 1) : new Money(0);
  const opened = qty.minus(closing); // the part that adds to the position or opens a new one
  const isNew = heldQty.isZero() || (closes && !opened.isZero());
  const opening = isNew ? fresh : held;
  // The basis the closing part took out (price units); what it was sold or bought back for is realized + this.
  const closedCost = new Money(book.costBasis).minus(after.costBasis.minus(opened.times(px)));
  let cash = new Money(0);
  let realized = new Money(0);
  if (!closing.isZero()) {
    const v = held.valuation;
    if (v) {
      const size = new Money(v.contractSize);
      realized = toAccount(v, after.realized.times(size), px);
      cash = held.terms.settlement === 'cash' ? toAccount(v, after.realized.plus(closedCost).times(size), px) : realized;
    } else if (held.terms.settlement === 'cash') {
      cash = closedCost;
    }
  }
  if (!opened.isZero() && opening.terms.settlement === 'cash') {
    const v = opening.valuation;
    cash = cash.minus(v ? toAccount(v, opened.times(px).times(v.contractSize), px) : opened.times(px));
  }
  return { quantity: after.quantity, costBasis: after.costBasis, fresh: isNew, cash, realized };
}

export interface PositionMoney {
  /** Account-currency P&L at the mark ('0' without one); undefined when the books cannot value the position. */
  unrealized?: Decimal;
  /** What the position adds to equity: its market value (cash settlement) or its unrealised P&L (margin). A
   *  position the books cannot value adds its cost (cash settlement) or nothing (margin). */
  equity: Decimal;
}

/** What a position kept with `c` is worth in the account currency at `mark` (the last price seen). */
export function positionMoney(book: Book, mark: string | undefined, c: Counted): PositionMoney {
  const qty = new Money(book.quantity);
  const cost = new Money(book.costBasis);
  const v = c.valuation;
  if (!v) return { equity: c.terms.settlement === 'cash' ? cost : new Money(0) };
  const size = new Money(v.contractSize);
  const unrealized = mark ? toAccount(v, qty.times(mark).minus(cost).times(size), mark) : new Money(0);
  if (c.terms.settlement === 'margin') return { unrealized, equity: unrealized };
  if (mark) return { unrealized, equity: toAccount(v, qty.times(mark).times(size), mark) };
  // No price seen yet: at cost (the average price is the rate of a base-currency conversion).
  return { unrealized, equity: toAccount(v, cost.times(size), cost.div(qty).abs()) };
}
