// CCXT <-> port: order statuses and types, orders, trades, markets and positions as CCXT's unified API gives them,
// read in the agent's terms. Pure functions; which agent id an order carries is the adapter's to say (adapter.ts).
import { functions, type Order as CcxtOrder, type Trade as CcxtTrade, type Market as CcxtMarket, type Position as CcxtPosition } from 'ccxt';
import { Decimal } from 'decimal.js';
import type { BrokerOrder, Fill, InstrumentInfo, Position } from '../port.js';
import type { OrderStatus } from '../../../shared/order-status.js';
import type { OrderType } from '../../../shared/signal.js';

export type Market = NonNullable<CcxtMarket>;

function status(o: CcxtOrder): OrderStatus {
  const filled = new Decimal(o.filled ?? 0);
  switch (o.status) {
    case 'open':
      return filled.gt(0) ? 'partially_filled' : 'accepted';
    case 'closed':
      return 'filled';
    case 'canceled':
      return 'canceled';
    case 'expired':
      return 'expired';
    case 'rejected':
      return 'rejected';
    default:
      return 'accepted';
  }
}

function num(v: number | string | undefined | null): string | undefined {
  return v === undefined || v === null ? undefined : new Decimal(v).toString();
}

function orderType(t: string | undefined): OrderType {
  const s = (t ?? 'market').toLowerCase();
  if (s === 'limit' || s === 'limit_maker') return 'limit';
  if (s.includes('stop') && s.includes('limit')) return 'stop_limit';
  if (s.includes('stop')) return 'stop';
  return 'market';
}

/** An order as the exchange reports it, under the agent's `clientOrderId`. */
export function fromCcxtOrder(o: CcxtOrder, clientOrderId: string): BrokerOrder {
  const trigger = num(o.triggerPrice ?? o.stopPrice);
  const triggered = trigger !== undefined && trigger !== '0';
  let type = orderType(o.type);
  // CCXT names some exchanges' stop orders by what they become (Binance STOP_LOSS_LIMIT is "limit" with a
  // triggerPrice): a trigger price makes a limit a stop-limit and a market order a stop.
  if (triggered && type === 'limit') type = 'stop_limit';
  if (triggered && type === 'market') type = 'stop';
  const order: BrokerOrder = {
    clientOrderId,
    brokerOrderId: String(o.id),
    symbol: o.symbol ?? '',
    side: o.side === 'sell' ? 'sell' : 'buy',
    type,
    quantity: num(o.amount) ?? '0',
    filledQuantity: num(o.filled) ?? '0',
    status: status(o),
    updatedAt: new Date(o.lastUpdateTimestamp ?? o.timestamp ?? Date.now()).toISOString(),
  };
  const avg = num(o.average);
  if (avg !== undefined && new Decimal(order.filledQuantity).gt(0)) order.averageFillPrice = avg;
  if (o.price && order.type !== 'market') order.limitPrice = num(o.price)!;
  if (triggered) order.stopPrice = trigger;
  return order;
}

/** One of the account's trades as a fill of the agent's order `clientOrderId` in `symbol`. */
export function toFill(t: CcxtTrade, clientOrderId: string, symbol: string): Fill {
  const fill: Fill = {
    // Trade ids are unique only within a symbol at some exchanges (Binance counts per symbol): the symbol makes
    // the id unique across the account, so a fill in another symbol with the same number is not a duplicate.
    tradeId: t.id !== undefined && t.id !== null && t.id !== '' ? `${symbol}:${t.id}` : `${symbol}:${t.order}:${t.timestamp ?? 0}:${t.amount ?? 0}:${t.price ?? 0}`,
    clientOrderId,
    brokerOrderId: String(t.order),
    symbol: t.symbol ?? '',
    side: t.side === 'sell' ? 'sell' : 'buy',
    quantity: num(t.amount) ?? '0',
    price: num(t.price) ?? '0',
    time: new Date(t.timestamp ?? 0).toISOString(),
  };
  const fee = num(t.fee?.cost);
  if (fee !== undefined) fill.commission = fee;
  return fill;
}

const FINEST_STEP = '0.00000001';

/** A market's precision as a step, read in its exchange's precisionMode: a step as it is (TICK_SIZE, what most
 *  exchanges use), a number of decimal places as the step of that many places. A number of significant digits
 *  (bitfinex, bithumb) has no fixed step, the step depends on the size of the number: the finest step is given
 *  (taking the digits for a step would make a lot of 8 coins and a tick of 5), and CCXT rounds what is sent to the
 *  market's digits (amountToPrecision truncates the quantity, priceToPrecision rounds the price). */
function step(value: number | undefined, precisionMode: number | undefined): string {
  if (value === undefined || value === null) return FINEST_STEP;
  if (precisionMode === functions.DECIMAL_PLACES) return new Decimal(10).pow(-value).toFixed();
  if (precisionMode === functions.SIGNIFICANT_DIGITS) return FINEST_STEP;
  return new Decimal(value).toFixed();
}

/** What a market says about trading in it: precision and limits, its currencies and its contract size.
 *  `precisionMode` is the exchange's (CCXT's exchange.precisionMode). */
export function toInstrumentInfo(m: Market, precisionMode: number | undefined): InstrumentInfo {
  const lot = step(m.precision.amount, precisionMode);
  const info: InstrumentInfo = {
    symbol: m.symbol,
    assetClass: m.spot ? 'crypto' : 'future',
    tradable: m.active !== false,
    lotSize: lot,
    tickSize: step(m.precision.price, precisionMode),
    minQuantity: num(m.limits.amount?.min) ?? lot,
    fractionable: true,
  };
  const minNotional = num(m.limits.cost?.min);
  if (minNotional !== undefined) info.minNotional = minNotional;
  if (m.base) info.baseCurrency = m.base;
  if (m.quote) info.quoteCurrency = m.quote;
  // Quantities (and lotSize / minQuantity above) are in the market's own units: coins on spot, contracts on a
  // swap or future, each holding contractSize of the base. An inverse contract is worth a fixed amount of the
  // quote, not price × size: its size is left unknown, so money-based sizing refuses it rather than guess.
  const contractSize = m.spot ? '1' : m.inverse ? undefined : num(m.contractSize);
  if (contractSize !== undefined) info.contractSize = contractSize;
  return info;
}

/** A derivatives position: contracts × contract size, negative for a short. */
export function toPosition(p: CcxtPosition): Position {
  const size = new Decimal(p.contracts ?? 0).mul(p.contractSize ?? 1);
  const pos: Position = { symbol: p.symbol ?? '', quantity: (p.side === 'short' ? size.neg() : size).toString(), averagePrice: num(p.entryPrice) ?? '0' };
  const mark = num(p.markPrice);
  if (mark !== undefined) pos.marketPrice = mark;
  const upl = num(p.unrealizedPnl);
  if (upl !== undefined) pos.unrealizedPnl = upl;
  return pos;
}

/** Average cost of the open quantity, walking trades oldest first (sells keep the average). */
export function averageCost(trades: CcxtTrade[]): string {
  let qty = new Decimal(0);
  let cost = new Decimal(0);
  for (const t of [...trades].sort((a, b) => (a.timestamp ?? 0) - (b.timestamp ?? 0))) {
    const amount = new Decimal(t.amount ?? 0);
    const price = new Decimal(t.price ?? 0);
    if (t.side === 'buy') {
      qty = qty.plus(amount);
      cost = cost.plus(amount.mul(price));
    } else if (qty.gt(0)) {
      const avg = cost.div(qty);
      qty = Decimal.max(0, qty.minus(amount));
      cost = avg.mul(qty);
    }
  }
  return qty.gt(0) ? cost.div(qty).toString() : '0';
}
