// Native alert JSON → Signal. (The full parser with dialects and precise mistake codes replaces this module.)
import type { Code } from '../../../shared/codes.js';
import { ACTIONS, type Action, type Signal } from '../../../shared/signal.js';

export type ParseResult = { ok: true; signal: Signal; passphrase?: string; warnings: string[] } | { ok: false; code: Code; message: string; field?: string };

const DECIMAL = /^\d+(\.\d+)?$/;

export function parseAlert(body: string, _contentType?: string): ParseResult {
  const text = body.trim();
  if (text === '') return { ok: false, code: 'EMPTY_BODY', message: 'The alert message is empty.' };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { ok: false, code: 'INVALID_JSON', message: 'The alert is not valid JSON.' };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return { ok: false, code: 'INVALID_JSON', message: 'The alert must be a JSON object.' };
  const o = data as Record<string, unknown>;
  if (typeof o.ticker !== 'string' || o.ticker.trim() === '') return { ok: false, code: 'MISSING_TICKER', message: 'The alert has no ticker.', field: 'ticker' };
  if (typeof o.action !== 'string') return { ok: false, code: 'MISSING_ACTION', message: 'The alert has no action.', field: 'action' };
  const action = o.action.toLowerCase() as Action;
  if (!ACTIONS.includes(action)) return { ok: false, code: 'INVALID_ACTION', message: `Unknown action "${o.action}".`, field: 'action' };
  const num = (k: string): string | undefined | null => {
    const v = o[k];
    if (v === undefined) return undefined;
    const s = String(v).trim();
    return DECIMAL.test(s) ? s : null;
  };
  const quantity = num('quantity');
  if (quantity === null || quantity === '0') return { ok: false, code: 'INVALID_QUANTITY', message: 'The quantity must be a positive number.', field: 'quantity' };
  const price = num('price');
  if (price === null) return { ok: false, code: 'INVALID_PRICE', message: 'The price must be a positive number.', field: 'price' };
  const [exchange, symbol] = o.ticker.includes(':') ? o.ticker.split(':', 2) : [undefined, o.ticker];
  const signal: Signal = { dialect: 'native', ticker: o.ticker, symbol: symbol!.toUpperCase(), exchange, action, quantity, price };
  if (typeof o.id === 'string') signal.id = o.id;
  if (typeof o.time === 'string') signal.time = o.time;
  return { ok: true, signal, passphrase: typeof o.passphrase === 'string' ? o.passphrase : undefined, warnings: [] };
}
