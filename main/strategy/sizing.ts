// Sizing: turns a sizing method and amount into a quantity on the instrument's lot grid.
// Every division here is decimal; the result is rounded DOWN to the lot, then checked against the minimum.
// Money amounts (dollar, percent of equity, risk) are in the account's currency; they are divided by what one unit
// of the instrument is worth in that currency (price × contract size, converted: valuation.ts), never by the bare
// price. A money amount that cannot be converted with certainty is refused with the valuation's code.
import { Decimal } from 'decimal.js';
import type { SignalQuantityType } from '../../shared/signal.js';
import type { Code } from '../../shared/codes.js';
import { floorToStep, fmt } from './grid.js';
import { unitRisk, unitValue } from './valuation.js';
import type { LotResult, ValuationResult } from './valuation.js';

export interface SizingInput {
  method: SignalQuantityType;
  amount: Decimal.Value;
  /** Entry / reference price; required for dollar and percent-of-equity sizing, and for risk sizing of an
   *  instrument whose base (not quote) is the account currency. */
  price?: Decimal.Value;
  equity?: Decimal.Value;
  /** |entry − stop|, in price; required for risk sizing. */
  stopDistance?: Decimal.Value;
  /** |current position|; used by percent_of_position. */
  positionQuantity?: Decimal.Value;
  lotSize: Decimal.Value;
  minQuantity: Decimal.Value;
  /** How the instrument's money becomes the account's (valuationOf); required by the money methods: without it
   *  they are refused (SIZING_NEEDS_CONVERSION). */
  valuation?: ValuationResult;
  /** The quantity of one lot (quantityPerLot); required by `lots`: without it, LOT_SIZE_UNKNOWN. */
  lot?: LotResult;
}

export type SizingResult =
  | { ok: true; quantity: string; raw: string }
  | { ok: false; code: Code; values: Record<string, string> };

const MONEY_METHODS: ReadonlySet<SignalQuantityType> = new Set(['dollar_amount', 'percent_of_equity', 'risk_dollar_amount']);

export function computeQuantity(input: SizingInput): SizingResult {
  const amount = new Decimal(input.amount);
  const lot = new Decimal(input.lotSize);
  const min = new Decimal(input.minQuantity);
  const sizing = input.method;
  let raw: Decimal;
  if (MONEY_METHODS.has(sizing)) {
    const valued = input.valuation ?? { ok: false, code: 'SIZING_NEEDS_CONVERSION', values: { account: 'unknown', quote: 'unknown' } };
    if (!valued.ok) return { ok: false, code: valued.code, values: { sizing, ...valued.values } };
    const v = valued.valuation;
    const price = positive(input.price);
    if (sizing === 'risk_dollar_amount') {
      const distance = positive(input.stopDistance);
      if (!distance) return { ok: false, code: 'STOP_LOSS_REQUIRED', values: { sizing } };
      // Only a base-currency conversion needs the price (the instrument's own rate).
      if (v.via === 'base' && !price) return { ok: false, code: 'PRICE_UNAVAILABLE', values: { sizing } };
      raw = amount.div(unitRisk(v, distance, price ?? 1));
    } else {
      if (!price) return { ok: false, code: 'PRICE_UNAVAILABLE', values: { sizing } };
      const money = sizing === 'dollar_amount' ? amount : new Decimal(input.equity ?? 0).mul(amount).div(100);
      raw = money.div(unitValue(v, price));
    }
  } else if (sizing === 'lots') {
    const perLot = input.lot ?? { ok: false, code: 'LOT_SIZE_UNKNOWN', values: {} };
    if (!perLot.ok) return { ok: false, code: perLot.code, values: { sizing, ...perLot.values } };
    raw = amount.mul(perLot.quantityPerLot);
  } else if (sizing === 'percent_of_position') {
    raw = new Decimal(input.positionQuantity ?? 0).abs().mul(amount).div(100);
  } else {
    raw = amount;
  }
  if (raw.isNeg()) raw = new Decimal(0);
  const quantity = floorToStep(raw, lot);
  // The raw size is shown to 8 decimals: enough to see why it rounded away, short enough to read.
  if (quantity.lte(0)) return { ok: false, code: 'QUANTITY_ROUNDS_TO_ZERO', values: { quantity: fmt(raw.toDecimalPlaces(8)), lot: fmt(lot) } };
  if (quantity.lt(min)) return { ok: false, code: 'QUANTITY_BELOW_MIN', values: { quantity: fmt(quantity), min: fmt(min) } };
  return { ok: true, quantity: fmt(quantity), raw: fmt(raw) };
}

function positive(value: Decimal.Value | undefined): Decimal | undefined {
  if (value === undefined) return undefined;
  const d = new Decimal(value);
  return d.gt(0) ? d : undefined;
}
