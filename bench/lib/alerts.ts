// Real-looking native alerts, each unique (its own `id`), so the durable inbox stores every one of them: a
// benchmark of duplicates would only measure the dedupe lookup.
import crypto from 'node:crypto';

const SYMBOLS = ['AAPL', 'MSFT', 'NVDA', 'TSLA', 'AMZN', 'META', 'GOOGL', 'SPY', 'QQQ', 'AMD', 'NFLX', 'INTC', 'ORCL', 'CRM', 'ADBE', 'AVGO'];

/** A run-unique prefix, so alerts of one run never collide with another's in the same data directory. */
export function runTag(): string {
  return crypto.randomBytes(4).toString('hex');
}

export interface AlertOptions {
  symbol?: string;
  action?: 'buy' | 'sell' | 'exit';
  quantity?: string;
  price?: string;
  passphrase?: string;
}

/** A native alert shaped like a filled TradingView strategy alert. */
export function alertBody(id: string, n: number, o: AlertOptions = {}): string {
  const symbol = o.symbol ?? SYMBOLS[n % SYMBOLS.length]!;
  const body: Record<string, string> = {
    ticker: `NASDAQ:${symbol}`,
    action: o.action ?? (n % 2 === 0 ? 'buy' : 'sell'),
    quantity: o.quantity ?? '1',
    price: o.price ?? (100 + (n % 50) / 4).toFixed(2),
    time: new Date().toISOString(),
    id,
  };
  if (o.passphrase) body.passphrase = o.passphrase;
  return JSON.stringify(body);
}

/** Sequential unique alerts: `next()` returns a new body every call. */
export function alertStream(prefix: string, o: AlertOptions = {}): { next(): string; count(): number } {
  let n = 0;
  return {
    next: () => {
      const i = n++;
      return alertBody(`${prefix}-${i}`, i, o);
    },
    count: () => n,
  };
}
