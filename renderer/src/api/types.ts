// Shapes the UI reads beyond shared/api-types.ts: detail answers that combine resources, and endpoints that a
// given agent version may not have yet (the UI shows "not available in this version" for those).
import type { AccountView, OrderEventView, OrderView, SignalView, TradingStateView } from '../../../shared/api-types.js';

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
  /** Optional: realised + unrealised P&L since local midnight, a decimal string. */
  pnlToday?: string;
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

export type TunnelState = 'stopped' | 'starting' | 'up' | 'degraded' | 'down';
export type TunnelProviderKind = 'ngrok' | 'cloudflared' | 'localtunnel' | 'manual';

export interface TunnelStatus {
  state: TunnelState;
  provider: TunnelProviderKind;
  publicUrl: string | null;
  since: string;
  lastCheck: { at: string; publicUrl: string; arrived: boolean; latencyMs: number; error: string | null } | null;
  consecutiveFailures: number;
  lastError: { code: string; message: string; fix: string | null } | null;
  reconnectAttempts: number;
  nextRetryAt: string | null;
  /** The saved settings, when the agent returns them with the status. */
  settings?: TunnelSettings;
}

export interface TunnelSettings {
  provider: TunnelProviderKind;
  /** Start the tunnel with the agent. */
  autoStart?: boolean;
  /** ngrok reserved domain. */
  domain?: string;
  /** ngrok: let only TradingView's sender addresses through. */
  tradingViewOnly?: boolean;
  /** localtunnel server / subdomain. */
  host?: string;
  subdomain?: string;
  /** manual: the public URL. */
  url?: string;
  /** Write-only: an ngrok authtoken / Cloudflare tunnel token for the keychain. Never returned. */
  token?: string;
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
  errors: { accountId: string; code?: string; message: string }[];
}
