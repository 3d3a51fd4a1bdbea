// Trading state (global and per account), persisted so a halt survives a restart, and published live.
import type { TradingStateRepo } from './store/settings.js';
import type { EventBus } from './events.js';
import { lossLimitCodeOf, type TradingState } from '../shared/trading-state.js';
import type { TradingStateChange, TradingStateView } from '../shared/api-types.js';

const RANK: Record<TradingState, number> = { active: 0, reducing: 1, halted: 2 };

export class TradingStateService {
  /** When the initial state began (read once). */
  private initial: string | undefined;

  constructor(
    private readonly repo: TradingStateRepo,
    private readonly bus: EventBus,
    private readonly now: () => string = () => new Date().toISOString(),
  ) {}

  /** Every field is always there: `reason` is null when none was given, and until the state is first set,
   *  `updatedAt` is when the database was created (the agent's first start with this data directory). */
  view(): TradingStateView {
    const rows = this.repo.all();
    const global = rows.find((r) => r.scope === 'global');
    const accounts: TradingStateView['accounts'] = {};
    for (const r of rows) if (r.scope !== 'global') accounts[r.scope] = { state: r.state, reason: r.reason ?? null };
    return { state: global?.state ?? 'active', reason: global?.reason ?? null, updatedAt: global?.updatedAt ?? this.initialAt(), accounts };
  }

  private initialAt(): string {
    this.initial ??= this.repo.createdAt() ?? this.now();
    return this.initial;
  }

  /** The stricter of the global and the account state. */
  effective(accountId: string): { state: TradingState; reason?: string } {
    const g = this.repo.get('global');
    const a = this.repo.get(accountId);
    const gs = g?.state ?? 'active';
    const as = a?.state ?? 'active';
    return RANK[as] > RANK[gs] ? { state: as, reason: a?.reason } : { state: gs, reason: g?.reason };
  }

  /** Sets the global state, or an account's. The published event carries `change` only when the scope's state
   *  actually changed, so a limit hit again (or a halt set twice) is one notification, not one per alert. */
  set(state: TradingState, reason?: string, accountId?: string, code?: string): TradingStateView {
    const scope = accountId ?? 'global';
    const from = this.repo.get(scope)?.state ?? 'active';
    const at = this.now();
    this.repo.set(scope, state, reason, at);
    const view = this.view();
    if (from === state) {
      this.bus.publish({ type: 'trading-state', state: view });
      return view;
    }
    const limit = code ?? lossLimitCodeOf(reason);
    const change: TradingStateChange = {
      scope: accountId ? 'account' : 'global',
      ...(accountId ? { accountId } : {}),
      from,
      to: state,
      reason: reason ?? null,
      ...(limit ? { code: limit } : {}),
      at,
    };
    this.bus.publish({ type: 'trading-state', state: view, change });
    return view;
  }
}
