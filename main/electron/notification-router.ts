// Turns the agent's live events into desktop notifications and tray status. Pure but for the fills already
// announced, which the shell keeps: the trader's attention is for what needs it (fills, also a part filled while
// a cancel is pending or before the order ended, denials, rejections, unknown outcomes, halts, drift, the tunnel
// going down), never for routine traffic, and a state or a fill that did not change is not announced twice. Each
// notification says which kinds (docs/notifications.md) it belongs to, so the shell shows only those the trader chose
// for the desktop channel, and names accounts as the trader did (main/account-label.ts). A change of one account's
// trading state is told as well as the global one, once per state (trading-state-notices.ts). The tunnel coming back, an
// order waiting for approval and a broker account failing its test are told in the agent's own words for its
// channels (main/notify/from-event.ts), each once (the tunnel after it was seen down, an approval by its id, an
// account's outage until it is seen working again: BrokerOutages), and so is a change of the tunnel's public URL. A change of a trading state the app missed while
// it was not connected is told once at reconnect (trading-state-notices.ts). Event fields are read as plain, bounded
// text (event-text.ts).
import { accountName, type AccountNames } from '../account-label.js';
import { notificationFor, type Names, type Notification } from '../notify/from-event.js';
import type { AgentEvent, TunnelStatusView } from '../../shared/api-types.js';
import { CODES, type Code } from '../../shared/codes.js';
import type { NotifyKind, SeenKeys } from '../../shared/notify.js';
import type { TradingState } from '../../shared/trading-state.js';
import type { NotificationSpec } from './facade.js';
import { displayText, first, join, record, type Told } from './event-text.js';
import { accountStateNotification, GLOBAL_STATE_TOLD, isTradingState, parseAccountStates, stateKinds, type AccountTradingStates } from './trading-state-notices.js';

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

/** A line of a message in the agent's words (main/notify/from-event.ts): its sentences are longer than a field. */
const MAX_LINE = 400;

function codeMessage(code: string | null): string | null {
  if (code === null) return null;
  return Object.hasOwn(CODES, code) ? `${code}: ${CODES[code as Code].message}` : code;
}

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
  // An order seen with its cancel pending is remembered (with the fills told, so as long as they are): should it then
  // fill in full, the cancel came too late and the trader holds a position they did not expect.
  if (status === 'cancel_pending' && fills && id !== null) fills.add(`cancel:${id}`);
  if (isFill && fills && id !== null && !fills.add(`order:${id}:${status === 'filled' ? 'filled' : 'partially_filled'}:${qty ?? ''}`)) return null;
  switch (status) {
    case 'filled':
      if (id !== null && fills?.has(`cancel:${id}`)) {
        const body = `${join(what, at, where)}: a cancel was asked for this order, but it filled in full before the cancel took effect; the position changed by the whole order.`;
        return told('fill', { title: 'Order filled before the cancel took effect', body, urgency: 'critical' });
      }
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

/**
 * The broker accounts told down (a `broker-down` notice: the agent tests every account's keys a moment after it
 * starts, and one its broker refused or could not reach is told), kept by the shell across reconnects and agent
 * restarts: an account still down when the agent starts again is not told again with the same code. One the shell
 * sees working (its broker took or filled an order) is news again the next time it fails.
 */
export class BrokerOutages {
  /** The code told, by account (its id; the notice's text for an agent that does not say which account). */
  private readonly told = new Map<string, string>();

  constructor(private readonly max = 1000) {}

  /** false: this account was told down with this code already and not seen working since. */
  tell(account: string, code: string): boolean {
    if (this.told.get(account) === code) return false;
    this.told.delete(account);
    this.told.set(account, code);
    if (this.told.size > this.max) this.told.delete(this.told.keys().next().value!);
    return true;
  }

  /** The account's broker answered: its next failure is news. */
  recovered(accountId: string): void {
    this.told.delete(accountId);
  }
}

/** Order statuses only the broker gives: the account's broker took the keys and answered. */
const BROKER_ANSWERED: ReadonlySet<unknown> = new Set(['accepted', 'partially_filled', 'filled']);

/** The trader's names for accounts, as the agent's messages look them up (strategies the shell has no names for). */
const agentNames = (accounts: AccountNames | undefined): Names => ({ account: (id) => accounts?.get(id)?.name, strategy: () => undefined });

/** A message in the agent's words for its channels (main/notify/from-event.ts) as a desktop notification: its title,
 *  then its lines and fields (`Account: Paper (acc_1)`), one a line, bounded plain text as every event field is. */
function inAgentWords(n: Notification): Told {
  const m = n.message;
  const lines = [...m.lines, ...m.fields.map((f) => `${f.name}: ${f.value}`)].map((l) => displayText(l, MAX_LINE)).filter((l): l is string => l !== null);
  return { kinds: [n.kind, ...(n.alsoAs ?? [])], spec: { title: displayText(m.title, MAX_LINE) ?? n.kind, body: lines.join('\n'), urgency: m.severity === 'critical' ? 'critical' : 'normal' } };
}

/** The agent's message for an event rebuilt from the stream's fields, each checked (a field that is not plain text is left out). */
const agentMessage = (event: AgentEvent, accounts: AccountNames | undefined): Notification | undefined => notificationFor(event, new Date().toISOString(), agentNames(accounts));

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
 * `fills`: what the shell has announced once for good (fills, approvals waiting; kept by the shell), so the same one
 * published again is not told twice. `accounts`: the names the trader gave the accounts; an account without one is
 * named by its id. `outages`: the broker accounts told down, not told again while they stay down.
 */
export function routeAgentEvent(
  raw: Record<string, unknown>,
  status: DesktopStatus,
  fills?: SeenKeys,
  accounts?: AccountNames,
  accountStates?: AccountTradingStates,
  outages?: BrokerOutages,
): Routed {
  const event = flattenAgentEvent(raw);
  const none: Routed = { notification: null, kinds: [], status };
  const routed = (t: Told | null, next = status): Routed => (t === null ? { ...none, status: next } : { notification: t.spec, kinds: t.kinds, status: next });
  switch (event.type) {
    case 'order': {
      const accountId = first(event, 'accountId');
      if (accountId !== null && BROKER_ANSWERED.has(event.status)) outages?.recovered(accountId);
      if (event.status === 'denied') return routed(denialNotification(event));
      return routed(orderNotification(event, fills, accounts));
    }
    case 'approval-waiting': {
      const approvalId = first(event, 'approvalId');
      if (approvalId === null) return none;
      const optional = (key: 'strategyId' | 'expiresAt') => {
        const value = first(event, key);
        return value === null ? {} : { [key]: value };
      };
      const text = (key: string) => first(event, key) ?? '?';
      const n = agentMessage(
        { type: 'approval-waiting', approvalId, accountId: text('accountId'), symbol: text('symbol'), side: text('side') as 'buy' | 'sell', quantity: text('quantity'), ...optional('strategyId'), ...optional('expiresAt') },
        accounts,
      );
      // Keyed as the agent keys it (`approval:<id>`): told once, however often it comes (a reconnect, a restart).
      if (n === undefined || (fills !== undefined && !fills.add(n.dedupeKey))) return none;
      return routed(inAgentWords(n));
    }
    case 'notice': {
      const code = first(event, 'code');
      if (code === 'TUNNEL_URL_CHANGED') {
        // Alerts still go to the old URL until the trader edits them in TradingView: told once per change (its message
        // names both URLs), however often the stream replays it.
        const message = displayText(event.message, MAX_LINE);
        if (message === null) return none;
        const n = agentMessage({ type: 'notice', level: 'warning', code, message }, accounts);
        if (n === undefined || (fills !== undefined && !fills.add(n.dedupeKey))) return none;
        return routed(inAgentWords(n));
      }
      if (event.level !== 'error' || code === null) return none;
      const message = displayText(event.message, MAX_LINE) ?? code;
      const accountId = first(event, 'accountId');
      const n = agentMessage({ type: 'notice', level: 'error', code, message, ...(accountId === null ? {} : { accountId }) }, accounts);
      // Only a broker account failing its test: the agent's other notices are not desktop notifications here.
      if (n?.kind !== 'broker-down') return none;
      if (outages !== undefined && !outages.tell(accountId ?? `notice:${message}`, code)) return none;
      return routed(inAgentWords(n));
    }
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
      if (state === 'active' && status.tradingState === 'unknown') return routed(null, next);
      const words = GLOBAL_STATE_TOLD[state];
      const kinds = stateKinds(first(change ?? {}, 'code'));
      return routed({ kinds, spec: { title: words.title, body: first(event, 'reason', 'message') ?? words.effect, urgency: words.urgency } }, next);
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
      if (tunnel === 'up' && status.tunnel === 'down') {
        // Back after the shell saw it down (not at each connection, nor after the trader stopped it): the agent's words.
        const inner = record(raw.status) ?? event;
        const up = { state: 'up', publicUrl: first(inner, 'publicUrl', 'url'), provider: first(inner, 'provider'), since: first(inner, 'since'), lastError: null };
        const n = agentMessage({ type: 'tunnel', status: up as unknown as TunnelStatusView }, accounts);
        return routed(n === undefined ? null : inAgentWords(n), next);
      }
      if (tunnel !== 'down' || status.tunnel === 'down') return routed(null, next);
      const reason = first(event, 'reason', 'message', 'error');
      const body = `TradingView alerts cannot reach the agent${reason === null ? '' : `: ${reason}`}. It will keep trying to reconnect.`;
      return routed(told('tunnel-down', { title: 'Tunnel down', body, urgency: 'critical' }), next);
    }
    default:
      return none;
  }
}
