// What the control API, the CLI and the UI can do, over the stores and the pipeline.
import type { StrategyRepo, StrategyRow } from './store/strategies.js';
import type { AccountRepo } from './store/accounts.js';
import type { SignalRepo } from './store/signals.js';
import type { OrderRepo } from './store/orders.js';
import type { OrderRouter } from './orders/router.js';
import type { TradingStateService } from './trading-state.js';
import type { AccountView, PositionView, StrategyView } from '../shared/api-types.js';
import { ApiFailure } from './server/control.js';
import { hashPassphrase } from './server/security.js';
import { flatten, type FlattenResult } from './orders/flatten.js';
import { newWebhookId, randomId } from './ids.js';
import { latencyStatus } from './latency-trace.js';

export interface AgentServices {
  status(): Record<string, unknown>;
  strategies: {
    list(): StrategyView[];
    get(id: string): StrategyView | undefined;
    create(input: { name: string; accountIds: string[]; passphrase?: string; enabled?: boolean; config?: Record<string, unknown> }): StrategyView;
  };
  accounts: {
    list(): AccountView[];
    get(id: string): AccountView | undefined;
    create(input: { name: string; broker: string; environment: string; baseUrl?: string; credentials?: Record<string, string>; config?: Record<string, unknown> }): Promise<AccountView>;
  };
  signals: SignalRepo;
  orders: OrderRepo;
  tradingState: TradingStateService;
  positions(): Promise<PositionView[]>;
  flatten(input: { accountId?: string; halt?: boolean }): Promise<FlattenResult>;
}

export interface ServiceDeps {
  strategies: StrategyRepo;
  accounts: AccountRepo;
  signals: SignalRepo;
  orders: OrderRepo;
  router: OrderRouter;
  tradingState: TradingStateService;
  /** The base the webhook URL is built on: the tunnel's public URL when up, else the local listener. */
  webhookBase: () => string;
  /** Called when strategies change (the webhook listener caches lookups). */
  strategiesChanged: () => void;
  /** Creates and registers a broker adapter for a new account; stores credentials in the vault. */
  addAccount: (account: AccountView, credentials: Record<string, string>) => Promise<Record<string, 'set' | 'not set'>>;
  credentialStatus: (account: AccountView) => Record<string, 'set' | 'not set'>;
  status: () => Record<string, unknown>;
  now?: () => string;
}

export function createServices(d: ServiceDeps): AgentServices {
  const now = d.now ?? (() => new Date().toISOString());
  const view = (s: StrategyRow): StrategyView => ({
    id: s.id,
    name: s.name,
    webhookId: s.webhookId,
    webhookUrl: `${d.webhookBase().replace(/\/$/, '')}/webhook/${s.webhookId}`,
    accountIds: s.accountIds,
    enabled: s.enabled,
    hasPassphrase: s.passphraseHash !== undefined,
    config: s.config,
    createdAt: s.createdAt,
  });
  const accountView = (id: string): AccountView | undefined => {
    const a = d.accounts.get(id);
    if (!a) return undefined;
    const v: AccountView = { ...a, credentials: {} };
    v.credentials = d.credentialStatus(v);
    return v;
  };
  return {
    status: () => ({ ...d.status(), ...latencyStatus() }),
    strategies: {
      list: () => d.strategies.list().map(view),
      get: (id) => {
        const s = d.strategies.get(id);
        return s && view(s);
      },
      create(input) {
        for (const a of input.accountIds) if (!d.accounts.get(a)) throw new ApiFailure('VALIDATION_FAILED', `Account ${a} does not exist.`, [{ path: '/accountIds', message: `unknown account ${a}` }]);
        const row: StrategyRow = {
          id: randomId('str'),
          name: input.name,
          webhookId: newWebhookId(),
          passphraseHash: input.passphrase ? hashPassphrase(input.passphrase) : undefined,
          enabled: input.enabled ?? true,
          config: input.config ?? {},
          accountIds: input.accountIds,
          createdAt: now(),
        };
        d.strategies.insert(row);
        d.strategiesChanged();
        return view(row);
      },
    },
    accounts: {
      list: () => d.accounts.list().map((a) => accountView(a.id)!),
      get: accountView,
      async create(input) {
        const row = { id: randomId('acc'), name: input.name, broker: input.broker, environment: input.environment, baseUrl: input.baseUrl, config: input.config ?? {}, createdAt: now() };
        const v: AccountView = { ...row, credentials: {} };
        const status = await d.addAccount(v, input.credentials ?? {});
        d.accounts.insert(row);
        return { ...v, credentials: status };
      },
    },
    signals: d.signals,
    orders: d.orders,
    tradingState: d.tradingState,
    async positions() {
      const out: PositionView[] = [];
      for (const accountId of d.router.accountIds()) {
        const adapter = d.router.adapter(accountId)!;
        for (const p of await adapter.positions()) out.push({ accountId, ...p });
      }
      return out;
    },
    async flatten(input) {
      if (input.halt) d.tradingState.set('halted', 'flatten-all by the trader', input.accountId);
      return flatten(d.router, d.orders, randomId('flat'), input.accountId);
    },
  };
}
