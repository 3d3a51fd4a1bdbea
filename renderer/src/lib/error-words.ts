// An API failure in the trader's words. The agent's answer carries a code, a message and the code's generic fix;
// two cases need more than printing them:
// - a raw rule detail ("TRADING_HALTED: symbol=APRF, state=halted") is not a sentence: the code's own message from
//   shared/codes.ts leads, and the detail follows as a detail;
// - a refusal that says itself what to do (a 409 CONFLICT "the strategy … still trades it: remove the account from
//   that strategy…") must not end with the generic "Reload and try again.", which does not help.
import { CODES, isCode } from '../../../shared/codes.js';

export interface ErrorWords {
  /** The code, when the failure has one. */
  code?: string;
  /** The plain sentence to lead with. */
  message: string;
  /** The agent's own detail text, when it is not the sentence already. */
  detail?: string;
  /** What to do, when it helps. */
  fix?: string;
}

/** Codes whose generic fix only fits the generic message: a specific message replaces the fix. */
const GENERIC_FIX_CODES = new Set(['CONFLICT']);

export function errorWords(input: { code?: string; message: string; fix?: string }): ErrorWords {
  const { code, message } = input;
  const fix = input.fix || undefined;
  if (!code || !isCode(code)) return { ...(code ? { code } : {}), message, ...(fix ? { fix } : {}) };
  const known = CODES[code];
  const generic = message.trim() === '' || message === known.message;
  if (generic) return { code, message: known.message, ...(fix ?? known.fix ? { fix: fix ?? known.fix } : {}) };
  if (isRawDetail(code, message)) return { code, message: known.message, detail: message, ...(fix ?? known.fix ? { fix: fix ?? known.fix } : {}) };
  // A specific sentence from the agent: it leads. The generic fix stays only where it still applies.
  const keepFix = fix !== undefined && !(GENERIC_FIX_CODES.has(code) && fix === known.fix);
  return { code, message, ...(keepFix ? { fix } : {}) };
}

/** "CODE: key=value, …" or the bare code: the risk engine's machine detail, not words for the trader. */
function isRawDetail(code: string, message: string): boolean {
  const m = message.trim();
  return m === code || m.startsWith(`${code}:`) || m.startsWith(`${code} `);
}
