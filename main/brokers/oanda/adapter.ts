// OANDA v20 REST adapter (forex, CFDs; practice and live). A small typed fetch client: the published v20
// npm package is effectively unmaintained. Orders carry our client order id as clientExtensions.id and are
// looked up as "@<id>", which makes every submit idempotent under reconciliation. The take-profit / stop-loss
// orders v20 creates when a bracket entry fills get ids derived from the entry's (mapping.ts dependentClientId)
// and are reported with parentClientOrderId, so the lifecycle adopts them as the entry's children.
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
} from '../port.js';
import { RestClient, type ErrorReading } from '../http/client.js';
import { TokenBucket } from '../http/rate-limiter.js';
import { UpdateHub } from '../http/update-filter.js';
import { connectionFailure, type ConnectionTestResult } from '../http/codes.js';
import { DEPENDENT_ORDER_TYPES, MAX_CLIENT_ID_LENGTH, cancelReasonKind, dependentClientId, errorCodeKind, parentClientIdOf, toOandaInstrument, toOandaOrderBody } from './mapping.js';
import { TransactionStream } from './stream.js';
import type { OandaAccountSummary, OandaCreateOrderAnswer, OandaInstrument, OandaOrder, OandaPosition, OandaTrade, OandaTransaction } from './wire.js';

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

const ORDER_CREATE_TYPES = new Set(['MARKET_ORDER', 'LIMIT_ORDER', 'STOP_ORDER', 'MARKET_IF_TOUCHED_ORDER']);
/** Transactions that create a dependent order (a trade's take-profit / stop-loss). */
const DEPENDENT_CREATE_TYPES = new Set(['TAKE_PROFIT_ORDER', 'STOP_LOSS_ORDER', 'TRAILING_STOP_LOSS_ORDER']);

function readOandaError(status: number, json: unknown, text: string): ErrorReading {
  const body = (json ?? {}) as OandaCreateOrderAnswer & { orderCancelRejectTransaction?: OandaTransaction };
  const code = body.errorCode ?? body.orderRejectTransaction?.rejectReason ?? body.orderCancelRejectTransaction?.rejectReason;
  const message = body.errorMessage ?? (text.slice(0, 200) || `status ${status}`);
  const withCode = code ? `${message} (${code})` : message;
  if (status === 400 && code === undefined && /accountID/i.test(message)) return { message: withCode, kind: 'auth' };
  if (status === 400 || status === 422) return { message: withCode, kind: errorCodeKind(code) ?? 'rejected' };
  if (status === 404 && code === 'ORDER_DOESNT_EXIST') return { message: withCode, kind: 'not_found' };
  return { message: withCode };
}

function typeName(t: string): BrokerOrder['type'] {
  if (t === 'LIMIT' || t === 'TAKE_PROFIT') return 'limit';
  if (t === 'STOP' || t === 'STOP_LOSS') return 'stop';
  if (t === 'TRAILING_STOP_LOSS') return 'trailing_stop';
  return 'market';
}

/** The v20 order specifier for a client order id: "@<client id>", or the order id itself for "@<order id>",
 *  which is how this adapter names an order that carries no client id (see toBrokerOrder). */
function orderSpecifier(clientOrderId: string): string {
  return clientOrderId.startsWith('@') ? encodeURIComponent(clientOrderId.slice(1)) : `@${encodeURIComponent(clientOrderId)}`;
}

export class OandaAdapter implements BrokerAdapter {
  readonly broker = 'oanda';
  /** v20 refuses a clientExtensions.id only while another pending order holds it (docs/brokers.md). */
  readonly clientIdsReusable = true;
  readonly capabilities: BrokerCapabilities;
  readonly #token: string;
  readonly #rest: RestClient;
  readonly #hub = new UpdateHub();
  readonly #instruments = new Map<string, OandaInstrument>();
  readonly #accountPath: string;
  readonly #baseUrl: string;
  readonly #streamUrl: string;
  readonly #streaming: boolean;
  readonly #pollIntervalMs: number;
  readonly #silenceMs: number;
  readonly #environment: string;
  #stream: TransactionStream | undefined;
  #streamUp = false;
  #pollTimer: NodeJS.Timeout | undefined;
  #lastTransactionId: string | undefined;
  #catchingUp = false;

  constructor(
    readonly id: string,
    config: OandaConfig,
    credentials: OandaCredentials,
  ) {
    this.#token = credentials.token;
    this.#environment = config.environment;
    this.#baseUrl = config.baseUrl ?? OANDA_HOSTS[config.environment].rest;
    this.#streamUrl = config.streamUrl ?? (config.baseUrl ?? OANDA_HOSTS[config.environment].stream);
    this.#accountPath = `/v3/accounts/${encodeURIComponent(config.accountId)}`;
    this.#streaming = config.streaming ?? true;
    this.#pollIntervalMs = config.pollIntervalMs ?? 2000;
    this.#silenceMs = config.streamSilenceMs ?? 20_000;
    this.capabilities = { ...OANDA_CAPABILITIES, streaming: this.#streaming };
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
  }

  toJSON(): Record<string, unknown> {
    return { id: this.id, broker: this.broker, baseUrl: this.#baseUrl };
  }

  private path(p: string): string {
    return `${this.#accountPath}${p}`;
  }

  async connect(): Promise<void> {
    const summary = await this.summary();
    this.#lastTransactionId ??= summary.lastTransactionID;
    if (this.#streaming && !this.#stream) {
      this.#stream = new TransactionStream({
        url: `${this.#streamUrl.replace(/\/+$/, '')}${this.path('/transactions/stream')}`,
        token: () => this.#token,
        silenceMs: this.#silenceMs,
        onTransaction: (t) => this.onTransaction(t, true),
        onConnected: (up) => {
          const wasDown = !this.#streamUp;
          this.#streamUp = up;
          if (up && wasDown) void this.catchUp();
        },
      });
      this.#stream.start();
    }
    this.ensurePolling();
  }

  async disconnect(): Promise<void> {
    this.#stream?.stop();
    this.#stream = undefined;
    this.#streamUp = false;
    if (this.#pollTimer) clearInterval(this.#pollTimer);
    this.#pollTimer = undefined;
  }

  private async summary(): Promise<OandaAccountSummary & { lastTransactionID?: string }> {
    const { data } = await this.#rest.call<{ account: OandaAccountSummary; lastTransactionID?: string }>('GET', this.path('/summary'));
    return { ...data.account, lastTransactionID: data.lastTransactionID ?? data.account.lastTransactionID };
  }

  async testConnection(): Promise<ConnectionTestResult> {
    const who = `OANDA (${this.#environment})`;
    try {
      const a = await this.summary();
      return { ok: true, message: `${who}: connected to account ${a.id} (${a.currency}, NAV ${a.NAV}).` };
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
    if (cancelled && !data.orderFillTransaction) {
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
    if (fill?.price) order.averageFillPrice = fill.price;
    if (fill) order.status = new Decimal(order.filledQuantity).gte(order.quantity) ? 'filled' : 'partially_filled';
    if (req.limitPrice !== undefined) order.limitPrice = req.limitPrice;
    if (req.stopPrice !== undefined) order.stopPrice = req.stopPrice;
    return order;
  }

  private async transaction(id: string): Promise<OandaTransaction | undefined> {
    try {
      return (await this.#rest.call<{ transaction: OandaTransaction }>('GET', this.path(`/transactions/${id}`))).data.transaction;
    } catch (err) {
      if (err instanceof BrokerError && err.kind === 'not_found') return undefined;
      throw err;
    }
  }

  private async trade(id: string): Promise<OandaTrade | undefined> {
    try {
      return (await this.#rest.call<{ trade: OandaTrade }>('GET', this.path(`/trades/${encodeURIComponent(id)}`))).data.trade;
    } catch (err) {
      if (err instanceof BrokerError && err.kind === 'not_found') return undefined;
      throw err;
    }
  }

  /** A v20 order as a BrokerOrder; filled and cancelled orders need their transaction for price / reason. */
  private async toBrokerOrder(o: OandaOrder): Promise<BrokerOrder> {
    if (DEPENDENT_ORDER_TYPES.has(o.type)) return this.toDependentOrder(o);
    const units = new Decimal(o.units ?? '0');
    const order: BrokerOrder = {
      clientOrderId: o.clientExtensions?.id ?? `@${o.id}`,
      brokerOrderId: o.id,
      symbol: o.instrument ?? '',
      side: units.isNeg() ? 'sell' : 'buy',
      type: typeName(o.type),
      quantity: units.abs().toString(),
      filledQuantity: '0',
      status: 'accepted',
      updatedAt: o.filledTime ?? o.cancelledTime ?? o.createTime,
    };
    if (o.type === 'LIMIT' && o.price) order.limitPrice = o.price;
    if (o.type === 'STOP' && o.price) order.stopPrice = o.price;
    const fill = o.state === 'FILLED' && o.fillingTransactionID ? await this.transaction(o.fillingTransactionID) : undefined;
    return this.withOutcome(order, o, fill);
  }

  /** The order's end as v20 reports it: filled (at its filling transaction's price), or cancelled with the reason
   *  (LINKED_TRADE_CLOSED for a leg whose trade was closed by the other leg, an exit or by hand). */
  private async withOutcome(order: BrokerOrder, o: OandaOrder, fill: { price?: string } | undefined): Promise<BrokerOrder> {
    if (o.state === 'FILLED') {
      order.status = 'filled';
      order.filledQuantity = order.quantity;
      if (fill?.price) order.averageFillPrice = fill.price;
    } else if (o.state === 'CANCELLED') {
      const cancel = o.cancellingTransactionID ? await this.transaction(o.cancellingTransactionID) : undefined;
      order.status = cancelReasonKind(cancel?.reason).status;
      if (cancel?.reason) order.reason = cancel.reason;
    }
    return order;
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

  private async rawOrder(spec: string): Promise<OandaOrder | undefined> {
    try {
      return (await this.#rest.call<{ order: OandaOrder }>('GET', this.path(`/orders/${spec}`))).data.order;
    } catch (err) {
      if (err instanceof BrokerError && err.kind === 'not_found') return undefined;
      throw err;
    }
  }

  async orderByClientId(clientOrderId: string): Promise<BrokerOrder | undefined> {
    const raw = await this.rawOrder(orderSpecifier(clientOrderId));
    return raw ? this.toBrokerOrder(raw) : undefined;
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
    return Promise.all(data.orders.map((o) => this.toBrokerOrder(o)));
  }

  private toFill(t: OandaTransaction): Fill {
    const units = new Decimal(t.units ?? '0');
    const fill: Fill = {
      tradeId: t.id,
      clientOrderId: t.clientOrderID ?? `@${t.orderID ?? ''}`,
      brokerOrderId: t.orderID ?? '',
      symbol: t.instrument ?? '',
      side: units.isNeg() ? 'sell' : 'buy',
      quantity: units.abs().toString(),
      price: t.price ?? '0',
      time: t.time,
    };
    if (t.commission !== undefined) fill.commission = new Decimal(t.commission).abs().toString();
    return fill;
  }

  async fillsSince(since: string): Promise<Fill[]> {
    const { data } = await this.#rest.call<{ pages: string[] }>('GET', this.path('/transactions'), { query: { from: since, type: 'ORDER_FILL', pageSize: 1000 } });
    const fills: Fill[] = [];
    for (const page of data.pages) {
      // Pages are absolute URLs on the API host; only their path and query are used.
      const url = new URL(page);
      const query = Object.fromEntries(url.searchParams.entries());
      const { data: chunk } = await this.#rest.call<{ transactions: OandaTransaction[] }>('GET', url.pathname, { query });
      for (const t of chunk.transactions) if (t.type === 'ORDER_FILL' && Date.parse(t.time) >= Date.parse(since)) fills.push(this.toFill(t));
    }
    return fills;
  }

  async positions(): Promise<Position[]> {
    const { data } = await this.#rest.call<{ positions: OandaPosition[] }>('GET', this.path('/openPositions'));
    const out: Position[] = [];
    for (const p of data.positions) {
      const long = new Decimal(p.long.units || '0');
      const short = new Decimal(p.short.units || '0');
      const net = long.plus(short);
      if (net.isZero()) continue;
      const side = net.gt(0) ? p.long : p.short;
      const pos: Position = { symbol: p.instrument, quantity: net.toString(), averagePrice: side.averagePrice ?? '0' };
      if (p.unrealizedPL !== undefined) pos.unrealizedPnl = p.unrealizedPL;
      out.push(pos);
    }
    return out;
  }

  onUpdate(listener: (update: OrderUpdate) => void): () => void {
    const off = this.#hub.add(listener);
    this.ensurePolling();
    return off;
  }

  private ensurePolling(): void {
    if (this.#pollTimer || this.#hub.size === 0 || this.#lastTransactionId === undefined) return;
    this.#pollTimer = setInterval(() => {
      if (!this.#streamUp) void this.catchUp();
    }, this.#pollIntervalMs);
    this.#pollTimer.unref();
  }

  /** Reads every transaction after the last one seen (polling, and the gap after a reconnect). */
  private async catchUp(): Promise<void> {
    if (this.#catchingUp || this.#lastTransactionId === undefined || this.#hub.size === 0) return;
    this.#catchingUp = true;
    try {
      const { data } = await this.#rest.call<{ transactions: OandaTransaction[]; lastTransactionID: string }>('GET', this.path('/transactions/sinceid'), { query: { id: this.#lastTransactionId } });
      for (const t of data.transactions) await this.onTransaction(t, false);
      this.#lastTransactionId = data.lastTransactionID;
    } catch {
      // next poll retries
    } finally {
      this.#catchingUp = false;
    }
  }

  private async onTransaction(t: OandaTransaction, live: boolean): Promise<void> {
    if (t.type === 'HEARTBEAT') return;
    if (live && (this.#lastTransactionId === undefined || Number(t.id) > Number(this.#lastTransactionId))) this.#lastTransactionId = t.id;
    if (this.#hub.size === 0) return;
    try {
      if (ORDER_CREATE_TYPES.has(t.type)) {
        const units = new Decimal(t.units ?? '0');
        const order: BrokerOrder = {
          clientOrderId: t.clientExtensions?.id ?? `@${t.id}`,
          brokerOrderId: t.id,
          symbol: t.instrument ?? '',
          side: units.isNeg() ? 'sell' : 'buy',
          type: typeName(t.type.replace('_ORDER', '')),
          quantity: units.abs().toString(),
          filledQuantity: '0',
          status: 'accepted',
          updatedAt: t.time,
        };
        this.#hub.emit({ kind: 'order', order });
      } else if (DEPENDENT_CREATE_TYPES.has(t.type)) {
        // A bracket entry filled and v20 placed its take-profit / stop-loss: reported so they are adopted now.
        const raw = await this.rawOrder(t.id);
        if (raw) this.#hub.emit({ kind: 'order', order: await this.toBrokerOrder(raw) });
      } else if (t.type === 'ORDER_FILL' && t.orderID) {
        const raw = await this.rawOrder(t.orderID);
        if (!raw) return;
        this.#hub.emit({ kind: 'fill', fill: this.toFill(t), order: await this.toBrokerOrder(raw) });
      } else if (t.type === 'ORDER_CANCEL' && t.orderID) {
        const raw = await this.rawOrder(t.orderID);
        if (raw) this.#hub.emit({ kind: 'order', order: await this.toBrokerOrder(raw) });
      }
    } catch {
      // A lookup that failed is picked up by the lifecycle's reconciliation.
    }
  }
}

/** BASE_QUOTE (EUR_USD, XAU_USD, SPX500_USD): the base and the quote currency the price is in. */
function oandaCurrencies(name: string): { baseCurrency?: string; quoteCurrency?: string } {
  const cut = name.lastIndexOf('_');
  if (cut <= 0 || cut === name.length - 1) return {};
  return { baseCurrency: name.slice(0, cut), quoteCurrency: name.slice(cut + 1) };
}
