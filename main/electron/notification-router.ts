// Turns the agent's live events into desktop notifications and tray status. Pure but for the fills already
// announced, which the shell keeps: the trader's attention is for what needs it (fills, also a part filled while
// a cancel is pending or before the order ended, denials, rejections, unknown outcomes, halts, drift, the tunnel
// going down), never for routine traffic, and a state or a fill that did not change is not announced twice.
import { CODES, type Code } from '../../shared/codes.js';
import type { SeenKeys } from '../../shared/notify.js';
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
  readonly status: DesktopStatus;
}

const MAX_FIELD = 120;

/** A displayable scalar from an event field: strings and finite numbers only, trimmed and bounded. */
function text(value: unknown): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return null;
  const clean = [...value].map((c) => ((c.codePointAt(0) ?? 0) < 0x20 || c === '\u007f' ? ' ' : c)).join('').trim();
  if (clean === '') return null;
  return clean.length > MAX_FIELD ? `${clean.slice(0, MAX_FIELD)}…` : clean;
}

function first(event: Record<string, unknown>, ...keys: string[]): string | null {
  for (const key of keys) {
    const value = text(event[key]);
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

function orderNotification(event: Record<string, unknown>, fills: SeenKeys | undefined): NotificationSpec | null {
  const status = text(event.status);
  const symbol = first(event, 'symbol', 'ticker');
  const side = first(event, 'side')?.toUpperCase() ?? null;
  const qty = first(event, 'filledQuantity', 'filledQty', 'quantity', 'qty');
  const price = first(event, 'averageFillPrice', 'avgFillPrice', 'fillPrice', 'price');
  const what = join(side, qty, symbol) || 'An order';
  const at = price === null ? null : `@ ${price}`;
  const filled = first(event, 'filledQuantity', 'filledQty');
  const partEnd = status !== null && Object.hasOwn(PART_BEFORE_END, status) ? PART_BEFORE_END[status] : undefined;
  const isFill = status === 'filled' || status === 'partially_filled' || (partEnd !== undefined && filled !== null && Number(filled) > 0);
  // The agent publishes an order again when anything about it changes (its cancel request, the broker's final
  // answer) or a report comes twice (the stream, then reconciliation): each fill quantity of an order is told once.
  const id = first(event, 'id', 'orderId');
  if (isFill && fills && id !== null && !fills.add(`order:${id}:${status === 'filled' ? 'filled' : 'partially_filled'}:${qty ?? ''}`)) return null;
  switch (status) {
    case 'filled':
      return { title: 'Order filled', body: join(what, at), urgency: 'normal' };
    case 'partially_filled':
      return { title: 'Order partially filled', body: join(what, at), urgency: 'normal' };
    case 'rejected':
      return {
        title: 'Order rejected by the broker',
        body: join(`${what}:`, codeMessage(first(event, 'code')) ?? first(event, 'message', 'reason') ?? 'no reason given'),
        urgency: 'critical',
      };
    case 'unknown':
      return { title: 'Order outcome unknown', body: `${what}: the broker did not answer in time; the agent is reconciling before it trades again.`, urgency: 'critical' };
    default: {
      if (!isFill || partEnd === undefined) return null;
      // The trader asked to cancel (or the order ran out of time), but a part filled: their position changed.
      const ordered = first(event, 'quantity', 'qty');
      const account = first(event, 'accountId');
      const head = join(side, filled, ordered === null ? null : `of ${ordered}`, symbol, at, account === null ? null : `(account ${account})`);
      return { title: partEnd.title, body: `${head}: ${partEnd.rest}`, urgency: 'normal' };
    }
  }
}

function denialNotification(event: Record<string, unknown>): NotificationSpec {
  const symbol = first(event, 'symbol', 'ticker');
  const reason = codeMessage(first(event, 'code')) ?? first(event, 'message', 'reason') ?? 'a risk rule';
  return { title: 'Order denied', body: symbol === null ? reason : `${symbol}: ${reason}`, urgency: 'normal' };
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

/** `fills`: the fills the shell has announced (kept by the shell), so the same one published again is not told twice. */
export function routeAgentEvent(raw: Record<string, unknown>, status: DesktopStatus, fills?: SeenKeys): Routed {
  const event = flattenAgentEvent(raw);
  const none = { notification: null, status };
  switch (event.type) {
    case 'order':
      if (event.status === 'denied') return { notification: denialNotification(event), status };
      return { notification: orderNotification(event, fills), status };
    case 'denial':
    case 'risk-denial':
      return { notification: denialNotification(event), status };
    case 'signal':
      return event.status === 'denied' ? { notification: denialNotification(event), status } : none;
    case 'trading-state': {
      const state = event.state;
      if (typeof state !== 'string' || !(TRADING_STATES as readonly string[]).includes(state)) return none;
      const next = { ...status, tradingState: state as TradingState };
      if (state === status.tradingState) return { notification: null, status: next };
      const reason = first(event, 'reason', 'message');
      if (state === 'halted') return { notification: { title: 'Trading halted', body: reason ?? 'No new orders will be sent until trading is resumed.', urgency: 'critical' }, status: next };
      if (state === 'reducing') return { notification: { title: 'Trading reduced', body: reason ?? 'Only orders that reduce positions will be sent.', urgency: 'normal' }, status: next };
      if (status.tradingState === 'unknown') return { notification: null, status: next };
      return { notification: { title: 'Trading resumed', body: reason ?? 'Trading is active again.', urgency: 'normal' }, status: next };
    }
    case 'drift':
    case 'reconciliation': {
      if (event.type === 'reconciliation' && event.status !== 'mismatch' && event.status !== 'drift') return none;
      const symbol = first(event, 'symbol', 'ticker');
      const detail = first(event, 'message', 'reason') ?? 'The broker and the agent disagree on a position or order.';
      return { notification: { title: 'Position drift detected', body: symbol === null ? detail : `${symbol}: ${detail}`, urgency: 'critical' }, status };
    }
    case 'tunnel': {
      const tunnel = tunnelState(event.status ?? event.state);
      if (tunnel === null) return none;
      const next = { ...status, tunnel };
      if (tunnel !== 'down' || status.tunnel === 'down') return { notification: null, status: next };
      const reason = first(event, 'reason', 'message', 'error');
      return {
        notification: { title: 'Tunnel down', body: `TradingView alerts cannot reach the agent${reason === null ? '' : `: ${reason}`}. It will keep trying to reconnect.`, urgency: 'critical' },
        status: next,
      };
    }
    default:
      return none;
  }
}
