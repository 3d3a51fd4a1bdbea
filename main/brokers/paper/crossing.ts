// Pure price rules of the paper broker: when a resting order fills, and where a trailing stop sits.
import { Decimal } from 'decimal.js';
import type { PaperOrderRow } from '../../store/paper.js';

export interface Crossing {
  /** The fill price, when the order fills at this market price. */
  price?: Decimal;
  /** The fill is at the market (stop triggered): slippage applies. Limit fills are at the limit or better. */
  market?: boolean;
  /** A stop-limit's stop was hit at this price (it rests as a limit from now on). */
  triggered?: boolean;
}

/** What a market price `px` does to a resting order. */
export function crossingPrice(o: Pick<PaperOrderRow, 'side' | 'type' | 'limitPrice' | 'stopPrice' | 'triggered'>, px: Decimal): Crossing {
  const buy = o.side === 'buy';
  const limit = o.limitPrice ? new Decimal(o.limitPrice) : undefined;
  const stop = o.stopPrice ? new Decimal(o.stopPrice) : undefined;
  const stopHit = stop ? (buy ? px.gte(stop) : px.lte(stop)) : false;
  const limitOk = limit ? (buy ? px.lte(limit) : px.gte(limit)) : false;
  const atLimit = (): Decimal => (buy ? Decimal.min(px, limit!) : Decimal.max(px, limit!));
  switch (o.type) {
    case 'limit':
      return limitOk ? { price: atLimit() } : {};
    case 'stop':
    case 'trailing_stop':
      return stopHit ? { price: px, market: true } : {};
    case 'stop_limit': {
      const triggered = Boolean(o.triggered) || stopHit;
      return triggered && limitOk ? { price: atLimit(), triggered } : { triggered };
    }
    default:
      return {};
  }
}

/** The trailing stop after seeing `px`: the best price so far moves only in the trader's favour, and the stop
 *  sits the trail amount (or percent) behind it. A sell trails below the high; a buy trails above the low. */
export function trailStop(o: Pick<PaperOrderRow, 'side' | 'trailAmount' | 'trailPercent' | 'trailExtreme'>, px: Decimal): { stopPrice: string; extreme: string } {
  const sell = o.side === 'sell';
  const prev = o.trailExtreme ? new Decimal(o.trailExtreme) : px;
  const extreme = sell ? Decimal.max(prev, px) : Decimal.min(prev, px);
  const offset = o.trailAmount ? new Decimal(o.trailAmount) : extreme.times(new Decimal(o.trailPercent ?? 0)).div(100);
  const stop = sell ? extreme.minus(offset) : extreme.plus(offset);
  return { stopPrice: stop.toString(), extreme: extreme.toString() };
}
