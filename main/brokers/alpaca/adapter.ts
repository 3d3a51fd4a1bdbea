// Alpaca Trading API v2 adapter (US equities and crypto, paper and live). A small typed fetch client:
// the official SDK adds nothing the adapter needs and is not installed.
import { Decimal } from 'decimal.js';
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
import { RestClient } from '../http/client.js';
import { readAlpacaError } from './errors.js';
import { perMinuteBucket, type TokenBucket } from '../http/rate-limiter.js';
import { UpdateHub } from '../http/update-filter.js';
import { connectionFailure, type ConnectionTestResult } from '../http/codes.js';
import { redact } from '../http/redact.js';
import { alpacaTimeInForce, fromAlpacaOrder, isCryptoSymbol, isFractional, mayBeLeg, toAlpacaOrderBody, toAlpacaSymbol } from './mapping.js';
import { TradeUpdatesStream } from './stream.js';
import type { AlpacaAccount, AlpacaAsset, AlpacaClock, AlpacaFillActivity, AlpacaOrder, AlpacaPosition, AlpacaTradeUpdate } from './wire.js';

export const ALPACA_HOSTS = { paper: 'https://paper-api.alpaca.markets', live: 'https://api.alpaca.markets' } as const;

export interface AlpacaCredentials {
  keyId: string;
  secretKey: string;
}

export interface AlpacaConfig {
  environment: 'paper' | 'live';
  /** Overrides the REST host (tests, proxies). */
  baseUrl?: string;
  /** Overrides the trade_updates WebSocket URL; defaults to the REST host's /stream. */
  streamUrl?: string;
  timeoutMs?: number;
  /** Defaults to 190 (Alpaca allows about 200 per minute per account). */
  requestsPerMinute?: number;
  /** Burst allowed by the limiter. */
  burst?: number;
  /** Stream order updates (default true); polling covers any gap. */
  streaming?: boolean;
  pollIntervalMs?: number;
  /** How long a cancel Alpaca accepted may take to end (`pending_cancel` → `canceled`, or `filled` when a trade got
   *  there first) before `cancel()` / `cancelAll()` answer with the order as it is then. Default 2000. */
  cancelWaitMs?: number;
}

export const ALPACA_CAPABILITIES: BrokerCapabilities = {
  orderTypes: ['market', 'limit', 'stop', 'stop_limit', 'trailing_stop'],
  timeInForce: ['day', 'gtc', 'opg', 'cls', 'ioc', 'fok'],
  brackets: true,
  oco: true,
  trailingStops: true,
  fractional: true,
  shortSelling: true,
  clientIdLookup: true,
  modify: false,
  requestsPerMinute: 200,
  streaming: true,
};

const CRYPTO_TYPES = new Set(['market', 'limit', 'stop_limit']);
const CRYPTO_TIF = new Set(['gtc', 'ioc']);

/** Alpaca order statuses after which nothing changes any more (Orders at Alpaca, "Order Lifecycle"). */
const FINAL_STATUSES = new Set(['filled', 'canceled', 'expired', 'rejected', 'replaced']);

/** How long before a leg's creation its parent may have been submitted (the lower bound of the lookup; Alpaca
 *  creates the legs with the parent, so this only absorbs clock granularity). */
const LEG_PARENT_LOOKBACK_MS = 60_000;

/** One id for a fill whether it came from the stream or from the activities endpoint (their own ids differ):
 *  the order id plus the cumulative filled quantity after the fill. */
function fillId(orderId: string, cumulative: string): string {
  return `${orderId}:${new Decimal(cumulative).toString()}`;
}

export class AlpacaAdapter implements BrokerAdapter {
  readonly broker = 'alpaca';
  readonly capabilities: BrokerCapabilities;
  /** Alpaca: a bracket's legs "won't be active until the first order is completely filled", and "if any one of the
   *  orders is canceled, any remaining open order in the group is canceled" (Orders at Alpaca, Bracket Orders). */
  readonly bracketLegsAfterCompleteFill = true;
  readonly #keyId: string;
  readonly #secretKey: string;
  readonly #rest: RestClient;
  readonly #limiter: TokenBucket;
  readonly #hub = new UpdateHub();
  readonly #brokerIds = new Map<string, string>();
  readonly #clientIds = new Map<string, string>();
  /** Leg broker order id → the parent's client order id (from the submit answer, nested lists and lookups). */
  readonly #legParent = new Map<string, string>();
  /** Broker order ids looked up and found not to be legs (each is asked once). */
  readonly #notLegs = new Set<string>();
  /** Stream updates of legs whose parent must be looked up first, kept in arrival order. */
  #legUpdates: Promise<void> = Promise.resolve();
  #stream: TradeUpdatesStream | undefined;
  #streamUp = false;
  #pollTimer: NodeJS.Timeout | undefined;
  #pollSince = new Date().toISOString();
  #polling = false;
  readonly #baseUrl: string;
  readonly #streamUrl: string;
  readonly #streaming: boolean;
  readonly #pollIntervalMs: number;
  readonly #cancelWaitMs: number;
  /** Waiting for orders to end (a cancel Alpaca accepted), by Alpaca order id: told by the stream's updates. */
  readonly #endWaiters = new Map<string, Set<(o: AlpacaOrder) => void>>();

  constructor(
    readonly id: string,
    config: AlpacaConfig,
    credentials: AlpacaCredentials,
  ) {
    this.#keyId = credentials.keyId;
    this.#secretKey = credentials.secretKey;
    this.#baseUrl = config.baseUrl ?? ALPACA_HOSTS[config.environment];
    this.#streamUrl = config.streamUrl ?? `${this.#baseUrl.replace(/^http/, 'ws').replace(/\/+$/, '')}/stream`;
    this.#streaming = config.streaming ?? true;
    this.#pollIntervalMs = config.pollIntervalMs ?? 2000;
    this.#cancelWaitMs = config.cancelWaitMs ?? 2000;
    this.capabilities = { ...ALPACA_CAPABILITIES, streaming: this.#streaming };
    this.#limiter = perMinuteBucket(config.requestsPerMinute ?? 190, config.burst ?? 10);
    this.#rest = new RestClient({
      label: `Alpaca ${config.environment}`,
      baseUrl: this.#baseUrl,
      headers: () => ({ 'APCA-API-KEY-ID': this.#keyId, 'APCA-API-SECRET-KEY': this.#secretKey }),
      timeoutMs: config.timeoutMs ?? 10_000,
      limiter: this.#limiter,
      secrets: [this.#keyId, this.#secretKey],
      readError: readAlpacaError,
    });
  }

  /** Credentials live in private fields, so they never serialise with the adapter. */
  toJSON(): Record<string, unknown> {
    return { id: this.id, broker: this.broker, baseUrl: this.#baseUrl };
  }

  private get secrets(): string[] {
    return [this.#keyId, this.#secretKey];
  }

  async connect(): Promise<void> {
    if (!this.#streaming || this.#stream) return;
    this.#stream = new TradeUpdatesStream({
      url: this.#streamUrl,
      keyId: this.#keyId,
      secretKey: this.#secretKey,
      onUpdate: (u) => this.onTradeUpdate(u),
      onConnected: (up) => {
        const wasDown = !this.#streamUp;
        this.#streamUp = up;
        // After a reconnect, one poll picks up whatever happened during the gap.
        if (up && wasDown) void this.pollOnce();
      },
    });
    try {
      await this.#stream.start();
    } catch (err) {
      if (err instanceof BrokerError && err.kind === 'auth') {
        this.#stream.stop();
        this.#stream = undefined;
        throw new BrokerError('auth', redact(err.message, this.secrets));
      }
      // Unreachable stream: keep retrying in the background and poll meanwhile.
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

  async testConnection(): Promise<ConnectionTestResult> {
    const env = this.#baseUrl.includes('paper') ? 'paper' : this.#baseUrl.includes('api.alpaca.markets') ? 'live' : 'configured';
    const who = `Alpaca (${env})`;
    try {
      const acct = (await this.#rest.call<AlpacaAccount>('GET', '/v2/account')).data;
      if (acct.trading_blocked || acct.account_blocked) return { ok: false, code: 'BROKER_REJECTED', message: `${who}: the keys work but trading is blocked on account ${acct.account_number ?? ''}. Check the account status on Alpaca.` };
      if (acct.status !== 'ACTIVE') return { ok: false, code: 'BROKER_REJECTED', message: `${who}: the keys work but the account status is ${acct.status}, not ACTIVE.` };
      return { ok: true, message: `${who}: connected to account ${acct.account_number ?? ''} (${acct.currency}, equity ${acct.equity}).` };
    } catch (err) {
      return connectionFailure(err, who, {
        auth: `${who} refused the API key. Check that the key ID and secret were copied whole and that they are ${env === 'live' ? 'live' : 'paper'} keys: paper and live use different key pairs.`,
        forbidden: `${who}: these keys have no permission for this account.`,
      });
    }
  }

  async account(): Promise<AccountSnapshot> {
    const a = (await this.#rest.call<AlpacaAccount>('GET', '/v2/account')).data;
    return { currency: a.currency, equity: a.equity, cash: a.cash, buyingPower: a.buying_power, ...(a.last_equity ? { dayStartEquity: a.last_equity } : {}) };
  }

  async clock(): Promise<AlpacaClock> {
    return (await this.#rest.call<AlpacaClock>('GET', '/v2/clock')).data;
  }

  async instrument(symbol: string): Promise<InstrumentInfo> {
    const s = toAlpacaSymbol(symbol);
    const a = (await this.#rest.call<AlpacaAsset>('GET', `/v2/assets/${encodeURIComponent(s)}`)).data;
    const crypto = a.class === 'crypto';
    const lot = crypto ? (a.min_trade_increment ?? '0.000000001') : a.fractionable ? '0.000000001' : '1';
    const info: InstrumentInfo = {
      symbol: a.symbol,
      assetClass: crypto ? 'crypto' : 'equity',
      tradable: a.tradable,
      lotSize: lot,
      tickSize: a.price_increment ?? '0.01',
      minQuantity: a.min_order_size ?? lot,
      fractionable: a.fractionable ?? false,
    };
    if (a.shortable !== undefined) info.shortable = a.shortable;
    if (crypto) {
      // A crypto pair is written BASE/QUOTE ("BTC/USD", "ETH/BTC"); a symbol in another shape is left without
      // currencies, so money-based sizing refuses it.
      const [base, quote, extra] = a.symbol.split('/');
      if (base && quote && extra === undefined) {
        info.baseCurrency = base;
        info.quoteCurrency = quote;
        info.contractSize = '1';
      }
    } else if (a.class === 'us_equity') {
      // US equities trade in US dollars, one share per unit.
      info.quoteCurrency = 'USD';
      info.contractSize = '1';
    }
    return info;
  }

  /** Refuses, before any network call, what Alpaca documents it would refuse. */
  private precheck(req: OrderRequest, symbol: string): void {
    const invalid = (why: string) => new BrokerError('invalid', `Alpaca does not accept this order: ${why}`);
    if (!this.capabilities.orderTypes.includes(req.type)) throw invalid(`order type ${req.type}`);
    if (!this.capabilities.timeInForce.includes(req.timeInForce)) throw invalid(`time in force ${req.timeInForce}`);
    if (req.clientOrderId.length === 0 || req.clientOrderId.length > 128) throw invalid('client order id must be 1-128 characters');
    const hasLegs = req.takeProfit !== undefined || req.stopLoss !== undefined;
    if (isCryptoSymbol(symbol)) {
      if (!CRYPTO_TYPES.has(req.type)) throw invalid(`crypto supports market, limit and stop_limit only, not ${req.type}`);
      if (!CRYPTO_TIF.has(alpacaTimeInForce(req, symbol))) throw invalid(`crypto supports gtc and ioc only (day is sent as gtc), not ${req.timeInForce}`);
      if (hasLegs) throw invalid('crypto orders cannot carry take-profit / stop-loss legs');
    }
    if (hasLegs) {
      if (req.timeInForce !== 'day' && req.timeInForce !== 'gtc') throw invalid('bracket / OTO / OCO orders must be day or gtc');
      if (req.extendedHours) throw invalid('bracket orders cannot trade in extended hours');
      if (req.takeProfit && req.takeProfit.limitPrice === undefined) throw invalid('take-profit needs a limit price');
      if (req.stopLoss && req.stopLoss.stopPrice === undefined) throw invalid('stop-loss needs a stop price');
    }
    // Alpaca takes only limit orders as extended-hours eligible, and a trailing stop "will not trigger outside of the
    // regular market hours" (Orders at Alpaca, Trailing Stop Orders): say so rather than only "limit order".
    if (req.extendedHours && req.type === 'trailing_stop') throw invalid('a trailing stop cannot be sent with extended hours: Alpaca triggers trailing stops only in regular market hours and takes extended-hours orders only as day or gtc limit orders; send it without extendedHours, or use a limit order to trade in extended hours');
    if (req.extendedHours && (req.type !== 'limit' || (req.timeInForce !== 'day' && req.timeInForce !== 'gtc'))) throw invalid('extended hours needs a day or gtc limit order');
    if (req.type === 'trailing_stop' && req.trailAmount === undefined && req.trailPercent === undefined) throw invalid('trailing stop needs a trail amount or percent');
    if (!new Decimal(req.quantity).gt(0)) throw invalid('quantity must be positive');
    if (!isCryptoSymbol(symbol) && isFractional(req.quantity)) {
      // Alpaca: fractional equity orders are simple market, limit, stop or stop_limit orders, time in force day.
      const whole = 'use a whole number of shares';
      if (hasLegs) throw invalid(`fractional quantity ${req.quantity} cannot carry take-profit / stop-loss legs (fractional orders must be simple orders); ${whole}`);
      if (req.type === 'trailing_stop') throw invalid(`fractional quantity ${req.quantity} cannot be a trailing stop (fractional orders must be market, limit, stop or stop_limit); ${whole}`);
      const tif = alpacaTimeInForce(req, symbol);
      if (tif !== 'day') throw invalid(`fractional quantity ${req.quantity} is accepted only as a day order, not ${tif}; use time in force day or ${whole}`);
    }
  }

  async submit(req: OrderRequest): Promise<BrokerOrder> {
    const symbol = toAlpacaSymbol(req.symbol);
    this.precheck(req, symbol);
    const { data } = await this.#rest.call<AlpacaOrder>('POST', '/v2/orders', {
      body: toAlpacaOrderBody(req, symbol),
      unsafe: true,
      priority: req.reduceOnly ? 'urgent' : 'normal',
    });
    this.remember(data);
    return fromAlpacaOrder(data);
  }

  /** Keeps both ids of an order, and the parent of each of its legs. */
  private remember(o: AlpacaOrder): void {
    this.#brokerIds.set(o.client_order_id, o.id);
    this.#clientIds.set(o.id, o.client_order_id);
    for (const leg of o.legs ?? []) {
      this.#legParent.set(leg.id, o.client_order_id);
      this.remember(leg);
    }
  }

  /**
   * The client order id of the parent of a leg Alpaca created (a bracket's, OTO's or OCO's take-profit or
   * stop-loss), or undefined for an order that is not a leg. A leg names no parent and has an Alpaca-generated
   * client order id; a leg not seen in a submit answer or a nested list (after a restart) is found in the nested
   * order list from just before it was created.
   */
  private async parentOf(o: AlpacaOrder): Promise<string | undefined> {
    const known = this.#legParent.get(o.id);
    if (known !== undefined || !mayBeLeg(o) || this.#notLegs.has(o.id)) return known;
    const after = new Date(Date.parse(o.created_at) - LEG_PARENT_LOOKBACK_MS).toISOString();
    await this.rawOrders('all', { nested: 'true', symbols: o.symbol, after });
    const found = this.#legParent.get(o.id);
    if (found === undefined) this.#notLegs.add(o.id);
    return found;
  }

  /** The port's view of an order, a leg linked to its parent. */
  private async toBrokerOrder(o: AlpacaOrder): Promise<BrokerOrder> {
    return fromAlpacaOrder(o, undefined, await this.parentOf(o));
  }

  /** Every order of a nested list, each leg after its parent. */
  private static flatten(list: AlpacaOrder[]): AlpacaOrder[] {
    return list.flatMap((o) => [o, ...(o.legs ?? [])]);
  }

  async orderByClientId(clientOrderId: string): Promise<BrokerOrder | undefined> {
    const raw = await this.rawByClientId(clientOrderId);
    return raw ? this.toBrokerOrder(raw) : undefined;
  }

  private async rawByClientId(clientOrderId: string): Promise<AlpacaOrder | undefined> {
    try {
      const { data } = await this.#rest.call<AlpacaOrder>('GET', '/v2/orders:by_client_order_id', { query: { client_order_id: clientOrderId } });
      this.remember(data);
      return data;
    } catch (err) {
      if (err instanceof BrokerError && err.kind === 'not_found') return undefined;
      throw err;
    }
  }

  /**
   * Alpaca ("Cancel an Order by ID"): a cancel of an order that is "no longer cancelable (example: status = filled)"
   * is refused with 422; an accepted one is answered 204 at once, and the order is `pending_cancel` until the venue
   * cancels it, or fills it first. Either way the order is read back and reported as it is; after an accepted cancel
   * the answer waits (up to `cancelWaitMs`) for the order to end, so what follows the cancel (flatten's closing
   * order, an alert's exit after it canceled the symbol's working orders) sees the position the race left, and
   * Alpaca no longer holds the shares of an order still waiting for its cancel. A 404 (Alpaca does not know the order)
   * is `not_found`.
   */
  async cancel(clientOrderId: string): Promise<BrokerOrder> {
    const id = this.#brokerIds.get(clientOrderId) ?? (await this.rawByClientId(clientOrderId))?.id;
    if (!id) throw new BrokerError('not_found', `Alpaca: no order with client id ${clientOrderId}`);
    const ended = this.whenEnded([id]);
    try {
      let accepted = true;
      try {
        await this.#rest.call('DELETE', `/v2/orders/${id}`, { unsafe: true, priority: 'urgent' });
      } catch (err) {
        // 422 "order is already in \"filled\" state": the order is already final (often filled); report what it is.
        if (!(err instanceof BrokerError) || err.kind !== 'rejected') throw err;
        accepted = false;
      }
      const { data } = await this.#rest.call<AlpacaOrder>('GET', `/v2/orders/${id}`, { priority: 'urgent' });
      this.remember(data);
      const final = accepted && !FINAL_STATUSES.has(data.status) ? ((await this.untilEnded([id], ended)).get(id) ?? data) : data;
      return await this.toBrokerOrder(final);
    } finally {
      ended.dispose();
    }
  }

  /** Cancels every open order (of `symbol`), and waits as `cancel()` does for the cancels Alpaca accepted to end. */
  async cancelAll(symbol?: string): Promise<void> {
    if (symbol === undefined) {
      // 207 with one answer per open order: {id, status, body}, the order as the cancel left it.
      const { data } = await this.#rest.call<{ id: string; status: number; body?: AlpacaOrder }[]>('DELETE', '/v2/orders', { unsafe: true, priority: 'urgent' });
      const answers = Array.isArray(data) ? data : [];
      await this.settle(answers.filter((a) => a.status >= 200 && a.status < 300 && !FINAL_STATUSES.has(a.body?.status ?? '')).map((a) => a.id));
      return;
    }
    const s = toAlpacaSymbol(symbol);
    // Not nested: the working legs of a bracket whose entry has filled are listed only as orders of their own.
    const open = await this.rawOrders('open', { symbols: s, nested: 'false' });
    const accepted: string[] = [];
    for (const o of open) {
      try {
        await this.#rest.call('DELETE', `/v2/orders/${o.id}`, { unsafe: true, priority: 'urgent' });
        accepted.push(o.id);
      } catch (err) {
        // Already final, or canceled with its parent a moment ago.
        if (!(err instanceof BrokerError) || (err.kind !== 'rejected' && err.kind !== 'not_found')) throw err;
      }
    }
    await this.settle(accepted);
  }

  /** Waits (up to `cancelWaitMs`) for the orders (by Alpaca id) whose cancel Alpaca accepted to end. */
  private async settle(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const ended = this.whenEnded(ids);
    try {
      await this.untilEnded(ids, ended);
    } finally {
      ended.dispose();
    }
  }

  /** Starts listening to the stream for the end of each order (before the request that may end it, so an update
   *  that arrives with its answer is not missed). */
  private whenEnded(ids: string[]): { ended: Map<string, AlpacaOrder>; changed: () => Promise<void>; dispose: () => void } {
    const ended = new Map<string, AlpacaOrder>();
    let wake: (() => void) | undefined;
    const listener = (o: AlpacaOrder) => {
      ended.set(o.id, o);
      wake?.();
    };
    for (const id of ids) {
      const set = this.#endWaiters.get(id) ?? new Set();
      set.add(listener);
      this.#endWaiters.set(id, set);
    }
    return {
      ended,
      changed: () => new Promise<void>((resolve) => (wake = resolve)),
      dispose: () => {
        for (const id of ids) {
          const set = this.#endWaiters.get(id);
          set?.delete(listener);
          if (set?.size === 0) this.#endWaiters.delete(id);
        }
      },
    };
  }

  /**
   * The orders as they end, each by its id, or as last read when `cancelWaitMs` runs out first. The stream tells the
   * end; while it is down the orders are read again (after 100 ms, doubling up to 800 ms), and once more at the
   * deadline if the stream said nothing.
   */
  private async untilEnded(ids: string[], watch: ReturnType<AlpacaAdapter['whenEnded']>): Promise<Map<string, AlpacaOrder>> {
    const latest = new Map<string, AlpacaOrder>();
    const open = () => ids.filter((id) => !watch.ended.has(id) && !FINAL_STATUSES.has(latest.get(id)?.status ?? ''));
    const read = async (which: string[]) => {
      for (const id of which) {
        try {
          const { data } = await this.#rest.call<AlpacaOrder>('GET', `/v2/orders/${id}`, { priority: 'urgent' });
          this.remember(data);
          latest.set(id, data);
        } catch {
          // Reported as last known; the lifecycle's reconciliation reads it again.
        }
      }
    };
    const deadline = Date.now() + this.#cancelWaitMs;
    for (let delay = 100; open().length > 0 && Date.now() < deadline; delay = Math.min(delay * 2, 800)) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([watch.changed(), new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.min(delay, Math.max(deadline - Date.now(), 0)))))]);
      clearTimeout(timer);
      if (!this.#streamUp) await read(open());
    }
    if (this.#streamUp && open().length > 0) await read(open());
    for (const [id, o] of watch.ended) latest.set(id, o);
    return latest;
  }

  private async rawOrders(status: 'open' | 'closed' | 'all', extra: Record<string, string | number> = {}): Promise<AlpacaOrder[]> {
    const { data } = await this.#rest.call<AlpacaOrder[]>('GET', '/v2/orders', { query: { status, limit: 500, direction: 'asc', nested: 'true', ...extra } });
    for (const o of data) this.remember(o);
    return data;
  }

  /** Working orders, legs included. Not nested: once a bracket's entry has filled, Alpaca's open list leaves the
   *  filled parent out, so its working legs are listed only as orders of their own. */
  async openOrders(): Promise<BrokerOrder[]> {
    const out: BrokerOrder[] = [];
    for (const o of AlpacaAdapter.flatten(await this.rawOrders('open', { nested: 'false' }))) out.push(await this.toBrokerOrder(o));
    return out;
  }

  async fillsSince(since: string): Promise<Fill[]> {
    const fills: Fill[] = [];
    let pageToken: string | undefined;
    for (let page = 0; page < 50; page++) {
      const { data } = await this.#rest.call<AlpacaFillActivity[]>('GET', '/v2/account/activities/FILL', {
        query: { after: since, direction: 'asc', page_size: 100, page_token: pageToken },
      });
      for (const a of data) fills.push(await this.fillFromActivity(a));
      if (data.length < 100) break;
      pageToken = data[data.length - 1]!.id;
    }
    return fills;
  }

  private async fillFromActivity(a: AlpacaFillActivity): Promise<Fill> {
    let clientOrderId = this.#clientIds.get(a.order_id);
    if (clientOrderId === undefined) {
      const { data } = await this.#rest.call<AlpacaOrder>('GET', `/v2/orders/${a.order_id}`);
      this.remember(data);
      clientOrderId = data.client_order_id;
    }
    return { tradeId: fillId(a.order_id, a.cum_qty), clientOrderId, brokerOrderId: a.order_id, symbol: a.symbol, side: a.side, quantity: a.qty, price: a.price, time: a.transaction_time };
  }

  async positions(): Promise<Position[]> {
    const { data } = await this.#rest.call<AlpacaPosition[]>('GET', '/v2/positions');
    return data.map((p) => {
      const qty = new Decimal(p.qty);
      const signed = p.side === 'short' && qty.gt(0) ? qty.neg() : qty;
      const pos: Position = { symbol: p.symbol, quantity: signed.toString(), averagePrice: p.avg_entry_price };
      if (p.current_price !== undefined) pos.marketPrice = p.current_price;
      if (p.unrealized_pl !== undefined) pos.unrealizedPnl = p.unrealized_pl;
      return pos;
    });
  }

  onUpdate(listener: (update: OrderUpdate) => void): () => void {
    const off = this.#hub.add(listener);
    this.ensurePolling();
    return off;
  }

  private onTradeUpdate(u: AlpacaTradeUpdate): void {
    if (!u.order) return;
    this.remember(u.order);
    const o = u.order;
    if (FINAL_STATUSES.has(o.status)) for (const wake of this.#endWaiters.get(o.id) ?? []) wake(o);
    const known = this.#legParent.get(o.id);
    if (known !== undefined || !mayBeLeg(o) || this.#notLegs.has(o.id)) {
      this.emitTradeUpdate(u, known);
      return;
    }
    // A leg whose parent this process has not seen (it restarted since the bracket was placed): ask, then emit.
    this.#legUpdates = this.#legUpdates.then(async () => {
      let parent: string | undefined;
      try {
        parent = await this.parentOf(o);
      } catch {
        // Unlinked it is not ours to the router; reconciliation links it from the fills and the order list.
      }
      this.emitTradeUpdate(u, parent);
    });
  }

  private emitTradeUpdate(u: AlpacaTradeUpdate, parentClientOrderId: string | undefined): void {
    const order = fromAlpacaOrder(u.order, undefined, parentClientOrderId);
    if ((u.event === 'fill' || u.event === 'partial_fill') && u.qty !== undefined && u.price !== undefined) {
      const fill: Fill = {
        tradeId: fillId(u.order.id, u.order.filled_qty),
        clientOrderId: order.clientOrderId,
        brokerOrderId: order.brokerOrderId,
        symbol: order.symbol,
        side: order.side,
        quantity: u.qty,
        price: u.price,
        time: u.timestamp ?? order.updatedAt,
      };
      this.#hub.emit({ kind: 'fill', fill, order });
    } else {
      this.#hub.emit({ kind: 'order', order });
    }
  }

  /** Polling runs when someone listens and the stream is down (or streaming is off). */
  private ensurePolling(): void {
    if (this.#pollTimer || this.#hub.size === 0) return;
    this.#pollTimer = setInterval(() => {
      if (!this.#streamUp) void this.pollOnce();
    }, this.#pollIntervalMs);
    this.#pollTimer.unref();
  }

  private async pollOnce(): Promise<void> {
    if (this.#polling || this.#hub.size === 0) return;
    this.#polling = true;
    try {
      const since = this.#pollSince;
      const started = new Date(Date.now() - 5000).toISOString();
      const fills = await this.fillsSince(since);
      const orders = AlpacaAdapter.flatten(await this.rawOrders('all', { after: new Date(Date.parse(since) - 60_000).toISOString() }));
      const byId = new Map<string, BrokerOrder>();
      for (const o of orders) byId.set(o.id, await this.toBrokerOrder(o));
      for (const f of fills) {
        const order = byId.get(f.brokerOrderId) ?? (await this.orderByClientId(f.clientOrderId));
        if (order) this.#hub.emit({ kind: 'fill', fill: f, order });
      }
      for (const o of byId.values()) this.#hub.emit({ kind: 'order', order: o });
      this.#pollSince = started;
    } catch {
      // The next poll retries; the lifecycle's reconciliation covers longer outages.
    } finally {
      this.#polling = false;
    }
  }
}
