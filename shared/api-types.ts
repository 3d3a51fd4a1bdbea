// The control API's resource shapes (docs/api.md). The renderer and the CLI read these; the server writes them.
import type { Signal } from './signal.js';
import type { OrderStatus } from './order-status.js';
import type { TradingState } from './trading-state.js';
import type { NotifyConfig } from './notify.js';

export interface StrategyView {
  id: string;
  name: string;
  webhookId: string;
  /** Full URL TradingView posts to: the public tunnel URL when one is up, else the local webhook address. */
  webhookUrl: string;
  accountIds: string[];
  enabled: boolean;
  hasPassphrase: boolean;
  config: Record<string, unknown>;
  createdAt: string;
}

export interface AccountView {
  id: string;
  name: string;
  broker: string;
  environment: string;
  baseUrl?: string;
  /** Credential field names and whether each is set; values are never returned. */
  credentials: Record<string, 'set' | 'not set'>;
  config: Record<string, unknown>;
  createdAt: string;
  /**
   * Whether a broker adapter is registered for the account (orders are denied ACCOUNT_UNAVAILABLE otherwise) and
   * its broker answered the last call made to it: false after a failed connection test, or a broker read that
   * could not reach the broker or was refused the keys, until a call succeeds again.
   */
  connected?: boolean;
  /** Why the account is not connected, when a connection, a test or a broker read failed (and nothing succeeded since). */
  connectionError?: ConnectionProblemView;
  /**
   * While a required credential is not set: for each field not set, the VIEWZENIX_SECRET_* environment variable
   * the agent reads it from at start (docs/credentials.md), e.g. `{"keyId": "VIEWZENIX_SECRET_BROKER_ACC_…_KEYID"}`.
   */
  credentialVariables?: Record<string, string>;
}

/** GET /api/accounts/:id/balance: the account's money as its broker reports it, in `currency` (decimal strings). */
export interface AccountBalanceView {
  accountId: string;
  currency: string;
  cash: string;
  /** Cash plus the positions: their market value, or for futures, forex and CFDs their unrealised P&L. */
  equity: string;
  buyingPower: string;
  /** The equity at the start of the broker's trading day, where the broker reports it (Alpaca). */
  dayStartEquity?: string;
}

/** The last failure to reach an account's broker (or to be accepted by it). */
export interface ConnectionProblemView {
  code: string;
  message: string;
  at: string;
}

/** The answer of POST /api/accounts/:id/test. The message never contains a credential. */
export interface ConnectionTestView {
  ok: boolean;
  code?: string;
  message: string;
}

export interface FixStepsView {
  linux: string;
  macos: string;
  windows: string;
}

/** GET /api/vault/status: where credentials live, in plain words, with the fix per platform. */
export interface VaultStatusView {
  available: boolean;
  backend: 'keychain' | 'env' | 'none';
  /** Whether credentials can be saved (only with the OS keychain). */
  writable: boolean;
  message: string;
  fix: FixStepsView;
}

/** GET /api/credentials: entry names only, never values. */
export interface CredentialNameView {
  name: string;
}

export type TunnelProviderKind = 'ngrok' | 'cloudflared' | 'localtunnel' | 'manual';
export type TunnelStateView = 'stopped' | 'starting' | 'up' | 'degraded' | 'down';

/** Tunnel settings as stored (settings table). Tokens are never here: they live in the vault. */
export interface TunnelSettings {
  provider?: TunnelProviderKind;
  ngrok: { domain?: string; restrictToTradingView?: boolean };
  cloudflared: { mode?: 'quick' | 'named'; publicUrl?: string };
  manual: { publicUrl?: string };
  localtunnel: { host?: string; subdomain?: string };
}

export interface TunnelCheckView {
  at: string;
  publicUrl: string;
  arrived: boolean;
  latencyMs: number;
  error: string | null;
}

/** GET /api/tunnel and the `tunnel` event. */
export interface TunnelStatusView {
  state: TunnelStateView;
  provider: TunnelProviderKind | null;
  publicUrl: string | null;
  since: string | null;
  lastCheck: TunnelCheckView | null;
  consecutiveFailures: number;
  lastError: { code: string; message: string; fix: string | null } | null;
  reconnectAttempts: number;
  nextRetryAt: string | null;
  /** The public URL TradingView alerts were last set up with (survives restarts). */
  lastPublicUrl: string | null;
  /** Whether the tunnel starts with the agent (it was running when the agent last stopped). */
  autoStart: boolean;
  settings: TunnelSettings;
}

export type SignalStatus = 'queued' | 'processing' | 'done' | 'denied' | 'rejected' | 'failed';

export interface SignalView {
  id: string;
  strategyId: string;
  receivedAt: string;
  contentType?: string;
  sourceIp?: string;
  status: SignalStatus;
  code?: string;
  message?: string;
  symbol?: string;
  rawBody: string;
  parsed?: Signal;
  processedAt?: string;
}

export interface OrderView {
  id: string;
  clientOrderId: string;
  signalId?: string;
  strategyId?: string;
  accountId: string;
  symbol: string;
  side: 'buy' | 'sell';
  type: string;
  quantity: string;
  timeInForce: string;
  limitPrice?: string;
  stopPrice?: string;
  status: OrderStatus;
  filledQuantity: string;
  averageFillPrice?: string;
  brokerOrderId?: string;
  reason?: string;
  createdAt: string;
  updatedAt: string;
}

export interface OrderEventView {
  seq: number;
  orderId: string;
  at: string;
  kind: string;
  fromStatus?: string;
  toStatus?: string;
  data?: unknown;
}

export interface PositionView {
  accountId: string;
  symbol: string;
  quantity: string;
  averagePrice: string;
  marketPrice?: string;
  unrealizedPnl?: string;
}

/** An account whose broker could not be read for a listing (GET /api/positions): the others are still listed. */
export interface AccountReadErrorView {
  accountId: string;
  code: string;
  message: string;
}

/**
 * One account's trading day so far (GET /api/positions `days`): what its daily loss limit measures. The day is the
 * account's risk setting `tradingDay` (the UTC day when it is not set; a strategy that sets its own is judged on its
 * own day, not reported here).
 */
export interface AccountDayView {
  accountId: string;
  currency: string;
  /** The equity read now. */
  equity: string;
  /** The day's P&L: `equity` − `dayStartEquity`, realised and unrealised together (a deposit counts as a gain). */
  dayPnl: string;
  /** The equity the day is measured from. */
  dayStartEquity: string;
  /** The day's highest equity the agent has read (the drawdown limit's reference). */
  dayHighEquity: string;
  /** When the trading day began, and when the next one begins (ISO, UTC). */
  dayStart: string;
  dayEnd: string;
  /** The day's setting: "America/New_York" and "17:00", or "UTC" and "00:00" when it is not set. */
  timeZone: string;
  startsAt: string;
  /**
   * Where `dayStartEquity` came from: `broker`, the broker's own figure (Alpaca's `last_equity`, while `tradingDay` is
   * not set); `first_reading`, the first equity the agent read in the day (at `startReadAt`: an alert, an approval, or
   * this listing); `carried`, the setting changed during the day and the day then running goes on being measured.
   */
  startFrom: 'broker' | 'first_reading' | 'carried';
  /** When the agent read the starting equity (left out when not known). */
  startReadAt?: string;
}

/** GET /api/positions: the positions of every account that could be read, and why the others could not. */
export interface PositionsView {
  items: PositionView[];
  errors: AccountReadErrorView[];
  /** Each account's day P&L, for the accounts whose equity could be read (GET /api/positions always answers it). */
  days?: AccountDayView[];
}

/** GET /api/trading-state and the `trading-state` event: every field is always present. */
export interface TradingStateView {
  state: TradingState;
  /** Why the state was set; null when no reason was given (and for the initial `active` state). */
  reason: string | null;
  /** When the global state was last set; until then, when the data directory's database was created. */
  updatedAt: string;
  /** Accounts with a state of their own (the stricter of it and the global state applies). */
  accounts: Record<string, { state: TradingState; reason: string | null }>;
}

/** What one set of the trading state changed: the scope, from and to, and why (a loss limit's code, or the trader's reason). */
export interface TradingStateChange {
  scope: 'global' | 'account';
  accountId?: string;
  from: TradingState;
  to: TradingState;
  reason: string | null;
  /** The limit that set it (DAILY_LOSS_LIMIT, DRAWDOWN_LIMIT …); absent when set by hand. */
  code?: string;
  at: string;
}

export interface ApiError {
  status: 'error';
  code: string;
  message: string;
  fix?: string;
  requestId: string;
  errors?: { path: string; message: string }[];
}

export type AgentEvent =
  | { type: 'signal'; signal: Pick<SignalView, 'id' | 'strategyId' | 'status' | 'code' | 'symbol'> }
  | { type: 'order'; order: OrderView }
  /** `change` is there when this set changed a scope's state (notifications send one message per change). */
  | { type: 'trading-state'; state: TradingStateView; change?: TradingStateChange }
  | { type: 'position'; accountId: string; symbol: string }
  /** `accountId`: the account a notice is about, when it is about one (a broker account failing its test at start-up). */
  | { type: 'notice'; level: 'info' | 'warning' | 'error'; code?: string; message: string; accountId?: string }
  // Events that notifications (main/notify/) forward; the modules that detect them publish them.
  /** A loss or drawdown limit was reached (risk engine); trading is halted or reducing for the scope. */
  | { type: 'risk-limit'; code: string; accountId?: string; message: string }
  /** Reconciliation found the broker's position differs from the agent's books. */
  | { type: 'drift'; accountId: string; symbol: string; expected: string; actual: string }
  /** The tunnel supervisor's state changed (stopped / starting / up / degraded / down). */
  | { type: 'tunnel'; status: TunnelStatusView }
  /** Published once at start-up; previousRun tells a crash (agent.json left behind) from a clean stop. */
  | { type: 'agent'; state: 'started'; previousRun: 'first' | 'clean' | 'crashed' }
  /** An order waits for the trader's manual approval. */
  | { type: 'approval-waiting'; approvalId: string; accountId: string; strategyId?: string; symbol: string; side: 'buy' | 'sell'; quantity: string; expiresAt?: string }
  /** A held order's approval changed (approved, rejected, expired): lists and the pending count refresh. */
  | { type: 'approval'; approval: ApprovalView }
  /** The notification settings changed (a channel saved or removed, or a configuration imported): all of them now,
   *  as GET /api/notifications answers them in `config`. Never a credential (those are vault entries). */
  | { type: 'notification-settings'; config: NotifyConfig }
  /** The broker accounts changed (one added or deleted, or a configuration imported): every account's id and name now. */
  | { type: 'accounts'; accounts: { id: string; name: string }[] };

export type ApprovalStatus = 'pending' | 'approved' | 'rejected' | 'expired';

/** An order intent held for the trader's manual approval (GET /api/approvals). */
export interface ApprovalView {
  id: string;
  signalId: string;
  strategyId: string;
  strategyName?: string;
  accountId: string;
  accountName?: string;
  /** 'exit' | 'reduce' | 'entry'; an entry that depends on an exit can be approved once the exit filled. */
  leg: string;
  dependsOn?: string;
  symbol: string;
  side: 'buy' | 'sell';
  quantity: string;
  type: string;
  limitPrice?: string;
  stopPrice?: string;
  /** The client order id the order is sent with (the same the worker would use). */
  clientOrderId: string;
  status: ApprovalStatus;
  createdAt: string;
  expiresAt: string;
  decidedAt?: string;
  decidedBy?: string;
  reason?: string;
  code?: string;
  orderId?: string;
}
