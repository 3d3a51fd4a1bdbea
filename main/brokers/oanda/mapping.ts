// OANDA <-> port: instruments, signed units, order bodies and cancel reasons. Pure functions.
import { Decimal } from 'decimal.js';
import type { BrokerErrorKind, OrderRequest } from '../port.js';
import type { TimeInForce } from '../../../shared/signal.js';

/** "EURUSD", "EUR/USD" and "eur_usd" all become "EUR_USD"; anything else passes unchanged (upper case). */
export function toOandaInstrument(symbol: string): string {
  const s = symbol.trim().toUpperCase().replace('/', '_');
  if (/^[A-Z]{6}$/.test(s)) return `${s.slice(0, 3)}_${s.slice(3)}`;
  return s;
}

/** v20 writes direction into the sign of units. */
export function signedUnits(side: 'buy' | 'sell', quantity: string): string {
  const q = new Decimal(quantity).abs();
  return (side === 'sell' ? q.neg() : q).toString();
}

function tif(type: OrderRequest['type'], t: TimeInForce): string {
  if (type === 'market') return t === 'ioc' ? 'IOC' : 'FOK'; // market orders allow FOK / IOC only
  return ({ day: 'GFD', gtc: 'GTC', ioc: 'IOC', fok: 'FOK', opg: 'GTC', cls: 'GTC' } as const)[t];
}

/** The agent's leg suffixes for a bracket's children (the router reads them as take_profit / stop_loss). */
export const DEPENDENT_LEGS = { takeProfit: ':tp', stopLoss: ':sl' } as const;

/** The clientExtensions.id the adapter gives the take-profit / stop-loss v20 creates from an order: derived from
 *  the parent's id, so it is found again by "@<id>" after a restart without anything stored. A trailing stop is
 *  the stop-loss leg (an order has one or the other). */
export function dependentClientId(parentClientOrderId: string, leg: keyof typeof DEPENDENT_LEGS): string {
  return `${parentClientOrderId}${DEPENDENT_LEGS[leg]}`;
}

/** Longest client id the adapter sends (v20 documents no limit; 128 is what it keeps to). */
export const MAX_CLIENT_ID_LENGTH = 128;

export const DEPENDENT_ORDER_TYPES = new Set(['TAKE_PROFIT', 'STOP_LOSS', 'TRAILING_STOP_LOSS']);

/** The parent's client order id of a v20 dependent order: from the id the adapter gave it (parent + leg suffix),
 *  else from its trade's client id, which the adapter sets to the parent's id on a bracket (this also links a
 *  stop-loss replaced at OANDA, which may come without our clientExtensions). Undefined for anything else. */
export function parentClientIdOf(o: { type: string; clientExtensions?: { id?: string }; clientTradeID?: string }): string | undefined {
  if (!DEPENDENT_ORDER_TYPES.has(o.type)) return undefined;
  const id = o.clientExtensions?.id;
  const suffix = o.type === 'TAKE_PROFIT' ? DEPENDENT_LEGS.takeProfit : DEPENDENT_LEGS.stopLoss;
  if (id !== undefined && id.endsWith(suffix) && id.length > suffix.length) return id.slice(0, -suffix.length);
  return o.clientTradeID || undefined;
}

export function toOandaOrderBody(req: OrderRequest, instrument: string): { order: Record<string, unknown> } {
  const order: Record<string, unknown> = {
    type: req.type === 'market' ? 'MARKET' : req.type === 'limit' ? 'LIMIT' : 'STOP',
    instrument,
    units: signedUnits(req.side, req.quantity),
    timeInForce: tif(req.type, req.timeInForce),
    positionFill: req.reduceOnly ? 'REDUCE_ONLY' : 'DEFAULT',
    clientExtensions: { id: req.clientOrderId },
  };
  if (req.type === 'limit') order.price = req.limitPrice;
  if (req.type === 'stop') order.price = req.stopPrice;
  // Each dependent gets a client id derived from ours, so its orders and fills are linked back to this order.
  const tp = { clientExtensions: { id: dependentClientId(req.clientOrderId, 'takeProfit') } };
  const sl = { clientExtensions: { id: dependentClientId(req.clientOrderId, 'stopLoss') } };
  if (req.takeProfit?.limitPrice !== undefined) order.takeProfitOnFill = { price: req.takeProfit.limitPrice, ...tp };
  if (req.stopLoss?.trailAmount !== undefined) order.trailingStopLossOnFill = { distance: req.stopLoss.trailAmount, ...sl };
  else if (req.stopLoss?.stopPrice !== undefined) order.stopLossOnFill = { price: req.stopLoss.stopPrice, ...sl };
  // The trade the entry opens carries our id too: its dependents then name it (clientTradeID), even one
  // replaced at OANDA. A reduce-only order opens no trade.
  const dependents = order.takeProfitOnFill !== undefined || order.stopLossOnFill !== undefined || order.trailingStopLossOnFill !== undefined;
  if (dependents && !req.reduceOnly) order.tradeClientExtensions = { id: req.clientOrderId };
  return { order };
}

/** What an OrderCancelTransaction reason means to the trader: a real cancel, an expiry, or a refusal. */
export function cancelReasonKind(reason: string | undefined): { status: 'canceled' | 'expired' | 'rejected'; kind: BrokerErrorKind } {
  switch (reason) {
    case 'CLIENT_REQUEST':
    case 'CLIENT_REQUEST_REPLACED':
    case 'LINKED_TRADE_CLOSED':
      return { status: 'canceled', kind: 'rejected' };
    case 'TIME_IN_FORCE_EXPIRED':
      return { status: 'expired', kind: 'rejected' };
    case 'INSUFFICIENT_MARGIN':
    case 'INSUFFICIENT_LIQUIDITY':
      return { status: 'rejected', kind: 'insufficient_funds' };
    case 'MARKET_HALTED':
      return { status: 'rejected', kind: 'market_closed' };
    default:
      return { status: 'rejected', kind: 'rejected' };
  }
}

/** Maps a v20 errorCode / rejectReason to a BrokerError kind. */
export function errorCodeKind(code: string | undefined): BrokerErrorKind | undefined {
  if (code === undefined) return undefined;
  if (code === 'INSUFFICIENT_MARGIN' || code === 'INSUFFICIENT_LIQUIDITY') return 'insufficient_funds';
  if (code === 'MARKET_HALTED' || code === 'INSTRUMENT_NOT_TRADEABLE') return 'market_closed';
  return 'rejected';
}
