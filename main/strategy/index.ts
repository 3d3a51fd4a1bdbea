// The strategy engine's public surface.
export { planSignal } from './plan.js';
export { computeQuantity } from './sizing.js';
export type { SizingInput, SizingResult } from './sizing.js';
export { mapSymbol } from './symbol-map.js';
export type { SymbolMapResult, TickerRef } from './symbol-map.js';
export { nthContract, parseContinuous } from './futures-roll.js';
export { insideTradingWindow } from './trading-window.js';
export { replaySignals } from './replay.js';
export type * from './types.js';
export type * from './broker-view.js';
export type * from './replay.js';
