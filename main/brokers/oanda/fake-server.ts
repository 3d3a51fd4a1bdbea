// A fake of the OANDA v20 REST API for tests: a real HTTP server on 127.0.0.1 that validates orders as v20
// documents (units precision and minimum, price / take-profit / stop-loss precision against the instrument,
// time in force per order type, a clientExtensions.id not held by another *pending* order), answers with
// orderCreateTransaction / orderFillTransaction / orderCancelTransaction (with reason) or 400
// {orderRejectTransaction, errorCode, errorMessage}, and serves the transactions stream as chunked JSON lines with
// HEARTBEATs. Fills open, reduce and close trades (FIFO, as on a non-hedging account). A fill that opens a trade
// from an order with takeProfitOnFill / stopLossOnFill / trailingStopLossOnFill creates the dependent
// TAKE_PROFIT / STOP_LOSS / TRAILING_STOP_LOSS orders (reason ON_FILL, tradeID, the details' clientExtensions);
// one whose price is reached fills and closes the trade, and the trade's other dependents are cancelled with
// LINKED_TRADE_CLOSED. Dependent orders carry no instrument or units, as in v20: they belong to their trade.
import express, { type Request, type Response } from 'express';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Decimal } from 'decimal.js';
import { FaultPlan, faultMiddleware, type RequestOp } from '../contract/faults.js';
import { closeNow, listenOnLoopback } from '../contract/loopback-server.js';

export interface FakeOandaOptions {
  token: string;
  accountId: string;
  balance?: string;
  heartbeatMs?: number;
}

interface Instrument {
  name: string;
  type: 'CURRENCY' | 'CFD' | 'METAL';
  displayPrecision: number;
  pipLocation: number;
  tradeUnitsPrecision: number;
  minimumTradeSize: string;
  maximumOrderUnits: string;
  marginRate: string;
}

type Txn = Record<string, unknown> & { id: string; time: string; type: string };

interface Ext {
  id?: string;
  tag?: string;
  comment?: string;
}

/** TakeProfitDetails / StopLossDetails / TrailingStopLossDetails as sent with an order. */
interface OnFill {
  price?: string;
  distance?: string;
  timeInForce?: string;
  clientExtensions?: Ext;
}

const DEPENDENT_TYPES = new Set(['TAKE_PROFIT', 'STOP_LOSS', 'TRAILING_STOP_LOSS']);
const ON_FILL = [
  ['takeProfitOnFill', 'TAKE_PROFIT'],
  ['stopLossOnFill', 'STOP_LOSS'],
  ['trailingStopLossOnFill', 'TRAILING_STOP_LOSS'],
] as const;

interface FakeOrder {
  id: string;
  createTime: string;
  state: 'PENDING' | 'FILLED' | 'TRIGGERED' | 'CANCELLED';
  type: string;
  /** For a dependent order: its trade's instrument, kept for the fake's own use (v20 does not show it). */
  instrument: string;
  /** For a dependent order: '0' (it closes whatever its trade holds; v20 does not show units). */
  units: string;
  timeInForce: string;
  price?: string;
  distance?: string;
  trailingStopValue?: string;
  positionFill?: string;
  clientExtensions?: Ext;
  tradeClientExtensions?: Ext;
  takeProfitOnFill?: OnFill;
  stopLossOnFill?: OnFill;
  trailingStopLossOnFill?: OnFill;
  tradeID?: string;
  clientTradeID?: string;
  reason?: string;
  filledTime?: string;
  fillingTransactionID?: string;
  tradeOpenedID?: string;
  tradeReducedID?: string;
  tradeClosedIDs?: string[];
  cancelledTime?: string;
  cancellingTransactionID?: string;
}

interface FakeTrade {
  id: string;
  instrument: string;
  price: string;
  openTime: string;
  state: 'OPEN' | 'CLOSED';
  initialUnits: string;
  currentUnits: Decimal;
  realizedPL: Decimal;
  closingTransactionIDs: string[];
  closeTime?: string;
  clientExtensions?: Ext;
  takeProfitOrderID?: string;
  stopLossOrderID?: string;
  trailingStopLossOrderID?: string;
}

const INSTRUMENTS: Instrument[] = [
  { name: 'EUR_USD', type: 'CURRENCY', displayPrecision: 5, pipLocation: -4, tradeUnitsPrecision: 0, minimumTradeSize: '1', maximumOrderUnits: '100000000', marginRate: '0.0333' },
  { name: 'USD_JPY', type: 'CURRENCY', displayPrecision: 3, pipLocation: -2, tradeUnitsPrecision: 0, minimumTradeSize: '1', maximumOrderUnits: '100000000', marginRate: '0.04' },
  { name: 'XAU_USD', type: 'METAL', displayPrecision: 3, pipLocation: -2, tradeUnitsPrecision: 0, minimumTradeSize: '1', maximumOrderUnits: '5000', marginRate: '0.05' },
  { name: 'US30_USD', type: 'CFD', displayPrecision: 1, pipLocation: 0, tradeUnitsPrecision: 1, minimumTradeSize: '0.1', maximumOrderUnits: '2000', marginRate: '0.05' },
];

/** The value of `units` of an instrument in the account's currency (USD): margin is counted in it. A USD-quoted
 *  instrument is worth units × price; USD_JPY's units are US dollars already. */
function usdValue(instrument: string, units: Decimal.Value, price: Decimal.Value): Decimal {
  const u = new Decimal(units).abs();
  return instrument.startsWith('USD_') ? u : u.mul(price);
}

const decimals = (v: string): number => (v.includes('.') ? v.split('.')[1]!.length : 0);
const NUMBER = /^-?\d+(\.\d+)?$/;

class Reject extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

export class FakeOanda {
  readonly faults = new FaultPlan();
  readonly orders = new Map<string, FakeOrder>();
  readonly trades = new Map<string, FakeTrade>();
  readonly transactions: Txn[] = [];
  readonly positions = new Map<string, { units: Decimal; cost: Decimal }>();
  readonly prices = new Map<string, string>([['EUR_USD', '1.10000'], ['USD_JPY', '150.000'], ['XAU_USD', '2000.000'], ['US30_USD', '38000.0']]);
  balance: Decimal;
  private server!: Server;
  private readonly streams = new Set<Response>();
  private readonly held = new Map<string, string[]>();
  private heartbeat: NodeJS.Timeout | undefined;
  private seq = 100;

  constructor(private readonly options: FakeOandaOptions) {
    this.balance = new Decimal(options.balance ?? '100000');
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async start(): Promise<this> {
    const app = express();
    app.use(express.json());
    app.use((req, res, next) => {
      if (req.get('authorization') !== `Bearer ${this.options.token}`) {
        res.status(401).json({ errorMessage: 'Insufficient authorization to perform request.' });
        return;
      }
      const m = /^\/v3\/accounts\/([^/]+)/.exec(req.path);
      if (m && m[1] !== this.options.accountId) {
        res.status(403).json({ errorMessage: 'The provided request was forbidden.' });
        return;
      }
      next();
    });
    app.use(faultMiddleware(this.faults, classify, { error: (res, status) => res.status(status).json(errorBody(status)) }));
    this.routes(app);
    this.server = createServer(app);
    await listenOnLoopback(this.server);
    this.heartbeat = setInterval(() => this.write({ type: 'HEARTBEAT', lastTransactionID: String(this.seq), time: new Date().toISOString() }), this.options.heartbeatMs ?? 5000);
    this.heartbeat.unref();
    return this;
  }

  async close(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const s of this.streams) s.destroy();
    await closeNow(this.server);
  }

  /** Open transaction-stream connections. */
  get streamCount(): number {
    return this.streams.size;
  }

  dropStreams(): void {
    for (const s of this.streams) s.destroy();
    this.streams.clear();
  }

  countByClientId(clientId: string): number {
    return [...this.orders.values()].filter((o) => o.clientExtensions?.id === clientId).length;
  }

  /** The orders holding this clientExtensions.id, oldest first (v20 lets a final order's id be used again). */
  ordersByClientId(clientId: string): FakeOrder[] {
    return [...this.orders.values()].filter((o) => o.clientExtensions?.id === clientId);
  }

  setPrice(instrument: string, price: string): void {
    this.prices.set(instrument, price);
    for (const order of [...this.orders.values()]) if (order.state === 'PENDING') this.tryFill(order);
  }

  // --- HTTP ---------------------------------------------------------------------------------------------
  private routes(app: express.Express): void {
    const acct = '/v3/accounts/:accountId';
    app.get(`${acct}/summary`, (_req, res) => res.json({ account: this.summary(), lastTransactionID: String(this.seq) }));
    app.get(acct, (_req, res) => res.json({ account: { ...this.summary(), orders: this.pending().map(orderView), positions: [] }, lastTransactionID: String(this.seq) }));
    app.get(`${acct}/instruments`, (req, res) => {
      const wanted = req.query.instruments ? String(req.query.instruments).split(',') : undefined;
      res.json({ instruments: INSTRUMENTS.filter((i) => !wanted || wanted.includes(i.name)), lastTransactionID: String(this.seq) });
    });
    app.post(`${acct}/orders`, (req, res) => this.create(req, res));
    app.get(`${acct}/orders/:spec`, (req, res) => {
      const order = this.find(String(req.params.spec));
      if (!order) {
        res.status(404).json({ errorMessage: 'The Order specified does not exist', lastTransactionID: String(this.seq) });
        return;
      }
      res.json({ order: orderView(order), lastTransactionID: String(this.seq) });
    });
    app.get(`${acct}/pendingOrders`, (_req, res) => res.json({ orders: this.pending().map(orderView), lastTransactionID: String(this.seq) }));
    app.get(`${acct}/openTrades`, (_req, res) => res.json({ trades: [...this.trades.values()].filter((t) => t.state === 'OPEN').reverse().map((t) => this.tradeView(t)), lastTransactionID: String(this.seq) }));
    app.get(`${acct}/trades/:spec`, (req, res) => {
      const trade = this.findTrade(String(req.params.spec));
      if (!trade) {
        res.status(404).json({ errorMessage: 'The Trade specified does not exist', lastTransactionID: String(this.seq) });
        return;
      }
      res.json({ trade: this.tradeView(trade), lastTransactionID: String(this.seq) });
    });
    app.put(`${acct}/orders/:spec/cancel`, (req, res) => {
      const order = this.find(String(req.params.spec));
      if (!order || order.state !== 'PENDING') {
        const reject = this.txn({ type: 'ORDER_CANCEL_REJECT', orderID: order?.id ?? '', rejectReason: 'ORDER_DOESNT_EXIST' }, false);
        res.status(404).json({ orderCancelRejectTransaction: reject, relatedTransactionIDs: [reject.id], lastTransactionID: String(this.seq), errorCode: 'ORDER_DOESNT_EXIST', errorMessage: 'The Order specified does not exist' });
        return;
      }
      const cancel = this.cancelOrder(order, 'CLIENT_REQUEST');
      res.json({ orderCancelTransaction: cancel, relatedTransactionIDs: [cancel.id], lastTransactionID: String(this.seq) });
    });
    app.get(`${acct}/openPositions`, (_req, res) => {
      const positions = [...this.positions.entries()]
        .filter(([, p]) => !p.units.isZero())
        .map(([instrument, p]) => {
          const avg = p.cost.div(p.units).toDecimalPlaces(5).toString();
          const upl = new Decimal(this.prices.get(instrument)!).minus(avg).mul(p.units).toDecimalPlaces(4).toString();
          const long = p.units.gt(0) ? { units: p.units.toString(), averagePrice: avg, unrealizedPL: upl } : { units: '0', unrealizedPL: '0' };
          const short = p.units.lt(0) ? { units: p.units.toString(), averagePrice: avg, unrealizedPL: upl } : { units: '0', unrealizedPL: '0' };
          return { instrument, long, short, unrealizedPL: upl, pl: '0' };
        });
      res.json({ positions, lastTransactionID: String(this.seq) });
    });
    app.get(`${acct}/transactions`, (req, res) => {
      const from = req.query.from ? Date.parse(String(req.query.from)) : 0;
      const type = req.query.type ? String(req.query.type).split(',') : undefined;
      const list = this.transactions.filter((t) => Date.parse(t.time) >= from && (!type || type.includes(t.type)));
      const pageSize = Number(req.query.pageSize ?? 100);
      const pages: string[] = [];
      for (let i = 0; i < list.length; i += pageSize) {
        const chunk = list.slice(i, i + pageSize);
        pages.push(`${this.baseUrl}/v3/accounts/${this.options.accountId}/transactions/idrange?from=${chunk[0]!.id}&to=${chunk.at(-1)!.id}${type ? `&type=${type.join(',')}` : ''}`);
      }
      res.json({ from: req.query.from, pageSize, count: list.length, pages, lastTransactionID: String(this.seq) });
    });
    app.get(`${acct}/transactions/idrange`, (req, res) => {
      const from = Number(req.query.from);
      const to = Number(req.query.to);
      const type = req.query.type ? String(req.query.type).split(',') : undefined;
      res.json({ transactions: this.transactions.filter((t) => Number(t.id) >= from && Number(t.id) <= to && (!type || type.includes(t.type))), lastTransactionID: String(this.seq) });
    });
    app.get(`${acct}/transactions/sinceid`, (req, res) => {
      const id = Number(req.query.id);
      res.json({ transactions: this.transactions.filter((t) => Number(t.id) > id), lastTransactionID: String(this.seq) });
    });
    app.get(`${acct}/transactions/stream`, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' });
      this.streams.add(res);
      res.on('close', () => this.streams.delete(res));
      res.write(`${JSON.stringify({ type: 'HEARTBEAT', lastTransactionID: String(this.seq), time: new Date().toISOString() })}\n`);
    });
    app.get(`${acct}/transactions/:id`, (req, res) => {
      const t = this.transactions.find((x) => x.id === String(req.params.id));
      if (!t) {
        res.status(404).json({ errorMessage: 'The Transaction specified does not exist' });
        return;
      }
      res.json({ transaction: t, lastTransactionID: String(this.seq) });
    });
  }

  private summary() {
    const upl = [...this.positions.entries()].reduce((s, [i, p]) => s.plus(new Decimal(this.prices.get(i)!).mul(p.units).minus(p.cost)), new Decimal(0));
    const used = this.marginUsed();
    const nav = this.balance.plus(upl);
    return {
      id: this.options.accountId, alias: 'Primary', currency: 'USD', balance: this.balance.toFixed(4), NAV: nav.toFixed(4), unrealizedPL: upl.toFixed(4),
      marginUsed: used.toFixed(4), marginAvailable: nav.minus(used).toFixed(4), openTradeCount: [...this.positions.values()].filter((p) => !p.units.isZero()).length,
      pendingOrderCount: this.pending().length, lastTransactionID: String(this.seq),
    };
  }

  private marginUsed(): Decimal {
    return [...this.positions.entries()].reduce((s, [i, p]) => s.plus(usdValue(i, p.units, this.prices.get(i)!).mul(INSTRUMENTS.find((x) => x.name === i)!.marginRate)), new Decimal(0));
  }

  private pending(): FakeOrder[] {
    return [...this.orders.values()].filter((o) => o.state === 'PENDING');
  }

  /** "@<client id>" names the pending order holding the id, else the latest one that held it. */
  private find(spec: string): FakeOrder | undefined {
    if (!spec.startsWith('@')) return this.orders.get(spec);
    const all = this.ordersByClientId(spec.slice(1));
    return all.find((o) => o.state === 'PENDING') ?? all.at(-1);
  }

  private pendingHolds(clientId: string): boolean {
    return [...this.orders.values()].some((o) => o.state === 'PENDING' && o.clientExtensions?.id === clientId);
  }

  private findTrade(spec: string): FakeTrade | undefined {
    if (!spec.startsWith('@')) return this.trades.get(spec);
    const all = [...this.trades.values()].filter((t) => t.clientExtensions?.id === spec.slice(1));
    return all.find((t) => t.state === 'OPEN') ?? all.at(-1);
  }

  private tradeView(t: FakeTrade): Record<string, unknown> {
    const dependent = (id: string | undefined) => {
      const o = id === undefined ? undefined : this.orders.get(id);
      return o ? orderView(o) : undefined;
    };
    const upl = t.state === 'OPEN' ? new Decimal(this.prices.get(t.instrument)!).minus(t.price).mul(t.currentUnits).toFixed(4) : '0.0000';
    return {
      id: t.id, instrument: t.instrument, price: t.price, openTime: t.openTime, state: t.state, initialUnits: t.initialUnits, currentUnits: t.currentUnits.toString(),
      realizedPL: t.realizedPL.toFixed(4), unrealizedPL: upl, financing: '0.0000', closingTransactionIDs: t.closingTransactionIDs, closeTime: t.closeTime, clientExtensions: t.clientExtensions,
      takeProfitOrder: dependent(t.takeProfitOrderID), stopLossOrder: dependent(t.stopLossOrderID), trailingStopLossOrder: dependent(t.trailingStopLossOrderID),
    };
  }

  private txn(fields: Record<string, unknown>, publish = true): Txn {
    this.seq += 1;
    const t: Txn = { id: String(this.seq), time: new Date().toISOString(), accountID: this.options.accountId, userID: 1, batchID: String(this.seq), ...fields } as unknown as Txn;
    this.transactions.push(t);
    if (publish) this.publish(t);
    return t;
  }

  private validate(body: Record<string, unknown>): { order: FakeOrder; instrument: Instrument } {
    const o = (body.order ?? {}) as Record<string, unknown>;
    const type = String(o.type ?? '');
    if (!['MARKET', 'LIMIT', 'STOP', 'MARKET_IF_TOUCHED'].includes(type)) throw new Reject('INVALID_ORDER_TYPE', "Invalid value specified for 'type'");
    const instrument = INSTRUMENTS.find((i) => i.name === o.instrument);
    if (!instrument) throw new Reject('INSTRUMENT_UNKNOWN', "Invalid value specified for 'instrument'");
    const units = String(o.units ?? '');
    if (!NUMBER.test(units)) throw new Reject('UNITS_INVALID', "Invalid value specified for 'units'");
    if (new Decimal(units).isZero()) throw new Reject('UNITS_INVALID', 'The units specified cannot be zero');
    if (decimals(units) > instrument.tradeUnitsPrecision) throw new Reject('UNITS_PRECISION_EXCEEDED', 'The units specified contain more precision than is allowed for the instrument');
    if (new Decimal(units).abs().lt(instrument.minimumTradeSize)) throw new Reject('UNITS_MINIMUM_NOT_MET', 'The units specified is less than the minimum trade size for the instrument');
    const tif = String(o.timeInForce ?? (type === 'MARKET' ? 'FOK' : 'GTC'));
    if (type === 'MARKET' && tif !== 'FOK' && tif !== 'IOC') throw new Reject('TIME_IN_FORCE_INVALID', 'The time in force specified is not valid for a Market Order');
    if (!['GTC', 'GTD', 'GFD', 'FOK', 'IOC'].includes(tif)) throw new Reject('TIME_IN_FORCE_INVALID', "Invalid value specified for 'timeInForce'");
    const price = o.price === undefined ? undefined : String(o.price);
    if (type !== 'MARKET') {
      if (price === undefined) throw new Reject('PRICE_MISSING', 'A price must be specified for this order type');
      if (!NUMBER.test(price) || new Decimal(price).lte(0)) throw new Reject('PRICE_INVALID', "Invalid value specified for 'price'");
      if (decimals(price) > instrument.displayPrecision) throw new Reject('PRICE_PRECISION_EXCEEDED', 'The price specified contains more precision than is allowed for the instrument');
    }
    const tp = o.takeProfitOnFill as OnFill | undefined;
    const sl = o.stopLossOnFill as OnFill | undefined;
    const ts = o.trailingStopLossOnFill as OnFill | undefined;
    if (tp && (typeof tp.price !== 'string' || decimals(tp.price) > instrument.displayPrecision)) throw new Reject('TAKE_PROFIT_ON_FILL_PRICE_PRECISION_EXCEEDED', 'The Take Profit on fill specifies a price with more precision than is allowed by the instrument');
    if (sl && sl.price !== undefined && (typeof sl.price !== 'string' || decimals(sl.price) > instrument.displayPrecision)) throw new Reject('STOP_LOSS_ON_FILL_PRICE_PRECISION_EXCEEDED', 'The Stop Loss on fill specifies a price with more precision than is allowed by the instrument');
    if (sl && sl.price === undefined && sl.distance === undefined) throw new Reject('STOP_LOSS_ON_FILL_PRICE_MISSING', 'The Stop Loss on fill needs a price or a distance');
    if (ts && typeof ts.distance !== 'string') throw new Reject('TRAILING_STOP_LOSS_ON_FILL_PRICE_DISTANCE_MISSING', 'The Trailing Stop Loss on fill needs a distance');
    const ext = o.clientExtensions as { id?: unknown; tag?: unknown; comment?: unknown } | undefined;
    const validId = (id: unknown): boolean => typeof id === 'string' && id.length > 0 && id.length <= 128;
    if (ext?.id !== undefined) {
      if (!validId(ext.id)) throw new Reject('CLIENT_ORDER_ID_INVALID', 'The client Order ID specified is invalid');
      // v20 refuses an id only while another *pending* order holds it; a filled or cancelled order's id is free.
      if (this.pendingHolds(String(ext.id))) throw new Reject('CLIENT_ORDER_ID_ALREADY_EXISTS', 'The client Order ID specified is already assigned to another pending Order');
    }
    const ids: string[] = ext?.id === undefined ? [] : [String(ext.id)];
    for (const [field, dependent] of ON_FILL) {
      const id = (o[field] as OnFill | undefined)?.clientExtensions?.id;
      if (id === undefined) continue;
      if (!validId(id)) throw new Reject(`${dependent}_ON_FILL_CLIENT_ORDER_ID_INVALID`, `The client Order ID specified for the ${dependent.toLowerCase().replaceAll('_', ' ')} on fill is invalid`);
      ids.push(id);
    }
    if (new Set(ids).size !== ids.length) throw new Reject('ORDERS_ON_FILL_DUPLICATE_CLIENT_ORDER_IDS', 'Multiple Orders on fill share the same client Order ID');
    const tradeExt = o.tradeClientExtensions as Ext | undefined;
    if (tradeExt?.id !== undefined && !validId(tradeExt.id)) throw new Reject('CLIENT_TRADE_ID_INVALID', 'The client Trade ID specified is invalid');
    const positionFill = String(o.positionFill ?? 'DEFAULT');
    if (!['DEFAULT', 'OPEN_ONLY', 'REDUCE_FIRST', 'REDUCE_ONLY'].includes(positionFill)) throw new Reject('POSITION_FILL_INVALID', "Invalid value specified for 'positionFill'");
    const order: FakeOrder = { id: '', createTime: '', state: 'PENDING', type, instrument: instrument.name, units: new Decimal(units).toString(), timeInForce: tif, positionFill };
    if (price !== undefined) order.price = price;
    if (ext?.id !== undefined) order.clientExtensions = { id: String(ext.id) };
    if (tradeExt?.id !== undefined) order.tradeClientExtensions = { id: tradeExt.id };
    const details = (d: OnFill): OnFill => {
      const out: OnFill = {};
      if (d.price !== undefined) out.price = String(d.price);
      if (d.distance !== undefined) out.distance = String(d.distance);
      if (d.timeInForce !== undefined) out.timeInForce = String(d.timeInForce);
      if (d.clientExtensions?.id !== undefined) out.clientExtensions = { id: d.clientExtensions.id };
      return out;
    };
    if (tp) order.takeProfitOnFill = details(tp);
    if (sl) order.stopLossOnFill = details(sl);
    if (ts) order.trailingStopLossOnFill = details(ts);
    return { order, instrument };
  }

  private create(req: Request, res: Response): void {
    let order: FakeOrder;
    try {
      order = this.validate(req.body as Record<string, unknown>).order;
    } catch (err) {
      if (!(err instanceof Reject)) throw err;
      const o = ((req.body as { order?: Record<string, unknown> }).order ?? {}) as Record<string, unknown>;
      const reject = this.txn({ type: `${String(o.type ?? 'MARKET')}_ORDER_REJECT`, instrument: o.instrument, units: o.units, rejectReason: err.reason }, false);
      res.status(400).json({ orderRejectTransaction: reject, relatedTransactionIDs: [reject.id], lastTransactionID: String(this.seq), errorCode: err.reason, errorMessage: err.message });
      return;
    }
    const created = this.txn({ type: `${order.type}_ORDER`, instrument: order.instrument, units: order.units, timeInForce: order.timeInForce, price: order.price, positionFill: order.positionFill, reason: 'CLIENT_ORDER', clientExtensions: order.clientExtensions, tradeClientExtensions: order.tradeClientExtensions, takeProfitOnFill: order.takeProfitOnFill, stopLossOnFill: order.stopLossOnFill, trailingStopLossOnFill: order.trailingStopLossOnFill });
    order.id = created.id;
    order.createTime = created.time;
    this.orders.set(order.id, order);
    const answer: Record<string, unknown> = { orderCreateTransaction: created };
    const results = this.tryFill(order);
    if (results.fill) answer.orderFillTransaction = results.fill;
    if (results.cancel) answer.orderCancelTransaction = results.cancel;
    answer.relatedTransactionIDs = this.transactions.filter((t) => Number(t.id) >= Number(created.id)).map((t) => t.id);
    answer.lastTransactionID = String(this.seq);
    res.status(201).json(answer);
  }

  private cancelOrder(order: FakeOrder, reason: string): Txn {
    const t = this.txn({ type: 'ORDER_CANCEL', orderID: order.id, clientOrderID: order.clientExtensions?.id, reason });
    order.state = 'CANCELLED';
    order.cancelledTime = t.time;
    order.cancellingTransactionID = t.id;
    this.unlink(order);
    this.flushHeld(order.id);
    return t;
  }

  /** A dependent order that is no longer pending is no longer its trade's take-profit / stop-loss. */
  private unlink(order: FakeOrder): void {
    const trade = order.tradeID === undefined ? undefined : this.trades.get(order.tradeID);
    if (!trade) return;
    if (trade.takeProfitOrderID === order.id) delete trade.takeProfitOrderID;
    if (trade.stopLossOrderID === order.id) delete trade.stopLossOrderID;
    if (trade.trailingStopLossOrderID === order.id) delete trade.trailingStopLossOrderID;
  }

  /** Fills a marketable order; a market order that cannot fill is cancelled with a reason, as v20 does. */
  private tryFill(order: FakeOrder): { fill?: Txn; cancel?: Txn } {
    if (DEPENDENT_TYPES.has(order.type)) return this.tryFillDependent(order);
    const price = new Decimal(this.prices.get(order.instrument)!);
    const units = new Decimal(order.units);
    const long = units.gt(0);
    if (order.type !== 'MARKET') {
      const limit = new Decimal(order.price!);
      const crossed = order.type === 'LIMIT' || order.type === 'MARKET_IF_TOUCHED' ? (long ? price.lte(limit) : price.gte(limit)) : long ? price.gte(limit) : price.lte(limit);
      if (!crossed) return {};
    }
    const instrument = INSTRUMENTS.find((i) => i.name === order.instrument)!;
    const current = this.positions.get(order.instrument)?.units ?? new Decimal(0);
    if (order.positionFill === 'REDUCE_ONLY' && (current.isZero() || current.gt(0) === long)) return { cancel: this.cancelOrder(order, 'REDUCE_ONLY_NOT_REDUCING') };
    const addsExposure = current.isZero() || current.gt(0) === long;
    if (addsExposure && usdValue(instrument.name, units, price).mul(instrument.marginRate).gt(this.balance.minus(this.marginUsed()))) return { cancel: this.cancelOrder(order, 'INSUFFICIENT_MARGIN') };
    if (order.takeProfitOnFill?.price !== undefined && (long ? new Decimal(order.takeProfitOnFill.price).lte(price) : new Decimal(order.takeProfitOnFill.price).gte(price))) return { cancel: this.cancelOrder(order, 'TAKE_PROFIT_ON_FILL_LOSS') };
    if (order.stopLossOnFill?.price !== undefined && (long ? new Decimal(order.stopLossOnFill.price).gte(price) : new Decimal(order.stopLossOnFill.price).lte(price))) return { cancel: this.cancelOrder(order, 'STOP_LOSS_ON_FILL_LOSS') };
    // The dependents' client ids must be free when they are created (checked at the fill, as v20 does).
    for (const [field, dependent] of ON_FILL) {
      const id = order[field]?.clientExtensions?.id;
      if (id !== undefined && this.pendingHolds(id)) return { cancel: this.cancelOrder(order, `${dependent}_ON_FILL_CLIENT_ORDER_ID_ALREADY_EXISTS`) };
    }
    const tradeId = order.tradeClientExtensions?.id;
    if (tradeId !== undefined && [...this.trades.values()].some((t) => t.state === 'OPEN' && t.clientExtensions?.id === tradeId)) return { cancel: this.cancelOrder(order, 'CLIENT_TRADE_ID_ALREADY_EXISTS') };
    const fillPrice = order.type === 'LIMIT' ? (long ? Decimal.min(price, order.price!) : Decimal.max(price, order.price!)) : price;
    // Split fills (a fault for the contract suite) only for orders without dependents: each part would open its
    // own trade, and two sets of dependents cannot share one set of client ids.
    const hasDependents = ON_FILL.some(([field]) => order[field] !== undefined);
    const parts = this.faults.partialFills && order.type === 'MARKET' && units.abs().gt(1) && !hasDependents ? [units.div(2).trunc(), units.minus(units.div(2).trunc())] : [units];
    let first: Txn | undefined;
    for (const part of parts) {
      const fill = this.book(order, part, fillPrice);
      first ??= fill;
    }
    order.state = 'FILLED';
    this.flushHeld(order.id);
    return { fill: first! };
  }

  /** A take-profit, stop-loss or trailing stop-loss closes its whole trade once the price reaches it. */
  private tryFillDependent(order: FakeOrder): { fill?: Txn } {
    const trade = this.trades.get(order.tradeID ?? '');
    if (!trade || trade.state !== 'OPEN') return {};
    const price = new Decimal(this.prices.get(trade.instrument)!);
    const long = trade.currentUnits.gt(0);
    let reached: boolean;
    if (order.type === 'TRAILING_STOP_LOSS') {
      // The trigger follows the market by `distance` in the trade's favour and never moves back.
      const distance = new Decimal(order.distance!);
      const follow = long ? price.minus(distance) : price.plus(distance);
      const value = new Decimal(order.trailingStopValue ?? follow);
      const next = long ? Decimal.max(value, follow) : Decimal.min(value, follow);
      order.trailingStopValue = next.toString();
      reached = long ? price.lte(next) : price.gte(next);
    } else {
      const level = new Decimal(order.price!);
      reached = order.type === 'TAKE_PROFIT' ? (long ? price.gte(level) : price.lte(level)) : long ? price.lte(level) : price.gte(level);
    }
    if (!reached) return {};
    const fill = this.book(order, trade.currentUnits.neg(), price, trade);
    order.state = 'FILLED';
    this.unlink(order);
    this.flushHeld(order.id);
    return { fill };
  }

  /**
   * Books one fill of `units` at `price`: closes or reduces the open trades on the other side first (oldest
   * first; only `only` for a dependent order), opens a trade with what is left, writes the ORDER_FILL, then
   * cancels the dependents of every trade it closed (LINKED_TRADE_CLOSED) and creates the new trade's dependents.
   */
  private book(order: FakeOrder, units: Decimal, price: Decimal, only?: FakeTrade): Txn {
    const fillId = String(this.seq + 1); // the ORDER_FILL written below; v20 names the trade it opens after it
    const against = only ? [only] : [...this.trades.values()].filter((t) => t.state === 'OPEN' && t.instrument === order.instrument && t.currentUnits.isNeg() !== units.isNeg());
    const closed: Record<string, string>[] = [];
    let reduced: Record<string, string> | undefined;
    const closing: { trade: FakeTrade; units: Decimal; pl: Decimal }[] = [];
    let left = units;
    for (const trade of against) {
      if (left.isZero()) break;
      const take = Decimal.min(left.abs(), trade.currentUnits.abs());
      const signed = trade.currentUnits.isNeg() ? take : take.neg(); // the fill's units against this trade
      const pl = price.minus(trade.price).mul(signed.neg());
      const entry = { tradeID: trade.id, units: signed.toString(), price: price.toString(), realizedPL: pl.toFixed(4), financing: '0.0000' };
      if (take.eq(trade.currentUnits.abs())) closed.push(entry);
      else reduced = entry;
      closing.push({ trade, units: signed, pl });
      left = left.minus(signed);
    }
    const opens = !only && !left.isZero();
    const pl = closing.reduce((s, c) => s.plus(c.pl), new Decimal(0));
    const fields: Record<string, unknown> = {
      type: 'ORDER_FILL', orderID: order.id, clientOrderID: order.clientExtensions?.id, instrument: order.instrument, units: units.toString(), price: price.toString(), fullVWAP: price.toString(),
      reason: `${order.type}_ORDER`, pl: pl.toFixed(4), financing: '0.0000', commission: '0.0000', accountBalance: this.balance.plus(pl).toFixed(4),
    };
    if (opens) fields.tradeOpened = { tradeID: fillId, units: left.toString(), price: price.toString(), clientExtensions: order.tradeClientExtensions };
    if (closed.length) fields.tradesClosed = closed;
    if (reduced) fields.tradeReduced = reduced;
    const fill = this.txn(fields);
    this.applyFill(order.instrument, units, price);
    order.fillingTransactionID = fill.id;
    order.filledTime = fill.time;
    if (closed.length) order.tradeClosedIDs = closed.map((c) => c.tradeID!);
    if (reduced) order.tradeReducedID = reduced.tradeID;
    for (const c of closing) {
      c.trade.currentUnits = c.trade.currentUnits.plus(c.units);
      c.trade.realizedPL = c.trade.realizedPL.plus(c.pl);
      c.trade.closingTransactionIDs.push(fill.id);
      if (c.trade.currentUnits.isZero()) {
        c.trade.state = 'CLOSED';
        c.trade.closeTime = fill.time;
        for (const o of [...this.orders.values()]) if (o.state === 'PENDING' && o.tradeID === c.trade.id && o !== order) this.cancelOrder(o, 'LINKED_TRADE_CLOSED');
      }
    }
    if (opens) {
      const trade: FakeTrade = { id: fill.id, instrument: order.instrument, price: price.toString(), openTime: fill.time, state: 'OPEN', initialUnits: left.toString(), currentUnits: left, realizedPL: new Decimal(0), closingTransactionIDs: [] };
      if (order.tradeClientExtensions) trade.clientExtensions = { ...order.tradeClientExtensions };
      this.trades.set(trade.id, trade);
      order.tradeOpenedID = trade.id;
      this.createDependents(order, trade, fill);
    }
    return fill;
  }

  /** The orders v20 creates from an order's *OnFill details when its fill opens a trade. */
  private createDependents(order: FakeOrder, trade: FakeTrade, fill: Txn): void {
    const instrument = INSTRUMENTS.find((i) => i.name === trade.instrument)!;
    const long = new Decimal(trade.initialUnits).gt(0);
    const open = new Decimal(trade.price);
    const at = (sign: 1 | -1, distance: string) => open.plus(new Decimal(distance).mul(sign)).toDecimalPlaces(instrument.displayPrecision).toString();
    for (const [field, type] of ON_FILL) {
      const d = order[field];
      if (!d) continue;
      const fields: Record<string, unknown> = { type: `${type}_ORDER`, tradeID: trade.id, clientTradeID: trade.clientExtensions?.id, timeInForce: d.timeInForce ?? 'GTC', triggerCondition: 'DEFAULT', reason: 'ON_FILL', clientExtensions: d.clientExtensions, orderFillTransactionID: fill.id };
      const dependent: FakeOrder = { id: '', createTime: '', state: 'PENDING', type, instrument: trade.instrument, units: '0', timeInForce: String(fields.timeInForce), tradeID: trade.id, reason: 'ON_FILL' };
      if (type === 'TRAILING_STOP_LOSS') {
        fields.distance = d.distance;
        dependent.distance = d.distance!;
        dependent.trailingStopValue = at(long ? -1 : 1, d.distance!);
      } else {
        // A take-profit sits on the trade's winning side, a stop-loss on its losing side.
        const price = d.price ?? at((type === 'TAKE_PROFIT') === long ? 1 : -1, d.distance!);
        fields.price = price;
        dependent.price = price;
        if (d.distance !== undefined) fields.distance = d.distance;
      }
      const t = this.txn(fields);
      dependent.id = t.id;
      dependent.createTime = t.time;
      if (d.clientExtensions) dependent.clientExtensions = { ...d.clientExtensions };
      if (trade.clientExtensions?.id !== undefined) dependent.clientTradeID = trade.clientExtensions.id;
      this.orders.set(dependent.id, dependent);
      if (type === 'TAKE_PROFIT') trade.takeProfitOrderID = dependent.id;
      else if (type === 'STOP_LOSS') trade.stopLossOrderID = dependent.id;
      else trade.trailingStopLossOrderID = dependent.id;
    }
  }

  private applyFill(instrument: string, units: Decimal, price: Decimal): void {
    const pos = this.positions.get(instrument) ?? { units: new Decimal(0), cost: new Decimal(0) };
    const next = pos.units.plus(units);
    const reducing = !pos.units.isZero() && pos.units.isNeg() !== units.isNeg();
    if (reducing) {
      const avg = pos.cost.div(pos.units);
      this.balance = this.balance.plus(price.minus(avg).mul(units.neg()));
      pos.cost = next.isZero() ? new Decimal(0) : avg.mul(next);
    } else pos.cost = pos.cost.plus(price.mul(units));
    pos.units = next;
    this.positions.set(instrument, pos);
  }

  // --- stream -------------------------------------------------------------------------------------------
  private write(obj: unknown): void {
    const line = `${JSON.stringify(obj)}\n`;
    for (const s of this.streams) s.write(line);
  }

  private publish(t: Txn): void {
    const line = JSON.stringify(t);
    const copies = this.faults.duplicateUpdates ? [line, line] : [line];
    if (this.faults.outOfOrderUpdates && t.type.endsWith('_ORDER')) {
      this.held.set(t.id, copies);
      return;
    }
    setImmediate(() => {
      for (const c of copies) for (const s of this.streams) s.write(`${c}\n`);
    });
  }

  /** Releases an order's held create transaction after its fill (out-of-order delivery). */
  private flushHeld(orderId: string): void {
    const held = this.held.get(orderId);
    if (!held) return;
    this.held.delete(orderId);
    setImmediate(() => {
      for (const c of held) for (const s of this.streams) s.write(`${c}\n`);
    });
  }
}

/** An order as v20 shows it: a dependent order names its trade, not an instrument or units. */
function orderView(o: FakeOrder): Record<string, unknown> {
  const { instrument, units, positionFill, ...rest } = o;
  return DEPENDENT_TYPES.has(o.type) ? rest : { ...rest, instrument, units, positionFill };
}

function classify(req: Request): RequestOp {
  if (req.method === 'POST' && req.path.endsWith('/orders')) return 'submit';
  if (req.method === 'PUT' && req.path.endsWith('/cancel')) return 'cancel';
  if (/\/v3\/accounts\/[^/]+(\/summary)?$/.test(req.path)) return 'account';
  return 'query';
}

function errorBody(status: number): { errorMessage: string } {
  if (status === 429) return { errorMessage: 'Requests are being rate limited' };
  if (status === 401) return { errorMessage: 'Insufficient authorization to perform request.' };
  return { errorMessage: 'An unexpected error occurred' };
}
