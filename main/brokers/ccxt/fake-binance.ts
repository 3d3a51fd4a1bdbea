// A fake of the Binance spot REST API (the endpoints CCXT's binance class calls for loadMarkets, createOrder,
// fetchOrder, fetchOpenOrders, cancelOrder, cancelAllOrders, fetchMyTrades, fetchBalance, fetchTicker).
// It requires X-MBX-APIKEY, checks the HMAC-SHA256 signature, validates LOT_SIZE / PRICE_FILTER / NOTIONAL
// filters and balances, numbers trades per symbol, refuses a newClientOrderId already used by an open order, and answers errors as
// Binance does: HTTP 400/401/429/5xx with {code, msg}.
import express, { type Request, type Response } from 'express';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Decimal } from 'decimal.js';
import { FaultPlan, faultMiddleware, type RequestOp } from '../contract/faults.js';
import { closeNow, listenOnLoopback } from '../contract/loopback-server.js';
import { split } from './fake-okx.js';

export interface FakeBinanceOptions {
  apiKey: string;
  secret: string;
  balances?: Record<string, string>;
  /** false: a key without "Enable Spot & Margin Trading", which reads the account but every order request is
   *  refused with -2015 (Invalid API-key, IP, or permissions for action.). */
  canTrade?: boolean;
}

interface SymbolInfo {
  symbol: string;
  baseAsset: string;
  quoteAsset: string;
  tickSize: string;
  stepSize: string;
  minQty: string;
  minNotional: string;
}

interface BOrder {
  symbol: string;
  orderId: number;
  orderListId: number;
  clientOrderId: string;
  price: string;
  origQty: string;
  executedQty: string;
  cummulativeQuoteQty: string;
  status: 'NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'REJECTED' | 'EXPIRED';
  timeInForce: string;
  type: string;
  side: 'BUY' | 'SELL';
  stopPrice: string;
  icebergQty: string;
  time: number;
  updateTime: number;
  isWorking: boolean;
  workingTime: number;
  origQuoteOrderQty: string;
  selfTradePreventionMode: string;
}

interface BTrade {
  symbol: string;
  id: number;
  orderId: number;
  orderListId: number;
  price: string;
  qty: string;
  quoteQty: string;
  commission: string;
  commissionAsset: string;
  time: number;
  isBuyer: boolean;
  isMaker: boolean;
  isBestMatch: boolean;
}

const SYMBOLS: SymbolInfo[] = [
  { symbol: 'BTCUSDT', baseAsset: 'BTC', quoteAsset: 'USDT', tickSize: '0.01000000', stepSize: '0.00001000', minQty: '0.00001000', minNotional: '5.00000000' },
  { symbol: 'ETHUSDT', baseAsset: 'ETH', quoteAsset: 'USDT', tickSize: '0.01000000', stepSize: '0.00010000', minQty: '0.00010000', minNotional: '5.00000000' },
];

class BinanceError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    msg: string,
  ) {
    super(msg);
  }
}

const onStep = (v: string, step: string): boolean => new Decimal(v).mod(step).isZero();
const fmt8 = (d: Decimal): string => d.toFixed(8);

export class FakeBinance {
  readonly faults = new FaultPlan();
  readonly orders: BOrder[] = [];
  readonly trades: BTrade[] = [];
  readonly prices = new Map<string, string>([['BTCUSDT', '30000.00'], ['ETHUSDT', '2000.00']]);
  readonly balances = new Map<string, { free: Decimal; locked: Decimal }>();
  /** Paths the fake was asked for, to prove which endpoints CCXT used. */
  readonly calls: string[] = [];
  /** How far the fake's clock is ahead of this machine's (negative: behind), for the recvWindow check. */
  clockOffsetMs = 0;
  /** How many trades a market order fills in (one per resting order it meets in the book). */
  fillsPerMarketOrder = 1;
  private server!: Server;
  private nextOrderId = 1000;
  /** Binance numbers trades per symbol: the first BTCUSDT and the first ETHUSDT trade share an id. */
  private readonly nextTradeId = new Map<string, number>();
  private clock = 0;

  constructor(private readonly options: FakeBinanceOptions) {
    for (const [asset, amount] of Object.entries(options.balances ?? { USDT: '100000', BTC: '0', ETH: '0' })) this.balances.set(asset, { free: new Decimal(amount), locked: new Decimal(0) });
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async start(): Promise<this> {
    const app = express();
    app.use(express.text({ type: 'application/x-www-form-urlencoded' }));
    app.use((req, _res, next) => {
      this.calls.push(`${req.method} ${req.path}`);
      next();
    });
    app.use(faultMiddleware(this.faults, classify, { error: (res, status) => res.status(status).json(errorBody(status)) }));
    this.routes(app);
    this.server = createServer(app);
    await listenOnLoopback(this.server);
    return this;
  }

  async close(): Promise<void> {
    await closeNow(this.server);
  }

  countByClientId(clientOrderId: string): number {
    return this.orders.filter((o) => o.clientOrderId === clientOrderId).length;
  }

  setPrice(symbol: string, price: string): void {
    const id = symbol.replace('/', '');
    this.prices.set(id, price);
    for (const o of this.orders) if (o.symbol === id && (o.status === 'NEW' || o.status === 'PARTIALLY_FILLED')) this.tryFill(o);
  }

  /** Strictly increasing millisecond times, so "since" filters are exact. */
  private now(): number {
    this.clock = Math.max(this.clock + 1, Date.now());
    return this.clock;
  }

  // --- auth ---------------------------------------------------------------------------------------------
  /** Signed endpoints: X-MBX-APIKEY and an HMAC-SHA256 over the query (GET/DELETE) or body (POST). */
  private signed(req: Request): URLSearchParams {
    if (req.get('X-MBX-APIKEY') !== this.options.apiKey) throw new BinanceError(401, -2015, 'Invalid API-key, IP, or permissions for action.');
    const raw = req.method === 'POST' ? String(typeof req.body === 'string' ? req.body : '') : (req.originalUrl.split('?')[1] ?? '');
    const at = raw.lastIndexOf('&signature=');
    if (at < 0) throw new BinanceError(400, -1102, "Mandatory parameter 'signature' was not sent, was empty/null, or malformed.");
    const payload = raw.slice(0, at);
    const given = Buffer.from(raw.slice(at + '&signature='.length), 'utf8');
    const expected = Buffer.from(createHmac('sha256', this.options.secret).update(payload).digest('hex'), 'utf8');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new BinanceError(400, -1022, 'Signature for this request is not valid.');
    const q = new URLSearchParams(payload);
    // "Timing security": a request is processed only if timestamp < serverTime + 1 s and serverTime - timestamp <=
    // recvWindow (default 5000 ms); otherwise it is rejected with -1021 before it reaches the matching engine.
    const serverTime = Date.now() + this.clockOffsetMs;
    const timestamp = Number(q.get('timestamp'));
    const recvWindow = Number(q.get('recvWindow') ?? 5000);
    if (!(timestamp < serverTime + 1000)) throw new BinanceError(400, -1021, "Timestamp for this request was 1000ms ahead of the server's time.");
    if (!(serverTime - timestamp <= recvWindow)) throw new BinanceError(400, -1021, 'Timestamp for this request is outside of the recvWindow.');
    return q;
  }

  // --- HTTP ---------------------------------------------------------------------------------------------
  private routes(app: express.Express): void {
    const wrap = (fn: (req: Request, res: Response) => void) => (req: Request, res: Response) => {
      try {
        fn(req, res);
      } catch (err) {
        if (err instanceof BinanceError) res.status(err.status).json({ code: err.code, msg: err.message });
        else res.status(500).json({ code: -1000, msg: 'An unknown error occurred while processing the request.' });
      }
    };
    app.get('/api/v3/ping', (_req, res) => res.json({}));
    app.get('/api/v3/time', (_req, res) => res.json({ serverTime: Date.now() }));
    app.get('/api/v3/exchangeInfo', (_req, res) => res.json(this.exchangeInfo()));
    app.get('/api/v3/ticker/24hr', wrap((req, res) => {
      const symbol = String(req.query.symbol ?? '');
      const price = this.prices.get(symbol);
      if (!price) throw new BinanceError(400, -1121, 'Invalid symbol.');
      res.json({ symbol, priceChange: '0', priceChangePercent: '0', weightedAvgPrice: price, lastPrice: price, bidPrice: price, askPrice: price, openPrice: price, highPrice: price, lowPrice: price, volume: '0', quoteVolume: '0', openTime: Date.now() - 86_400_000, closeTime: Date.now(), count: 0 });
    }));
    app.get('/api/v3/account', wrap((req, res) => {
      this.signed(req);
      res.json({
        makerCommission: 10, takerCommission: 10, canTrade: this.options.canTrade !== false, canWithdraw: true, canDeposit: true, updateTime: Date.now(), accountType: 'SPOT',
        balances: [...this.balances.entries()].map(([asset, b]) => ({ asset, free: fmt8(b.free), locked: fmt8(b.locked) })), permissions: ['SPOT'], uid: 1,
      });
    }));
    app.post('/api/v3/order', wrap((req, res) => {
      const q = this.signed(req);
      if (this.options.canTrade === false) throw new BinanceError(401, -2015, 'Invalid API-key, IP, or permissions for action.');
      res.json(this.create(q));
    }));
    app.get('/api/v3/order', wrap((req, res) => res.json(this.find(this.signed(req)))));
    app.delete('/api/v3/order', wrap((req, res) => {
      const order = this.find(this.signed(req), -2011, 'Unknown order sent.');
      if (order.status !== 'NEW' && order.status !== 'PARTIALLY_FILLED') throw new BinanceError(400, -2011, 'Unknown order sent.');
      this.cancel(order);
      res.json({ ...order, origClientOrderId: order.clientOrderId, transactTime: Date.now() });
    }));
    app.get('/api/v3/openOrders', wrap((req, res) => {
      const q = this.signed(req);
      const symbol = q.get('symbol');
      res.json(this.orders.filter((o) => (o.status === 'NEW' || o.status === 'PARTIALLY_FILLED') && (!symbol || o.symbol === symbol)));
    }));
    app.delete('/api/v3/openOrders', wrap((req, res) => {
      const q = this.signed(req);
      const symbol = q.get('symbol');
      if (!symbol) throw new BinanceError(400, -1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.");
      const open = this.orders.filter((o) => o.symbol === symbol && (o.status === 'NEW' || o.status === 'PARTIALLY_FILLED'));
      if (open.length === 0) throw new BinanceError(400, -2011, 'Unknown order sent.');
      for (const o of open) this.cancel(o);
      res.json(open.map((o) => ({ ...o, origClientOrderId: o.clientOrderId })));
    }));
    app.get('/api/v3/myTrades', wrap((req, res) => {
      const q = this.signed(req);
      const symbol = q.get('symbol');
      if (!symbol) throw new BinanceError(400, -1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.");
      const start = Number(q.get('startTime') ?? 0);
      const orderId = q.get('orderId');
      const limit = Math.min(Number(q.get('limit') ?? 500), 1000);
      res.json(this.trades.filter((t) => t.symbol === symbol && t.time >= start && (!orderId || String(t.orderId) === orderId)).slice(0, limit));
    }));
  }

  private exchangeInfo() {
    return {
      timezone: 'UTC', serverTime: Date.now(), rateLimits: [{ rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 }], exchangeFilters: [],
      symbols: SYMBOLS.map((s) => ({
        symbol: s.symbol, status: 'TRADING', baseAsset: s.baseAsset, baseAssetPrecision: 8, quoteAsset: s.quoteAsset, quotePrecision: 8, quoteAssetPrecision: 8,
        baseCommissionPrecision: 8, quoteCommissionPrecision: 8, orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET', 'STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT'],
        icebergAllowed: true, ocoAllowed: true, otoAllowed: true, quoteOrderQtyMarketAllowed: true, allowTrailingStop: true, cancelReplaceAllowed: true,
        isSpotTradingAllowed: true, isMarginTradingAllowed: false,
        filters: [
          { filterType: 'PRICE_FILTER', minPrice: s.tickSize, maxPrice: '1000000.00000000', tickSize: s.tickSize },
          { filterType: 'LOT_SIZE', minQty: s.minQty, maxQty: '9000.00000000', stepSize: s.stepSize },
          { filterType: 'NOTIONAL', minNotional: s.minNotional, applyMinToMarket: true, maxNotional: '9000000.00000000', applyMaxToMarket: false, avgPriceMins: 5 },
        ],
        permissions: [], permissionSets: [['SPOT']], defaultSelfTradePreventionMode: 'EXPIRE_MAKER', allowedSelfTradePreventionModes: ['EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'],
      })),
    };
  }

  private find(q: URLSearchParams, code = -2013, msg = 'Order does not exist.'): BOrder {
    const symbol = q.get('symbol');
    if (!symbol) throw new BinanceError(400, -1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.");
    const orderId = q.get('orderId');
    const clientId = q.get('origClientOrderId');
    // A reused client id (allowed once the first order closed) resolves to the newest order, as on Binance.
    const order = [...this.orders].reverse().find((o) => o.symbol === symbol && (orderId ? String(o.orderId) === orderId : o.clientOrderId === clientId));
    if (!order) throw new BinanceError(400, code, msg);
    return order;
  }

  private create(q: URLSearchParams): Record<string, unknown> {
    const info = SYMBOLS.find((s) => s.symbol === q.get('symbol'));
    if (!info) throw new BinanceError(400, -1121, 'Invalid symbol.');
    const side = q.get('side');
    const type = q.get('type');
    if (side !== 'BUY' && side !== 'SELL') throw new BinanceError(400, -1102, "Mandatory parameter 'side' was not sent, was empty/null, or malformed.");
    if (!['MARKET', 'LIMIT', 'LIMIT_MAKER', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT_LIMIT'].includes(type ?? '')) throw new BinanceError(400, -1116, 'Invalid orderType.');
    const quantity = q.get('quantity');
    if (!quantity) throw new BinanceError(400, -1102, "Mandatory parameter 'quantity' was not sent, was empty/null, or malformed.");
    if (new Decimal(quantity).lt(info.minQty) || !onStep(quantity, info.stepSize)) throw new BinanceError(400, -1013, 'Filter failure: LOT_SIZE');
    const price = q.get('price');
    if (type !== 'MARKET') {
      if (!price) throw new BinanceError(400, -1102, "Mandatory parameter 'price' was not sent, was empty/null, or malformed.");
      if (!onStep(price, info.tickSize)) throw new BinanceError(400, -1013, 'Filter failure: PRICE_FILTER');
      if (type !== 'LIMIT_MAKER' && !q.get('timeInForce')) throw new BinanceError(400, -1102, "Mandatory parameter 'timeInForce' was not sent, was empty/null, or malformed.");
      if (q.get('timeInForce') && !['GTC', 'IOC', 'FOK'].includes(q.get('timeInForce')!)) throw new BinanceError(400, -1115, 'Invalid timeInForce.');
    } else if (price) {
      throw new BinanceError(400, -1106, "Parameter 'price' sent when not required.");
    }
    const last = new Decimal(this.prices.get(info.symbol)!);
    const trigger = stopKind(type!);
    const stopPrice = q.get('stopPrice');
    if (trigger) {
      if (!stopPrice) throw new BinanceError(400, -1102, "Mandatory parameter 'stopPrice' was not sent, was empty/null, or malformed.");
      if (!onStep(stopPrice, info.tickSize)) throw new BinanceError(400, -1013, 'Filter failure: PRICE_FILTER');
      // "Trigger order price rules against market price": above the market for STOP_LOSS BUY and TAKE_PROFIT SELL,
      // below it for STOP_LOSS SELL and TAKE_PROFIT BUY.
      const above = (trigger === 'stop') === (side === 'BUY');
      if (above ? !new Decimal(stopPrice).gt(last) : !new Decimal(stopPrice).lt(last)) throw new BinanceError(400, -2010, 'Order would trigger immediately.');
    }
    const ref = price ? new Decimal(price) : last;
    if (ref.mul(quantity).lt(info.minNotional)) throw new BinanceError(400, -1013, 'Filter failure: NOTIONAL');
    const clientOrderId = q.get('newClientOrderId') ?? `web_${Math.random().toString(36).slice(2)}`;
    if (!/^[.A-Z:/a-z0-9_-]{1,36}$/.test(clientOrderId)) throw new BinanceError(400, -1100, "Illegal characters found in parameter 'newClientOrderId'; legal range is '^[\\.A-Z\\:/a-z0-9_-]{1,36}$'.");
    if (this.orders.some((o) => o.clientOrderId === clientOrderId && (o.status === 'NEW' || o.status === 'PARTIALLY_FILLED'))) throw new BinanceError(400, -2010, 'Duplicate order sent.');
    const base = this.balance(info.baseAsset);
    const quote = this.balance(info.quoteAsset);
    if (side === 'BUY' && quote.free.lt(ref.mul(quantity))) throw new BinanceError(400, -2010, 'Account has insufficient balance for requested action.');
    if (side === 'SELL' && base.free.lt(quantity)) throw new BinanceError(400, -2010, 'Account has insufficient balance for requested action.');
    const t = this.now();
    const order: BOrder = {
      symbol: info.symbol, orderId: this.nextOrderId++, orderListId: -1, clientOrderId, price: price ? fmt8(new Decimal(price)) : '0.00000000', origQty: fmt8(new Decimal(quantity)),
      executedQty: '0.00000000', cummulativeQuoteQty: '0.00000000', status: 'NEW', timeInForce: q.get('timeInForce') ?? 'GTC', type: type!, side, stopPrice: fmt8(new Decimal(stopPrice ?? 0)), icebergQty: '0.00000000',
      time: t, updateTime: t, isWorking: !trigger, workingTime: trigger ? -1 : t, origQuoteOrderQty: '0.00000000', selfTradePreventionMode: 'EXPIRE_MAKER',
    };
    this.orders.push(order);
    // Lock what a resting order needs.
    if (side === 'BUY') {
      quote.free = quote.free.minus(ref.mul(quantity));
      quote.locked = quote.locked.plus(ref.mul(quantity));
    } else {
      base.free = base.free.minus(quantity);
      base.locked = base.locked.plus(quantity);
    }
    const fills = this.tryFill(order);
    // Binance enums.md, timeInForce: IOC fills what it can and expires, FOK expires unless filled at once (status
    // EXPIRED: "LIMIT FOK orders with no fill, LIMIT IOC or MARKET orders that partially fill").
    if ((order.timeInForce === 'IOC' || order.timeInForce === 'FOK') && order.type !== 'MARKET' && order.status !== 'FILLED') this.cancel(order, 'EXPIRED');
    const respType = q.get('newOrderRespType') ?? (type === 'MARKET' || type === 'LIMIT' ? 'FULL' : 'ACK');
    if (respType === 'ACK') return { symbol: order.symbol, orderId: order.orderId, orderListId: -1, clientOrderId, transactTime: t };
    const result = { ...order, transactTime: t };
    return respType === 'FULL' ? { ...result, fills: fills.map((f) => ({ price: f.price, qty: f.qty, commission: f.commission, commissionAsset: f.commissionAsset, tradeId: f.id })) } : result;
  }

  private tradeId(symbol: string): number {
    const id = this.nextTradeId.get(symbol) ?? 5000;
    this.nextTradeId.set(symbol, id + 1);
    return id;
  }

  private balance(asset: string): { free: Decimal; locked: Decimal } {
    let b = this.balances.get(asset);
    if (!b) {
      b = { free: new Decimal(0), locked: new Decimal(0) };
      this.balances.set(asset, b);
    }
    return b;
  }

  /** Ends a working order (canceled by the user, or expired by its time in force) and frees what it held. */
  private cancel(order: BOrder, status: 'CANCELED' | 'EXPIRED' = 'CANCELED'): void {
    const info = SYMBOLS.find((s) => s.symbol === order.symbol)!;
    const left = new Decimal(order.origQty).minus(order.executedQty);
    if (order.side === 'BUY') {
      const q = this.balance(info.quoteAsset);
      const amount = left.mul(order.price);
      q.locked = q.locked.minus(amount);
      q.free = q.free.plus(amount);
    } else {
      const b = this.balance(info.baseAsset);
      b.locked = b.locked.minus(left);
      b.free = b.free.plus(left);
    }
    order.status = status;
    order.updateTime = this.now();
  }

  private tryFill(order: BOrder): BTrade[] {
    const last = new Decimal(this.prices.get(order.symbol)!);
    const buy = order.side === 'BUY';
    const trigger = stopKind(order.type);
    if (trigger && !order.isWorking) {
      // A stop (take-profit) order waits until the market reaches its stopPrice, then works as its limit order.
      const rising = (trigger === 'stop') === buy;
      if (rising ? last.lt(order.stopPrice) : last.gt(order.stopPrice)) return [];
      order.isWorking = true;
      order.workingTime = this.now();
    }
    if (order.type !== 'MARKET' && !(buy ? last.lte(order.price) : last.gte(order.price))) return [];
    const fillPrice = order.type === 'MARKET' ? last : buy ? Decimal.min(last, order.price) : Decimal.max(last, order.price);
    const info = SYMBOLS.find((s) => s.symbol === order.symbol)!;
    const total = new Decimal(order.origQty);
    const half = total.div(2).toDecimalPlaces(new Decimal(info.stepSize).decimalPlaces(), Decimal.ROUND_DOWN);
    const parts = this.faults.partialFills && order.type === 'MARKET' && half.gt(0) ? [half, total.minus(half)] : order.type === 'MARKET' ? split(total, this.fillsPerMarketOrder, info.stepSize) : [total];
    const made: BTrade[] = [];
    for (const qty of parts) {
      const quoteQty = qty.mul(fillPrice);
      const trade: BTrade = {
        symbol: order.symbol, id: this.tradeId(order.symbol), orderId: order.orderId, orderListId: -1, price: fmt8(fillPrice), qty: fmt8(qty), quoteQty: fmt8(quoteQty),
        commission: '0.00000000', commissionAsset: buy ? info.baseAsset : info.quoteAsset, time: this.now(), isBuyer: buy, isMaker: order.type !== 'MARKET', isBestMatch: true,
      };
      this.trades.push(trade);
      made.push(trade);
      const base = this.balance(info.baseAsset);
      const quote = this.balance(info.quoteAsset);
      const reserved = order.type === 'MARKET' ? qty.mul(last) : qty.mul(order.price);
      if (buy) {
        quote.locked = quote.locked.minus(reserved);
        quote.free = quote.free.plus(reserved).minus(quoteQty);
        base.free = base.free.plus(qty);
      } else {
        base.locked = base.locked.minus(qty);
        quote.free = quote.free.plus(quoteQty);
      }
      order.executedQty = fmt8(new Decimal(order.executedQty).plus(qty));
      order.cummulativeQuoteQty = fmt8(new Decimal(order.cummulativeQuoteQty).plus(quoteQty));
      order.updateTime = trade.time;
    }
    order.status = new Decimal(order.executedQty).gte(order.origQty) ? 'FILLED' : 'PARTIALLY_FILLED';
    return made;
  }
}

/** STOP_LOSS(_LIMIT) and TAKE_PROFIT(_LIMIT) wait for their stopPrice. */
function stopKind(type: string): 'stop' | 'take_profit' | undefined {
  if (type.startsWith('STOP_LOSS')) return 'stop';
  if (type.startsWith('TAKE_PROFIT')) return 'take_profit';
  return undefined;
}

function classify(req: Request): RequestOp {
  if (req.path === '/api/v3/order' && req.method === 'POST') return 'submit';
  if (req.method === 'DELETE') return 'cancel';
  if (req.path === '/api/v3/account') return 'account';
  if (req.path === '/api/v3/exchangeInfo' || req.path === '/api/v3/time' || req.path === '/api/v3/ping') return 'any';
  return 'query';
}

function errorBody(status: number): { code: number; msg: string } {
  if (status === 429) return { code: -1003, msg: 'Too many requests; current limit of IP is 6000 requests per minute.' };
  if (status === 401) return { code: -2015, msg: 'Invalid API-key, IP, or permissions for action.' };
  return { code: -1001, msg: 'Internal error; unable to process your request. Please try again.' };
}
