// What the header's trading controls offer for a trading state, and which accounts are held by a state of their own
// (a circuit breaker, a loss limit, or the trader): those must be visible and resumable, not hidden behind a
// global "active".
import type { TradingStateView } from '../../../shared/api-types.js';
import type { TradingState } from '../../../shared/trading-state.js';

export interface GlobalActions {
  /** One click, always offered unless already halted: stopping must never be hard. */
  halt: boolean;
  /** Asks first: it lets new alerts open positions again. */
  resume: boolean;
  /** One click: only orders that make a position smaller go through. */
  reduceOnly: boolean;
}

export function globalActions(state: TradingState | undefined): GlobalActions {
  if (state === undefined) return { halt: false, resume: false, reduceOnly: false };
  return { halt: state !== 'halted', resume: state !== 'active', reduceOnly: state === 'active' };
}

export interface HeldAccount {
  id: string;
  /** The account's name, or its id when the account list does not know it (yet). */
  name: string;
  state: Exclude<TradingState, 'active'>;
  reason: string | null;
}

/** Accounts whose own state is halted or reducing: halted first, then by name. */
export function heldAccounts(view: Pick<TradingStateView, 'accounts'> | undefined, accounts: readonly { id: string; name: string }[] = []): HeldAccount[] {
  if (!view) return [];
  const names = new Map(accounts.map((a) => [a.id, a.name]));
  const held: HeldAccount[] = [];
  for (const [id, s] of Object.entries(view.accounts)) {
    if (s.state === 'active') continue;
    held.push({ id, name: names.get(id) ?? id, state: s.state, reason: s.reason });
  }
  return held.sort((a, b) => (a.state === b.state ? a.name.localeCompare(b.name) : a.state === 'halted' ? -1 : 1));
}

/**
 * The held account in words, for its compact header badge's tooltip and accessible name: the whole name (the badge
 * cuts a long one with an ellipsis), its state and why.
 */
export function heldDescription(a: Pick<HeldAccount, 'name' | 'state' | 'reason'>): string {
  const state = a.state === 'reducing' ? 'reduce-only' : 'halted';
  return a.reason ? `${a.name}: ${state} because: ${a.reason}` : `${a.name}: ${state}`;
}

/** What resuming one account means while the global state also restricts trading (the stricter one applies). */
export function accountResumeNote(global: TradingState | undefined): string | undefined {
  if (global === 'halted') return 'Trading is also halted for every account: this account stays halted until trading is resumed as a whole.';
  if (global === 'reducing') return 'Trading is reduce-only for every account: this account only reduces positions until trading is resumed as a whole.';
  return undefined;
}
