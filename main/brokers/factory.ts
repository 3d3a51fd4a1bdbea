// Builds the adapter for a configured broker account. Credentials come from the vault, are handed to the
// adapter's constructor and kept in private fields; no message here ever includes their values.
import { BrokerError, type BrokerAdapter } from './port.js';
import { AlpacaAdapter, type AlpacaConfig } from './alpaca/adapter.js';
import { OandaAdapter, type OandaConfig } from './oanda/adapter.js';
import { CcxtAdapter, type CcxtConfig } from './ccxt/adapter.js';
import { ALPACA_ENVIRONMENTS, CCXT_ENVIRONMENTS, OANDA_ENVIRONMENTS } from './account-settings.js';

export type RealBroker = 'alpaca' | 'oanda' | 'ccxt';

export interface BrokerAccountConfig {
  id: string;
  broker: RealBroker;
  /** alpaca: paper | live; oanda: practice | live; ccxt: live | sandbox (testnet). */
  environment: string;
  baseUrl?: string;
  /** Broker-specific settings: oanda needs accountId, ccxt needs exchange; the rest is optional tuning. */
  config: Record<string, unknown>;
}

/** As stored in the vault: alpaca {keyId, secretKey}; oanda {token}; ccxt {apiKey, secret, password?}. */
export type BrokerCredentials = Readonly<Record<string, string | undefined>>;

function need(credentials: BrokerCredentials, broker: string, ...names: string[]): string[] {
  const missing = names.filter((n) => !credentials[n]);
  if (missing.length > 0) throw new BrokerError('auth', `${broker}: credentials are missing ${missing.join(', ')}; enter them in the account settings`);
  return names.map((n) => credentials[n]!);
}

function env<T extends string>(broker: string, value: string, allowed: Readonly<Record<string, T>>): T {
  const mapped = Object.prototype.hasOwnProperty.call(allowed, value.toLowerCase()) ? allowed[value.toLowerCase()] : undefined;
  if (!mapped) throw new BrokerError('invalid', `${broker}: environment "${value}" is not one of ${Object.keys(allowed).join(', ')}`);
  return mapped;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);
const int = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
/** A rate or a wait: a number above zero, else unset (the adapter's default). */
const positive = (v: unknown): number | undefined => { const n = int(v); return n !== undefined && n > 0 ? n : undefined; };
const bool = (v: unknown): boolean | undefined => (typeof v === 'boolean' ? v : undefined);

function defined<T extends object>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as T;
}

/** What an adapter may tell the agent's log beyond its answers (OANDA: an instrument held long and short at once). */
export interface AdapterHooks {
  warn?: (message: string) => void;
}

export function createAdapter(account: BrokerAccountConfig, credentials: BrokerCredentials, hooks: AdapterHooks = {}): BrokerAdapter {
  const c = account.config;
  switch (account.broker) {
    case 'alpaca': {
      const [keyId, secretKey] = need(credentials, 'Alpaca', 'keyId', 'secretKey');
      const config: AlpacaConfig = defined({
        environment: env('Alpaca', account.environment, ALPACA_ENVIRONMENTS),
        baseUrl: account.baseUrl,
        streamUrl: str(c.streamUrl),
        timeoutMs: int(c.timeoutMs),
        requestsPerMinute: positive(c.requestsPerMinute),
        burst: positive(c.burst),
        streaming: bool(c.streaming),
        pollIntervalMs: int(c.pollIntervalMs),
        cancelWaitMs: positive(c.cancelWaitMs),
      });
      return new AlpacaAdapter(account.id, config, { keyId: keyId!, secretKey: secretKey! });
    }
    case 'oanda': {
      const [token] = need(credentials, 'OANDA', 'token');
      const accountId = str(c.accountId);
      if (!accountId) throw new BrokerError('invalid', 'OANDA: the account id (e.g. 101-001-1234567-001) is missing from the account settings');
      const config: OandaConfig = defined({
        environment: env('OANDA', account.environment, OANDA_ENVIRONMENTS),
        accountId,
        baseUrl: account.baseUrl,
        streamUrl: str(c.streamUrl),
        timeoutMs: int(c.timeoutMs),
        requestsPerSecond: positive(c.requestsPerSecond),
        streaming: bool(c.streaming),
        pollIntervalMs: int(c.pollIntervalMs),
      });
      if (hooks.warn) config.onWarning = hooks.warn;
      return new OandaAdapter(account.id, config, { token: token! });
    }
    case 'ccxt': {
      const [apiKey, secret] = need(credentials, 'CCXT', 'apiKey', 'secret');
      const exchange = str(c.exchange);
      if (!exchange) throw new BrokerError('invalid', 'CCXT: the exchange (e.g. binance) is missing from the account settings');
      const marketType = str(c.marketType);
      const config: CcxtConfig = defined({
        exchange,
        environment: env('CCXT', account.environment, CCXT_ENVIRONMENTS),
        baseUrl: account.baseUrl,
        marketType: marketType === 'swap' || marketType === 'future' ? marketType : undefined,
        quoteCurrency: str(c.quoteCurrency),
        symbols: Array.isArray(c.symbols) ? c.symbols.filter((s): s is string => typeof s === 'string') : undefined,
        timeoutMs: int(c.timeoutMs),
        rateLimitMs: int(c.rateLimitMs),
      });
      const password = credentials.password;
      return new CcxtAdapter(account.id, config, password ? { apiKey: apiKey!, secret: secret!, password } : { apiKey: apiKey!, secret: secret! });
    }
    default:
      throw new BrokerError('invalid', `unknown broker "${String((account as { broker: unknown }).broker)}"`);
  }
}
