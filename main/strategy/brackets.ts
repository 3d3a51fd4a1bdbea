// Take-profit / stop-loss children: absolute prices pass through; percent and amount are converted from the
// entry (or reference) price, above it for a long's take profit, below for its stop, mirrored for a short.
// When the reference is known, every fixed bracket price must sit on its own side of it: a long's take profit
// above, its stop (and a stop-limit's limit) below, the reverse for a short. A leg on the wrong side (or at the
// reference itself) would fill at once, so the bracket is refused. Trailing stops have no fixed price.
import { Decimal } from 'decimal.js';
import type { StopLoss, TakeProfit } from '../../shared/signal.js';
import type { DefaultStopLoss, DefaultTakeProfit } from '../../shared/strategy-config.js';
import type { OrderLegView, Side } from './broker-view.js';
import { fmt, roundToTick } from './grid.js';

/** A bracket price on the wrong side of the entry: the field it came from, the entry side and both prices. */
export interface WrongSide {
  field: string;
  side: 'long' | 'short';
  entryPrice: string;
  price: string;
  expected: 'above' | 'below';
}

export type BracketResult =
  | { ok: true; takeProfit?: OrderLegView; stopLoss?: OrderLegView }
  | { ok: false; missing: 'reference_price' }
  | { ok: false; wrongSide: WrongSide };

/** Relative offset from the reference: percent of it, or an absolute amount. */
function offset(reference: Decimal | undefined, percent?: string, amount?: string): Decimal | undefined | 'no_ref' {
  if (percent !== undefined) return reference ? reference.mul(percent).div(100) : 'no_ref';
  if (amount !== undefined) return reference ? new Decimal(amount) : 'no_ref';
  return undefined;
}

export function buildBrackets(
  entrySide: Side,
  reference: Decimal | undefined,
  tick: Decimal,
  takeProfit: TakeProfit | DefaultTakeProfit | undefined,
  stopLoss: StopLoss | DefaultStopLoss | undefined,
): BracketResult {
  const long = entrySide === 'buy';
  const result: { takeProfit?: OrderLegView; stopLoss?: OrderLegView } = {};
  if (takeProfit) {
    const absolute = 'limitPrice' in takeProfit ? takeProfit.limitPrice : undefined;
    if (absolute !== undefined) {
      result.takeProfit = { limitPrice: fmt(roundToTick(new Decimal(absolute), tick, 'nearest')) };
    } else {
      const off = offset(reference, takeProfit.percent, takeProfit.amount);
      if (off === 'no_ref') return { ok: false, missing: 'reference_price' };
      if (off && reference) {
        const price = long ? reference.plus(off) : reference.minus(off);
        result.takeProfit = { limitPrice: fmt(roundToTick(price, tick, 'nearest')) };
      }
    }
  }
  if (stopLoss) {
    const leg: OrderLegView = {};
    if (stopLoss.trailAmount !== undefined) leg.trailAmount = stopLoss.trailAmount;
    if (stopLoss.trailPercent !== undefined) leg.trailPercent = stopLoss.trailPercent;
    const absStop = 'stopPrice' in stopLoss ? stopLoss.stopPrice : undefined;
    const absLimit = 'limitPrice' in stopLoss ? stopLoss.limitPrice : undefined;
    if (absStop !== undefined) {
      leg.stopPrice = fmt(roundToTick(new Decimal(absStop), tick, 'nearest'));
    } else {
      const off = offset(reference, stopLoss.percent, stopLoss.amount);
      if (off === 'no_ref') return { ok: false, missing: 'reference_price' };
      if (off && reference) leg.stopPrice = fmt(roundToTick(long ? reference.minus(off) : reference.plus(off), tick, 'nearest'));
    }
    if (absLimit !== undefined) leg.limitPrice = fmt(roundToTick(new Decimal(absLimit), tick, 'nearest'));
    else if (stopLoss.type === 'stop_limit' && leg.stopPrice !== undefined) leg.limitPrice = leg.stopPrice;
    if (Object.keys(leg).length > 0) result.stopLoss = leg;
  }
  if (reference) {
    const source = (leg: TakeProfit | StopLoss | DefaultTakeProfit | DefaultStopLoss, absolute: string | undefined, prefix: string): string =>
      absolute !== undefined ? `${prefix}.${absolute}` : 'percent' in leg && leg.percent !== undefined ? `${prefix}.percent` : `${prefix}.amount`;
    const checks: Array<{ field: string; price: string | undefined; profit: boolean }> = [];
    if (takeProfit && result.takeProfit) {
      checks.push({ field: source(takeProfit, 'limitPrice' in takeProfit && takeProfit.limitPrice !== undefined ? 'limitPrice' : undefined, 'takeProfit'), price: result.takeProfit.limitPrice, profit: true });
    }
    if (stopLoss && result.stopLoss) {
      const absStop = 'stopPrice' in stopLoss && stopLoss.stopPrice !== undefined;
      checks.push({ field: source(stopLoss, absStop ? 'stopPrice' : undefined, 'stopLoss'), price: result.stopLoss.stopPrice, profit: false });
      const absLimit = 'limitPrice' in stopLoss && stopLoss.limitPrice !== undefined;
      if (absLimit) checks.push({ field: 'stopLoss.limitPrice', price: result.stopLoss.limitPrice, profit: false });
    }
    for (const c of checks) {
      if (c.price === undefined) continue;
      // A long profits above the entry; a short below it. The stop sits on the losing side.
      const above = c.profit === long;
      const price = new Decimal(c.price);
      if (above ? price.lte(reference) : price.gte(reference)) {
        return { ok: false, wrongSide: { field: c.field, side: long ? 'long' : 'short', entryPrice: fmt(reference), price: c.price, expected: above ? 'above' : 'below' } };
      }
    }
  }
  return { ok: true, ...result };
}
