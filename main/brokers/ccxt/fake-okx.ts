// A fake of the OKX v5 REST API, spot only: the endpoints CCXT's okx class calls for loadMarkets, createOrder
// (POST /api/v5/trade/batch-orders, or /trade/order; loadMarkets also reads /asset/currencies), fetchOrder by ordId or clOrdId, fetchOpenOrders,
// cancelOrder, fetchMyTrades, fetchBalance and fetchTicker. It checks OK-ACCESS-KEY / -PASSPHRASE and the
// HMAC-SHA256 (base64) signature over timestamp + method + path(+query) + body, and holds clOrdId to the
// documented rule: 1-32 case-sensitive letters and digits (sCode 51000 otherwise), unique among live orders
// (sCode 51016). Answers are OKX's {code, msg, data}; an order it does not have is code 51603. Orders: market,
// limit, ioc and fok (ioc cancels what it cannot fill at once, fok unless it fills whole); a spot market order's sz
// is read in its tgtCcy (OKX's default: quote_ccy for a buy, base_ccy for a sell); an order the balance cannot pay
// for is sCode 51008. The fills list answers the newest 100 of its range at most.
import express, { type Request, type Response } from 'express';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Decimal } from 'decimal.js';
import { FaultPlan, faultMiddleware, type RequestOp } from '../contract/faults.js';
import { closeNow, listenOnLoopback } from '../contract/loopback-server.js';

export interface FakeOkxOptions {
  apiKey: string;
  secret: string;
  passphrase: string;
}

interface Instrument {
  instId: string;
  baseCcy: string;
  quoteCcy: string;
  tickSz: string;
  lotSz: string;
  minSz: string;
}

export interface OkxOrder {
  instId: string;
  ordId: string;
  clOrdId: string;
  px: string;
  sz: string;
  ordType: 'market' | 'limit' | 'ioc' | 'fok';
  side: 'buy' | 'sell';
  /** A spot market order's unit of sz: the base currency, or the quote currency (an amount to spend). */
  tgtCcy: 'base_ccy' | 'quote_ccy' | '';
  /** The order's size in the base currency (sz itself, unless sz is an amount of the quote currency). */
  baseSz: string;
  state: 'live' | 'partially_filled' | 'filled' | 'canceled';
  accFillSz: string;
  avgPx: string;
  cTime: number;
  uTime: number;
}

export interface OkxFill {
  instId: string;
  tradeId: string;
  ordId: string;
  clOrdId: string;
  fillPx: string;
  fillSz: string;
  side: 'buy' | 'sell';
  ts: number;
}

const INSTRUMENTS: Instrument[] = [
  { instId: 'BTC-USDT', baseCcy: 'BTC', quoteCcy: 'USDT', tickSz: '0.1', lotSz: '0.00000001', minSz: '0.00001' },
  { instId: 'ETH-USDT', baseCcy: 'ETH', quoteCcy: 'USDT', tickSz: '0.01', lotSz: '0.000001', minSz: '0.0001' },
];

const CL_ORD_ID = /^[A-Za-z0-9]{1,32}$/;

class OkxError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    msg: string,
  ) {
    super(msg);
  }
}

export class FakeOkx {
  readonly faults = new FaultPlan();
  readonly orders: OkxOrder[] = [];
  readonly fills: OkxFill[] = [];
  readonly prices = new Map<string, string>([['BTC-USDT', '30000'], ['ETH-USDT', '2000']]);
  readonly balances = new Map<string, Decimal>([['USDT', new Decimal(100000)], ['BTC', new Decimal(0)], ['ETH', new Decimal(0)]]);
  /** Every clOrdId the fake was sent on an order request, valid or not, to prove what CCXT sent. */
  readonly sentClOrdIds: string[] = [];
  /** Method and path of each request. */
  readonly calls: string[] = [];
  private server!: Server;
  /** Live orders the account may hold; one more is refused with sCode 51025 (Order count exceeds the limit). */
  openOrderLimit = Number.POSITIVE_INFINITY;
  /** How many fills a market order takes (one per resting order it meets in the book). */
  fillsPerMarketOrder = 1;
  private nextOrdId = 600_000_000_000_000_000n;
  private nextTradeId = 1;
  private clock = 0;

  constructor(private readonly options: FakeOkxOptions) {}

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async start(): Promise<this> {
    const app = express();
    // The raw body is signed: keep it as text and parse it after the signature check.
    app.use(express.text({ type: '*/*' }));
    app.use((req, _res, next) => {
      this.calls.push(`${req.method} ${req.path}`);
      next();
    });
    app.use(faultMiddleware(this.faults, classify, { error: (res, status) => res.status(status).json(status === 429 ? { code: '50011', msg: 'Rate limit reached.', data: [] } : status === 401 ? { code: '50111', msg: 'Invalid OK-ACCESS-KEY', data: [] } : { code: '50001', msg: 'Service temporarily unavailable. Please try again later.', data: [] }) }));
    this.routes(app);
    this.server = createServer(app);
    await listenOnLoopback(this.server);
    return this;
  }

  async close(): Promise<void> {
    await closeNow(this.server);
  }

  /** One order placed as a request body would place it (no HTTP, no signature): the fake's own rules, for tests. */
  placeForTest(r: Record<string, string>): Record<string, string> {
    return this.place(r);
  }

  countByClOrdId(clOrdId: string): number {
    return this.orders.filter((o) => o.clOrdId === clOrdId).length;
  }

  setPrice(symbol: string, price: string): void {
    const instId = symbol.replace('/', '-');
    this.prices.set(instId, price);
    for (const o of this.orders) if (o.instId === instId && (o.state === 'live' || o.state === 'partially_filled')) this.tryFill(o);
  }

  private now(): number {
    this.clock = Math.max(this.clock + 1, Date.now());
    return this.clock;
  }

  /** Private endpoints: key, passphrase and the base64 HMAC-SHA256 of timestamp + method + path + body. */
  private signed(req: Request): void {
    if (req.get('OK-ACCESS-KEY') !== this.options.apiKey) throw new OkxError(401, '50111', 'Invalid OK-ACCESS-KEY');
    if (req.get('OK-ACCESS-PASSPHRASE') !== this.options.passphrase) throw new OkxError(401, '50105', 'Your OK-ACCESS-PASSPHRASE is incorrect');
    const timestamp = req.get('OK-ACCESS-TIMESTAMP') ?? '';
    const body = req.method === 'GET' ? '' : typeof req.body === 'string' ? req.body : '';
    const expected = Buffer.from(createHmac('sha256', this.options.secret).update(`${timestamp}${req.method}${req.originalUrl}${body}`).digest('base64'));
    const given = Buffer.from(req.get('OK-ACCESS-SIGN') ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new OkxError(401, '50113', 'Invalid Sign');
  }

  private routes(app: express.Express): void {
    const ok = (res: Response, data: unknown[]) => res.json({ code: '0', msg: '', data });
    const wrap = (fn: (req: Request, res: Response) => void) => (req: Request, res: Response) => {
      try {
        fn(req, res);
      } catch (err) {
        if (err instanceof OkxError) res.status(err.status).json({ code: err.code, msg: err.message, data: [] });
        else res.status(500).json({ code: '50000', msg: 'Internal error', data: [] });
      }
    };
    const query = (req: Request, key: string): string | undefined => {
      const v = req.query[key];
      return typeof v === 'string' && v !== '' ? v : undefined;
    };
    app.get('/api/v5/public/time', (_req, res) => ok(res, [{ ts: String(Date.now()) }]));
    app.get('/api/v5/public/instruments', (req, res) => ok(res, query(req, 'instType') === 'SPOT' ? INSTRUMENTS.map(instrument) : []));
    app.get('/api/v5/market/ticker', wrap((req, res) => {
      const instId = query(req, 'instId') ?? '';
      const px = this.prices.get(instId);
      if (!px) throw new OkxError(200, '51001', "Instrument ID doesn't exist.");
      ok(res, [{ instType: 'SPOT', instId, last: px, lastSz: '0', askPx: px, askSz: '1', bidPx: px, bidSz: '1', open24h: px, high24h: px, low24h: px, volCcy24h: '0', vol24h: '0', ts: String(Date.now()), sodUtc0: px, sodUtc8: px }]);
    }));
    app.get('/api/v5/asset/currencies', wrap((req, res) => {
      this.signed(req);
      ok(res, [...this.balances.keys()].map((ccy) => ({
        ccy, name: ccy, chain: `${ccy}-${ccy}`, mainNet: true, canDep: true, canWd: true, canInternal: true, minDep: '0.00000001', minWd: '0.0001', maxWd: '1000', wdTickSz: '8',
        minFee: '0', maxFee: '0', minDepArrivalConfirm: '1', minWdUnlockConfirm: '1', needTag: false, logoLink: '', ctAddr: '', depQuotaFixed: '', usedDepQuotaFixed: '', wdQuota: '1000000', usedWdQuota: '0',
      })));
    }));
    app.get('/api/v5/account/balance', wrap((req, res) => {
      this.signed(req);
      const details = [...this.balances.entries()].map(([ccy, amount]) => ({ ccy, availBal: amount.toString(), cashBal: amount.toString(), eq: amount.toString(), frozenBal: '0', uTime: String(Date.now()) }));
      ok(res, [{ totalEq: '0', uTime: String(Date.now()), details }]);
    }));
    app.post('/api/v5/trade/batch-orders', wrap((req, res) => {
      this.signed(req);
      const list = JSON.parse(String(req.body)) as Array<Record<string, string>>;
      const results = list.map((r) => this.place(r));
      const failed = results.filter((r) => r.sCode !== '0').length;
      res.json({ code: failed === 0 ? '0' : failed === results.length ? '1' : '2', msg: failed === 0 ? '' : 'All operations failed', data: results });
    }));
    app.post('/api/v5/trade/order', wrap((req, res) => {
      this.signed(req);
      const r = this.place(JSON.parse(String(req.body)) as Record<string, string>);
      res.json({ code: r.sCode === '0' ? '0' : '1', msg: r.sCode === '0' ? '' : 'Operation failed.', data: [r] });
    }));
    app.get('/api/v5/trade/order', wrap((req, res) => {
      this.signed(req);
      const o = this.find(query(req, 'instId'), query(req, 'ordId'), query(req, 'clOrdId'));
      if (!o) throw new OkxError(200, '51603', 'Order does not exist');
      ok(res, [orderJson(o)]);
    }));
    app.get('/api/v5/trade/orders-pending', wrap((req, res) => {
      this.signed(req);
      const instId = query(req, 'instId');
      ok(res, this.orders.filter((o) => (o.state === 'live' || o.state === 'partially_filled') && (!instId || o.instId === instId)).reverse().map(orderJson));
    }));
    app.get('/api/v5/trade/orders-history', wrap((req, res) => {
      this.signed(req);
      const instId = query(req, 'instId');
      ok(res, this.orders.filter((o) => (o.state === 'filled' || o.state === 'canceled') && (!instId || o.instId === instId)).reverse().map(orderJson));
    }));
    app.post('/api/v5/trade/cancel-order', wrap((req, res) => {
      this.signed(req);
      const r = JSON.parse(String(req.body)) as Record<string, string>;
      const o = this.find(r.instId, r.ordId, r.clOrdId);
      if (!o || (o.state !== 'live' && o.state !== 'partially_filled')) {
        res.json({ code: '1', msg: 'Operation failed.', data: [{ clOrdId: r.clOrdId ?? '', ordId: r.ordId ?? '', sCode: '51400', sMsg: 'Order cancellation failed as the order has been filled, canceled or does not exist' }] });
        return;
      }
      o.state = 'canceled';
      o.uTime = this.now();
      ok(res, [{ clOrdId: o.clOrdId, ordId: o.ordId, ts: String(o.uTime), sCode: '0', sMsg: '' }]);
    }));
    const fills = (req: Request, res: Response) => {
      this.signed(req);
      const instId = query(req, 'instId');
      const ordId = query(req, 'ordId');
      const begin = Number(query(req, 'begin') ?? 0);
      const end = Number(query(req, 'end') ?? Number.MAX_SAFE_INTEGER);
      // Newest first, at most `limit` (default and maximum 100): more fills than that in the range are read page by
      // page by `end` (OKX: "limit: Number of results per request. The maximum is 100. The default is 100").
      const limit = Math.min(100, Number(query(req, 'limit') ?? 100));
      ok(res, this.fills.filter((f) => (!instId || f.instId === instId) && (!ordId || f.ordId === ordId) && f.ts >= begin && f.ts <= end).reverse().slice(0, limit).map((f) => ({
        instType: 'SPOT', instId: f.instId, tradeId: f.tradeId, ordId: f.ordId, clOrdId: f.clOrdId, billId: f.tradeId, subType: '1', tag: '', fillPx: f.fillPx, fillSz: f.fillSz,
        fillIdxPx: '', fillPnl: '0', fillPxVol: '', fillPxUsd: '', fillMarkVol: '', fillFwdPx: '', fillMarkPx: '', side: f.side, posSide: 'net', execType: 'T', feeCcy: 'USDT', fee: '0', ts: String(f.ts), fillTime: String(f.ts),
      })));
    };
    app.get('/api/v5/trade/fills', wrap(fills));
    app.get('/api/v5/trade/fills-history', wrap(fills));
    app.use((req, res) => res.status(404).json({ code: '50000', msg: `no route ${req.method} ${req.path}`, data: [] }));
  }

  private find(instId: string | undefined, ordId: string | undefined, clOrdId: string | undefined): OkxOrder | undefined {
    return [...this.orders].reverse().find((o) => (!instId || o.instId === instId) && (ordId ? o.ordId === ordId : clOrdId !== undefined && o.clOrdId === clOrdId));
  }

  /** One order of a place request: the per-order result OKX returns (sCode "0" when placed). */
  private place(r: Record<string, string>): Record<string, string> {
    const clOrdId = r.clOrdId ?? '';
    this.sentClOrdIds.push(clOrdId);
    const fail = (sCode: string, sMsg: string) => ({ clOrdId, ordId: '', tag: r.tag ?? '', ts: String(Date.now()), sCode, sMsg });
    if (r.clOrdId !== undefined && !CL_ORD_ID.test(r.clOrdId)) return fail('51000', 'Parameter clOrdId error');
    const info = INSTRUMENTS.find((i) => i.instId === r.instId);
    if (!info) return fail('51001', "Instrument ID doesn't exist.");
    if (r.side !== 'buy' && r.side !== 'sell') return fail('51000', 'Parameter side error');
    if (r.ordType !== 'market' && r.ordType !== 'limit' && r.ordType !== 'ioc' && r.ordType !== 'fok') return fail('51000', 'Parameter ordType error');
    if (r.ordType !== 'market' && !r.px) return fail('51000', 'Parameter px error');
    if (!r.sz || !new Decimal(r.sz).gt(0)) return fail('51000', 'Parameter sz error');
    // tgtCcy (spot market orders only): sz is in the quote currency (an amount to spend) or the base currency; OKX's
    // default is quote_ccy for a buy and base_ccy for a sell.
    const tgtCcy = r.ordType === 'market' ? (r.tgtCcy === 'base_ccy' || r.tgtCcy === 'quote_ccy' ? r.tgtCcy : r.side === 'buy' ? 'quote_ccy' : 'base_ccy') : '';
    const last = new Decimal(this.prices.get(info.instId)!);
    const baseSz = tgtCcy === 'quote_ccy' ? new Decimal(r.sz).div(last).toDecimalPlaces(new Decimal(info.lotSz).decimalPlaces(), Decimal.ROUND_DOWN) : new Decimal(r.sz);
    if (baseSz.lt(info.minSz)) return fail('51020', 'Your order should meet or exceed the minimum order amount.');
    const cost = tgtCcy === 'quote_ccy' ? new Decimal(r.sz) : baseSz.mul(r.ordType === 'market' ? last : r.px!);
    const has = (ccy: string) => this.balances.get(ccy) ?? new Decimal(0);
    if (r.side === 'buy' ? has(info.quoteCcy).lt(cost) : has(info.baseCcy).lt(baseSz)) return fail('51008', `Order failed. Insufficient ${r.side === 'buy' ? info.quoteCcy : info.baseCcy} balance in account`);
    if (clOrdId && this.orders.some((o) => o.clOrdId === clOrdId && (o.state === 'live' || o.state === 'partially_filled'))) return fail('51016', 'Duplicated clOrdId');
    if (this.orders.filter((o) => o.state === 'live' || o.state === 'partially_filled').length >= this.openOrderLimit) return fail('51025', 'Order count exceeds the limit');
    const t = this.now();
    const order: OkxOrder = { instId: info.instId, ordId: String(this.nextOrdId++), clOrdId, px: r.px ?? '', sz: r.sz, ordType: r.ordType, side: r.side, tgtCcy, baseSz: baseSz.toString(), state: 'live', accFillSz: '0', avgPx: '', cTime: t, uTime: t };
    this.orders.push(order);
    this.tryFill(order);
    // ioc fills what it can at once and cancels the rest; fok is canceled unless it fills whole at once.
    if ((order.ordType === 'ioc' || order.ordType === 'fok') && order.state !== 'filled') {
      order.state = 'canceled';
      order.uTime = this.now();
    }
    return { clOrdId, ordId: order.ordId, tag: r.tag ?? '', ts: String(t), sCode: '0', sMsg: 'Order placed' };
  }

  private tryFill(o: OkxOrder): void {
    const last = new Decimal(this.prices.get(o.instId)!);
    const buy = o.side === 'buy';
    if (o.ordType !== 'market' && !(buy ? last.lte(o.px) : last.gte(o.px))) return;
    const px = o.ordType === 'market' ? last : buy ? Decimal.min(last, o.px) : Decimal.max(last, o.px);
    const info = INSTRUMENTS.find((i) => i.instId === o.instId)!;
    const left = new Decimal(o.baseSz).minus(o.accFillSz);
    const half = left.div(2).toDecimalPlaces(new Decimal(info.lotSz).decimalPlaces(), Decimal.ROUND_DOWN);
    const parts = this.faults.partialFills && o.ordType === 'market' && half.gt(0) ? [half, left.minus(half)] : o.ordType === 'market' ? split(left, this.fillsPerMarketOrder, info.lotSz) : [left];
    let cost = new Decimal(o.avgPx || 0).mul(o.accFillSz);
    for (const qty of parts) {
      const base = this.balances.get(info.baseCcy) ?? new Decimal(0);
      const quote = this.balances.get(info.quoteCcy) ?? new Decimal(0);
      this.balances.set(info.baseCcy, buy ? base.plus(qty) : base.minus(qty));
      this.balances.set(info.quoteCcy, buy ? quote.minus(qty.mul(px)) : quote.plus(qty.mul(px)));
      const ts = this.now();
      this.fills.push({ instId: o.instId, tradeId: String(this.nextTradeId++), ordId: o.ordId, clOrdId: o.clOrdId, fillPx: px.toString(), fillSz: qty.toString(), side: o.side, ts });
      const filled = new Decimal(o.accFillSz).plus(qty);
      cost = cost.plus(qty.mul(px));
      o.accFillSz = filled.toString();
      o.avgPx = cost.div(filled).toString();
      o.state = filled.gte(o.baseSz) ? 'filled' : 'partially_filled';
      o.uTime = ts;
    }
  }
}

/** `total` in `n` fills on the lot (the last takes the remainder), or one fill when the lot is too coarse for `n`. */
export function split(total: Decimal, n: number, lot: string): Decimal[] {
  const each = total.div(n).toDecimalPlaces(new Decimal(lot).decimalPlaces(), Decimal.ROUND_DOWN);
  if (n <= 1 || each.lte(0)) return [total];
  return [...Array.from({ length: n - 1 }, () => each), total.minus(each.mul(n - 1))];
}

function instrument(i: Instrument) {
  return {
    instType: 'SPOT', instId: i.instId, uly: '', instFamily: '', baseCcy: i.baseCcy, quoteCcy: i.quoteCcy, settleCcy: '', ctVal: '', ctMult: '', ctValCcy: '', optType: '', stk: '',
    listTime: '1606468572000', expTime: '', lever: '10', tickSz: i.tickSz, lotSz: i.lotSz, minSz: i.minSz, ctType: '', alias: '', state: 'live', ruleType: 'normal', maxLmtSz: '10000000', maxMktSz: '1000000',
    maxLmtAmt: '20000000', maxMktAmt: '1000000', maxTwapSz: '10000000', maxIcebergSz: '10000000', maxTriggerSz: '10000000', maxStopSz: '1000000',
  };
}

function orderJson(o: OkxOrder) {
  return {
    instType: 'SPOT', instId: o.instId, ccy: '', ordId: o.ordId, clOrdId: o.clOrdId, tag: '', px: o.px, pxUsd: '', pxVol: '', pxType: '', sz: o.sz, pnl: '0', ordType: o.ordType, side: o.side, posSide: 'net',
    tdMode: 'cash', accFillSz: o.accFillSz, fillPx: o.avgPx, tradeId: '', fillSz: o.accFillSz, fillTime: o.state === 'filled' ? String(o.uTime) : '', avgPx: o.avgPx, state: o.state, lever: '',
    attachAlgoClOrdId: '', tpTriggerPx: '', tpTriggerPxType: '', tpOrdPx: '', slTriggerPx: '', slTriggerPxType: '', slOrdPx: '', attachAlgoOrds: [], stpId: '', stpMode: '', feeCcy: 'USDT', fee: '0',
    rebateCcy: 'USDT', source: '', rebate: '0', category: 'normal', reduceOnly: 'false', isTpLimit: 'false', cancelSource: '', cancelSourceReason: '', quickMgnType: '', algoClOrdId: '', algoId: '',
    uTime: String(o.uTime), cTime: String(o.cTime), tgtCcy: o.tgtCcy,
  };
}

function classify(req: Request): RequestOp {
  if (req.method === 'POST' && (req.path === '/api/v5/trade/batch-orders' || req.path === '/api/v5/trade/order')) return 'submit';
  if (req.path === '/api/v5/trade/cancel-order') return 'cancel';
  if (req.path === '/api/v5/account/balance') return 'account';
  if (req.path.startsWith('/api/v5/public/') || req.path.startsWith('/api/v5/market/')) return 'any';
  return 'query';
}
