// The CCXT exchange object behind an account: which exchange (any id CCXT has), its options (only the markets the
// account trades, CCXT's own rate limiter on), sandbox mode, a base URL for tests and proxies, and what the adapter
// can do there.
import ccxt, { type Exchange } from 'ccxt';
import { BrokerError, type BrokerCapabilities } from '../port.js';
import type { CcxtConfig, CcxtCredentials } from './adapter.js';

/** Every exchange id CCXT supports: the UI's exchange list comes from CCXT itself. */
export function listCcxtExchanges(): string[] {
  return [...(ccxt.exchanges as string[])].sort();
}

/** The exchange `config` names, logged in with `credentials`. */
export function createExchange(config: CcxtConfig, credentials: CcxtCredentials): Exchange {
  const ExchangeClass = (ccxt as unknown as Record<string, new (cfg: Record<string, unknown>) => Exchange>)[config.exchange];
  if (typeof ExchangeClass !== 'function' || !(ccxt.exchanges as string[]).includes(config.exchange)) throw new BrokerError('invalid', `CCXT has no exchange "${config.exchange}"`);
  const exchange = new ExchangeClass({
    apiKey: credentials.apiKey,
    secret: credentials.secret,
    ...(credentials.password ? { password: credentials.password } : {}),
    enableRateLimit: true,
    timeout: config.timeoutMs ?? 10_000,
    options: {
      defaultType: config.marketType ?? 'spot',
      // Only the markets this account trades: fewer requests, no derivatives endpoints for a spot account.
      fetchMarkets: { types: [config.marketType === 'swap' || config.marketType === 'future' ? 'linear' : 'spot'] },
      fetchCurrencies: false,
      fetchMargins: false,
      warnOnFetchOpenOrdersWithoutSymbol: false,
      ...config.options,
    },
  });
  noRetries(exchange);
  if (config.rateLimitMs !== undefined) exchange.rateLimit = config.rateLimitMs;
  if (config.environment === 'sandbox') exchange.setSandboxMode(true);
  if (config.baseUrl) retarget(exchange, config.baseUrl);
  return exchange;
}

const RETRY_OPTIONS = ['maxRetriesOnFailure', 'defaultMaxRetriesOnFailure'];

/** CCXT re-sends a request that failed with a network error (or an OperationFailed answer) when its
 *  maxRetriesOnFailure option, global or for one API path, is above 0. A re-sent create whose first answer was lost
 *  places a second order wherever the client id is free again once the first order is closed (Binance), so CCXT
 *  never retries here, whatever options an account passes: an outcome left unknown is looked up by client id. */
function noRetries(exchange: Exchange): void {
  const options = exchange.options as Record<string, unknown>;
  for (const value of [options, ...Object.values(options)]) {
    if (!value || typeof value !== 'object' || Array.isArray(value)) continue;
    for (const key of RETRY_OPTIONS) delete (value as Record<string, unknown>)[key];
  }
  options.maxRetriesOnFailure = 0;
}

/** Exchanges where a stop-limit order is an order like any other, found by its client id while it waits for its
 *  trigger and after: Binance spot (STOP_LOSS_LIMIT / TAKE_PROFIT_LIMIT, GET /api/v3/order by origClientOrderId).
 *  Elsewhere CCXT places a trigger order in a separate family (OKX: /trade/order-algo, looked up by algoClOrdId
 *  through fetchOrder's `trigger` param; Binance futures: algo orders), which the lookup by client id does not
 *  search: a lost answer would be taken for an order never placed, and sent again. Until that lookup exists there,
 *  the adapter offers no stop-limit orders on those exchanges. */
const STOP_LIMIT_BY_CLIENT_ID = new Set(['binance', 'binanceus']);

function stopLimitFoundByClientId(config: CcxtConfig): boolean {
  return STOP_LIMIT_BY_CLIENT_ID.has(config.exchange) && (config.marketType ?? 'spot') === 'spot';
}

/** What the adapter can do at `exchange`: what CCXT says it has, the market type, its request rate. */
export function ccxtCapabilities(exchange: Exchange, config: CcxtConfig): BrokerCapabilities {
  const has = exchange.has;
  return {
    orderTypes: has.createStopLimitOrder && stopLimitFoundByClientId(config) ? ['market', 'limit', 'stop_limit'] : ['market', 'limit'],
    // `day` (the strategy default) is taken and sent as GTC: crypto trades around the clock and has no trading
    // day to end at; a market order carries no time in force at all.
    timeInForce: ['day', 'gtc', 'ioc', 'fok'],
    brackets: false,
    oco: false,
    trailingStops: false,
    fractional: true,
    shortSelling: (config.marketType ?? 'spot') !== 'spot',
    clientIdLookup: true,
    modify: false,
    requestsPerMinute: Math.floor(60_000 / Math.max(1, exchange.rateLimit ?? 50)),
    streaming: false,
  };
}

/** How an exchange pages the account's trades after `since`. Most answer the oldest first (CCXT's `since`, Binance's
 *  startTime: a long range is read on from the newest trade of each page). OKX answers the newest `limit` (at most
 *  100) of the range, so a longer range is read back from the oldest trade of each page (CCXT's `until`, OKX `end`). */
export type TradePages = 'oldest_first' | 'newest_first';

const NEWEST_FIRST = new Set(['okx', 'okxus', 'myokx']);

export function tradePages(exchange: string): TradePages {
  return NEWEST_FIRST.has(exchange) ? 'newest_first' : 'oldest_first';
}

/** Rewrites every REST URL of the exchange to the given origin, keeping each URL's path. */
function retarget(exchange: Exchange, baseUrl: string): void {
  const origin = baseUrl.replace(/\/+$/, '');
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') return node.replace(/^https?:\/\/[^/]+/, origin);
    if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node as Record<string, unknown>)) (node as Record<string, unknown>)[k] = walk(v);
    }
    return node;
  };
  exchange.urls.api = walk(exchange.urls.api) as Exchange['urls']['api'];
}
