// The native alert as a JSON schema (shared/signal.ts's fields as TradingView sends them), for the reference
// servers: the same validation work an intake must do, without the agent's parser.
const decimal = { anyOf: [{ type: 'string', pattern: '^\\d+(\\.\\d+)?$' }, { type: 'number', exclusiveMinimum: 0 }] };

export const nativeAlertSchema = {
  type: 'object',
  required: ['ticker', 'action'],
  properties: {
    ticker: { type: 'string', minLength: 1, maxLength: 64 },
    action: { type: 'string', enum: ['buy', 'sell', 'exit', 'cancel', 'add'] },
    sentiment: { type: 'string', enum: ['bullish', 'bearish', 'flat'] },
    quantity: decimal,
    quantityType: { type: 'string', enum: ['fixed_quantity', 'dollar_amount', 'risk_dollar_amount', 'percent_of_equity', 'percent_of_position'] },
    orderType: { type: 'string', enum: ['market', 'limit', 'stop', 'stop_limit', 'trailing_stop'] },
    limitPrice: decimal,
    stopPrice: decimal,
    price: decimal,
    signalPrice: decimal,
    timeInForce: { type: 'string', enum: ['day', 'gtc', 'opg', 'cls', 'ioc', 'fok'] },
    time: { type: 'string', format: 'date-time' },
    id: { type: 'string', minLength: 1, maxLength: 200 },
    passphrase: { type: 'string', maxLength: 200 },
  },
} as const;
