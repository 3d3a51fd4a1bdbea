// What the desktop app tells of trading states: a change of the global state or of one account's (its own, as the
// agent sends it), and one made while the app was not connected (told once at reconnect). The states the app last
// knew are kept here (AccountTradingStates) so a state published or read again is not told twice.
import { accountName, type AccountNames } from '../account-label.js';
import { CODES, type Code } from '../../shared/codes.js';
import type { NotifyKind } from '../../shared/notify.js';
import type { TradingState } from '../../shared/trading-state.js';
import { LOSS_LIMIT_CODES as LIMIT_CODE_LIST, lossLimitCodeOf, TRADING_STATES } from '../../shared/trading-state.js';
import type { NotificationSpec } from './facade.js';
import type { DesktopStatus } from './notification-router.js';
import { displayText, first, join, record, sentence, type Told } from './event-text.js';

/** The limits whose halt the agent sends as `daily-loss` (and as `halt` to a channel that wants only halts). */
const LOSS_LIMIT_CODES: ReadonlySet<string> = new Set(LIMIT_CODE_LIST);

/** What a change of the trading state belongs to, as main/notify/from-event.ts sends it: a loss limit's is `daily-loss`
 *  (and `halt` for a channel that wants only halts), any other (the trader's, another rule's) is `halt`. */
export const stateKinds = (code: string | null): readonly NotifyKind[] => (code !== null && LOSS_LIMIT_CODES.has(code) ? ['daily-loss', 'halt'] : ['halt']);

export const isTradingState = (v: unknown): v is TradingState => typeof v === 'string' && (TRADING_STATES as readonly string[]).includes(v);

/** The accounts with a state of their own (GET /api/trading-state and the `trading-state` event's `accounts`), or null
 *  when the value is not that shape. An account not listed has none: it is active (the global state still applies). */
export function parseAccountStates(value: unknown): Map<string, TradingState> | null {
  const v = record(value);
  if (v === null) return null;
  const states = new Map<string, TradingState>();
  for (const [id, entry] of Object.entries(v)) {
    const state = record(entry)?.state;
    if (isTradingState(state)) states.set(id, state);
  }
  return states;
}

/** Why each account with a state of its own has it (the `accounts` of GET /api/trading-state), for those with a reason. */
export function parseAccountReasons(value: unknown): Map<string, string> {
  const reasons = new Map<string, string>();
  for (const [id, entry] of Object.entries(record(value) ?? {})) {
    const reason = record(entry)?.reason;
    if (typeof reason === 'string') reasons.set(id, reason);
  }
  return reasons;
}

/**
 * Each account's own trading state as the shell last knew it, kept by the shell across events and reconnects (as the
 * global state is in DesktopStatus): an account's change is told only when the shell did not know it in that state
 * already, so the same change published again, or a state re-read at reconnect, is not told twice.
 */
export class AccountTradingStates {
  private known = new Map<string, TradingState>();
  /** Whether `known` is a whole list (read from the agent, or told by an event): then an account not in it is active.
   *  Not yet (the agent just started, or went away): only the accounts events told of are known. */
  private whole = false;
  private changes = 0;
  /** What was known when the agent went away (forget): what a read at the next connection is compared with. */
  private before: { known: ReadonlyMap<string, TradingState>; whole: boolean } | null = null;

  /** Counts what events told: a read sent before the count moved is older than what the stream told since. */
  get version(): number {
    return this.changes;
  }

  /** The account's own state, or undefined when the shell does not know it. */
  get(accountId: string): TradingState | undefined {
    return this.known.get(accountId) ?? (this.whole ? 'active' : undefined);
  }

  /** Every account's state as the agent answered it (GET /api/trading-state at each (re)connect): replaces what is known. */
  adopt(states: ReadonlyMap<string, TradingState>): void {
    this.known = new Map(states);
    this.whole = true;
  }

  /** What one event told: its whole list when it carries one, else the changed account's new state. */
  learn(states: ReadonlyMap<string, TradingState> | null, accountId: string | null, state: TradingState | null): void {
    this.changes += 1;
    if (states !== null) this.adopt(states);
    else if (accountId !== null && state !== null) this.known.set(accountId, state);
  }

  /**
   * Every account's state read at a (re)connect: adopted, and each account whose state differs from the one the shell
   * last knew it in (also before the agent went away) is returned, with that state. An account the shell never knew a
   * state of (the first connection) is not: it is not a change.
   */
  reread(states: ReadonlyMap<string, TradingState>): { accountId: string; from: TradingState; to: TradingState }[] {
    const base = this.recalled();
    const changed: { accountId: string; from: TradingState; to: TradingState }[] = [];
    if (base !== null) {
      for (const accountId of new Set([...base.known.keys(), ...states.keys()])) {
        const from = base.known.get(accountId) ?? (base.whole ? 'active' : undefined);
        const to = states.get(accountId) ?? 'active';
        if (from !== undefined && from !== to) changed.push({ accountId, from, to });
      }
    }
    this.adopt(states);
    this.before = null;
    return changed;
  }

  /** What the shell knows now, with what it knew before the agent went away for what it has not learned since. */
  private recalled(): { known: ReadonlyMap<string, TradingState>; whole: boolean } | null {
    if (this.whole) return { known: this.known, whole: true };
    if (this.before === null) return this.known.size > 0 ? { known: this.known, whole: false } : null;
    return { known: new Map([...this.before.known, ...this.known]), whole: this.before.whole };
  }

  /** The agent went away: what it holds is read again when it is back (and compared with what was known). */
  forget(): void {
    this.before = this.recalled();
    this.known = new Map();
    this.whole = false;
  }
}

const ACCOUNT_STATE_TOLD: Readonly<Record<TradingState, { title: string; effect: string; urgency: NotificationSpec['urgency'] }>> = {
  halted: { title: 'Trading halted for account', effect: 'No new orders are sent to this account until trading is resumed for it.', urgency: 'critical' },
  reducing: { title: 'Trading reduced to closing orders for account', effect: 'Only orders that reduce a position are sent to this account until trading is resumed for it.', urgency: 'normal' },
  active: { title: 'Trading active again for account', effect: 'New orders are sent to this account again.', urgency: 'normal' },
};

/** An account trading again while every account is still halted or reduced: what it still cannot do. */
const STILL_GLOBAL: Readonly<Partial<Record<DesktopStatus['tradingState'], string>>> = {
  halted: 'Trading is still halted for all accounts: no new orders are sent until it is resumed.',
  reducing: 'Trading is still reduced to closing orders for all accounts: only orders that reduce a position are sent.',
};

/**
 * One account's change of trading state (the event's `change`, main/trading-state.ts), told when the shell did not
 * already know the account in that state: the account as the trader named it, what changed, and the reason the agent
 * gives (a loss limit's with what the limit means). `global`: the global state after this event.
 */
export function accountStateNotification(change: Record<string, unknown>, global: DesktopStatus['tradingState'], accounts: AccountNames | undefined): Told | null {
  const id = first(change, 'accountId');
  const to = change.to;
  if (id === null || !isTradingState(to)) return null;
  const words = ACCOUNT_STATE_TOLD[to];
  const code = first(change, 'code');
  const effect = to === 'active' ? (STILL_GLOBAL[global] ?? words.effect) : words.effect;
  return { kinds: stateKinds(code), spec: { title: `${words.title} ${accountName(accounts, id)}`, body: join(why(code, first(change, 'reason')), effect), urgency: words.urgency } };
}

/** Why a state was set, as a sentence: a loss limit's with what the limit means, any other's reason as it was given. */
function why(code: string | null, reason: string | null): string | null {
  const limit = code !== null && LOSS_LIMIT_CODES.has(code) && Object.hasOwn(CODES, code) ? CODES[code as Code].message.replace(/\.$/, '') : null;
  return limit !== null ? sentence(reason === null ? limit : `${limit} (${reason})`) : reason === null ? null : `Reason: ${sentence(reason)}`;
}

export const GLOBAL_STATE_TOLD: Readonly<Record<TradingState, { title: string; effect: string; urgency: NotificationSpec['urgency'] }>> = {
  halted: { title: 'Trading halted', effect: 'No new orders will be sent until trading is resumed.', urgency: 'critical' },
  reducing: { title: 'Trading reduced', effect: 'Only orders that reduce positions will be sent.', urgency: 'normal' },
  active: { title: 'Trading resumed', effect: 'Trading is active again.', urgency: 'normal' },
};

const STATE_WORDS: Readonly<Record<TradingState, string>> = { active: 'active', reducing: 'reduced to closing orders', halted: 'halted' };

/** A change of a trading state the shell missed: what it last knew (`from`) differs from what it read at a (re)connect. */
export interface MissedStateChange {
  /** null: the global state. */
  readonly accountId: string | null;
  readonly from: TradingState;
  readonly to: TradingState;
  /** As GET /api/trading-state gives it: a loss limit's leads with its code (`DAILY_LOSS_LIMIT: loss=…`). */
  readonly reason: string | null;
}

/**
 * A change of the global or one account's trading state made while the shell was not connected to the agent (the
 * event stream dropped, the agent restarted), found when it reads the states again: told once, as the change would
 * have been, saying it happened meanwhile and what the state was before. `global`: the global state read with it.
 */
export function missedStateNotification(change: MissedStateChange, global: TradingState, accounts: AccountNames | undefined): Told {
  const reason = displayText(change.reason);
  const code = lossLimitCodeOf(reason) ?? null;
  const was = `It was ${STATE_WORDS[change.from]} when the app last heard from the agent.`;
  if (change.accountId === null) {
    const words = GLOBAL_STATE_TOLD[change.to];
    return { kinds: stateKinds(code), spec: { title: `${words.title} while the app was disconnected`, body: join(why(code, reason), words.effect, was), urgency: words.urgency } };
  }
  const words = ACCOUNT_STATE_TOLD[change.to];
  const effect = change.to === 'active' ? (STILL_GLOBAL[global] ?? words.effect) : words.effect;
  const title = `${words.title} ${accountName(accounts, change.accountId)} while the app was disconnected`;
  return { kinds: stateKinds(code), spec: { title, body: join(why(code, reason), effect, was), urgency: words.urgency } };
}

