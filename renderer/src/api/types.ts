// Shapes the UI reads beyond shared/api-types.ts: detail answers that combine resources, and endpoints that a
// given agent version may not have yet (the UI shows "not available in this version" for those).
import type { AccountView, OrderEventView, OrderView, SignalView, TradingStateView, TunnelProviderKind, TunnelSettings, TunnelStateView, TunnelStatusView } from '../../../shared/api-types.js';

export interface DecisionView {
  accountId: string;
  verdict: 'order' | 'denied' | 'nothing' | string;
  code?: string;
  detail?: string;
  data?: unknown;
  at: string;
}

export interface SignalDetail extends SignalView {
  decisions: DecisionView[];
  orders: OrderView[];
}

export interface FillView {
  tradeId: string;
  quantity: string;
  price: string;
  time: string;
}

export interface OrderDetail extends OrderView {
  events: OrderEventView[];
  fills: FillView[];
}

export interface StatusView {
  pid: number;
  webhookPort: number;
  controlPort: number;
  signals: Record<string, number>;
  webhook?: Record<string, number>;
  tradingState: TradingStateView;
  /** Optional: broker connection per account. */
  brokers?: Record<string, BrokerHealth>;
}

export interface BrokerHealth {
  state: 'connected' | 'connecting' | 'disconnected' | 'error';
  message?: string;
  checkedAt?: string;
}

/** Accounts may carry their connection state (newer agents). */
export type AccountWithHealth = AccountView & { connection?: BrokerHealth };

export type TunnelState = TunnelStateView;
export type { TunnelProviderKind };

/** GET /api/tunnel: the supervisor's state plus the saved settings (never a token) and `autoStart`. */
export type TunnelStatus = TunnelStatusView;

/** The saved tunnel settings, one section per provider (shared/api-types.ts). */
export type { TunnelSettings };

/** PUT /api/tunnel: the sections given replace the saved ones. Tokens are never here (PUT /api/credentials/:name). */
export interface TunnelSettingsRequest {
  provider?: TunnelProviderKind;
  ngrok?: TunnelSettings['ngrok'];
  cloudflared?: TunnelSettings['cloudflared'];
  manual?: TunnelSettings['manual'];
  localtunnel?: TunnelSettings['localtunnel'];
}

export interface VaultStatus {
  available: boolean;
  backend: string;
  message: string;
  writable: boolean;
  fix?: unknown;
}

export interface AlertProblem {
  code: string;
  message: string;
  field?: string;
}

export interface AlertCheckResult {
  problems: AlertProblem[];
  signal?: Record<string, unknown>;
  /** Notes that do not stop the parse but can stop the trade (an id without {{timenow}} is taken for a re-send). */
  warnings?: string[];
  /** The template with sample values, as the agent parsed it. */
  rendered?: string;
}

export interface ConnectionTestResult {
  ok: boolean;
  code?: string;
  message?: string;
  latencyMs?: number;
}

export interface FlattenResultView {
  /** How many open orders were canceled. */
  canceled: number;
  closing: OrderView[];
  /** Positions held long and short at once (an OANDA hedging account), each closed whole, both sides, by the broker. */
  closed?: { accountId: string; symbol: string; long: string; short: string }[];
  errors: { accountId: string; code?: string; message: string }[];
}
