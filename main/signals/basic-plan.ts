// Minimal signal → order planning for the first path (buy / sell / exit at market). The strategy and risk
// engines (main/strategy, main/risk) replace it.
import { Decimal } from 'decimal.js';
import type { Signal } from '../../shared/signal.js';
import type { TradingState } from '../../shared/trading-state.js';
import type { Code } from '../../shared/codes.js';
import type { Side } from '../brokers/port.js';

export interface BasicIntent {
  leg: string;
  side: Side;
  quantity: string;
}

export type BasicPlan = { ok: true; intents: BasicIntent[] } | { ok: false; code: Code; detail: string };

export function basicPlan(signal: Signal, position: string, state: TradingState): BasicPlan {
  const pos = new Decimal(position);
  let intents: BasicIntent[];
  if (signal.action === 'exit' || signal.action === 'cancel') {
    if (pos.isZero()) return { ok: false, code: 'NO_POSITION', detail: `NO_POSITION: symbol=${signal.symbol}` };
    intents = [{ leg: 'exit', side: pos.isPositive() ? 'sell' : 'buy', quantity: pos.abs().toString() }];
  } else {
    const side: Side = signal.action === 'sell' ? 'sell' : 'buy';
    intents = [{ leg: 'entry', side, quantity: signal.quantity ?? '1' }];
  }
  if (state === 'halted') return { ok: false, code: 'TRADING_HALTED', detail: 'TRADING_HALTED' };
  if (state === 'reducing') {
    for (const i of intents) {
      const after = pos.plus(i.side === 'buy' ? i.quantity : new Decimal(i.quantity).neg());
      if (after.abs().greaterThan(pos.abs()) || after.times(pos).lt(0)) return { ok: false, code: 'TRADING_REDUCING', detail: `TRADING_REDUCING: symbol=${signal.symbol}` };
    }
  }
  return { ok: true, intents };
}
