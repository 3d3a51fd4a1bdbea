// The risk engine's public surface.
export { evaluateRisk, stricterState } from './evaluate-risk.js';
export { positionEffect } from './position-effect.js';
export { tradingDayAt } from './trading-day.js';
export type { TradingDayWindow } from './trading-day.js';
export type { PositionEffect } from './position-effect.js';
export type * from './types.js';
