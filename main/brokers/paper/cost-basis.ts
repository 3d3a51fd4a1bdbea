// Pure position accounting of the paper broker, on the cost basis: a position holds its signed quantity and the
// signed total cost of that quantity (positive for a long, negative for a short), never a rounded average price.
// Cash, realised and unrealised P&L are sums and products of decimal prices and quantities, so they stay exact;
// the average price is derived from the cost basis for display only.
import { Decimal } from 'decimal.js';

/**
 * Money arithmetic of the paper books. decimal.js rounds every result to `precision` significant digits (20 by
 * default): a cash balance of 1e9 plus a cost with 12 decimal places already needs 22. With 200 digits, sums and
 * products of stored amounts are exact; only the divisions below round, and each says where.
 */
export const Money = Decimal.clone({ precision: 200 });

/** Decimal places of the cost taken out of the basis by a partial close (cost × closed / held rarely terminates). */
export const COST_DECIMALS = 12;

/** Decimal places of the average price shown for a position (half up). Display only: nothing is computed from it. */
export const AVERAGE_PRICE_DECIMALS = 8;

export interface Book {
  /** Signed quantity: negative for a short. */
  quantity: Decimal.Value;
  /** Signed total cost of the quantity held. */
  costBasis: Decimal.Value;
}

export interface BookAfterFill {
  quantity: Decimal;
  costBasis: Decimal;
  /** P&L realised by the part of the fill that closed the position (before commission). */
  realized: Decimal;
}

/**
 * The position after a fill of `signedQty` (positive: bought) at `price`. An add (or an opening fill) adds its cost.
 * A fill against the position closes up to the quantity held: a full close takes out the whole basis, a partial
 * close takes out the basis pro rata, rounded to COST_DECIMALS (the rounding stays in the basis and is realised
 * when the rest closes, so a whole round trip realises exactly proceeds minus cost). A fill larger than the position
 * reverses it: the rest opens at `price`. Always: the cash the fill moves (-signedQty × price) plus the change of
 * the basis equals `realized`, exactly.
 */
export function applyFill(book: Book, signedQty: Decimal.Value, price: Decimal.Value): BookAfterFill {
  const held = new Money(book.quantity);
  const cost = new Money(book.costBasis);
  const qty = new Money(signedQty);
  const px = new Money(price);
  if (held.isZero() || held.isNegative() === qty.isNegative()) {
    return { quantity: held.plus(qty), costBasis: cost.plus(qty.times(px)), realized: new Money(0) };
  }
  const closing = Money.min(held.abs(), qty.abs());
  const closingSigned = qty.isNegative() ? closing.neg() : closing;
  const closedCost = closing.eq(held.abs()) ? cost : cost.times(closing).div(held.abs()).toDecimalPlaces(COST_DECIMALS, Decimal.ROUND_HALF_EVEN);
  const opening = qty.minus(closingSigned); // zero unless the fill reverses the position
  return {
    quantity: held.plus(qty),
    costBasis: cost.minus(closedCost).plus(opening.times(px)),
    realized: closingSigned.neg().times(px).minus(closedCost),
  };
}

/** The average price of a position, for display: |cost| / |quantity| to AVERAGE_PRICE_DECIMALS; '0' when flat. */
export function averagePriceOf(book: Book): string {
  const qty = new Money(book.quantity);
  if (qty.isZero()) return '0';
  return new Money(book.costBasis).abs().div(qty.abs()).toDecimalPlaces(AVERAGE_PRICE_DECIMALS, Decimal.ROUND_HALF_UP).toString();
}

/** Unrealised P&L at `mark`: what the position is worth minus what it cost, exact. */
export function unrealizedPnlOf(book: Book, mark: Decimal.Value): Decimal {
  return new Money(book.quantity).times(mark).minus(book.costBasis);
}
