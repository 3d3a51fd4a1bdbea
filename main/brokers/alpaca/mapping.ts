// Alpaca <-> port: order statuses (and which are final), order requests, symbols and fill ids. Pure functions, tested
// without a server.
import { Decimal } from 'decimal.js';
import type { BrokerOrder, OrderRequest } from '../port.js';
import type { OrderStatus } from '../../../shared/order-status.js';
import type { TimeInForce } from '../../../shared/signal.js';
import type { AlpacaOrder } from './wire.js';

const STATUS: Record<string, OrderStatus> = {
  new: 'accepted',
  accepted: 'accepted',
  pending_new: 'accepted',
  accepted_for_bidding: 'accepted',
  held: 'accepted',
  calculated: 'accepted',
  stopped: 'accepted',
  suspended: 'accepted',
  pending_replace: 'accepted',
  done_for_day: 'accepted',
  partially_filled: 'partially_filled',
  filled: 'filled',
  pending_cancel: 'cancel_pending',
  canceled: 'canceled',
  replaced: 'canceled',
  expired: 'expired',
  rejected: 'rejected',
};

export function mapStatus(status: string): OrderStatus {
  return STATUS[status] ?? 'accepted';
}

/** Alpaca order statuses after which nothing changes any more (Orders at Alpaca, "Order Lifecycle"). */
export const FINAL_STATUSES = new Set(['filled', 'canceled', 'expired', 'rejected', 'replaced']);

/** One id for a fill whether it came from the stream or from the activities endpoint (their own ids differ):
 *  the order id plus the cumulative filled quantity after the fill. */
export function fillId(orderId: string, cumulative: string): string {
  return `${orderId}:${new Decimal(cumulative).toString()}`;
}

/** Alpaca writes crypto pairs as "BTC/USD"; TradingView tickers come as "BTCUSD". Equities pass unchanged. */
export function toAlpacaSymbol(symbol: string): string {
  const s = symbol.trim().toUpperCase();
  if (s.includes('/')) return s;
  const m = /^([A-Z]{2,6})(USD|USDT|USDC|BTC)$/.exec(s);
  return m && s.length >= 6 && CRYPTO_BASES.has(m[1]!) ? `${m[1]}/${m[2]}` : s;
}
const CRYPTO_BASES = new Set(['BTC', 'ETH', 'LTC', 'BCH', 'SOL', 'DOGE', 'AVAX', 'LINK', 'UNI', 'AAVE', 'DOT', 'SHIB', 'XRP', 'USDT', 'USDC', 'MKR', 'GRT', 'SUSHI', 'YFI', 'BAT', 'CRV', 'XTZ', 'PEPE', 'TRUMP']);

export function isCryptoSymbol(symbol: string): boolean {
  return symbol.includes('/');
}

/** Alpaca creates a bracket's (or OTO / OCO's) legs itself: they carry the group's order_class and no legs of
 *  their own, and nothing in them names their parent. A parent always has its legs when read nested or from the
 *  submit answer. */
export function mayBeLeg(o: AlpacaOrder): boolean {
  return (o.order_class === 'bracket' || o.order_class === 'oto' || o.order_class === 'oco') && (o.legs ?? []).length === 0;
}

/** A quantity with a fraction of a share. */
export function isFractional(quantity: string): boolean {
  return !new Decimal(quantity).isInteger();
}

/**
 * The time in force sent to Alpaca. Alpaca takes fractional equity quantities only as day orders. A gtc market order
 * and a day market order behave the same at Alpaca (either placed while the market is closed waits for the next
 * open, and a market order does not outlive the session it executes in), so a fractional gtc market order is sent
 * as day. A fractional reduce-only exit (limit or stop) is also sent as day: an exit that is refused leaves the
 * position open, which is worse than an exit that expires at the close (the order then shows expired). A
 * fractional gtc entry that would rest (limit, stop) keeps gtc and is refused by the precheck, since changing it
 * would silently end the trader's resting order at the close.
 */
export function alpacaTimeInForce(req: OrderRequest, symbol: string): TimeInForce {
  if (isCryptoSymbol(symbol)) return cryptoTimeInForce(req);
  if (!isFractional(req.quantity) || req.timeInForce !== 'gtc') return req.timeInForce;
  const hasLegs = req.takeProfit !== undefined || req.stopLoss !== undefined;
  if (!hasLegs && (req.type === 'market' || req.reduceOnly === true)) return 'day';
  return req.timeInForce;
}

/**
 * Alpaca takes crypto orders only as gtc or ioc. Crypto trades around the clock and has no trading day, so `day`
 * (the strategy default) is sent as gtc: a market order fills at once either way, and a resting limit has no
 * session end to expire at. A reduce-only exit is never refused for its time in force: opg and cls (which name
 * an equity auction crypto does not have) are sent as gtc, and fok as ioc (an exit that fills in part is better
 * than none). An entry with opg, cls or fok keeps it and is refused by the precheck: those ask for something a
 * crypto order cannot do.
 */
function cryptoTimeInForce(req: OrderRequest): TimeInForce {
  const tif = req.timeInForce;
  if (tif === 'gtc' || tif === 'ioc') return tif;
  if (tif === 'day') return 'gtc';
  if (req.reduceOnly === true) return tif === 'fok' ? 'ioc' : 'gtc';
  return tif;
}

export function fromAlpacaOrder(o: AlpacaOrder, reason?: string, parentClientOrderId?: string): BrokerOrder {
  const order: BrokerOrder = {
    clientOrderId: o.client_order_id,
    brokerOrderId: o.id,
    symbol: o.symbol,
    side: o.side,
    type: (['market', 'limit', 'stop', 'stop_limit', 'trailing_stop'].includes(o.type) ? o.type : 'market') as BrokerOrder['type'],
    quantity: o.qty ?? o.filled_qty,
    filledQuantity: o.filled_qty ?? '0',
    status: mapStatus(o.status),
    updatedAt: o.updated_at ?? o.submitted_at ?? o.created_at,
  };
  if (o.filled_avg_price !== null && o.filled_avg_price !== undefined) order.averageFillPrice = o.filled_avg_price;
  if (o.limit_price !== null) order.limitPrice = o.limit_price;
  if (o.stop_price !== null) order.stopPrice = o.stop_price;
  if (o.status === 'replaced') order.reason = 'replaced';
  if (reason !== undefined) order.reason = reason;
  if (parentClientOrderId !== undefined) order.parentClientOrderId = parentClientOrderId;
  return order;
}

/** The POST /v2/orders body. Brackets and OTO carry entry + legs; a reduce-only pair of exits becomes OCO. */
export function toAlpacaOrderBody(req: OrderRequest, symbol: string): Record<string, unknown> {
  const body: Record<string, unknown> = {
    symbol,
    qty: req.quantity,
    side: req.side,
    type: req.type,
    time_in_force: alpacaTimeInForce(req, symbol),
    client_order_id: req.clientOrderId,
  };
  if (req.limitPrice !== undefined) body.limit_price = req.limitPrice;
  if (req.stopPrice !== undefined) body.stop_price = req.stopPrice;
  if (req.type === 'trailing_stop') {
    if (req.trailAmount !== undefined) body.trail_price = req.trailAmount;
    else if (req.trailPercent !== undefined) body.trail_percent = req.trailPercent;
  }
  if (req.extendedHours) body.extended_hours = true;
  const tp = req.takeProfit?.limitPrice;
  const sl = req.stopLoss?.stopPrice;
  if (tp !== undefined || sl !== undefined) {
    body.order_class = tp !== undefined && sl !== undefined ? (req.reduceOnly && req.type === 'limit' ? 'oco' : 'bracket') : 'oto';
    if (tp !== undefined) body.take_profit = { limit_price: tp };
    if (sl !== undefined) body.stop_loss = req.stopLoss?.limitPrice !== undefined ? { stop_price: sl, limit_price: req.stopLoss.limitPrice } : { stop_price: sl };
  }
  return body;
}
