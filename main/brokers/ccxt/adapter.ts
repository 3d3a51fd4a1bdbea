// One adapter over CCXT's unified API for crypto exchanges. CCXT's own rate limiter stays on; its markets
// give precision and limits. Our client order id is put in the form the exchange accepts (client-id.ts) and
// CCXT maps it to the exchange's field (Binance newClientOrderId, OKX clOrdId, Kraken cl_ord_id...); what the
// exchange reports is mapped back to the agent's own id.
// The exchange object is built in exchange.ts; what CCXT returns is read in mapping.ts.
import type { Exchange, Order as CcxtOrder, Trade as CcxtTrade } from 'ccxt';
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
import type { TimeInForce } from '../../../shared/signal.js';
import { UpdateHub } from '../http/update-filter.js';
import { connectionFailure, type ConnectionTestResult } from '../http/codes.js';
import { toBrokerError } from './errors.js';
import { clientIdRule, type ClientIdRule, type ScanMethod } from './client-id.js';
import { ccxtCapabilities, createExchange, tradePages } from './exchange.js';
import { averageCost, fromCcxtOrder, toFill, toInstrumentInfo, toPosition, type Market } from './mapping.js';

export interface CcxtCredentials {
  apiKey: string;
  secret: string;
  /** Some exchanges (OKX, KuCoin, Coinbase) also need a passphrase. */
  password?: string;
}

/** Trades asked for per page (Binance's maximum; exchanges with a smaller page answer fewer). */
const TRADE_PAGE = 1000;
/** Pages read per symbol and reconciliation at most. */
const TRADE_PAGES_MAX = 50;

export interface CcxtConfig {
  /** A CCXT exchange id, e.g. "binance", "kraken", "bybit". */
  exchange: string;
  environment: 'live' | 'sandbox';
  /** Points every REST API URL of the exchange at this origin (tests, proxies). */
  baseUrl?: string;
  /** spot (default) or a derivatives market type, which switches positions to fetchPositions. */
  marketType?: 'spot' | 'swap' | 'future';
  /** Currency the account is valued in (spot); default USDT. */
  quoteCurrency?: string;
  /** Symbols this account trades: lets orderByClientId find an order whose symbol it was not told. */
  symbols?: string[];
  timeoutMs?: number;
  /** Overrides CCXT's per-request delay in ms (CCXT's limiter stays on). */
  rateLimitMs?: number;
  /** Extra CCXT options merged into exchange.options. */
  options?: Record<string, unknown>;
}

export class CcxtAdapter implements BrokerAdapter {
  readonly broker: string;
  readonly capabilities: BrokerCapabilities;
  readonly #exchange: Exchange;
  readonly #secrets: string[];
  readonly #hub = new UpdateHub();
  readonly #symbolOf = new Map<string, string>();
  readonly #config: CcxtConfig;
  readonly #ids: ClientIdRule;
  /** Exchange order id → the agent's client id, for orders this adapter has seen (fills name only the order). */
  readonly #agentIdOf = new Map<string, string>();
  /** Hashed client id (as sent) → the id it stands for: the one case the way back needs memory. */
  readonly #hashedIds = new Map<string, string>();
  #markets: Promise<void> | undefined;

  constructor(
    readonly id: string,
    config: CcxtConfig,
    credentials: CcxtCredentials,
  ) {
    const exchange = createExchange(config, credentials);
    this.#config = config;
    this.#ids = clientIdRule(config.exchange);
    this.broker = `ccxt:${config.exchange}`;
    this.#secrets = [credentials.apiKey, credentials.secret, credentials.password ?? ''].filter((s) => s.length > 0);
    this.#exchange = exchange;
    this.capabilities = ccxtCapabilities(exchange, config);
  }

  toJSON(): Record<string, unknown> {
    return { id: this.id, broker: this.broker };
  }

  private async call<T>(what: string, fn: () => Promise<T>, unsafe = false): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw toBrokerError(err, `${this.#exchange.name ?? this.#config.exchange} ${what}`, this.#secrets, unsafe, this.#exchange.last_response_headers as Record<string, string> | undefined);
    }
  }

  private loadMarkets(): Promise<void> {
    this.#markets ??= this.call('loadMarkets', async () => {
      await this.#exchange.loadMarkets();
    }).catch((err: unknown) => {
      this.#markets = undefined;
      throw err;
    });
    return this.#markets;
  }

  /** "BTCUSDT" (the exchange's id, as TradingView writes it) or "BTC/USDT" → the CCXT market. */
  private async market(symbol: string): Promise<Market> {
    await this.loadMarkets();
    const ex = this.#exchange;
    const direct = ex.markets?.[symbol] ?? ex.markets?.[symbol.toUpperCase()];
    if (direct) return direct;
    const byId = ex.markets_by_id?.[symbol.toUpperCase()] as Market[] | undefined;
    if (byId?.[0]) return byId[0];
    throw new BrokerError('invalid', `${this.broker}: no market ${symbol}`);
  }

  async connect(): Promise<void> {
    await this.loadMarkets();
  }

  async disconnect(): Promise<void> {
    // REST only; CCXT keeps no connection open that needs closing.
  }

  async testConnection(): Promise<ConnectionTestResult> {
    const who = `${this.#exchange.name ?? this.#config.exchange} (${this.#config.environment})`;
    try {
      const balance = await this.call('fetchBalance', () => this.#exchange.fetchBalance());
      const assets = Object.keys((balance.total ?? {}) as unknown as Record<string, number>).length;
      return { ok: true, message: `${who}: connected; the account holds ${assets} asset${assets === 1 ? '' : 's'}.` };
    } catch (err) {
      return connectionFailure(err, who, {
        auth: `${who} refused the API key. Check the key and secret were copied whole, that they are ${this.#config.environment === 'sandbox' ? 'testnet' : 'live'} keys (testnet and live keys differ), that the key allows trading and reading, and any IP restriction on the key.`,
      });
    }
  }

  async account(): Promise<AccountSnapshot> {
    const quote = this.#config.quoteCurrency ?? 'USDT';
    const balance = await this.call('fetchBalance', () => this.#exchange.fetchBalance());
    const totals = (balance.total ?? {}) as unknown as Record<string, number | undefined>;
    const free = (balance.free ?? {}) as unknown as Record<string, number | undefined>;
    let equity = new Decimal(totals[quote] ?? 0);
    for (const [asset, amount] of Object.entries(totals)) {
      if (asset === quote || !amount) continue;
      const symbol = `${asset}/${quote}`;
      if (!this.#exchange.markets?.[symbol]) continue;
      const ticker = await this.call('fetchTicker', () => this.#exchange.fetchTicker(symbol));
      equity = equity.plus(new Decimal(amount).mul(ticker.last ?? 0));
    }
    const cash = new Decimal(free[quote] ?? 0).toString();
    return { currency: quote, equity: equity.toString(), cash, buyingPower: cash };
  }

  async instrument(symbol: string): Promise<InstrumentInfo> {
    const m = await this.market(symbol);
    return toInstrumentInfo(m, this.#exchange.precisionMode);
  }

  private precheck(req: OrderRequest): void {
    const invalid = (why: string) => new BrokerError('invalid', `${this.broker} does not accept this order: ${why}`);
    if (!this.capabilities.orderTypes.includes(req.type)) throw invalid(`order type ${req.type}`);
    if (!this.capabilities.timeInForce.includes(req.timeInForce as TimeInForce)) throw invalid(`time in force ${req.timeInForce}`);
    if (req.takeProfit || req.stopLoss) throw invalid('attached take-profit / stop-loss legs');
    if (req.type !== 'market' && req.limitPrice === undefined) throw invalid('a limit price is required');
    if (!new Decimal(req.quantity).gt(0)) throw invalid('quantity must be positive');
  }

  async submit(req: OrderRequest): Promise<BrokerOrder> {
    this.precheck(req);
    const m = await this.market(req.symbol);
    // Remembered before the network call, so a lost answer can still be looked up by client id.
    this.#symbolOf.set(req.clientOrderId, m.symbol);
    const params: Record<string, unknown> = this.#ids.createParams(this.exchangeId(req.clientOrderId));
    if (req.type !== 'market') params.timeInForce = req.timeInForce === 'day' ? 'GTC' : req.timeInForce.toUpperCase();
    if (req.type === 'stop_limit') params.triggerPrice = Number(req.stopPrice);
    if (req.reduceOnly && m.contract) params.reduceOnly = true;
    const ccxtType = req.type === 'market' ? 'market' : 'limit';
    const amount = Number(req.quantity);
    const price = req.limitPrice !== undefined ? Number(req.limitPrice) : undefined;
    const order = await this.call('createOrder', () => this.#exchange.createOrder(m.symbol, ccxtType, req.side, amount, price, params), true);
    return this.toBrokerOrder(order, req.clientOrderId);
  }

  /** The client id as this exchange takes it (client-id.ts). */
  private exchangeId(clientOrderId: string): string {
    const sent = this.#ids.toExchange(clientOrderId);
    if (sent !== clientOrderId && this.#ids.toAgent(sent) !== clientOrderId) {
      this.#hashedIds.set(sent, clientOrderId);
      if (this.#hashedIds.size > 10_000) this.#hashedIds.delete(this.#hashedIds.keys().next().value!);
    }
    return sent;
  }

  /** The agent's id for an order as the exchange reports it. */
  private agentId(o: CcxtOrder, known?: string): string {
    if (o.clientOrderId) return this.#hashedIds.get(o.clientOrderId) ?? this.#ids.toAgent(o.clientOrderId);
    return known ?? this.#agentIdOf.get(String(o.id)) ?? String(o.id);
  }

  /** The order under the agent's id, its symbol and exchange id remembered for later lookups and fills. */
  private toBrokerOrder(o: CcxtOrder, known?: string): BrokerOrder {
    const clientOrderId = this.agentId(o, known);
    const order = fromCcxtOrder(o, clientOrderId);
    if (o.symbol && clientOrderId !== String(o.id)) this.#symbolOf.set(clientOrderId, o.symbol);
    if (o.id !== undefined && clientOrderId !== String(o.id)) this.rememberAgentId(String(o.id), clientOrderId);
    return order;
  }

  private rememberAgentId(orderId: string, clientOrderId: string): void {
    this.#agentIdOf.set(orderId, clientOrderId);
    // Bounded: an order forgotten here is read from the exchange again when one of its fills turns up.
    if (this.#agentIdOf.size > 10_000) this.#agentIdOf.delete(this.#agentIdOf.keys().next().value!);
  }

  private candidates(clientOrderId: string, symbol?: string): string[] {
    const known = symbol ?? this.#symbolOf.get(clientOrderId);
    if (known) return [known];
    return [...new Set([...(this.#config.symbols ?? []), ...this.#symbolOf.values()])];
  }

  /** Most exchanges need the symbol to look an order up; pass it when known (the ledger has it). */
  async orderByClientId(clientOrderId: string, symbol?: string): Promise<BrokerOrder | undefined> {
    const exchangeId = this.exchangeId(clientOrderId);
    const symbols = this.candidates(clientOrderId, symbol === undefined ? undefined : (await this.market(symbol)).symbol);
    if (symbols.length === 0) throw new BrokerError('invalid', `${this.broker}: cannot look up ${clientOrderId} without its symbol`);
    await this.loadMarkets();
    for (const s of symbols) {
      const o = await this.findByClientId(exchangeId, s);
      if (o) return this.toBrokerOrder(o, clientOrderId);
    }
    return undefined;
  }

  /** The exchange's order with this client id (as the exchange writes it) in one symbol, or undefined when the
   *  exchange certainly does not have it. Any failure to ask is thrown, never read as "absent". */
  private async findByClientId(exchangeId: string, symbol: string): Promise<CcxtOrder | undefined> {
    const lookup = this.#ids.lookup;
    if (lookup.kind === 'fetchOrder') {
      try {
        return await this.call('fetchOrder', () => this.#exchange.fetchOrder('', symbol, { clientOrderId: exchangeId }));
      } catch (err) {
        if (err instanceof BrokerError && err.kind === 'not_found') return undefined;
        throw err;
      }
    }
    // No lookup by client id at this exchange: search its open, then its recent closed orders.
    for (const method of lookup.methods) {
      const list = await this.call(method, () => this.listOrders(method, symbol, lookup.filter?.(exchangeId) ?? {}));
      const hit = list.find((o) => o.clientOrderId !== undefined && o.clientOrderId !== null && this.#ids.same(o.clientOrderId, exchangeId));
      if (hit) return hit;
    }
    return undefined;
  }

  private listOrders(method: ScanMethod, symbol: string, params: Record<string, unknown>): Promise<CcxtOrder[]> {
    const ex = this.#exchange as unknown as Record<ScanMethod, (symbol?: string, since?: number, limit?: number, params?: Record<string, unknown>) => Promise<CcxtOrder[]>>;
    if (typeof ex[method] !== 'function') throw new BrokerError('invalid', `${this.broker}: CCXT has no ${method}`);
    return ex[method].call(this.#exchange, symbol, undefined, undefined, params);
  }

  async cancel(clientOrderId: string): Promise<BrokerOrder> {
    const current = await this.orderByClientId(clientOrderId);
    if (!current) throw new BrokerError('not_found', `${this.broker}: no order with client id ${clientOrderId}`);
    if (current.status === 'accepted' || current.status === 'partially_filled') {
      try {
        await this.call('cancelOrder', () => this.#exchange.cancelOrder(current.brokerOrderId, current.symbol), true);
      } catch (err) {
        // Lost the race against a fill: answer with the order as it now stands.
        if (!(err instanceof BrokerError) || err.kind !== 'not_found') throw err;
      }
    }
    return (await this.orderByClientId(clientOrderId, current.symbol)) ?? current;
  }

  async cancelAll(symbol?: string): Promise<void> {
    const open = await this.openOrders(symbol);
    for (const o of open) {
      try {
        await this.call('cancelOrder', () => this.#exchange.cancelOrder(o.brokerOrderId, o.symbol), true);
      } catch (err) {
        if (!(err instanceof BrokerError) || err.kind !== 'not_found') throw err;
      }
    }
  }

  async openOrders(symbol?: string): Promise<BrokerOrder[]> {
    await this.loadMarkets();
    const s = symbol === undefined ? undefined : (await this.market(symbol)).symbol;
    const list = await this.call('fetchOpenOrders', () => this.#exchange.fetchOpenOrders(s));
    return list.map((o) => this.toBrokerOrder(o));
  }

  /** Symbols whose fills are searched: configured ones plus every symbol this adapter has ordered. */
  private tradedSymbols(): string[] {
    return [...new Set([...(this.#config.symbols ?? []), ...this.#symbolOf.values()])];
  }

  async fillsSince(since: string): Promise<Fill[]> {
    await this.loadMarkets();
    const from = Date.parse(since);
    const fills: Fill[] = [];
    for (const symbol of this.tradedSymbols()) {
      const m = await this.market(symbol);
      for (const t of await this.tradesSince(m.symbol, from)) {
        if (!t.order) continue;
        let clientOrderId = this.#agentIdOf.get(t.order);
        if (clientOrderId === undefined) {
          const o = await this.call('fetchOrder', () => this.#exchange.fetchOrder(t.order!, m.symbol));
          clientOrderId = this.agentId(o, t.order);
          this.rememberAgentId(t.order, clientOrderId);
        }
        fills.push(toFill(t, clientOrderId, m.symbol));
      }
    }
    return fills;
  }

  /** Every trade of the account in `symbol` from `from` on, oldest first, however many pages the exchange splits
   *  them into (exchange.ts, tradePages). Reading on stops when a page adds no trade not already read. Where the
   *  exchange answers the oldest first, a read cut short after TRADE_PAGES_MAX pages still gives the oldest trades,
   *  and the reconciler's cursor resumes after them; where it answers the newest first, a cut short read would leave
   *  a gap behind the cursor, so it fails instead (and the next reconciliation asks again). */
  private async tradesSince(symbol: string, from: number): Promise<CcxtTrade[]> {
    const seen = new Map<string, CcxtTrade>();
    const add = (page: CcxtTrade[]): number => {
      let added = 0;
      for (const t of page) {
        if ((t.timestamp ?? 0) < from) continue;
        const key = t.id !== undefined && t.id !== null && t.id !== '' ? `id:${t.id}` : `${t.order}:${t.timestamp}:${t.amount}:${t.price}`;
        if (seen.has(key)) continue;
        seen.set(key, t);
        added++;
      }
      return added;
    };
    const read = (since: number, until?: number) =>
      this.call('fetchMyTrades', () => this.#exchange.fetchMyTrades(symbol, since, TRADE_PAGE, until === undefined ? {} : { until }));
    const newestFirst = tradePages(this.#config.exchange) === 'newest_first';
    let page = await read(from);
    for (let pages = 1; add(page) > 0; pages++) {
      const times = page.map((t) => t.timestamp ?? 0);
      if (pages >= TRADE_PAGES_MAX) {
        if (!newestFirst) break;
        throw new BrokerError('unreachable', `${this.broker}: more than ${TRADE_PAGES_MAX} pages of trades in ${symbol} since ${new Date(from).toISOString()}; not all could be read`);
      }
      // The next page overlaps this one by its edge millisecond (trades sharing it may straddle pages); what was
      // read already is not counted twice.
      page = newestFirst ? await read(from, Math.min(...times) + 1) : await read(Math.max(...times));
    }
    return [...seen.values()].sort((a, b) => (a.timestamp ?? 0) - (b.timestamp ?? 0));
  }

  async positions(): Promise<Position[]> {
    await this.loadMarkets();
    if ((this.#config.marketType ?? 'spot') !== 'spot') {
      const list = await this.call('fetchPositions', () => this.#exchange.fetchPositions());
      return list
        .filter((p) => (p.contracts ?? 0) !== 0)
        .map(toPosition);
    }
    // Spot: a position is a non-quote balance; its average price is the average cost of the buys since flat.
    const quote = this.#config.quoteCurrency ?? 'USDT';
    const balance = await this.call('fetchBalance', () => this.#exchange.fetchBalance());
    const totals = (balance.total ?? {}) as unknown as Record<string, number | undefined>;
    const out: Position[] = [];
    for (const [asset, amount] of Object.entries(totals)) {
      const symbol = `${asset}/${quote}`;
      if (asset === quote || !amount || !this.#exchange.markets?.[symbol]) continue;
      const trades = await this.call('fetchMyTrades', () => this.#exchange.fetchMyTrades(symbol, undefined, 1000));
      out.push({ symbol, quantity: new Decimal(amount).toString(), averagePrice: averageCost(trades) });
    }
    return out;
  }

  onUpdate(listener: (update: OrderUpdate) => void): () => void {
    // No push channel over REST (capabilities.streaming=false): the lifecycle polls instead.
    return this.#hub.add(listener);
  }
}
