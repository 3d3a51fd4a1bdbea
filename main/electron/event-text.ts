// Reading an agent event's fields as plain, bounded text for a desktop notification: every field is the agent's, and
// the agent is trusted only for what it says, not for how it is written (control characters, length, shape).
import type { NotifyKind } from '../../shared/notify.js';
import type { NotificationSpec } from './facade.js';

const MAX_FIELD = 120;

/** A displayable scalar from an event field: strings and finite numbers only, trimmed and bounded. */
export function displayText(value: unknown, max = MAX_FIELD): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return null;
  const clean = [...value].map((c) => ((c.codePointAt(0) ?? 0) < 0x20 || c === '\u007f' ? ' ' : c)).join('').trim();
  if (clean === '') return null;
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

export function first(event: Record<string, unknown>, ...keys: string[]): string | null {
  for (const key of keys) {
    const value = displayText(event[key]);
    if (value !== null) return value;
  }
  return null;
}

/** The words of several parts that are there, a space between each. */
export const join = (...parts: (string | null)[]): string => parts.filter((p): p is string => p !== null).join(' ');

export const record = (v: unknown): Record<string, unknown> | null => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null);

/** A reason as a sentence: a final stop added when it has none (the agent's reasons come with and without). */
export const sentence = (s: string): string => (/[.!?…]$/.test(s) ? s : `${s}.`);

/** A notification and the kinds it belongs to, the first its own. */
export interface Told {
  readonly spec: NotificationSpec;
  readonly kinds: readonly NotifyKind[];
}
