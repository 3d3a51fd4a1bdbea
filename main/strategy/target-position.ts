// Target-position mode: a strategy alert that says where the position should END (positionSize, or
// marketPosition + marketPositionSize) is traded as the difference to what the account holds. A re-sent
// alert then finds nothing to do, and a missed earlier alert is repaired by the next one.
import { Decimal } from 'decimal.js';
import type { MarketPosition, Signal } from '../../shared/signal.js';
import type { DriftEvent } from './types.js';
import { fmt } from './grid.js';

function signed(position: MarketPosition, size: string | undefined): Decimal | undefined {
  if (position === 'flat') return new Decimal(0);
  if (size === undefined) return undefined;
  const abs = new Decimal(size).abs();
  return position === 'long' ? abs : abs.neg();
}

/** The signed target the signal asks for, or undefined when it carries none. */
export function targetOf(signal: Signal): Decimal | undefined {
  if (signal.positionSize !== undefined) return new Decimal(signal.positionSize);
  if (signal.marketPosition !== undefined) return signed(signal.marketPosition, signal.marketPositionSize);
  return undefined;
}

/** The signed position the strategy held before this order (prevMarketPosition + prevMarketPositionSize), or
 *  undefined when the alert does not say. */
export function previousTargetOf(signal: Signal): Decimal | undefined {
  return signal.prevMarketPosition === undefined ? undefined : signed(signal.prevMarketPosition, signal.prevMarketPositionSize);
}

/** Compares the alert's previous position with the held one. Nothing is reported when the account already
 *  holds the target (a re-sent alert) or when the alert carries no previous position. */
export function detectDrift(signal: Signal, symbol: string, held: Decimal, target: Decimal | undefined): DriftEvent | undefined {
  if (target !== undefined && held.eq(target)) return undefined;
  const prevPosition = signal.prevMarketPosition;
  const prevSize = signal.prevMarketPositionSize;
  if (prevPosition === undefined && prevSize === undefined) return undefined;
  const heldDirection: MarketPosition = held.gt(0) ? 'long' : held.lt(0) ? 'short' : 'flat';
  const differs: Array<'direction' | 'size'> = [];
  let expected: Decimal | undefined;
  if (prevPosition !== undefined) {
    if (prevPosition !== heldDirection) differs.push('direction');
    expected = signed(prevPosition, prevSize);
  } else if (prevSize !== undefined) {
    expected = heldDirection === 'short' ? new Decimal(prevSize).abs().neg() : new Decimal(prevSize).abs();
  }
  if (expected !== undefined && !expected.abs().eq(held.abs())) differs.push('size');
  if (differs.length === 0) return undefined;
  const expectedText = expected !== undefined ? fmt(expected) : prevPosition ?? 'unknown';
  return {
    symbol,
    expected: expectedText,
    actual: fmt(held),
    differs,
    message: `The alert says the strategy held ${expectedText} ${symbol} before this order, but the account holds ${fmt(held)} (${differs.join(' and ')} differ).`,
  };
}
