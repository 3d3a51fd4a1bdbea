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
  if (req.takeProfit?.limitPrice !== undefined) order.takeProfitOnFill = { price: req.takeProfit.limitPrice };
  if (req.stopLoss?.trailAmount !== undefined) order.trailingStopLossOnFill = { distance: req.stopLoss.trailAmount };
  else if (req.stopLoss?.stopPrice !== undefined) order.stopLossOnFill = { price: req.stopLoss.stopPrice };
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
