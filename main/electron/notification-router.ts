// Turns the agent's live events into desktop notifications and tray status. Pure but for the fills already
// announced, which the shell keeps: the trader's attention is for what needs it (fills, also a part filled while
// a cancel is pending or before the order ended, denials, rejections, unknown outcomes, halts, drift, the tunnel
// going down), never for routine traffic, and a state or a fill that did not change is not announced twice. Each
// notification says which kinds (docs/notifications.md) it belongs to, so the shell shows only those the trader chose
// for the desktop channel, and names accounts as the trader did (main/account-label.ts). A change of one account's
// trading state is told as well as the global one, once per state (AccountTradingStates).
import { accountName, type AccountNames } from '../account-label.js';
import { CODES, type Code } from '../../shared/codes.js';
import type { NotifyKind, SeenKeys } from '../../shared/notify.js';
import type { TradingState } from '../../shared/trading-state.js';
import { TRADING_STATES } from '../../shared/trading-state.js';
import type { NotificationSpec } from './facade.js';

export type TunnelState = 'up' | 'down' | 'off' | 'unknown';

export interface DesktopStatus {
  readonly tradingState: TradingState | 'unknown';
  readonly tunnel: TunnelState;
}

export const INITIAL_STATUS: DesktopStatus = { tradingState: 'unknown', tunnel: 'unknown' };

export interface Routed {
  readonly notification: NotificationSpec | null;
  /** The kinds the notification belongs to, the first its own (empty without one): shown when the desktop channel
   *  takes any of them, as the agent's channels take a loss limit as `daily-loss`, or as `halt`. */
  readonly kinds: readonly NotifyKind[];
  readonly status: DesktopStatus;
}

const MAX_FIELD = 120;

/** A displayable scalar from an event field: strings and finite numbers only, trimmed and bounded. */
export function displayText(value: unknown): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return null;
  const clean = [...value].map((c) => ((c.codePointAt(0) ?? 0) < 0x20 || c === '\u007f' ? ' ' : c)).join('').trim();
  if (clean === '') return null;
  return clean.length > MAX_FIELD ? `${clean.slice(0, MAX_FIELD)}…` : clean;
}

function first(event: Record<string, unknown>, ...keys: string[]): string | null {
  for (const key of keys) {
    const value = displayText(event[key]);
    if (value !== null) return value;
  }
  return null;
}

function codeMessage(code: string | null): string | null {
  if (code === null) return null;
  return Object.hasOwn(CODES, code) ? `${code}: ${CODES[code as Code].message}` : code;
}

const join = (...parts: (string | null)[]): string => parts.filter((p): p is string => p !== null).join(' ');

/** A part filled while the order's cancel is pending, or before it ended canceled or expired: how it is told. */
const PART_BEFORE_END: Readonly<Record<string, { title: string; rest: string }>> = {
  cancel_pending: { title: 'Order partially filled, cancel pending', rest: 'filled before the cancel took effect; the rest is being canceled.' },
  canceled: { title: 'Order canceled after a partial fill', rest: 'filled before the cancel took effect; the rest was canceled.' },
  expired: { title: 'Order expired after a partial fill', rest: 'filled before it expired; the rest will not fill.' },
};

/** `in account "Paper" (acc_…)` (`in account acc_…` for one the shell has no name for), or null for an event without an account. */
function inAccount(event: Record<string, unknown>, accounts: AccountNames | undefined): string | null {
  const id = first(event, 'accountId');
  return id === null ? null : `in account ${accountName(accounts, id)}`;
}

interface Told {
  readonly spec: NotificationSpec;
  readonly kinds: readonly NotifyKind[];
}

const told = (kind: NotifyKind, spec: NotificationSpec): Told => ({ spec, kinds: [kind] });

function orderNotification(event: Record<string, unknown>, fills: SeenKeys | undefined, accounts: AccountNames | undefined): Told | null {
  const status = displayText(event.status);
  const symbol = first(event, 'symbol', 'ticker');
  const side = first(event, 'side')?.toUpperCase() ?? null;
  const qty = first(event, 'filledQuantity', 'filledQty', 'quantity', 'qty');
  const price = first(event, 'averageFillPrice', 'avgFillPrice', 'fillPrice', 'price');
  const what = join(side, qty, symbol) || 'An order';
  const at = price === null ? null : `@ ${price}`;
  const where = inAccount(event, accounts);
  // A rejected or unknown order is told by what was ordered: nothing of it filled (the agent's event says 0).
  const ordered = join(side, first(event, 'quantity', 'qty'), symbol) || 'An order';
  const filled = first(event, 'filledQuantity', 'filledQty');
  const partEnd = status !== null && Object.hasOwn(PART_BEFORE_END, status) ? PART_BEFORE_END[status] : undefined;
  const isFill = status === 'filled' || status === 'partially_filled' || (partEnd !== undefined && filled !== null && Number(filled) > 0);
  // The agent publishes an order again when anything about it changes (its cancel request, the broker's final
  // answer) or a report comes twice (the stream, then reconciliation): each fill quantity of an order is told once.
  const id = first(event, 'id', 'orderId');
  if (isFill && fills && id !== null && !fills.add(`order:${id}:${status === 'filled' ? 'filled' : 'partially_filled'}:${qty ?? ''}`)) return null;
  switch (status) {
    case 'filled':
      return told('fill', { title: 'Order filled', body: join(what, at, where), urgency: 'normal' });
    case 'partially_filled':
      return told('fill', { title: 'Order partially filled', body: join(what, at, where), urgency: 'normal' });
    case 'rejected':
      return told('rejection', {
        title: 'Order rejected by the broker',
        body: join(`${join(ordered, where)}:`, codeMessage(first(event, 'code')) ?? first(event, 'message', 'reason') ?? 'no reason given'),
        urgency: 'critical',
      });
    case 'unknown':
      return told('unknown-order', { title: 'Order outcome unknown', body: `${join(ordered, where)}: the broker did not answer in time; the agent is reconciling before it trades again.`, urgency: 'critical' });
    default: {
      if (!isFill || partEnd === undefined) return null;
      // The trader asked to cancel (or the order ran out of time), but a part filled: their position changed.
      const of = first(event, 'quantity', 'qty');
      const head = join(side, filled, of === null ? null : `of ${of}`, symbol, at, where);
      return told('fill', { title: partEnd.title, body: `${head}: ${partEnd.rest}`, urgency: 'normal' });
    }
  }
}

function denialNotification(event: Record<string, unknown>): Told {
  const symbol = first(event, 'symbol', 'ticker');
  const reason = codeMessage(first(event, 'code')) ?? first(event, 'message', 'reason') ?? 'a risk rule';
  return told('denial', { title: 'Order denied', body: symbol === null ? reason : `${symbol}: ${reason}`, urgency: 'normal' });
}

/** The limits whose halt the agent sends as `daily-loss` (and as `halt` to a channel that wants only halts). */
const LOSS_LIMIT_CODES: ReadonlySet<string> = new Set(['DAILY_LOSS_LIMIT', 'DRAWDOWN_LIMIT']);

/** What a change of the trading state belongs to, as main/notify/from-event.ts sends it: a loss limit's is `daily-loss`
 *  (and `halt` for a channel that wants only halts), any other (the trader's, another rule's) is `halt`. */
const stateKinds = (code: string | null): readonly NotifyKind[] => (code !== null && LOSS_LIMIT_CODES.has(code) ? ['daily-loss', 'halt'] : ['halt']);

const isTradingState = (v: unknown): v is TradingState => typeof v === 'string' && (TRADING_STATES as readonly string[]).includes(v);

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

  /** The agent went away: what it holds is read again when it is back. */
  forget(): void {
    this.known = new Map();
    this.whole = false;
  }
}

/** A reason as a sentence: a final stop added when it has none (the agent's reasons come with and without). */
const sentence = (s: string): string => (/[.!?…]$/.test(s) ? s : `${s}.`);

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
function accountStateNotification(change: Record<string, unknown>, global: DesktopStatus['tradingState'], accounts: AccountNames | undefined): Told | null {
  const id = first(change, 'accountId');
  const to = change.to;
  if (id === null || !isTradingState(to)) return null;
  const words = ACCOUNT_STATE_TOLD[to];
  const code = first(change, 'code');
  const reason = first(change, 'reason');
  const limit = code !== null && LOSS_LIMIT_CODES.has(code) && Object.hasOwn(CODES, code) ? CODES[code as Code].message.replace(/\.$/, '') : null;
  const why = limit !== null ? sentence(reason === null ? limit : `${limit} (${reason})`) : reason === null ? null : `Reason: ${sentence(reason)}`;
  const effect = to === 'active' ? (STILL_GLOBAL[global] ?? words.effect) : words.effect;
  return { kinds: stateKinds(code), spec: { title: `${words.title} ${accountName(accounts, id)}`, body: join(why, effect), urgency: words.urgency } };
}

function tunnelState(value: unknown): TunnelState | null {
  switch (value) {
    case 'up':
    case 'connected':
    case 'online':
      return 'up';
    case 'down':
    case 'disconnected':
    case 'error':
    case 'offline':
      return 'down';
    case 'off':
    case 'disabled':
    case 'stopped':
      return 'off';
    default:
      return null;
  }
}

const record = (v: unknown): Record<string, unknown> | null => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null);

/**
 * The agent's events (shared/api-types.ts AgentEvent) carry their subject nested: `{type:'order', order}`,
 * `{type:'signal', signal}`, `{type:'trading-state', state: {state, reason…}}`, `{type:'tunnel', status: {state,
 * lastError…}}`. Lifted to the top level here; an event already flat passes as it is.
 */
export function flattenAgentEvent(event: Record<string, unknown>): Record<string, unknown> {
  switch (event.type) {
    case 'order':
    case 'signal': {
      const inner = record(event[event.type]);
      return inner ? { ...inner, type: event.type } : event;
    }
    case 'trading-state': {
      const inner = record(event.state);
      return inner ? { ...inner, type: event.type } : event;
    }
    case 'tunnel': {
      const inner = record(event.status);
      if (!inner) return event;
      const error = record(inner.lastError);
      return { type: event.type, status: inner.state, reason: error?.message ?? null };
    }
    default:
      return event;
  }
}

/**
 * `fills`: the fills the shell has announced (kept by the shell), so the same one published again is not told twice.
 * `accounts`: the names the trader gave the accounts; an account without one is named by its id.
 */
export function routeAgentEvent(raw: Record<string, unknown>, status: DesktopStatus, fills?: SeenKeys, accounts?: AccountNames, accountStates?: AccountTradingStates): Routed {
  const event = flattenAgentEvent(raw);
  const none: Routed = { notification: null, kinds: [], status };
  const routed = (t: Told | null, next = status): Routed => (t === null ? { ...none, status: next } : { notification: t.spec, kinds: t.kinds, status: next });
  switch (event.type) {
    case 'order':
      if (event.status === 'denied') return routed(denialNotification(event));
      return routed(orderNotification(event, fills, accounts));
    case 'denial':
    case 'risk-denial':
      return routed(denialNotification(event));
    case 'signal':
      return event.status === 'denied' ? routed(denialNotification(event)) : none;
    case 'trading-state': {
      const state = event.state;
      if (!isTradingState(state)) return none;
      const next = { ...status, tradingState: state };
      const change = record(raw.change);
      const accountChange = change?.scope === 'account' ? change : null;
      const id = accountChange === null ? null : first(accountChange, 'accountId');
      const to = accountChange !== null && isTradingState(accountChange.to) ? accountChange.to : null;
      const known = id === null ? undefined : accountStates?.get(id);
      // Every event carries each account's state: what is known follows it, whatever changed.
      accountStates?.learn(parseAccountStates(event.accounts), id, to);
      if (accountChange !== null) {
        // One account changed, so the global state did not (one change per event): the tray follows it, untold.
        return routed(to === null || known === to ? null : accountStateNotification(accountChange, state, accounts), next);
      }
      if (state === status.tradingState) return routed(null, next);
      const reason = first(event, 'reason', 'message');
      const kinds = stateKinds(first(change ?? {}, 'code'));
      if (state === 'halted') return routed({ kinds, spec: { title: 'Trading halted', body: reason ?? 'No new orders will be sent until trading is resumed.', urgency: 'critical' } }, next);
      if (state === 'reducing') return routed({ kinds, spec: { title: 'Trading reduced', body: reason ?? 'Only orders that reduce positions will be sent.', urgency: 'normal' } }, next);
      if (status.tradingState === 'unknown') return routed(null, next);
      return routed({ kinds, spec: { title: 'Trading resumed', body: reason ?? 'Trading is active again.', urgency: 'normal' } }, next);
    }
    case 'drift':
    case 'reconciliation': {
      if (event.type === 'reconciliation' && event.status !== 'mismatch' && event.status !== 'drift') return none;
      const subject = join(first(event, 'symbol', 'ticker'), inAccount(event, accounts));
      const expected = first(event, 'expected');
      const actual = first(event, 'actual');
      const detail =
        first(event, 'message', 'reason') ??
        (expected !== null && actual !== null ? `the broker holds ${actual}; the agent expected ${expected}.` : 'The broker and the agent disagree on a position or order.');
      return routed(told('drift', { title: 'Position drift detected', body: subject === '' ? detail : `${subject}: ${detail}`, urgency: 'critical' }));
    }
    case 'tunnel': {
      const tunnel = tunnelState(event.status ?? event.state);
      if (tunnel === null) return none;
      const next = { ...status, tunnel };
      if (tunnel !== 'down' || status.tunnel === 'down') return routed(null, next);
      const reason = first(event, 'reason', 'message', 'error');
      const body = `TradingView alerts cannot reach the agent${reason === null ? '' : `: ${reason}`}. It will keep trying to reconnect.`;
      return routed(told('tunnel-down', { title: 'Tunnel down', body, urgency: 'critical' }), next);
    }
    default:
      return none;
  }
}
