// Display helpers. Money and quantities stay decimal strings: sums use decimal.js, never binary floats.
import Decimal from 'decimal.js';

export { formatTime, formatClock } from './format-time.js';

export function isToday(iso: string, now = new Date()): boolean {
  const d = new Date(iso);
  return d.getFullYear() === now.getFullYear() && d.getMonth() === now.getMonth() && d.getDate() === now.getDate();
}

/** Sum of decimal strings, exact (no rounding: small crypto P&L must stay visible); undefined when none is given. */
export function sumDecimals(values: readonly (string | undefined)[]): string | undefined {
  const present = values.filter((v): v is string => v !== undefined && v !== '');
  if (present.length === 0) return undefined;
  return present.reduce((acc, v) => acc.plus(new Decimal(v)), new Decimal(0)).toFixed();
}

export function signOf(value: string | undefined): 'pos' | 'neg' | 'zero' {
  if (value === undefined) return 'zero';
  const d = new Decimal(value);
  return d.isZero() ? 'zero' : d.isPositive() ? 'pos' : 'neg';
}

/**
 * A P&L with its sign and every decimal the agent gave (at least two, so 12.5 reads 12.50): 0.004 stays +0.004,
 * never +0.00, and zero (also "-0") is plain 0.00 without a sign, so nothing rounds into a red "-0.00".
 */
export function formatSigned(value: string): string {
  const d = new Decimal(value);
  if (d.isZero()) return '0.00';
  const text = d.abs().toFixed(Math.max(2, d.decimalPlaces()));
  return d.isNegative() ? `-${text}` : `+${text}`;
}

export function statusWords(status: string): string {
  return status.replace(/_/g, ' ');
}
