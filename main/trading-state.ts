// Trading state (global and per account), persisted so a halt survives a restart, and published live.
import type { TradingStateRepo } from './store/settings.js';
import type { EventBus } from './events.js';
import type { TradingState } from '../shared/trading-state.js';
import type { TradingStateView } from '../shared/api-types.js';

const RANK: Record<TradingState, number> = { active: 0, reducing: 1, halted: 2 };

export class TradingStateService {
  constructor(
    private readonly repo: TradingStateRepo,
    private readonly bus: EventBus,
    private readonly now: () => string = () => new Date().toISOString(),
  ) {}

  view(): TradingStateView {
    const rows = this.repo.all();
    const global = rows.find((r) => r.scope === 'global');
    const accounts: TradingStateView['accounts'] = {};
    for (const r of rows) if (r.scope !== 'global') accounts[r.scope] = { state: r.state, reason: r.reason };
    return { state: global?.state ?? 'active', reason: global?.reason, updatedAt: global?.updatedAt, accounts };
  }

  /** The stricter of the global and the account state. */
  effective(accountId: string): { state: TradingState; reason?: string } {
    const g = this.repo.get('global');
    const a = this.repo.get(accountId);
    const gs = g?.state ?? 'active';
    const as = a?.state ?? 'active';
    return RANK[as] > RANK[gs] ? { state: as, reason: a?.reason } : { state: gs, reason: g?.reason };
  }

  set(state: TradingState, reason?: string, accountId?: string): TradingStateView {
    this.repo.set(accountId ?? 'global', state, reason, this.now());
    const view = this.view();
    this.bus.publish({ type: 'trading-state', state: view });
    return view;
  }
}
