// Which agent events become notifications, and what they say. Only named, non-secret fields are copied into
// a message (never a whole event object, raw alert body or order request), and the result is scrubbed.
import type { AgentEvent, OrderView, TradingStateChange } from '../../shared/api-types.js';
import type { NotifyKind, NotifyMessage, Severity } from './types.js';
import { Decimal } from 'decimal.js';
import { redactMessage } from './redact.js';
import { namedWithId } from '../account-label.js';

export interface Notification {
  kind: NotifyKind;
  /** Other kinds the same fact belongs to, in order: a channel that does not subscribe to `kind` gets the message
   *  under the first of these it does subscribe to (a loss limit that halts an account is `daily-loss`, and `halt`
   *  for a channel that only wants halts), so each channel hears of it once. */
  alsoAs?: NotifyKind[];
  /** Stable for the same fact, so a re-published event is not sent twice. */
  dedupeKey: string;
  message: NotifyMessage;
}

/** The trader's names for accounts and strategies, so a message says "Alpaca live", not only an id. */
export interface Names {
  account(id: string): string | undefined;
  strategy(id: string): string | undefined;
}

/** What a message about an order needs of its history (OrderRepo): whether a cancel of it was asked. */
export interface OrderHistory {
  cancelAsked(orderId: string): boolean;
}

/** An account or a strategy as every message the trader reads names it (main/account-label.ts): `"Alpaca live"
 *  (acc_1)`, or the id alone for one the agent does not know. */
function named(id: string | undefined, lookup: ((id: string) => string | undefined) | undefined): string | undefined {
  return id === undefined ? undefined : namedWithId(lookup?.(id), id);
}

let counter = 0;
const unique = (prefix: string, at: string): string => `${prefix}:${at}:${process.pid}:${++counter}`;

function make(kind: NotifyKind, dedupeKey: string, severity: Severity, title: string, lines: (string | undefined)[], fields: Record<string, string | undefined>, at: string): Notification {
  return {
    kind,
    dedupeKey,
    message: redactMessage({
      kind,
      severity,
      title,
      lines: lines.filter((l): l is string => l !== undefined && l !== ''),
      fields: Object.entries(fields)
        .filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '')
        .map(([name, value]) => ({ name, value })),
      at,
    }),
  };
}

/** Codes of a broker account that cannot be used (its connection test failed). */
const BROKER_DOWN_CODES = new Set(['BROKER_AUTH_FAILED', 'BROKER_UNREACHABLE', 'BROKER_REJECTED', 'ACCOUNT_UNAVAILABLE']);

const LIMIT_NAMES: Record<string, string> = { DAILY_LOSS_LIMIT: 'Daily loss limit', DRAWDOWN_LIMIT: 'Drawdown limit' };

/** One message per change of a scope's trading state: halted or reducing, by a loss limit (with its code and
 *  detail) or by the trader. A return to active is shown in the UI only. */
function stateChangeNotification(c: TradingStateChange, now: string, names?: Names): Notification | undefined {
  if (c.from === c.to || c.to === 'active') return undefined;
  const where = c.scope === 'account' ? ` for account ${named(c.accountId, names?.account) ?? '?'}` : '';
  const what = c.to === 'halted' ? `Trading halted${where}` : `Trading reduced to closing orders${where}`;
  const effect = c.to === 'halted' ? 'No new orders are sent until trading is resumed.' : 'Only orders that reduce a position are sent until trading is resumed.';
  const key = `state:${c.scope === 'account' ? `account:${c.accountId ?? '?'}` : 'global'}:${c.to}:${c.at}`;
  const fields = { Account: named(c.accountId, names?.account), Code: c.code, Was: c.from };
  const limit = c.code ? LIMIT_NAMES[c.code] : undefined;
  if (limit) {
    const n = make('daily-loss', key, 'critical', `${limit} reached: ${what.charAt(0).toLowerCase()}${what.slice(1)}`, [c.reason ? `Detail: ${c.reason}` : undefined, effect], fields, now);
    return { ...n, alsoAs: ['halt'] };
  }
  return make('halt', key, 'critical', what, [c.reason ? `Reason: ${c.reason}` : undefined, effect], fields, now);
}

/**
 * The `fill` message of an order event, when it tells of shares that filled: a fill (whole or part), a whole fill
 * that beat a cancel the trader or the agent asked for (`history` tells), a part that
 * filled while a cancel is pending (the order stays cancel_pending), and an order that ended canceled or expired
 * with a part filled (the fill came with the broker's final answer, or after it). Every part is keyed by the
 * quantity filled so far, whatever the status: the same quantity reported again (by the stream, then
 * reconciliation; by the cancel request of an order filled in part before; by the broker's final answer) is the
 * same fact, and a channel hears of it once.
 */
function fillNotification(o: OrderView, fields: Record<string, string | undefined>, now: string, history: OrderHistory | undefined): Notification | undefined {
  const filled = new Decimal(o.filledQuantity || '0');
  if (o.status !== 'filled' && o.status !== 'partially_filled' && !(filled.greaterThan(0) && PART_FILLED.has(o.status))) return undefined;
  const what = `${o.side} ${o.filledQuantity} ${o.symbol}${o.averageFillPrice ? ` @ ${o.averageFillPrice}` : ''}`;
  const ordered = `Ordered ${o.quantity} (${o.type})`;
  if (o.status === 'filled') {
    const key = `order:${o.id}:filled:${o.filledQuantity}`;
    // Filled whole although a cancel was asked (it was cancel_pending, or the broker confirmed the cancel and the
    // fill it had made first came after): the trader expects no position from it, and has one. Same fact, same key.
    if (history?.cancelAsked(o.id)) {
      return make('fill', key, 'warning', `Filled before the cancel took effect: ${what}`, [`${ordered}.`, `A cancel was asked for this order: all ${o.filledQuantity} filled before the cancel took effect, so nothing was canceled and your ${o.symbol} position changed by the whole order.`], fields, now);
    }
    return make('fill', key, 'info', `Filled: ${what}`, [`${ordered}.`], fields, now);
  }
  const key = `order:${o.id}:partially_filled:${o.filledQuantity}`;
  const rest = Decimal.max(new Decimal(o.quantity).minus(filled), 0).toString();
  switch (o.status) {
    case 'cancel_pending':
      return make('fill', key, 'info', `Partially filled, cancel pending: ${what}`, [`${ordered}; ${o.filledQuantity} filled so far.`, `A cancel was asked for this order: this part filled before the cancel took effect; the rest (${rest}) is being canceled.`], fields, now);
    case 'canceled':
      return make('fill', key, 'info', `Canceled after a partial fill: ${what}`, [`${ordered}; ${o.filledQuantity} filled before the cancel took effect, the rest (${rest}) was canceled.`], fields, now);
    case 'expired':
      return make('fill', key, 'info', `Expired after a partial fill: ${what}`, [`${ordered}; ${o.filledQuantity} filled before it expired, the rest (${rest}) will not fill.`], fields, now);
    default:
      return make('fill', key, 'info', `Partially filled: ${what}`, [`${ordered}.`], fields, now);
  }
}

/** Statuses other than partially_filled an order may hold with a part of it filled, each told as a partial fill. */
const PART_FILLED: ReadonlySet<OrderView['status']> = new Set(['cancel_pending', 'canceled', 'expired']);

/** The message of an event, if it makes one. Without `names` accounts and strategies are named by id; without
 *  `orders` a filled order is not told apart from one filled after a cancel was asked (same kind and key: the
 *  lookups only change the words, so a draft without them decides whether a message is made, and where it goes). */
export function notificationFor(event: AgentEvent, now: string, names?: Names, orders?: OrderHistory): Notification | undefined {
  const account = (id: string | undefined) => named(id, names?.account);
  const strategy = (id: string | undefined) => named(id, names?.strategy);
  switch (event.type) {
    case 'order': {
      const o = event.order;
      const fields = { Account: account(o.accountId), Strategy: strategy(o.strategyId), 'Order id': o.id, 'Client order id': o.clientOrderId };
      const fill = fillNotification(o, fields, now, orders);
      if (fill) return fill;
      if (o.status === 'rejected') {
        return make('rejection', `order:${o.id}:rejected`, 'warning', `Order rejected: ${o.side} ${o.quantity} ${o.symbol}`, [o.reason ? `Reason: ${o.reason}` : undefined], fields, now);
      }
      if (o.status === 'unknown') {
        return make('unknown-order', `order:${o.id}:unknown:${o.updatedAt}`, 'critical', `Order outcome unknown: ${o.side} ${o.quantity} ${o.symbol}`, ['The broker did not answer in time; the agent is reconciling. Do not re-send the alert by hand.'], fields, now);
      }
      return undefined;
    }
    case 'signal': {
      const s = event.signal;
      const fields = { Strategy: strategy(s.strategyId), 'Signal id': s.id, Code: s.code };
      if (s.status === 'denied') return make('denial', `signal:${s.id}:denied`, 'warning', `Alert denied${s.symbol ? ` for ${s.symbol}` : ''}${s.code ? `: ${s.code}` : ''}`, [], fields, now);
      if (s.status === 'rejected' || s.status === 'failed') return make('rejection', `signal:${s.id}:${s.status}`, 'warning', `Alert ${s.status}${s.symbol ? ` for ${s.symbol}` : ''}${s.code ? `: ${s.code}` : ''}`, [], fields, now);
      return undefined;
    }
    case 'trading-state':
      return event.change ? stateChangeNotification(event.change, now, names) : undefined; // a set that changed nothing: no message
    case 'risk-limit':
      return make('daily-loss', unique(`risk:${event.code}:${event.accountId ?? 'global'}`, now), 'critical', `Loss limit reached (${event.code})`, [event.message], { Account: account(event.accountId) }, now);
    case 'notice':
      if (event.code === 'DAILY_LOSS_LIMIT' || event.code === 'DRAWDOWN_LIMIT') return make('daily-loss', unique(`notice:${event.code}`, now), 'critical', `Loss limit reached (${event.code})`, [event.message], {}, now);
      // Alerts still go to the old URL until the trader edits them: as bad as the tunnel being down for them.
      if (event.code === 'TUNNEL_URL_CHANGED') return make('tunnel-down', `tunnel:url-changed:${event.message}`, 'critical', 'Tunnel URL changed: edit the webhook URL in your TradingView alerts', [event.message], {}, now);
      // An account whose broker refused its keys, or could not be reached, when the agent tested it at start-up.
      if (event.level === 'error' && event.code !== undefined && BROKER_DOWN_CODES.has(event.code)) {
        return make('broker-down', unique(`broker:${event.code}`, now), 'critical', `Broker account not usable (${event.code})`, [event.message, 'Its alerts are denied until this is fixed: check the keys (PUT /api/accounts/:id/credentials) or the broker, then test the account.'], { Code: event.code }, now);
      }
      return undefined;
    case 'drift':
      return make('drift', unique(`drift:${event.accountId}:${event.symbol}`, now), 'critical', `Position drift on ${event.symbol}`, [`The broker holds ${event.actual}; the agent expected ${event.expected}.`], { Account: account(event.accountId) }, now);
    case 'tunnel': {
      const t = event.status;
      // Keyed by when the state began: a tunnel retrying while down publishes `down` on every attempt, same `since`.
      if (t.state === 'down') return make('tunnel-down', `tunnel:down:${t.since ?? now}`, 'critical', 'Tunnel down: alerts cannot reach the agent', [t.lastError?.message, t.lastError?.fix ?? undefined], { Provider: t.provider ?? undefined }, now);
      if (t.state === 'up') return make('tunnel-up', `tunnel:up:${t.since ?? now}`, 'info', 'Tunnel up', [t.publicUrl ? `Public URL: ${t.publicUrl}` : undefined], { Provider: t.provider ?? undefined }, now);
      return undefined; // starting / degraded / stopped: shown in the UI, not worth a message
    }
    case 'agent':
      return make('agent-restart', unique('agent:started', now), event.previousRun === 'crashed' ? 'critical' : 'info', event.previousRun === 'crashed' ? 'Agent restarted after a crash' : 'Agent started', [event.previousRun === 'crashed' ? 'Orders in flight were reconciled at start-up.' : undefined], {}, now);
    case 'approval-waiting':
      return make('approval-waiting', `approval:${event.approvalId}`, 'warning', `Approval waiting: ${event.side} ${event.quantity} ${event.symbol}`, [event.expiresAt ? `Expires at ${event.expiresAt}.` : undefined], { Account: account(event.accountId), Strategy: strategy(event.strategyId) }, now);
    default:
      return undefined;
  }
}

/** Lets through one `tunnel-down` per outage and one `tunnel-up` when it is back (or first up after a start), not
 *  one per reconnect attempt or health check; a trader's stop starts afresh. In memory: after an agent restart
 *  an ongoing outage is announced once more. */
export class TunnelTransitions {
  private last: 'up' | 'down' | undefined;

  /** false: this tunnel event repeats the state already announced, so it sends nothing. */
  accept(event: AgentEvent): boolean {
    if (event.type !== 'tunnel') return true;
    const s = event.status.state;
    if (s === 'stopped') this.last = undefined;
    if (s !== 'up' && s !== 'down') return true;
    if (s === this.last) return false;
    this.last = s;
    return true;
  }
}
