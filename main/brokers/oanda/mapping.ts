// OANDA <-> port: instruments, signed units, order bodies, order types, fills, cancel reasons and error answers.
// Pure functions.
import { Decimal } from 'decimal.js';
import type { BrokerErrorKind, BrokerOrder, Fill, OrderRequest } from '../port.js';
import type { ErrorReading } from '../http/client.js';
import type { TimeInForce } from '../../../shared/signal.js';
import type { OandaClientExtensions, OandaClosePositionAnswer, OandaCreateOrderAnswer, OandaTransaction } from './wire.js';

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

/** Transactions that create an order of its own (not one of a trade's dependents). */
export const ORDER_CREATE_TYPES = new Set(['MARKET_ORDER', 'LIMIT_ORDER', 'STOP_ORDER', 'MARKET_IF_TOUCHED_ORDER']);
/** Transactions that create a dependent order (a trade's take-profit / stop-loss). */
export const DEPENDENT_CREATE_TYPES = new Set(['TAKE_PROFIT_ORDER', 'STOP_LOSS_ORDER', 'TRAILING_STOP_LOSS_ORDER']);

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

/**
 * How a fill changes positions (v20 OrderPositionFill). An exit only reduces: REDUCE_ONLY, which on a hedging account
 * too reduces the side the order is against (a sell reduces the long). Anything else is REDUCE_FIRST: the agent keeps
 * one net position per instrument, so an order against it reduces it first and opens the other side only with what
 * is left. v20's DEFAULT is REDUCE_FIRST on an account without hedging (no change there) but OPEN_ONLY on a hedging
 * one (hedgingEnabled), where a sell against a long would open a short beside it instead of closing it.
 */
export function positionFill(req: Pick<OrderRequest, 'reduceOnly'>): 'REDUCE_ONLY' | 'REDUCE_FIRST' {
  return req.reduceOnly ? 'REDUCE_ONLY' : 'REDUCE_FIRST';
}

export function toOandaOrderBody(req: OrderRequest, instrument: string): { order: Record<string, unknown> } {
  const order: Record<string, unknown> = {
    type: req.type === 'market' ? 'MARKET' : req.type === 'limit' ? 'LIMIT' : 'STOP',
    instrument,
    units: signedUnits(req.side, req.quantity),
    timeInForce: tif(req.type, req.timeInForce),
    positionFill: positionFill(req),
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
      return { status: 'rejected', kind: 'insufficient_funds' };
    // The market had too few units to fill it: a refusal, not the account's money (OrderCancelReason).
    case 'INSUFFICIENT_LIQUIDITY':
      return { status: 'rejected', kind: 'rejected' };
    case 'MARKET_HALTED':
    case 'INSTRUMENT_BID_HALTED':
    case 'INSTRUMENT_ASK_HALTED':
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

/** How the adapter reads a v20 error answer (errorCode, or the reject reason of the transaction it carries). */
export function readOandaError(status: number, json: unknown, text: string): ErrorReading {
  const body = (json ?? {}) as OandaCreateOrderAnswer & OandaClosePositionAnswer & { orderCancelRejectTransaction?: OandaTransaction };
  const code =
    body.errorCode ??
    body.orderRejectTransaction?.rejectReason ??
    body.orderCancelRejectTransaction?.rejectReason ??
    body.longOrderRejectTransaction?.rejectReason ??
    body.shortOrderRejectTransaction?.rejectReason;
  const message = body.errorMessage ?? (text.slice(0, 200) || `status ${status}`);
  const withCode = code ? `${message} (${code})` : message;
  if (status === 400 && code === undefined && /accountID/i.test(message)) return { message: withCode, kind: 'auth' };
  if (status === 400 || status === 422) return { message: withCode, kind: errorCodeKind(code) ?? 'rejected' };
  if (status === 404 && code === 'ORDER_DOESNT_EXIST') return { message: withCode, kind: 'not_found' };
  return { message: withCode };
}

/** A v20 order type (or an order-creating transaction's type without _ORDER) as the port's. */
export function typeName(t: string): BrokerOrder['type'] {
  if (t === 'LIMIT' || t === 'TAKE_PROFIT') return 'limit';
  if (t === 'STOP' || t === 'STOP_LOSS') return 'stop';
  if (t === 'TRAILING_STOP_LOSS') return 'trailing_stop';
  return 'market';
}

/** The v20 order specifier for a client order id: "@<client id>", or the order id itself for "@<order id>",
 *  which is how this adapter names an order that carries no client id (see OandaOrderReader.toBrokerOrder). */
export function orderSpecifier(clientOrderId: string): string {
  return clientOrderId.startsWith('@') ? encodeURIComponent(clientOrderId.slice(1)) : `@${encodeURIComponent(clientOrderId)}`;
}

/** An order, or the transaction that created it, as the port's before anything filled or ended it: `type` is its
 *  v20 type (without _ORDER), the side the sign of its units, and one without a client id is named "@<its id>". */
export function acceptedOrder(o: { id: string; clientExtensions?: OandaClientExtensions; instrument?: string; units?: string }, type: string, updatedAt: string): BrokerOrder {
  const units = new Decimal(o.units ?? '0');
  return {
    clientOrderId: o.clientExtensions?.id ?? `@${o.id}`,
    brokerOrderId: o.id,
    symbol: o.instrument ?? '',
    side: units.isNeg() ? 'sell' : 'buy',
    type: typeName(type),
    quantity: units.abs().toString(),
    filledQuantity: '0',
    status: 'accepted',
    updatedAt,
  };
}

/**
 * The price an ORDER_FILL filled at. v20 deprecates the transaction's own `price` ("should no longer be used"): the
 * exact price of each unit is in tradeOpened / tradesClosed / tradeReduced, so the fill's price is their average
 * weighted by units; then `fullVWAP`, then the deprecated `price`. Undefined when the transaction carries none.
 */
export function fillPrice(t: OandaTransaction): string | undefined {
  const parts = [t.tradeOpened, ...(t.tradesClosed ?? []), t.tradeReduced].filter((p) => p?.price !== undefined && p.units !== undefined && !new Decimal(p.units).isZero());
  if (parts.length > 0) {
    const units = parts.reduce((s, p) => s.plus(new Decimal(p!.units).abs()), new Decimal(0));
    const value = parts.reduce((s, p) => s.plus(new Decimal(p!.units).abs().mul(p!.price!)), new Decimal(0));
    return value.div(units).toString();
  }
  return t.fullVWAP ?? t.price;
}

/** An ORDER_FILL transaction as a fill. */
export function toFill(t: OandaTransaction): Fill {
  const units = new Decimal(t.units ?? '0');
  const fill: Fill = {
    tradeId: t.id,
    clientOrderId: t.clientOrderID ?? `@${t.orderID ?? ''}`,
    brokerOrderId: t.orderID ?? '',
    symbol: t.instrument ?? '',
    side: units.isNeg() ? 'sell' : 'buy',
    quantity: units.abs().toString(),
    price: fillPrice(t) ?? '0',
    time: t.time,
  };
  if (t.commission !== undefined) fill.commission = new Decimal(t.commission).abs().toString();
  return fill;
}

/** BASE_QUOTE (EUR_USD, XAU_USD, SPX500_USD): the base and the quote currency the price is in. */
export function oandaCurrencies(name: string): { baseCurrency?: string; quoteCurrency?: string } {
  const cut = name.lastIndexOf('_');
  if (cut <= 0 || cut === name.length - 1) return {};
  return { baseCurrency: name.slice(0, cut), quoteCurrency: name.slice(cut + 1) };
}
