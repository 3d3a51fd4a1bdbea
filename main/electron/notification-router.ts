// Turns the agent's live events into desktop notifications and tray status. Pure: the trader's attention is
// for what needs it (fills, denials, rejections, unknown outcomes, halts, drift, the tunnel going down),
// never for routine traffic, and a state that did not change is not announced twice.
import { CODES, type Code } from '../../shared/codes.js';
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

function orderNotification(event: Record<string, unknown>): NotificationSpec | null {
  const status = text(event.status);
  const symbol = first(event, 'symbol', 'ticker');
  const side = first(event, 'side')?.toUpperCase() ?? null;
  const qty = first(event, 'filledQuantity', 'filledQty', 'quantity', 'qty');
  const price = first(event, 'averageFillPrice', 'avgFillPrice', 'fillPrice', 'price');
  const what = join(side, qty, symbol) || 'An order';
  switch (status) {
    case 'filled':
      return { title: 'Order filled', body: join(what, price === null ? null : `@ ${price}`), urgency: 'normal' };
    case 'partially_filled':
      return { title: 'Order partially filled', body: join(what, price === null ? null : `@ ${price}`), urgency: 'normal' };
    case 'rejected':
      return {
        title: 'Order rejected by the broker',
        body: join(`${what}:`, codeMessage(first(event, 'code')) ?? first(event, 'message', 'reason') ?? 'no reason given'),
        urgency: 'critical',
      };
    case 'unknown':
      return { title: 'Order outcome unknown', body: `${what}: the broker did not answer in time; the agent is reconciling before it trades again.`, urgency: 'critical' };
    default:
      return null;
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

export function routeAgentEvent(raw: Record<string, unknown>, status: DesktopStatus): Routed {
  const event = flattenAgentEvent(raw);
  const none = { notification: null, status };
  switch (event.type) {
    case 'order':
      if (event.status === 'denied') return { notification: denialNotification(event), status };
      return { notification: orderNotification(event), status };
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
