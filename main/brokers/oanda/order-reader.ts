// Reading orders back from v20 as the port's: an order by its specifier, and for one that ended, the transaction that
// filled or cancelled it; for a take-profit / stop-loss, which v20 gives no instrument or units, the trade it closes.
import { Decimal } from 'decimal.js';
import { BrokerError, type BrokerOrder } from '../port.js';
import type { RestClient } from '../http/client.js';
import { DEPENDENT_ORDER_TYPES, acceptedOrder, cancelReasonKind, fillPrice, parentClientIdOf, typeName } from './mapping.js';
import type { OandaOrder, OandaTrade, OandaTransaction } from './wire.js';

export class OandaOrderReader {
  readonly #rest: RestClient;
  readonly #path: (p: string) => string;

  /** `path` makes an account-relative path absolute (/v3/accounts/<id>...). */
  constructor(rest: RestClient, path: (p: string) => string) {
    this.#rest = rest;
    this.#path = path;
  }

  private async transaction(id: string): Promise<OandaTransaction | undefined> {
    try {
      return (await this.#rest.call<{ transaction: OandaTransaction }>('GET', this.#path(`/transactions/${id}`))).data.transaction;
    } catch (err) {
      if (err instanceof BrokerError && err.kind === 'not_found') return undefined;
      throw err;
    }
  }

  private async trade(id: string): Promise<OandaTrade | undefined> {
    try {
      return (await this.#rest.call<{ trade: OandaTrade }>('GET', this.#path(`/trades/${encodeURIComponent(id)}`))).data.trade;
    } catch (err) {
      if (err instanceof BrokerError && err.kind === 'not_found') return undefined;
      throw err;
    }
  }

  /** A v20 order as a BrokerOrder; filled and cancelled orders need their transaction for price / reason. */
  async toBrokerOrder(o: OandaOrder): Promise<BrokerOrder> {
    if (DEPENDENT_ORDER_TYPES.has(o.type)) return this.toDependentOrder(o);
    const order = acceptedOrder(o, o.type, o.filledTime ?? o.cancelledTime ?? o.createTime);
    if (o.type === 'LIMIT' && o.price) order.limitPrice = o.price;
    if (o.type === 'STOP' && o.price) order.stopPrice = o.price;
    const fill = o.state === 'FILLED' && o.fillingTransactionID ? await this.transaction(o.fillingTransactionID) : undefined;
    return this.withOutcome(order, o, fill);
  }

  /** The order's end as v20 reports it: filled (at its filling transaction's price), or cancelled with the reason
   *  (LINKED_TRADE_CLOSED for a leg whose trade was closed by the other leg, an exit or by hand). */
  private async withOutcome(order: BrokerOrder, o: OandaOrder, fill: OandaTransaction | undefined): Promise<BrokerOrder> {
    if (o.state === 'FILLED') {
      order.status = 'filled';
      order.filledQuantity = order.quantity;
      const price = fill ? fillPrice(fill) : undefined;
      if (price !== undefined) order.averageFillPrice = price;
    } else if (o.state === 'CANCELLED') {
      const cancel = o.cancellingTransactionID ? await this.transaction(o.cancellingTransactionID) : undefined;
      const status = cancelReasonKind(cancel?.reason).status;
      order.status = status;
      if (cancel?.reason) order.reason = cancel.reason;
      const part = await this.partFilled(o);
      if (part) {
        // Filled in part, the rest cancelled (IOC): a position was opened, so never "rejected".
        order.status = status === 'expired' ? 'expired' : 'canceled';
        order.filledQuantity = part.units.toString();
        order.averageFillPrice = part.price.toString();
      }
    }
    return order;
  }

  /**
   * What an order that ended CANCELLED filled before that. v20 shows a fill on the order only when it is FILLED
   * (fillingTransactionID), so an IOC order filled in part and cancelled for the rest is read from its ORDER_FILL
   * transactions, between its creation and its cancel. Only for orders that end at once (MARKET, IOC, FOK): their
   * range is a few transactions; an order that rested is filled whole or not at all.
   */
  private async partFilled(o: OandaOrder): Promise<{ units: Decimal; price: Decimal } | undefined> {
    if (DEPENDENT_ORDER_TYPES.has(o.type) || !o.cancellingTransactionID) return undefined;
    if (o.type !== 'MARKET' && o.timeInForce !== 'IOC' && o.timeInForce !== 'FOK') return undefined;
    const { data } = await this.#rest.call<{ transactions: OandaTransaction[] }>('GET', this.#path('/transactions/idrange'), { query: { from: o.id, to: o.cancellingTransactionID, type: 'ORDER_FILL' } });
    let units = new Decimal(0);
    let value = new Decimal(0);
    for (const t of data.transactions) {
      if (t.type !== 'ORDER_FILL' || t.orderID !== o.id || t.units === undefined) continue;
      const u = new Decimal(t.units).abs();
      units = units.plus(u);
      value = value.plus(u.mul(fillPrice(t) ?? '0'));
    }
    return units.isZero() ? undefined : { units, price: value.div(units) };
  }

  /**
   * A take-profit / stop-loss / trailing stop-loss: v20 gives it no instrument or units, only the trade it closes.
   * Its fill tells what it did; before that the trade does (side against the trade, its open units, or all it
   * opened once closed). Linked to the order that opened the trade by parentClientOrderId.
   */
  private async toDependentOrder(o: OandaOrder): Promise<BrokerOrder> {
    const fill = o.state === 'FILLED' && o.fillingTransactionID ? await this.transaction(o.fillingTransactionID) : undefined;
    const trade = fill?.instrument !== undefined && fill.units !== undefined ? undefined : o.tradeID !== undefined ? await this.trade(o.tradeID) : undefined;
    const tradeUnits = new Decimal(trade?.currentUnits && !new Decimal(trade.currentUnits).isZero() ? trade.currentUnits : (trade?.initialUnits ?? '0'));
    const filled = fill?.units !== undefined ? new Decimal(fill.units) : undefined;
    const order: BrokerOrder = {
      clientOrderId: o.clientExtensions?.id ?? `@${o.id}`,
      brokerOrderId: o.id,
      symbol: fill?.instrument ?? trade?.instrument ?? '',
      side: filled ? (filled.isNeg() ? 'sell' : 'buy') : tradeUnits.isNeg() ? 'buy' : 'sell',
      type: typeName(o.type),
      quantity: (filled ?? tradeUnits).abs().toString(),
      filledQuantity: '0',
      status: 'accepted',
      updatedAt: o.filledTime ?? o.cancelledTime ?? o.createTime,
    };
    const parent = parentClientIdOf(o);
    if (parent !== undefined) order.parentClientOrderId = parent;
    if (o.type === 'TAKE_PROFIT' && o.price) order.limitPrice = o.price;
    if (o.type === 'STOP_LOSS' && o.price) order.stopPrice = o.price;
    return this.withOutcome(order, o, fill);
  }

  /** The order v20 knows by `spec` (an order id or "@<client id>", see orderSpecifier), or undefined. */
  async order(spec: string): Promise<OandaOrder | undefined> {
    try {
      return (await this.#rest.call<{ order: OandaOrder }>('GET', this.#path(`/orders/${spec}`))).data.order;
    } catch (err) {
      if (err instanceof BrokerError && err.kind === 'not_found') return undefined;
      throw err;
    }
  }
}
