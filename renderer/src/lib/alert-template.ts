// The alert message builder: the exact text to paste into TradingView's "Message" box for a strategy.
// Placeholders are quoted ("{{close}}") so a value TradingView renders as NaN cannot break the JSON.

export type AlertMode = 'simple-buy' | 'simple-sell' | 'strategy';

export const PASSPHRASE_PLACEHOLDER = '<your passphrase>';

export interface TemplateOptions {
  mode: AlertMode;
  /** Whether the strategy checks a passphrase; the text then carries PASSPHRASE_PLACEHOLDER (or the given one). */
  passphrase: boolean;
  /** Typed by the trader to get paste-ready text; never sent anywhere by the builder. */
  passphraseValue?: string;
  /** Simple modes: the quantity to trade (a decimal string). */
  quantity?: string;
  /** Include an idempotency id so a re-sent alert can never trade twice. */
  withId?: boolean;
}

/** The JSON object (in key order) for the chosen mode. */
export function alertObject(o: TemplateOptions): Record<string, string> {
  const base: Record<string, string> =
    o.mode === 'strategy'
      ? {
          ticker: '{{ticker}}',
          exchange: '{{exchange}}',
          action: '{{strategy.order.action}}',
          quantity: '{{strategy.order.contracts}}',
          price: '{{close}}',
          time: '{{timenow}}',
          positionSize: '{{strategy.position_size}}',
          marketPosition: '{{strategy.market_position}}',
          marketPositionSize: '{{strategy.market_position_size}}',
          prevMarketPosition: '{{strategy.prev_market_position}}',
          prevMarketPositionSize: '{{strategy.prev_market_position_size}}',
        }
      : {
          ticker: '{{ticker}}',
          exchange: '{{exchange}}',
          action: o.mode === 'simple-buy' ? 'buy' : 'sell',
          quantity: o.quantity && o.quantity.trim() !== '' ? o.quantity.trim() : '1',
          price: '{{close}}',
          time: '{{timenow}}',
        };
  if (o.withId) base.id = o.mode === 'strategy' ? '{{strategy.order.id}}-{{timenow}}' : '{{ticker}}-{{timenow}}';
  if (o.passphrase) base.passphrase = o.passphraseValue && o.passphraseValue !== '' ? o.passphraseValue : PASSPHRASE_PLACEHOLDER;
  return base;
}

export function alertText(o: TemplateOptions): string {
  return JSON.stringify(alertObject(o), null, 2);
}

/** Sample values TradingView would put in, so the tester can check the text as an alert would arrive. */
export function sampleValues(now: Date = new Date()): Record<string, string> {
  return {
    ticker: 'AAPL',
    exchange: 'NASDAQ',
    close: '190.00',
    time: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    timenow: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    interval: '5',
    'strategy.order.action': 'buy',
    'strategy.order.contracts': '1',
    'strategy.order.id': 'Long',
    'strategy.position_size': '1',
    'strategy.market_position': 'long',
    'strategy.market_position_size': '1',
    'strategy.prev_market_position': 'flat',
    'strategy.prev_market_position_size': '0',
  };
}

/** Fills {{placeholders}} the way TradingView does; unknown ones stay as they are (the check then reports them). */
export function fillPlaceholders(text: string, values: Record<string, string>): string {
  return text.replace(/\{\{\s*([a-z0-9_.]+)\s*\}\}/gi, (whole, name: string) => values[name] ?? whole);
}
