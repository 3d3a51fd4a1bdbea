// The risk engine's public surface.
export { evaluateRisk, stricterState } from './evaluate-risk.js';
export { positionEffect } from './position-effect.js';
export type { PositionEffect } from './position-effect.js';
export type * from './types.js';
