// Alpaca Trading API v2 adapter (US equities and crypto, paper and live). A small typed fetch client:
// the official SDK adds nothing the adapter needs and is not installed.
// The checks before sending are precheck.ts, reading orders back order-reader.ts, waiting for accepted cancels to end
// cancel-wait.ts, the stream and polling updates.ts, the wire formats mapping.ts.
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
import { connectionFailure, type ConnectionTestResult } from '../http/codes.js';
import { FINAL_STATUSES, fromAlpacaOrder, toAlpacaOrderBody, toAlpacaSymbol } from './mapping.js';
import { precheck } from './precheck.js';
import { AlpacaOrderReader } from './order-reader.js';
import { CancelWaits } from './cancel-wait.js';
import { AlpacaUpdates } from './updates.js';
import type { AlpacaAccount, AlpacaAsset, AlpacaClock, AlpacaFillActivity, AlpacaOrder, AlpacaPosition } from './wire.js';

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
  readonly #reader: AlpacaOrderReader;
  readonly #waits: CancelWaits;
  readonly #updates: AlpacaUpdates;
  readonly #baseUrl: string;

  constructor(
    readonly id: string,
    config: AlpacaConfig,
    credentials: AlpacaCredentials,
  ) {
    this.#keyId = credentials.keyId;
    this.#secretKey = credentials.secretKey;
    this.#baseUrl = config.baseUrl ?? ALPACA_HOSTS[config.environment];
    const streaming = config.streaming ?? true;
    // The account's own pace (a plan with a higher limit) is the router's too: it paces by the capabilities.
    this.capabilities = { ...ALPACA_CAPABILITIES, streaming, ...(config.requestsPerMinute ? { requestsPerMinute: config.requestsPerMinute } : {}) };
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
    this.#reader = new AlpacaOrderReader(this.#rest);
    this.#waits = new CancelWaits(this.#rest, this.#reader, () => this.#updates.streamUp, config.cancelWaitMs ?? 2000);
    this.#updates = new AlpacaUpdates({
      reader: this.#reader,
      waits: this.#waits,
      streamUrl: config.streamUrl ?? `${this.#baseUrl.replace(/^http/, 'ws').replace(/\/+$/, '')}/stream`,
      keyId: this.#keyId,
      secretKey: this.#secretKey,
      streaming,
      pollIntervalMs: config.pollIntervalMs ?? 2000,
      fillsSince: (since) => this.fillsSince(since),
      orderByClientId: (clientOrderId) => this.orderByClientId(clientOrderId),
    });
  }

  /** Credentials live in private fields, so they never serialise with the adapter. */
  toJSON(): Record<string, unknown> {
    return { id: this.id, broker: this.broker, baseUrl: this.#baseUrl };
  }

  connect(): Promise<void> {
    return this.#updates.start();
  }

  async disconnect(): Promise<void> {
    this.#updates.stop();
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

  async submit(req: OrderRequest): Promise<BrokerOrder> {
    const symbol = toAlpacaSymbol(req.symbol);
    precheck(this.capabilities, req, symbol);
    const { data } = await this.#rest.call<AlpacaOrder>('POST', '/v2/orders', {
      body: toAlpacaOrderBody(req, symbol),
      unsafe: true,
      priority: req.reduceOnly ? 'urgent' : 'normal',
    });
    this.#reader.remember(data);
    return fromAlpacaOrder(data);
  }

  async orderByClientId(clientOrderId: string): Promise<BrokerOrder | undefined> {
    const raw = await this.#reader.rawByClientId(clientOrderId);
    return raw ? this.#reader.toBrokerOrder(raw) : undefined;
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
    const id = this.#reader.brokerId(clientOrderId) ?? (await this.#reader.rawByClientId(clientOrderId))?.id;
    if (!id) throw new BrokerError('not_found', `Alpaca: no order with client id ${clientOrderId}`);
    const ended = this.#waits.whenEnded([id]);
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
      this.#reader.remember(data);
      const final = accepted && !FINAL_STATUSES.has(data.status) ? ((await this.#waits.untilEnded([id], ended)).get(id) ?? data) : data;
      return await this.#reader.toBrokerOrder(final);
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
      await this.#waits.settle(answers.filter((a) => a.status >= 200 && a.status < 300 && !FINAL_STATUSES.has(a.body?.status ?? '')).map((a) => a.id));
      return;
    }
    const s = toAlpacaSymbol(symbol);
    // Not nested: the working legs of a bracket whose entry has filled are listed only as orders of their own.
    const open = await this.#reader.rawOrders('open', { symbols: s, nested: 'false' });
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
    await this.#waits.settle(accepted);
  }

  /** Working orders, legs included. Not nested: once a bracket's entry has filled, Alpaca's open list leaves the
   *  filled parent out, so its working legs are listed only as orders of their own. */
  async openOrders(): Promise<BrokerOrder[]> {
    const out: BrokerOrder[] = [];
    for (const o of AlpacaOrderReader.flatten(await this.#reader.rawOrders('open', { nested: 'false' }))) out.push(await this.#reader.toBrokerOrder(o));
    return out;
  }

  async fillsSince(since: string): Promise<Fill[]> {
    const fills: Fill[] = [];
    let pageToken: string | undefined;
    for (let page = 0; page < 50; page++) {
      const { data } = await this.#rest.call<AlpacaFillActivity[]>('GET', '/v2/account/activities/FILL', {
        query: { after: since, direction: 'asc', page_size: 100, page_token: pageToken },
      });
      for (const a of data) fills.push(await this.#reader.fillFromActivity(a));
      if (data.length < 100) break;
      pageToken = data[data.length - 1]!.id;
    }
    return fills;
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
    return this.#updates.add(listener);
  }
}
