import crypto from 'node:crypto';

/** Random bytes for ids, drawn from the system CSPRNG 4 KB at a time: one call per 341 ids instead of one each
 *  (every alert gets an id on the webhook's hot path). */
const pool = Buffer.alloc(4092);
let used = pool.length;

/**
 * A time-ordered id with a readable prefix: the creation time in milliseconds (10 base-32 digits, so ids sort by
 * time as strings) and 96 random bits. Ids created one after another land side by side in every index that
 * holds them (signals, orders, their events, the audit trail), so a commit rewrites one index page where random
 * ids would each dirty another, and the page is still in the cache.
 */
export function randomId(prefix: string): string {
  if (used + 12 > pool.length) {
    crypto.randomFillSync(pool);
    used = 0;
  }
  const random = pool.toString('base64url', used, used + 12);
  used += 12;
  return `${prefix}_${Date.now().toString(32).padStart(10, '0')}${random}`;
}

/** The webhook id in a strategy's URL: 128 random bits, URL-safe, no prefix to keep URLs short. */
export function newWebhookId(): string {
  return crypto.randomBytes(18).toString('base64url');
}

/** Deterministic client order id from signal, account and leg: a re-run of the same signal yields the same id,
 *  so the broker refuses a second order. 35 characters of [a-z0-9-]: Alpaca, OANDA, Binance (36), Bybit (36),
 *  KuCoin and Coinbase take it as it is; OKX, Bitget and Kraken refuse it, and the CCXT adapter sends its 32 hex
 *  digits there instead (main/brokers/ccxt/client-id.ts). */
export function clientOrderId(signalId: string, accountId: string, leg: string): string {
  const h = crypto.createHash('sha256').update(`${signalId}\u0000${accountId}\u0000${leg}`).digest('hex');
  return `vz-${h.slice(0, 32)}`;
}

export function sha256(text: string): string {
  return crypto.createHash('sha256').update(text).digest('hex');
}
