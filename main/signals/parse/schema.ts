// The alert schemas compiled once at module load (compiling per request would cost milliseconds).

import { Ajv, type ErrorObject } from 'ajv';
import { nativeAlertSchema, signalSchema } from '../../../shared/schemas/alert.js';
import type { Signal } from '../../../shared/signal.js';

const ajv = new Ajv({ allErrors: false, strict: true, allowUnionTypes: true });

export const validateNativeShape = ajv.compile(nativeAlertSchema);
const validateSignalShape = ajv.compile<Signal>(signalSchema);

/** "/takeProfit/percent" → "takeProfit.percent"; a missing property names itself. */
export function errorField(error: ErrorObject): string {
  const path = error.instancePath.split('/').filter((p) => p !== '').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  return path.join('.');
}

/** The signal invariants (shared/schemas/alert.ts signalSchema): the first violation, or undefined when valid. */
export function signalViolation(signal: unknown): string | undefined {
  if (validateSignalShape(signal)) return undefined;
  const e = validateSignalShape.errors?.[0];
  if (!e) return 'invalid signal';
  const field = errorField(e);
  return `${field === '' ? 'signal' : field} ${e.message ?? 'is invalid'}`;
}
