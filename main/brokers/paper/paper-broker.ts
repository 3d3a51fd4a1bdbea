// The built-in paper broker: behaves like a real broker with its own books in SQLite. Market orders fill at
// the order's reference price (the alert's price) or the last price seen; limit and stop orders rest and fill
// when a later price crosses them. Client order ids are unique per account, as at a real broker.
import { Decimal } from 'decimal.js';
import type { PaperOrderRow, PaperRepo } from '../../store/paper.js';
import {
  BrokerError,
  type AccountSnapshot,
  type BrokerAdapter,
  type BrokerCapabilities,
  type BrokerOrder,
  type Fill,
  type InstrumentInfo,
  type OrderRequest,
  type OrderUpdate,
  type Position,
} from '../port.js';
import type { OrderStatus } from '../../../shared/order-status.js';

export interface PaperConfig {
  currency: string;
  startingCash: string;
  /** Slippage against the trader on market orders, in basis points. */
  slippageBps: string;
  /** Commission per order, in account currency. */
  commissionPerOrder: string;
  allowShort: boolean;
  fractional: boolean;
}

export const DEFAULT_PAPER_CONFIG: PaperConfig = {
  currency: 'USD',
  startingCash: '100000',
  slippageBps: '0',
  commissionPerOrder: '0',
  allowShort: true,
  fractional: true,
};

export const PAPER_CAPABILITIES: BrokerCapabilities = {
  orderTypes: ['market', 'limit', 'stop', 'stop_limit'],
  timeInForce: ['day', 'gtc', 'ioc', 'fok', 'opg', 'cls'],
  brackets: false,
  oco: false,
  trailingStops: false,
  fractional: true,
  shortSelling: true,
  clientIdLookup: true,
  modify: false,
  requestsPerMinute: 1_000_000,
  streaming: true,
};

export class PaperBroker implements BrokerAdapter {
  readonly broker = 'paper';
  readonly capabilities: BrokerCapabilities;
  private readonly listeners = new Set<(u: OrderUpdate) => void>();
  private readonly config: PaperConfig;

  constructor(
    readonly id: string,
    private readonly repo: PaperRepo,
    config: Partial<PaperConfig> = {},
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.config = { ...DEFAULT_PAPER_CONFIG, ...config };
    this.capabilities = { ...PAPER_CAPABILITIES, fractional: this.config.fractional, shortSelling: this.config.allowShort };
    repo.ensureAccount(id, this.config.currency, this.config.startingCash);
  }

  async connect(): Promise<void> {}
  async disconnect(): Promise<void> {}

  onUpdate(listener: (u: OrderUpdate) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private now(): string {
    return this.clock().toISOString();
  }

  async account(): Promise<AccountSnapshot> {
    const a = this.repo.account(this.id);
    let equity = new Decimal(a.cash);
    for (const p of this.repo.positions(this.id)) {
      equity = equity.plus(new Decimal(p.quantity).times(p.lastPrice ?? p.averagePrice));
    }
    return { currency: a.currency, cash: a.cash, equity: equity.toString(), buyingPower: Decimal.max(0, a.cash).toString(), realizedPnlToday: a.realizedPnl };
  }

  async instrument(symbol: string): Promise<InstrumentInfo> {
    return {
      symbol,
      assetClass: 'other',
      tradable: true,
      lotSize: this.config.fractional ? '0.000001' : '1',
      tickSize: '0.0001',
      minQuantity: this.config.fractional ? '0.000001' : '1',
      shortable: this.config.allowShort,
      fractionable: this.config.fractional,
    };
  }

  /** Feeds a market price (from alerts): updates marks and fills resting orders the price crosses. */
  observePrice(symbol: string, price: string): void {
    if (!isPositive(price)) return;
    const at = this.now();
    const updates: OrderUpdate[] = [];
    this.repo.transaction(() => {
      this.repo.setPrice(symbol, price, at);
      const pos = this.repo.position(this.id, symbol);
      if (pos) this.repo.setPosition(this.id, { ...pos, lastPrice: price });
      for (const o of this.repo.openOrders(this.id, symbol)) {
        const fillPrice = crossingPrice(o, new Decimal(price));
        if (fillPrice) updates.push(...this.fill(o, fillPrice, at));
      }
    });
    this.emit(updates);
  }

  async submit(req: OrderRequest): Promise<BrokerOrder> {
    validate(req, this.capabilities);
    const at = this.now();
    const updates: OrderUpdate[] = [];
    const result = this.repo.transaction(() => {
      if (this.repo.order(this.id, req.clientOrderId)) {
        throw new BrokerError('rejected', `client order id ${req.clientOrderId} has already been used`);
      }
      if (req.referencePrice && isPositive(req.referencePrice)) this.repo.setPrice(req.symbol, req.referencePrice, at);
      const seq = this.repo.nextSeq(this.id);
      const row: PaperOrderRow = {
        accountId: this.id,
        clientOrderId: req.clientOrderId,
        brokerOrderId: `paper-${this.id}-${seq}`,
        symbol: req.symbol,
        side: req.side,
        type: req.type,
        quantity: new Decimal(req.quantity).toString(),
        filledQuantity: '0',
        status: 'accepted',
        limitPrice: req.limitPrice,
        stopPrice: req.stopPrice,
        request: JSON.stringify(req),
        updatedAt: at,
      };
      const pos = this.repo.position(this.id, req.symbol);
      const current = new Decimal(pos?.quantity ?? 0);
      const after = current.plus(req.side === 'buy' ? req.quantity : new Decimal(req.quantity).neg());
      if (!this.config.allowShort && after.lt(0)) {
        row.status = 'rejected';
        row.reason = 'short selling is not enabled for this paper account';
      } else if (req.reduceOnly && (after.abs().greaterThan(current.abs()) || after.times(current).lt(0))) {
        row.status = 'rejected';
        row.reason = 'reduce-only order would increase or flip the position';
      }
      this.repo.insertOrder(row);
      updates.push({ kind: 'order', order: toBrokerOrder(row) });
      if (row.status === 'rejected') return row;
      const last = this.repo.price(req.symbol);
      if (req.type === 'market') {
        if (!last) {
          row.status = 'rejected';
          row.reason = `no price known for ${req.symbol}: send the alert with "price": "{{close}}"`;
          this.repo.updateOrder(row);
          updates.push({ kind: 'order', order: toBrokerOrder(row) });
          return row;
        }
        const slip = new Decimal(this.config.slippageBps).div(10_000);
        const px = new Decimal(last).times(req.side === 'buy' ? slip.plus(1) : new Decimal(1).minus(slip));
        updates.push(...this.fill(row, px, at));
      } else if (last) {
        const px = crossingPrice(row, new Decimal(last));
        if (px) updates.push(...this.fill(row, px, at));
      }
      if (row.status === 'accepted' && (req.timeInForce === 'ioc' || req.timeInForce === 'fok')) {
        row.status = 'canceled';
        row.reason = `${req.timeInForce} order could not fill immediately`;
        row.updatedAt = at;
        this.repo.updateOrder(row);
        updates.push({ kind: 'order', order: toBrokerOrder(row) });
      }
      return row;
    });
    this.emit(updates);
    return toBrokerOrder(result);
  }

  /** Fills the whole remaining quantity of `o` at `price`, updating cash and position. Inside a transaction. */
  private fill(o: PaperOrderRow, price: Decimal, at: string): OrderUpdate[] {
    const qty = new Decimal(o.quantity).minus(o.filledQuantity);
    const commission = new Decimal(this.config.commissionPerOrder);
    const signed = o.side === 'buy' ? qty : qty.neg();
    const acct = this.repo.account(this.id);
    const pos = this.repo.position(this.id, o.symbol);
    const cur = new Decimal(pos?.quantity ?? 0);
    const avg = new Decimal(pos?.averagePrice ?? 0);
    let realized = new Decimal(0);
    let nextQty = cur.plus(signed);
    let nextAvg = avg;
    if (cur.isZero() || cur.isNegative() === signed.isNegative()) {
      nextAvg = cur.abs().times(avg).plus(qty.times(price)).div(cur.abs().plus(qty));
    } else {
      const closing = Decimal.min(cur.abs(), qty);
      realized = closing.times(price.minus(avg)).times(cur.isNegative() ? -1 : 1);
      if (nextQty.isZero()) nextAvg = new Decimal(0);
      else if (nextQty.isNegative() !== cur.isNegative()) nextAvg = price; // flipped: the rest opened at this price
    }
    nextQty = nextQty.toDecimalPlaces(12);
    const cash = new Decimal(acct.cash).minus(signed.times(price)).minus(commission);
    this.repo.setAccount(this.id, cash.toString(), new Decimal(acct.realizedPnl).plus(realized).minus(commission).toString());
    this.repo.setPosition(this.id, { symbol: o.symbol, quantity: nextQty.toString(), averagePrice: nextAvg.toString(), lastPrice: price.toString() });
    const filled = new Decimal(o.filledQuantity).plus(qty);
    const prevAvg = new Decimal(o.averageFillPrice ?? 0);
    o.averageFillPrice = prevAvg.times(o.filledQuantity).plus(qty.times(price)).div(filled).toString();
    o.filledQuantity = filled.toString();
    o.status = 'filled';
    o.updatedAt = at;
    this.repo.updateOrder(o);
    const fill: Fill = {
      tradeId: `${o.brokerOrderId}-f${this.repo.nextSeq(this.id)}`,
      clientOrderId: o.clientOrderId,
      brokerOrderId: o.brokerOrderId,
      symbol: o.symbol,
      side: o.side,
      quantity: qty.toString(),
      price: price.toString(),
      commission: commission.toString(),
      time: at,
    };
    this.repo.insertFill({ accountId: this.id, ...fill, commission: fill.commission ?? '0' });
    return [{ kind: 'fill', fill, order: toBrokerOrder(o) }];
  }

  async cancel(clientOrderId: string): Promise<BrokerOrder> {
    const at = this.now();
    const row = this.repo.transaction(() => {
      const o = this.repo.order(this.id, clientOrderId);
      if (!o) throw new BrokerError('not_found', `no order with client order id ${clientOrderId}`);
      if (o.status !== 'accepted' && o.status !== 'partially_filled') {
        throw new BrokerError('rejected', `order ${clientOrderId} is ${o.status} and cannot be canceled`);
      }
      o.status = 'canceled';
      o.updatedAt = at;
      this.repo.updateOrder(o);
      return o;
    });
    this.emit([{ kind: 'order', order: toBrokerOrder(row) }]);
    return toBrokerOrder(row);
  }

  async cancelAll(symbol?: string): Promise<void> {
    for (const o of this.repo.openOrders(this.id, symbol)) await this.cancel(o.clientOrderId);
  }

  async orderByClientId(clientOrderId: string): Promise<BrokerOrder | undefined> {
    const o = this.repo.order(this.id, clientOrderId);
    return o && toBrokerOrder(o);
  }

  async openOrders(): Promise<BrokerOrder[]> {
    return this.repo.openOrders(this.id).map(toBrokerOrder);
  }

  async fillsSince(since: string): Promise<Fill[]> {
    return this.repo.fillsSince(this.id, since).map(({ accountId: _a, ...f }) => f);
  }

  async positions(): Promise<Position[]> {
    return this.repo.positions(this.id).map((p) => {
      const mark = p.lastPrice ?? p.averagePrice;
      return {
        symbol: p.symbol,
        quantity: p.quantity,
        averagePrice: p.averagePrice,
        marketPrice: mark,
        unrealizedPnl: new Decimal(mark).minus(p.averagePrice).times(p.quantity).toString(),
      };
    });
  }

  /** For the contract suite: how many orders the broker holds under one client order id. */
  orderCount(clientOrderId: string): number {
    return this.repo.countByClientId(this.id, clientOrderId);
  }

  private emit(updates: OrderUpdate[]): void {
    for (const u of updates) for (const l of this.listeners) l(u);
  }
}

function isPositive(v: string): boolean {
  try {
    const d = new Decimal(v);
    return d.isFinite() && d.greaterThan(0);
  } catch {
    return false;
  }
}

function validate(req: OrderRequest, caps: BrokerCapabilities): void {
  if (!caps.orderTypes.includes(req.type)) throw new BrokerError('invalid', `order type ${req.type} is not supported by the paper broker`);
  if (!isPositive(req.quantity)) throw new BrokerError('invalid', 'quantity must be positive');
  if (!caps.fractional && !new Decimal(req.quantity).isInteger()) throw new BrokerError('invalid', 'fractional quantities are not enabled for this paper account');
  if ((req.type === 'limit' || req.type === 'stop_limit') && !(req.limitPrice && isPositive(req.limitPrice))) throw new BrokerError('invalid', `${req.type} order needs a positive limit price`);
  if ((req.type === 'stop' || req.type === 'stop_limit') && !(req.stopPrice && isPositive(req.stopPrice))) throw new BrokerError('invalid', `${req.type} order needs a positive stop price`);
}

/** The price at which a resting order fills when the market trades at `px`, or undefined. */
function crossingPrice(o: PaperOrderRow, px: Decimal): Decimal | undefined {
  const buy = o.side === 'buy';
  const limit = o.limitPrice ? new Decimal(o.limitPrice) : undefined;
  const stop = o.stopPrice ? new Decimal(o.stopPrice) : undefined;
  const stopHit = stop ? (buy ? px.gte(stop) : px.lte(stop)) : false;
  const limitOk = limit ? (buy ? px.lte(limit) : px.gte(limit)) : false;
  switch (o.type) {
    case 'limit':
      return limitOk ? (buy ? Decimal.min(px, limit!) : Decimal.max(px, limit!)) : undefined;
    case 'stop':
      return stopHit ? px : undefined;
    case 'stop_limit':
      return stopHit && limitOk ? px : undefined;
    default:
      return undefined;
  }
}

function toBrokerOrder(o: PaperOrderRow): BrokerOrder {
  return {
    clientOrderId: o.clientOrderId,
    brokerOrderId: o.brokerOrderId,
    symbol: o.symbol,
    side: o.side,
    type: o.type as BrokerOrder['type'],
    quantity: o.quantity,
    filledQuantity: o.filledQuantity,
    averageFillPrice: o.averageFillPrice,
    status: o.status as OrderStatus,
    limitPrice: o.limitPrice,
    stopPrice: o.stopPrice,
    reason: o.reason,
    updatedAt: o.updatedAt,
  };
}
