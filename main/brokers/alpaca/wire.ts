// Alpaca Trading API v2 wire types (snake_case, decimals as strings), only the fields the adapter reads.

export interface AlpacaOrder {
  id: string;
  client_order_id: string;
  created_at: string;
  updated_at: string | null;
  submitted_at: string | null;
  filled_at: string | null;
  symbol: string;
  asset_class?: string;
  qty: string | null;
  notional: string | null;
  filled_qty: string;
  filled_avg_price: string | null;
  order_class?: string;
  type: string;
  side: 'buy' | 'sell';
  time_in_force: string;
  limit_price: string | null;
  stop_price: string | null;
  status: string;
  legs?: AlpacaOrder[] | null;
}

export interface AlpacaAccount {
  account_number?: string;
  status: string;
  currency: string;
  cash: string;
  equity: string;
  last_equity?: string;
  buying_power: string;
  trading_blocked?: boolean;
  account_blocked?: boolean;
}

export interface AlpacaAsset {
  symbol: string;
  class: string;
  tradable: boolean;
  fractionable?: boolean;
  shortable?: boolean;
  min_order_size?: string;
  min_trade_increment?: string;
  price_increment?: string;
}

export interface AlpacaPosition {
  symbol: string;
  qty: string;
  side: 'long' | 'short';
  avg_entry_price: string;
  current_price?: string;
  unrealized_pl?: string;
}

export interface AlpacaFillActivity {
  id: string;
  transaction_time: string;
  type: 'fill' | 'partial_fill';
  price: string;
  qty: string;
  side: 'buy' | 'sell';
  symbol: string;
  order_id: string;
  /** Cumulative filled quantity of the order after this fill. */
  cum_qty: string;
}

export interface AlpacaClock {
  is_open: boolean;
  next_open: string;
  next_close: string;
}

export interface AlpacaTradeUpdate {
  event: string;
  order: AlpacaOrder;
  price?: string;
  qty?: string;
  timestamp?: string;
  execution_id?: string;
}
