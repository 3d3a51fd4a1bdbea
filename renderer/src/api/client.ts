// The one typed client of the control API (docs/api.md). Every call carries the Bearer token; every failure is an
// ApiHttpError with the agent's code, message and fix, so screens can explain it in plain words.
import type { AccountView, ApiError, ApprovalStatus, ApprovalView, OrderView, PositionsView, SignalView, StrategyView, TradingStateView } from '../../../shared/api-types.js';
import type { TradingState } from '../../../shared/trading-state.js';
import type { ChannelName, ChannelRemoval, ChannelSettings, NotificationsView, NotifyConfig, SendOutcome, UndeliveredView } from '../../../shared/notify.js';
import { takePreloaded } from './preload.js';
import type { AlertCheckResult, ConnectionTestResult, FlattenResultView, OrderDetail, SignalDetail, StatusView, TunnelSettingsRequest, TunnelStatus, VaultStatus } from './types.js';

export class ApiHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fix?: string,
    readonly errors?: { path: string; message: string }[],
  ) {
    super(message);
    this.name = 'ApiHttpError';
  }
}

/** An account delete refused because its positions could not be read (the broker's 502 code, or not connected):
 *  the one refusal `force` may override. */
export function isPositionsUnreadable(err: unknown): boolean {
  return err instanceof ApiHttpError && (err.status === 502 || err.code === 'ACCOUNT_UNAVAILABLE');
}

/** A 404 for a whole route: this agent version does not have the endpoint. */
export function isNotAvailable(err: unknown): boolean {
  return err instanceof ApiHttpError && (err.status === 404 || err.status === 405 || err.status === 501);
}

export function isUnauthorized(err: unknown): boolean {
  return err instanceof ApiHttpError && err.status === 401;
}

export interface OrdersQuery {
  limit?: number;
  offset?: number;
  status?: string;
  symbol?: string;
  accountId?: string;
  strategyId?: string;
  signalId?: string;
  search?: string;
  sort?: 'created_at' | 'updated_at' | 'symbol' | 'status';
  direction?: 'asc' | 'desc';
}

export function queryString(q: object): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '' && v !== null) params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}

/** The path of an orders listing: the API client and the entry script's early request (preload.ts) share it. */
export function ordersPath(q: OrdersQuery): string {
  return `/api/orders${queryString(q)}`;
}

export class ApiClient {
  constructor(
    readonly token: string,
    private readonly base = '',
  ) {}

  async request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    let res: Response;
    try {
      const early = method === 'GET' && body === undefined ? takePreloaded(this.base + path, this.token) : undefined;
      res = await (early ?? fetch(this.base + path, {
        method,
        signal,
        headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      }));
    } catch (err) {
      if ((err as Error).name === 'AbortError') throw err;
      throw new ApiHttpError(0, 'AGENT_UNREACHABLE', 'The agent does not answer.', 'Check that the agent is still running (viewzenix start), then reload.');
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const e = (json ?? {}) as Partial<ApiError>;
      throw new ApiHttpError(res.status, e.code ?? `HTTP_${res.status}`, e.message ?? res.statusText ?? 'Request failed', e.fix, e.errors);
    }
    return json as T;
  }

  get<T>(path: string, signal?: AbortSignal): Promise<T> {
    return this.request<T>('GET', path, undefined, signal);
  }

  status = (): Promise<StatusView> => this.get('/api/status');
  strategies = (): Promise<{ items: StrategyView[] }> => this.get('/api/strategies');
  strategy = (id: string): Promise<StrategyView> => this.get(`/api/strategies/${encodeURIComponent(id)}`);
  /** Refused 409 CONFLICT while its alerts are being processed or its orders wait for approval (the message says what to do). */
  deleteStrategy = (id: string): Promise<{ id: string; deleted: true }> => this.request('DELETE', `/api/strategies/${encodeURIComponent(id)}`);
  /** Changes only the fields given; `config` replaces the whole config (merge first), `passphrase: null` removes it. */
  updateStrategy = (id: string, body: { name?: string; accountIds?: string[]; passphrase?: string | null; enabled?: boolean; config?: Record<string, unknown> }): Promise<StrategyView> => this.request('PUT', `/api/strategies/${encodeURIComponent(id)}`, body);
  /** A new webhook URL; the old one answers 404 WEBHOOK_NOT_FOUND at once. */
  rotateWebhook = (id: string): Promise<StrategyView> => this.request('POST', `/api/strategies/${encodeURIComponent(id)}/webhook`, {});
  createStrategy = (body: { name: string; accountIds: string[]; passphrase?: string; enabled?: boolean; config?: Record<string, unknown> }): Promise<StrategyView> => this.request('POST', '/api/strategies', body);
  accounts = (): Promise<{ items: AccountView[] }> => this.get('/api/accounts');
  /** Refused while in use or holding positions; `force` deletes it even when its positions cannot be read. */
  deleteAccount = (id: string, opts: { force?: boolean } = {}): Promise<{ id: string; deleted: true }> => this.request('DELETE', `/api/accounts/${encodeURIComponent(id)}${opts.force ? '?force=true' : ''}`);
  createAccount = (body: { name: string; broker: string; environment: string; baseUrl?: string; credentials?: Record<string, string>; config?: Record<string, string> }): Promise<AccountView> => this.request('POST', '/api/accounts', body);
  setCredentials = (id: string, credentials: Record<string, string>): Promise<AccountView> => this.request('PUT', `/api/accounts/${encodeURIComponent(id)}/credentials`, { credentials });
  testAccount = (id: string): Promise<ConnectionTestResult> => this.request('POST', `/api/accounts/${encodeURIComponent(id)}/test`, {});
  /** `truncated`: more signals match than the answer holds (docs/api.md); ask a larger `limit` or narrow the filters. */
  signals = (q: { limit?: number; status?: string; strategyId?: string } = {}): Promise<{ items: SignalView[]; truncated?: boolean }> => this.get(`/api/signals${queryString(q)}`);
  signal = (id: string): Promise<SignalDetail> => this.get(`/api/signals/${encodeURIComponent(id)}`);
  orders = (q: OrdersQuery = {}, signal?: AbortSignal): Promise<{ items: OrderView[]; total: number; truncated?: boolean }> => this.get(ordersPath(q), signal);
  order = (id: string): Promise<OrderDetail> => this.get(`/api/orders/${encodeURIComponent(id)}`);
  /** `errors`: accounts whose broker could not be read (their positions are missing from `items`). */
  positions = (): Promise<PositionsView> => this.get('/api/positions');
  tradingState = (): Promise<TradingStateView> => this.get('/api/trading-state');
  setTradingState = (state: TradingState, reason?: string, accountId?: string): Promise<TradingStateView> => this.request('PUT', '/api/trading-state', { state, ...(reason ? { reason } : {}), ...(accountId ? { accountId } : {}) });
  flatten = (body: { accountId?: string; halt?: boolean } = {}): Promise<FlattenResultView> => this.request('POST', '/api/flatten', body);
  tunnel = (): Promise<TunnelStatus> => this.get('/api/tunnel');
  /** Only the fields PUT /api/tunnel accepts (lib/tunnel-form.ts builds them); tokens go to setCredential. */
  saveTunnel = (settings: TunnelSettingsRequest): Promise<TunnelStatus> => this.request('PUT', '/api/tunnel', settings);
  tunnelAction = (action: 'start' | 'stop' | 'check'): Promise<TunnelStatus> => this.request('POST', `/api/tunnel/${action}`, {});
  vault = (): Promise<VaultStatus> => this.get('/api/vault/status');
  /** Names of the keychain entries (never values): tells whether a tunnel token is set. */
  credentialNames = (): Promise<{ items: { name: string }[] }> => this.get('/api/credentials');
  /** Stores a tunnel or notification token in the keychain; the value never comes back. */
  setCredential = (name: string, value: string): Promise<{ name: string; status: 'set' }> => this.request('PUT', `/api/credentials/${encodeURIComponent(name)}`, { value });
  /** Removes a tunnel or notification token from the keychain; 404 when there was none. */
  deleteCredential = (name: string): Promise<{ name: string; status: 'not set' }> => this.request('DELETE', `/api/credentials/${encodeURIComponent(name)}`);
  /** Each channel's settings (never a credential) and whether it can send. */
  notifications = (): Promise<NotificationsView> => this.get('/api/notifications');
  /** Replaces one channel's whole settings (lib/notify-form.ts builds them); its credential goes to setCredential. */
  saveNotifyChannel = (channel: ChannelName, settings: ChannelSettings): Promise<NotifyConfig> => this.request('PUT', `/api/notifications/channels/${encodeURIComponent(channel)}`, settings);
  /** Sends a test message now with the saved settings; 200 with what the service said, sent or not. */
  testNotifyChannel = (channel: ChannelName): Promise<SendOutcome> => this.request('POST', `/api/notifications/channels/${encodeURIComponent(channel)}/test`, {});
  /** Forgets the channel's settings, gives up what waits for it and deletes its keychain entries (503 VAULT_UNAVAILABLE:
   *  the settings are gone, the credential is not). */
  removeNotifyChannel = (channel: ChannelName): Promise<ChannelRemoval> => this.request('DELETE', `/api/notifications/channels/${encodeURIComponent(channel)}`);
  /** The messages the agent gave up sending, the last first. */
  undelivered = (q: { limit?: number } = {}): Promise<UndeliveredView> => this.get(`/api/notifications/undelivered${queryString(q)}`);
  /** Forgets the undelivered messages given up at or before `through` (the last one read). */
  clearUndelivered = (q: { through?: string } = {}): Promise<{ cleared: number }> => this.request('DELETE', `/api/notifications/undelivered${queryString(q)}`);
  /** Queues a given-up message (its outbox id) again with a fresh count of attempts: it leaves the undelivered list.
   *  404 NOT_FOUND when it is no longer given up (sent again already, or cleared). */
  retryUndelivered = (id: number): Promise<{ ok: true }> => this.request('POST', `/api/notifications/outbox/${encodeURIComponent(String(id))}/retry`, {});
  /** Broker catalogue; the crypto exchange list comes from CCXT itself (`ccxt.exchanges`). */
  brokers = (): Promise<{ ccxtExchanges: string[] }> => this.get('/api/brokers');
  checkAlert = (text: string): Promise<AlertCheckResult> => this.request('POST', '/api/alerts/check', { text });
  approvals = (q: { status?: ApprovalStatus } = {}): Promise<{ items: ApprovalView[]; pending: number }> => this.get(`/api/approvals${queryString(q)}`);
  approve = (id: string): Promise<{ approval: ApprovalView; order: OrderView }> => this.request('POST', `/api/approvals/${encodeURIComponent(id)}/approve`, {});
  reject = (id: string, reason?: string): Promise<{ approval: ApprovalView }> => this.request('POST', `/api/approvals/${encodeURIComponent(id)}/reject`, reason ? { reason } : {});
}
