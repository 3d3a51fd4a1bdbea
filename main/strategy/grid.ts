// Quantity and price grids. Quantities round DOWN to the lot (never trade more than asked); prices round to
// the tick: limit buys down and limit sells up (never pay more / receive less than the alert said), other
// prices (stops, brackets) to the nearest tick.
import { Decimal } from 'decimal.js';
import type { Side } from './broker-view.js';

export function floorToStep(value: Decimal, step: Decimal): Decimal {
  if (step.lte(0)) return value;
  return value.div(step).floor().mul(step);
}

export function isOnGrid(value: Decimal, step: Decimal): boolean {
  if (step.lte(0)) return true;
  return value.mod(step).isZero();
}

export type TickRounding = 'down' | 'up' | 'nearest';

export function roundToTick(price: Decimal, tick: Decimal, mode: TickRounding): Decimal {
  if (tick.lte(0)) return price;
  const steps = price.div(tick);
  const rounded = mode === 'down' ? steps.floor() : mode === 'up' ? steps.ceil() : steps.toDecimalPlaces(0, Decimal.ROUND_HALF_UP);
  return rounded.mul(tick);
}

/** Limit prices: buys round down, sells round up. */
export function limitRounding(side: Side): TickRounding {
  return side === 'buy' ? 'down' : 'up';
}

/** Decimal string without exponent notation or trailing zeros ("10", "0.001"). */
export function fmt(value: Decimal): string {
  return value.toFixed();
}
