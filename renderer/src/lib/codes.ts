// A code in the trader's words, from the one table in shared/codes.ts.
import { CODES, isCode } from '../../../shared/codes.js';

export interface Explained {
  code: string;
  message: string;
  fix?: string;
}

export function explainCode(code: string | undefined, fallback?: string): Explained | undefined {
  if (!code) return fallback ? { code: '', message: fallback } : undefined;
  if (isCode(code)) return { code, message: CODES[code].message, fix: CODES[code].fix };
  return { code, message: fallback ?? code.toLowerCase().replace(/_/g, ' ') };
}
