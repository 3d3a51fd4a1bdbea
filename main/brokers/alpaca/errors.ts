// How the agent reads Alpaca's error answers ({code, message}): which are refusals of the order, which are about the
// keys, and, where Alpaca's own words leave the trader guessing, what happened.
import type { ErrorReading } from '../http/client.js';

/** A 403 that is about the keys or their access, not about the order. */
const AUTH_MESSAGE = /forbidden|unauthori[sz]ed|not authori[sz]ed|authenticat|api.?key|credential|permission/i;

/** What Alpaca's refusal means for the trader, where its own words leave it unclear. */
function explainAlpacaRefusal(message: string, body: Record<string, unknown>): string | undefined {
  if (/insufficient qty/i.test(message)) {
    // 403 {"available","existing_qty","held_for_orders","related_orders","symbol",…} (alpacahq/Alpaca-API issue #111).
    const num = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : undefined);
    const existing = num(body.existing_qty);
    const held = num(body.held_for_orders);
    const available = num(body.available);
    const related = Array.isArray(body.related_orders) ? body.related_orders.length : undefined;
    const figures = existing !== undefined && held !== undefined
      ? `the position is ${existing} and open orders${related !== undefined ? ` (${related})` : ''} hold ${held} of it${available !== undefined ? `, so ${available} is free` : ''}`
      : 'open orders hold the rest of the position';
    return `Alpaca sets aside the quantity open orders would close: ${figures}. Cancel those orders first (the strategy's cancelOpenOrders, or "cancel": true in the alert, does so before an exit) or lower the quantity; the order was not placed`;
  }
  if (/base_price/i.test(message)) {
    return 'Alpaca places a stop-loss of a bracket, OTO or OCO only at least 0.01 beyond its base price (below it for a sell stop, above it for a buy stop): the entry\'s limit price, the take-profit\'s limit price for an OCO, and the current market price. The market is at or past the stop, so the order was not placed; move the stop-loss further from the price';
  }
  return undefined;
}

/**
 * Reads Alpaca's {code, message} errors. Alpaca answers 403 both for keys without access ("forbidden.") and for
 * orders it refuses for a reason it states: pattern day trading protection, a potential wash trade, an account
 * not allowed to short, an asset that is not fractionable, buying power, a quantity held by other open orders
 * ("insufficient qty available for order (requested: 10, available: 5)"). Those are refusals of the order
 * (`rejected`, or `insufficient_funds` for money), not a credentials problem; only a 403 whose message is about keys
 * or access, or one without Alpaca's {message} body, stays `auth`. Where Alpaca's words leave the trader guessing
 * (held quantity, the stop-loss threshold's `base_price`), the message says what happened after them.
 */
export function readAlpacaError(status: number, json: unknown, text: string): ErrorReading {
  const body = (json !== null && typeof json === 'object' ? json : {}) as Record<string, unknown>;
  const brokerMessage = typeof body.message === 'string' ? body.message : undefined;
  const message = brokerMessage ?? (text.slice(0, 200) || `status ${status}`);
  const coded = body.code !== undefined ? `${message} (code ${String(body.code)})` : message;
  const explained = explainAlpacaRefusal(message, body);
  const withCode = explained !== undefined ? `${coded}. ${explained}` : coded;
  // Quantity held by other open orders is not money: a refusal of the order, whose message keeps Alpaca's figures.
  if (/insufficient qty/i.test(message)) return { message: withCode, kind: 'rejected' };
  if (/insufficient (buying power|balance|funds)/i.test(message)) return { message: withCode, kind: 'insufficient_funds' };
  if (/market (is )?closed|not (currently )?tradable|outside.*hours/i.test(message)) return { message: withCode, kind: 'market_closed' };
  if (status === 422 || status === 400) return { message: withCode, kind: 'rejected' };
  if (status === 403) return { message: withCode, kind: brokerMessage === undefined || AUTH_MESSAGE.test(brokerMessage) ? 'auth' : 'rejected' };
  return { message: withCode };
}
