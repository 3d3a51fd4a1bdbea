// OANDA v20 REST adapter (forex, CFDs; practice and live). A small typed fetch client: the published v20
// npm package is effectively unmaintained. Orders carry our client order id as clientExtensions.id and are
// looked up as "@<id>", which makes every submit idempotent under reconciliation. The take-profit / stop-loss
// orders v20 creates when a bracket entry fills get ids derived from the entry's (mapping.ts dependentClientId)
// and are reported with parentClientOrderId, so the lifecycle adopts them as the entry's children.
// Reading orders back is order-reader.ts, the stream and polling updates.ts, the wire formats mapping.ts.
import { Decimal } from 'decimal.js';
import {
  BrokerError,
  type AccountSnapshot,
  type AssetClass,
  type BrokerAdapter,
  type BrokerCapabilities,
  type BrokerOrder,
  type Fill,
  type InstrumentInfo,
  type OrderRequest,
  type OrderUpdate,
  type Position,
  type PositionClose,
} from '../port.js';
import { RestClient } from '../http/client.js';
import { TokenBucket } from '../http/rate-limiter.js';
import { connectionFailure, type ConnectionTestResult } from '../http/codes.js';
import {
  MAX_CLIENT_ID_LENGTH,
  ORDER_CREATE_TYPES,
  acceptedOrder,
  cancelReasonKind,
  dependentClientId,
  fillPrice,
  oandaCurrencies,
  orderSpecifier,
  readOandaError,
  toFill,
  toOandaInstrument,
  toOandaOrderBody,
} from './mapping.js';
import { OandaOrderReader } from './order-reader.js';
import { OandaUpdates } from './updates.js';
import type { OandaAccountSummary, OandaClosePositionAnswer, OandaCreateOrderAnswer, OandaInstrument, OandaOrder, OandaPosition, OandaTransaction } from './wire.js';

export const OANDA_HOSTS = {
  practice: { rest: 'https://api-fxpractice.oanda.com', stream: 'https://stream-fxpractice.oanda.com' },
  live: { rest: 'https://api-fxtrade.oanda.com', stream: 'https://stream-fxtrade.oanda.com' },
} as const;

export interface OandaCredentials {
  token: string;
}

export interface OandaConfig {
  environment: 'practice' | 'live';
  accountId: string;
  baseUrl?: string;
  streamUrl?: string;
  timeoutMs?: number;
  /** Defaults to 100 per second (v20 allows 120 per second per IP). */
  requestsPerSecond?: number;
  streaming?: boolean;
  pollIntervalMs?: number;
  /** Silence after which the stream is reopened (default 20 s; v20 heartbeats every 5 s). */
  streamSilenceMs?: number;
  /** Told what the trader should know that is no error (an instrument held long and short at once). */
  onWarning?: (message: string) => void;
}

export const OANDA_CAPABILITIES: BrokerCapabilities = {
  orderTypes: ['market', 'limit', 'stop'],
  timeInForce: ['day', 'gtc', 'ioc', 'fok'],
  brackets: true,
  oco: false,
  // A trailing stop-loss on fill, by a price distance (trailingStopLossOnFill); not a trailing entry order.
  trailingStops: true,
  fractional: false,
  shortSelling: true,
  clientIdLookup: true,
  modify: false,
  requestsPerMinute: 7200,
  streaming: true,
};

export class OandaAdapter implements BrokerAdapter {
  readonly broker = 'oanda';
  /** v20 refuses a clientExtensions.id only while another pending order holds it (docs/brokers.md). */
  readonly clientIdsReusable = true;
  readonly capabilities: BrokerCapabilities;
  readonly #token: string;
  readonly #rest: RestClient;
  readonly #reader: OandaOrderReader;
  readonly #updates: OandaUpdates;
  readonly #instruments = new Map<string, OandaInstrument>();
  readonly #accountPath: string;
  readonly #baseUrl: string;
  readonly #environment: string;
  readonly #onWarning: ((message: string) => void) | undefined;
  /** Instruments last read as held long and short at once, with the units warned of (warned once per change). */
  readonly #hedged = new Map<string, string>();

  constructor(
    readonly id: string,
    config: OandaConfig,
    credentials: OandaCredentials,
  ) {
    this.#token = credentials.token;
    this.#environment = config.environment;
    this.#onWarning = config.onWarning;
    this.#baseUrl = config.baseUrl ?? OANDA_HOSTS[config.environment].rest;
    this.#accountPath = `/v3/accounts/${encodeURIComponent(config.accountId)}`;
    const streaming = config.streaming ?? true;
    // The account's own pace is the router's too: it paces by the capabilities.
    this.capabilities = { ...OANDA_CAPABILITIES, streaming, ...(config.requestsPerSecond ? { requestsPerMinute: config.requestsPerSecond * 60 } : {}) };
    const perSecond = config.requestsPerSecond ?? 100;
    this.#rest = new RestClient({
      label: `OANDA ${config.environment}`,
      baseUrl: this.#baseUrl,
      headers: () => ({ authorization: `Bearer ${this.#token}`, 'accept-datetime-format': 'RFC3339' }),
      timeoutMs: config.timeoutMs ?? 10_000,
      limiter: new TokenBucket({ capacity: Math.min(20, perSecond), refillPerSecond: perSecond }),
      secrets: [this.#token],
      readError: readOandaError,
    });
    this.#reader = new OandaOrderReader(this.#rest, (p) => this.path(p));
    this.#updates = new OandaUpdates({
      rest: this.#rest,
      reader: this.#reader,
      path: (p) => this.path(p),
      token: () => this.#token,
      streamUrl: config.streamUrl ?? (config.baseUrl ?? OANDA_HOSTS[config.environment].stream),
      streaming,
      pollIntervalMs: config.pollIntervalMs ?? 2000,
      silenceMs: config.streamSilenceMs ?? 20_000,
    });
  }

  toJSON(): Record<string, unknown> {
    return { id: this.id, broker: this.broker, baseUrl: this.#baseUrl };
  }

  private path(p: string): string {
    return `${this.#accountPath}${p}`;
  }

  async connect(): Promise<void> {
    const summary = await this.summary();
    this.#updates.start(summary.lastTransactionID);
  }

  async disconnect(): Promise<void> {
    this.#updates.stop();
  }

  private async summary(): Promise<OandaAccountSummary & { lastTransactionID?: string }> {
    const { data } = await this.#rest.call<{ account: OandaAccountSummary; lastTransactionID?: string }>('GET', this.path('/summary'));
    return { ...data.account, lastTransactionID: data.lastTransactionID ?? data.account.lastTransactionID };
  }

  async testConnection(): Promise<ConnectionTestResult> {
    const who = `OANDA (${this.#environment})`;
    try {
      const a = await this.summary();
      const hedging = a.hedgingEnabled === true ? ' Hedging is enabled on it: the agent trades each instrument\'s net position and never opens a long and a short at once.' : '';
      return { ok: true, message: `${who}: connected to account ${a.id} (${a.currency}, NAV ${a.NAV}).${hedging}` };
    } catch (err) {
      if (err instanceof BrokerError && err.kind === 'not_found') {
        return { ok: false, code: 'BROKER_AUTH_FAILED', message: `${who}: the token works but this account id was not found. Check the account id (e.g. 101-001-1234567-001) and the environment.` };
      }
      return connectionFailure(err, who, {
        auth: `${who} refused the token. Check it was copied whole and that it is a ${this.#environment === 'live' ? 'live (fxTrade)' : 'practice (fxPractice)'} token: tokens work in one environment only.`,
        forbidden: `${who}: the token has no access to this account id. Check the account id and that it belongs to the ${this.#environment} environment.`,
      });
    }
  }

  async account(): Promise<AccountSnapshot> {
    const a = await this.summary();
    return { currency: a.currency, equity: a.NAV, cash: a.balance, buyingPower: a.marginAvailable };
  }

  private async instrumentRaw(name: string): Promise<OandaInstrument> {
    const cached = this.#instruments.get(name);
    if (cached) return cached;
    const { data } = await this.#rest.call<{ instruments: OandaInstrument[] }>('GET', this.path('/instruments'), { query: { instruments: name } });
    const found = data.instruments.find((i) => i.name === name);
    if (!found) throw new BrokerError('not_found', `OANDA: instrument ${name} is not available to this account`);
    this.#instruments.set(name, found);
    return found;
  }

  async instrument(symbol: string): Promise<InstrumentInfo> {
    const i = await this.instrumentRaw(toOandaInstrument(symbol));
    const assetClass: AssetClass = i.type === 'CURRENCY' ? 'forex' : 'cfd';
    return {
      symbol: i.name,
      assetClass,
      tradable: true,
      lotSize: new Decimal(10).pow(-i.tradeUnitsPrecision).toString(),
      tickSize: new Decimal(10).pow(-i.displayPrecision).toString(),
      minQuantity: i.minimumTradeSize,
      shortable: true,
      fractionable: i.tradeUnitsPrecision > 0,
      ...oandaCurrencies(i.name),
      // v20 units are units of the base (a currency, an ounce, one unit of a CFD's index), never contracts.
      contractSize: '1',
    };
  }

  private precheck(req: OrderRequest): void {
    const invalid = (why: string) => new BrokerError('invalid', `OANDA does not accept this order: ${why}`);
    if (!this.capabilities.orderTypes.includes(req.type)) throw invalid(`order type ${req.type} (market, limit and stop only)`);
    if (!this.capabilities.timeInForce.includes(req.timeInForce)) throw invalid(`time in force ${req.timeInForce}`);
    if (req.type === 'limit' && req.limitPrice === undefined) throw invalid('a limit order needs a limit price');
    if (req.type === 'stop' && req.stopPrice === undefined) throw invalid('a stop order needs a stop price');
    if (req.takeProfit && req.takeProfit.limitPrice === undefined) throw invalid('take-profit needs a price');
    if (req.stopLoss?.trailPercent !== undefined) throw invalid('a trailing stop-loss by percent (OANDA trails by a price distance: give trailAmount)');
    if (req.stopLoss && req.stopLoss.stopPrice === undefined && req.stopLoss.trailAmount === undefined) throw invalid('stop-loss needs a price or a trailing distance');
    if (!new Decimal(req.quantity).gt(0)) throw invalid('quantity must be positive');
    const longest = req.takeProfit || req.stopLoss ? dependentClientId(req.clientOrderId, 'takeProfit') : req.clientOrderId;
    if (longest.length > MAX_CLIENT_ID_LENGTH) throw invalid(`client order id longer than ${MAX_CLIENT_ID_LENGTH - (longest.length - req.clientOrderId.length)} characters`);
  }

  async submit(req: OrderRequest): Promise<BrokerOrder> {
    this.precheck(req);
    const instrument = toOandaInstrument(req.symbol);
    const { data } = await this.#rest.call<OandaCreateOrderAnswer>('POST', this.path('/orders'), {
      body: toOandaOrderBody(req, instrument),
      unsafe: true,
      priority: req.reduceOnly ? 'urgent' : 'normal',
    });
    const created = data.orderCreateTransaction;
    if (!created) throw new BrokerError('timeout', 'OANDA: the answer had no orderCreateTransaction; the outcome is unknown');
    const cancelled = data.orderCancelTransaction;
    const expired = cancelled !== undefined && cancelReasonKind(cancelled.reason).status === 'expired';
    if (cancelled && !data.orderFillTransaction && !expired) {
      // v20 creates the order and cancels it at once when it cannot be filled: a refusal in the trader's terms.
      const { kind } = cancelReasonKind(cancelled.reason);
      throw new BrokerError(kind === 'rejected' ? 'rejected' : kind, `OANDA cancelled the order at once: ${cancelled.reason ?? 'no reason given'}`);
    }
    const fill = data.orderFillTransaction;
    const order: BrokerOrder = {
      clientOrderId: req.clientOrderId,
      brokerOrderId: created.id,
      symbol: instrument,
      side: req.side,
      type: req.type,
      quantity: new Decimal(req.quantity).toString(),
      filledQuantity: fill?.units ? new Decimal(fill.units).abs().toString() : '0',
      status: 'accepted',
      updatedAt: fill?.time ?? created.time,
    };
    const price = fill ? fillPrice(fill) : undefined;
    if (price !== undefined) order.averageFillPrice = price;
    if (fill) order.status = new Decimal(order.filledQuantity).gte(order.quantity) ? 'filled' : 'partially_filled';
    if (expired && !fill) {
      // An IOC / FOK order that could not fill at once ran out its time in force: it ended, nothing was refused.
      order.status = 'expired';
      order.reason = cancelled.reason!;
      order.updatedAt = cancelled.time;
    }
    if (fill && cancelled && order.status === 'partially_filled') {
      // IOC: v20 filled what it could and cancelled the rest in the same answer. The order is over with what filled:
      // never "rejected" (a position was opened), never left working.
      order.status = expired ? 'expired' : 'canceled';
      if (cancelled.reason) order.reason = cancelled.reason;
      order.updatedAt = cancelled.time;
    }
    if (req.limitPrice !== undefined) order.limitPrice = req.limitPrice;
    if (req.stopPrice !== undefined) order.stopPrice = req.stopPrice;
    return order;
  }

  async orderByClientId(clientOrderId: string): Promise<BrokerOrder | undefined> {
    const raw = await this.#reader.order(orderSpecifier(clientOrderId));
    return raw ? this.#reader.toBrokerOrder(raw) : undefined;
  }

  async cancel(clientOrderId: string): Promise<BrokerOrder> {
    try {
      await this.#rest.call('PUT', this.path(`/orders/${orderSpecifier(clientOrderId)}/cancel`), { unsafe: true, priority: 'urgent' });
    } catch (err) {
      // Not cancellable (already filled or cancelled) is answered with the order as it stands.
      if (!(err instanceof BrokerError) || (err.kind !== 'not_found' && err.kind !== 'rejected')) throw err;
    }
    const order = await this.orderByClientId(clientOrderId);
    if (!order) throw new BrokerError('not_found', `OANDA: no order with client id ${clientOrderId}`);
    return order;
  }

  async cancelAll(symbol?: string): Promise<void> {
    const instrument = symbol === undefined ? undefined : toOandaInstrument(symbol);
    const { data } = await this.#rest.call<{ orders: OandaOrder[] }>('GET', this.path('/pendingOrders'), { priority: 'urgent' });
    for (const o of data.orders) {
      if (instrument !== undefined && o.instrument !== instrument) continue;
      if (!ORDER_CREATE_TYPES.has(`${o.type}_ORDER`)) continue; // dependent TP/SL orders belong to their trade
      try {
        await this.#rest.call('PUT', this.path(`/orders/${o.id}/cancel`), { unsafe: true, priority: 'urgent' });
      } catch (err) {
        if (!(err instanceof BrokerError) || (err.kind !== 'not_found' && err.kind !== 'rejected')) throw err;
      }
    }
  }

  async openOrders(): Promise<BrokerOrder[]> {
    const { data } = await this.#rest.call<{ orders: OandaOrder[] }>('GET', this.path('/pendingOrders'));
    return Promise.all(data.orders.map((o) => this.#reader.toBrokerOrder(o)));
  }

  async fillsSince(since: string): Promise<Fill[]> {
    const { data } = await this.#rest.call<{ pages: string[] }>('GET', this.path('/transactions'), { query: { from: since, type: 'ORDER_FILL', pageSize: 1000 } });
    const fills: Fill[] = [];
    for (const page of data.pages) {
      // Pages are absolute URLs on the API host; only their path and query are used.
      const url = new URL(page);
      const query = Object.fromEntries(url.searchParams.entries());
      const { data: chunk } = await this.#rest.call<{ transactions: OandaTransaction[] }>('GET', url.pathname, { query });
      for (const t of chunk.transactions) if (t.type === 'ORDER_FILL' && Date.parse(t.time) >= Date.parse(since)) fills.push(toFill(t));
    }
    return fills;
  }

  /**
   * One position per instrument, its quantity the net of v20's long and short sides. On a hedging account
   * (hedgingEnabled) an instrument can be held long and short at once; the port has one signed quantity per symbol,
   * and the net is what the agent's fills add up to, what reconciliation compares and what sizing and risk weigh.
   * The agent's own orders never open such a pair (entries use REDUCE_FIRST, exits REDUCE_ONLY: mapping.ts), so a pair
   * was opened outside the agent. It is reported with the net side's average price and both sides (`long`, `short`),
   * and said in a warning (once per change): an exit closes only the net, and the units held on both sides stay open
   * until the trader closes them at OANDA or flattens (closePosition closes both; docs/brokers.md). A pair whose net
   * is zero is listed (quantity '0') only when `includeFlatPairs` asks for it (Flatten).
   */
  async positions(options: { includeFlatPairs?: boolean } = {}): Promise<Position[]> {
    const { data } = await this.#rest.call<{ positions: OandaPosition[] }>('GET', this.path('/openPositions'));
    const out: Position[] = [];
    const hedged = new Set<string>();
    for (const p of data.positions) {
      const long = new Decimal(p.long.units || '0');
      const short = new Decimal(p.short.units || '0');
      const net = long.plus(short);
      const pair = !long.isZero() && !short.isZero();
      if (pair) {
        hedged.add(p.instrument);
        this.warnHedged(p.instrument, long, short, net);
      }
      if (net.isZero() && !(pair && options.includeFlatPairs)) continue;
      const side = net.gt(0) ? p.long : net.lt(0) ? p.short : undefined;
      const pos: Position = { symbol: p.instrument, quantity: net.toString(), averagePrice: side?.averagePrice ?? '0' };
      if (p.unrealizedPL !== undefined) pos.unrealizedPnl = p.unrealizedPL;
      if (pair) {
        pos.long = long.toString();
        pos.short = short.abs().toString();
      }
      out.push(pos);
    }
    for (const instrument of [...this.#hedged.keys()]) if (!hedged.has(instrument)) this.#hedged.delete(instrument);
    return out;
  }

  private warnHedged(instrument: string, long: Decimal, short: Decimal, net: Decimal): void {
    const key = `${long.toString()}/${short.toString()}`;
    if (this.#hedged.get(instrument) === key) return;
    this.#hedged.set(instrument, key);
    const locked = Decimal.min(long, short.abs()).toString();
    const netText = net.isZero() ? 'is flat (0), so it sees no position' : `is ${net.gt(0) ? 'long' : 'short'} ${net.abs().toString()}`;
    this.#onWarning?.(
      `OANDA (${this.#environment}): ${instrument} is held long ${long.toString()} and short ${short.abs().toString()} at once (a hedging account; ` +
        `not opened by the agent, whose orders reduce the other side first). The agent trades the net: it ${netText}. An exit closes ` +
        `the net only; ${locked} units long and ${locked} short stay open at OANDA until you close them there. Flatten closes both sides.`,
    );
  }

  /**
   * Closes both sides of the instrument's position with v20's close-position request (PUT
   * /positions/{instrument}/close): `ALL` for each side held, `NONE` for a side that is not (v20 refuses to close a
   * side that is not held, CLOSEOUT_POSITION_DOESNT_EXIST, and a side left out means ALL). v20 closes each side with
   * a MARKET order of its own (reason POSITION_CLOSEOUT), without a client id of the agent's: reconciliation books
   * their fills as trades the agent did not place. A side closed by someone else between the read and the close makes
   * v20 refuse the request (400 / 404, CLOSEOUT_POSITION_DOESNT_EXIST, nothing closed): that refusal is thrown, and
   * Flatten reports the position as possibly still open. A side whose close v20 cancels at once (a halted market) is
   * a refusal of its kind, naming what the other side closed.
   */
  async closePosition(symbol: string): Promise<PositionClose> {
    const instrument = toOandaInstrument(symbol);
    const closed: PositionClose = { symbol: instrument, long: '0', short: '0', orders: [] };
    const { data: held } = await this.#rest.call<{ position: OandaPosition }>('GET', this.path(`/positions/${encodeURIComponent(instrument)}`), { priority: 'urgent' });
    const long = !new Decimal(held.position.long.units || '0').isZero();
    const short = !new Decimal(held.position.short.units || '0').isZero();
    if (!long && !short) return closed;
    const { data } = await this.#rest.call<OandaClosePositionAnswer>('PUT', this.path(`/positions/${encodeURIComponent(instrument)}/close`), {
      body: { longUnits: long ? 'ALL' : 'NONE', shortUnits: short ? 'ALL' : 'NONE' },
      unsafe: true,
      priority: 'urgent',
    });
    const refusals: string[] = [];
    for (const side of ['long', 'short'] as const) {
      const created = data[`${side}OrderCreateTransaction`];
      if (!created) continue;
      const fill = data[`${side}OrderFillTransaction`];
      const cancel = data[`${side}OrderCancelTransaction`];
      const order = acceptedOrder(created, 'MARKET', fill?.time ?? cancel?.time ?? created.time);
      if (fill?.units !== undefined) {
        order.filledQuantity = new Decimal(fill.units).abs().toString();
        const price = fillPrice(fill);
        if (price !== undefined) order.averageFillPrice = price;
        order.status = 'filled';
        closed[side] = order.filledQuantity;
      }
      if (cancel) {
        order.status = fill ? 'canceled' : cancelReasonKind(cancel.reason).status;
        if (cancel.reason) order.reason = cancel.reason;
        if (!fill) refusals.push(`the ${side} side was not closed: OANDA cancelled its close at once (${cancel.reason ?? 'no reason given'})`);
      }
      closed.orders.push(order);
    }
    if (refusals.length > 0) {
      const done = closed.orders.filter((o) => o.status === 'filled').map((o) => `${o.side} ${o.filledQuantity}`);
      const kind = cancelReasonKind(data.longOrderCancelTransaction?.reason ?? data.shortOrderCancelTransaction?.reason).kind;
      throw new BrokerError(kind, `OANDA: ${instrument}: ${refusals.join('; ')}${done.length ? `; closed: ${done.join(', ')}` : ''}`);
    }
    return closed;
  }

  onUpdate(listener: (update: OrderUpdate) => void): () => void {
    return this.#updates.add(listener);
  }
}
