export const TRADING_STATES = ['active', 'reducing', 'halted'] as const;
export type TradingState = (typeof TRADING_STATES)[number];

/** Limits that move a scope's state by themselves; their reason (the risk engine's detail) leads with the code ("DAILY_LOSS_LIMIT: loss=…"). */
export const LOSS_LIMIT_CODES = ['DAILY_LOSS_LIMIT', 'DRAWDOWN_LIMIT'] as const;

/** The loss limit a reason was written for, when nobody named its code (GET /api/trading-state gives reasons only). */
export function lossLimitCodeOf(reason: string | null | undefined): string | undefined {
  if (!reason) return undefined;
  return LOSS_LIMIT_CODES.find((c) => reason === c || reason.startsWith(`${c}:`));
}
