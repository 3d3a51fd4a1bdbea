// Symbol mapping: a TradingView ticker (symbol + exchange prefix) becomes the broker's symbol.
// Order: an explicit table row (most specific wins), then continuous futures by roll rule, then the broker's
// naming convention. Anything else is SYMBOL_UNMAPPED: guessing a symbol could trade the wrong instrument.
import type { SymbolMappingTable } from '../../shared/strategy-config.js';
import type { Code } from '../../shared/codes.js';
import { formatContract, nthContract, parseContinuous } from './futures-roll.js';

export interface TickerRef {
  /** Symbol without exchange prefix ("EURUSD", "ES1!"). */
  symbol: string;
  exchange?: string;
}

export type SymbolMapResult =
  | { ok: true; symbol: string; via: 'table' | 'futures_roll' | 'convention' }
  | { ok: false; code: Code; values: Record<string, string> };

const CRYPTO_EXCHANGES = new Set(['COINBASE', 'BINANCE', 'BINANCEUS', 'KRAKEN', 'BITSTAMP', 'BITFINEX', 'GEMINI', 'BYBIT', 'OKX', 'KUCOIN', 'CRYPTO', 'BITGET', 'MEXC', 'ALPACA']);
const EQUITY_EXCHANGES = new Set(['NASDAQ', 'NYSE', 'AMEX', 'ARCA', 'NYSEARCA', 'BATS', 'CBOE', 'OTC']);
const ALPACA_QUOTES = ['USDT', 'USDC', 'USD', 'BTC'];
const CCXT_QUOTES = ['USDT', 'USDC', 'FDUSD', 'BUSD', 'USD', 'EUR', 'GBP', 'BTC', 'ETH'];

/**
 * The naming family of a broker id. Adapters name themselves by broker, and a CCXT adapter by exchange as well
 * ("ccxt:binance", "ccxt:okx"): every one of those follows CCXT's unified symbols.
 */
export function brokerFamily(broker: string): string {
  const id = broker.trim().toLowerCase();
  const colon = id.indexOf(':');
  return colon < 0 ? id : id.slice(0, colon);
}

/** `broker` is the adapter's broker id as it names itself (BrokerAdapter.broker), e.g. "oanda" or "ccxt:binance". */
export function mapSymbol(ticker: TickerRef, broker: string, table: SymbolMappingTable, now: string): SymbolMapResult {
  const symbol = ticker.symbol.trim().toUpperCase();
  const exchange = ticker.exchange?.trim().toUpperCase() || undefined;
  const brokerId = broker.trim().toLowerCase();
  const family = brokerFamily(brokerId);
  const unmapped: SymbolMapResult = { ok: false, code: 'SYMBOL_UNMAPPED', values: { ticker: exchange ? `${exchange}:${symbol}` : symbol, broker: brokerId } };

  const row = bestRow(table, symbol, exchange, brokerId, family);
  if (row) return { ok: true, symbol: row, via: 'table' };

  const continuous = parseContinuous(symbol);
  if (continuous) {
    // These brokers list no exchange futures: a rolled contract symbol would only fail later.
    if (family === 'oanda' || family === 'alpaca' || family === 'ccxt') return unmapped;
    // Only a root with a known exchange rule is rolled: a guessed expiry maps to an expired or unwanted contract.
    const rule = Object.hasOwn(table.futuresRoll, continuous.root) ? table.futuresRoll[continuous.root] : table.defaultFuturesRoll;
    const contract = rule ? nthContract(rule, now, continuous.n) : undefined;
    if (!rule || !contract) return { ok: false, code: 'SYMBOL_UNMAPPED', values: { ...unmapped.values, root: continuous.root } };
    return { ok: true, symbol: formatContract(continuous.root, contract, rule.format), via: 'futures_roll' };
  }

  const converted = byConvention(symbol, exchange, family);
  return converted ? { ok: true, symbol: converted, via: 'convention' } : unmapped;
}

/** A row's broker matches the adapter's id exactly ("ccxt:okx") or its family ("ccxt" matches every CCXT
 *  exchange); an exact match is the more specific. */
function bestRow(table: SymbolMappingTable, symbol: string, exchange: string | undefined, broker: string, family: string): string | undefined {
  let best: { score: number; symbol: string } | undefined;
  for (const entry of table.entries) {
    const entryTicker = entry.ticker.toUpperCase();
    const full = exchange ? `${exchange}:${symbol}` : symbol;
    if (entryTicker !== symbol && entryTicker !== full) continue;
    if (entry.exchange && entry.exchange.toUpperCase() !== exchange) continue;
    const rowBroker = entry.broker?.trim().toLowerCase();
    if (rowBroker && rowBroker !== broker && rowBroker !== family) continue;
    const score = (entry.exchange || entryTicker.includes(':') ? 4 : 0) + (rowBroker === broker ? 2 : rowBroker ? 1 : 0);
    if (!best || score > best.score) best = { score, symbol: entry.symbol };
  }
  return best?.symbol;
}

function byConvention(symbol: string, exchange: string | undefined, broker: string): string | undefined {
  switch (broker) {
    case 'oanda': {
      if (/^[A-Z0-9]+_[A-Z]{3}$/.test(symbol)) return symbol;
      const m = /^([A-Z]{3})([A-Z]{3})$/.exec(symbol);
      if (m) return `${m[1]}_${m[2]}`;
      // TradingView writes OANDA's CFDs without the underscore (OANDA:SPX500USD, OANDA:US30USD, OANDA:WTICOUSD):
      // the instrument ends in its quote currency. A wrong guess is refused by OANDA's instrument list, never traded.
      const cfd = /^([A-Z0-9]{2,10}?)(USD|EUR|GBP|JPY|AUD|CAD|CHF|NZD|HKD|SGD|CNH)$/.exec(symbol);
      return cfd && (exchange === undefined || exchange === 'OANDA') && /[0-9]|^[A-Z]{4,}$/.test(cfd[1]!) ? `${cfd[1]}_${cfd[2]}` : undefined;
    }
    case 'alpaca': {
      if (symbol.includes('/')) return symbol;
      // A ticker from any other venue (TVC, FX, OANDA, SP, CAPITALCOM …: indices, CFDs, forex) is not a US stock,
      // even where a stock has the same letters (TVC:GOLD is gold, GOLD at Alpaca is Barrick Gold).
      if (exchange !== undefined && !EQUITY_EXCHANGES.has(exchange) && !CRYPTO_EXCHANGES.has(exchange)) return undefined;
      const isEquityVenue = exchange !== undefined && EQUITY_EXCHANGES.has(exchange);
      if (!isEquityVenue) {
        const pair = splitPair(symbol, ALPACA_QUOTES);
        if (pair && (exchange === undefined || CRYPTO_EXCHANGES.has(exchange))) return `${pair.base}/${pair.quote}`;
        if (exchange !== undefined && CRYPTO_EXCHANGES.has(exchange)) return undefined;
      }
      return /^[A-Z][A-Z0-9.]{0,9}$/.test(symbol) ? symbol : undefined;
    }
    case 'ccxt': {
      if (symbol.includes('/')) return symbol;
      // TradingView marks perpetual swaps with ".P": BTCUSDT.P is BTC/USDT:USDT in CCXT's unified symbols.
      const perp = symbol.endsWith('.P');
      const pair = splitPair(perp ? symbol.slice(0, -2) : symbol, CCXT_QUOTES);
      if (!pair) return undefined;
      return perp ? `${pair.base}/${pair.quote}:${pair.quote}` : `${pair.base}/${pair.quote}`;
    }
    default:
      return /^[A-Z0-9][A-Z0-9._/-]{0,31}$/.test(symbol) ? symbol : undefined;
  }
}

function splitPair(symbol: string, quotes: readonly string[]): { base: string; quote: string } | undefined {
  for (const quote of quotes) {
    if (symbol.length > quote.length + 1 && symbol.endsWith(quote)) {
      const base = symbol.slice(0, -quote.length);
      if (/^[A-Z0-9]{2,10}$/.test(base)) return { base, quote };
    }
  }
  return undefined;
}
