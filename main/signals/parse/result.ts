// The answer of every parser: a signal with warnings, or one rejection code with a message that says how to
// fix the alert. Messages never echo a secret (see redact in index.ts).

import type { Code } from '../../../shared/codes.js';
import type { Signal } from '../../../shared/signal.js';

export type ParseResult =
  | { ok: true; signal: Signal; passphrase?: string; warnings: string[] }
  | { ok: false; code: Code; message: string; field?: string };

export type Rejection = Extract<ParseResult, { ok: false }>;

export function reject(code: Code, message: string, field?: string): Rejection {
  return field === undefined ? { ok: false, code, message } : { ok: false, code, message, field };
}

/** Quote a user value for a message, shortened so a huge or binary value cannot flood a log line. */
export function show(value: unknown): string {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (value === null) text = 'null';
  else if (typeof value === 'object') text = Array.isArray(value) ? 'a list' : 'an object';
  else text = String(value);
  // Control characters would garble logs and the UI.
  // eslint-disable-next-line no-control-regex
  text = text.replace(/[\u0000-\u001f\u007f]/g, '?');
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}
