import crypto from 'node:crypto';

/** A random id with a readable prefix; 128 bits of randomness (webhook ids must be unguessable). */
export function randomId(prefix: string): string {
  return `${prefix}_${crypto.randomBytes(16).toString('base64url')}`;
}

/** The webhook id in a strategy's URL: 128 random bits, URL-safe, no prefix to keep URLs short. */
export function newWebhookId(): string {
  return crypto.randomBytes(18).toString('base64url');
}

/** Deterministic client order id from signal, account and leg: a re-run of the same signal yields the same id,
 *  so the broker refuses a second order. 35 characters of [a-z0-9-], within every broker's limit (Binance: 36). */
export function clientOrderId(signalId: string, accountId: string, leg: string): string {
  const h = crypto.createHash('sha256').update(`${signalId}\u0000${accountId}\u0000${leg}`).digest('hex');
  return `vz-${h.slice(0, 32)}`;
}

export function sha256(text: string): string {
  return crypto.createHash('sha256').update(text).digest('hex');
}
