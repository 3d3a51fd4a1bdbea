// Sizing: turns a sizing method and amount into a quantity on the instrument's lot grid.
// Every division here is decimal; the result is rounded DOWN to the lot, then checked against the minimum.
import { Decimal } from 'decimal.js';
import type { QuantityType } from '../../shared/signal.js';
import type { Code } from '../../shared/codes.js';
import { floorToStep, fmt } from './grid.js';

export interface SizingInput {
  method: QuantityType;
  amount: Decimal.Value;
  /** Entry / reference price; required for dollar and percent-of-equity sizing. */
  price?: Decimal.Value;
  equity?: Decimal.Value;
  /** |entry − stop|; required for risk sizing. */
  stopDistance?: Decimal.Value;
  /** |current position|; used by percent_of_position. */
  positionQuantity?: Decimal.Value;
  lotSize: Decimal.Value;
  minQuantity: Decimal.Value;
}

export type SizingResult =
  | { ok: true; quantity: string; raw: string }
  | { ok: false; code: Code; values: Record<string, string> };

export function computeQuantity(input: SizingInput): SizingResult {
  const amount = new Decimal(input.amount);
  const lot = new Decimal(input.lotSize);
  const min = new Decimal(input.minQuantity);
  let raw: Decimal;
  switch (input.method) {
    case 'fixed_quantity':
      raw = amount;
      break;
    case 'dollar_amount': {
      const price = positive(input.price);
      if (!price) return { ok: false, code: 'PRICE_UNAVAILABLE', values: { sizing: input.method } };
      raw = amount.div(price);
      break;
    }
    case 'percent_of_equity': {
      const price = positive(input.price);
      if (!price) return { ok: false, code: 'PRICE_UNAVAILABLE', values: { sizing: input.method } };
      const equity = new Decimal(input.equity ?? 0);
      raw = equity.mul(amount).div(100).div(price);
      break;
    }
    case 'risk_dollar_amount': {
      const distance = positive(input.stopDistance);
      if (!distance) return { ok: false, code: 'STOP_LOSS_REQUIRED', values: { sizing: input.method } };
      raw = amount.div(distance);
      break;
    }
    case 'percent_of_position':
      raw = new Decimal(input.positionQuantity ?? 0).abs().mul(amount).div(100);
      break;
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
