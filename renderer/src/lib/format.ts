// Display helpers. Money and quantities stay decimal strings: sums use decimal.js, never binary floats.
import Decimal from 'decimal.js';

export { formatTime, formatClock } from './format-time.js';

export function isToday(iso: string, now = new Date()): boolean {
  const d = new Date(iso);
  return d.getFullYear() === now.getFullYear() && d.getMonth() === now.getMonth() && d.getDate() === now.getDate();
}

/** Sum of decimal strings; undefined when none is given. */
export function sumDecimals(values: readonly (string | undefined)[]): string | undefined {
  const present = values.filter((v): v is string => v !== undefined && v !== '');
  if (present.length === 0) return undefined;
  return present.reduce((acc, v) => acc.plus(new Decimal(v)), new Decimal(0)).toFixed(2);
}

export function signOf(value: string | undefined): 'pos' | 'neg' | 'zero' {
  if (value === undefined) return 'zero';
  const d = new Decimal(value);
  return d.isZero() ? 'zero' : d.isPositive() ? 'pos' : 'neg';
}

export function formatSigned(value: string): string {
  const d = new Decimal(value);
  return d.isPositive() && !d.isZero() ? `+${d.toFixed(2)}` : d.toFixed(2);
}

export function statusWords(status: string): string {
  return status.replace(/_/g, ' ');
}
