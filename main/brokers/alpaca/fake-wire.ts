// Alpaca's wire as the fake serves it: the order and activity shapes of the Trading API v2, the values it accepts,
// its {code, message} errors, and which requests the fault switches treat as submits, cancels or reads.
import type { Request } from 'express';
import type { RequestOp } from '../contract/faults.js';

export interface FakeOrder {
  id: string;
  client_order_id: string;
  created_at: string;
  updated_at: string;
  submitted_at: string;
  filled_at: string | null;
  canceled_at: string | null;
  expired_at: string | null;
  symbol: string;
  asset_class: 'us_equity' | 'crypto';
  qty: string | null;
  notional: string | null;
  filled_qty: string;
  filled_avg_price: string | null;
  order_class: '' | 'simple' | 'bracket' | 'oco' | 'oto';
  order_type: string;
  type: string;
  side: 'buy' | 'sell';
  time_in_force: string;
  limit_price: string | null;
  stop_price: string | null;
  trail_price: string | null;
  trail_percent: string | null;
  /** A trailing stop's high water mark: the highest price since it was placed (the lowest for a buy); null for
   *  other orders. Its `stop_price` follows it (hwm - trail_price, or hwm × (1 - trail_percent / 100) for a sell). */
  hwm: string | null;
  status: string;
  extended_hours: boolean;
  legs: FakeOrder[] | null;
  /** Not serialised: the parent of a bracket leg. */
  parentId?: string;
}

export interface FillActivity {
  id: string;
  activity_type: 'FILL';
  transaction_time: string;
  type: 'fill' | 'partial_fill';
  price: string;
  qty: string;
  side: 'buy' | 'sell';
  symbol: string;
  leaves_qty: string;
  order_id: string;
  cum_qty: string;
  order_status: string;
}

export const ERR_INVALID = 40010001;
/** Alpaca's code on its 403 refusals (buying power, shorting, wash trade, day trading protection). */
export const ERR_FORBIDDEN = 40310000;
/** Alpaca's code on its 422 refusals of an order it reads but will not take or cancel (fractional rules, the
 *  stop-loss threshold, an order no longer cancelable: `order is already in "filled" state`). */
export const ERR_UNPROCESSABLE = 42210000;
export const ERR_FRACTIONAL = ERR_UNPROCESSABLE;
export const OPEN = new Set(['new', 'accepted', 'pending_new', 'partially_filled', 'held', 'pending_cancel']);
/** What `GET /v2/orders?status=open` lists: a `held` leg waits for its parent and is not listed as open. */
export const LISTED_OPEN = new Set([...OPEN].filter((s) => s !== 'held'));
export const FRACTIONAL_TYPES = new Set(['market', 'limit', 'stop', 'stop_limit']);
export const EQUITY_TIF = new Set(['day', 'gtc', 'opg', 'cls', 'ioc', 'fok']);
export const CRYPTO_TIF = new Set(['gtc', 'ioc']);
export const TYPES = new Set(['market', 'limit', 'stop', 'stop_limit', 'trailing_stop']);
export const CRYPTO_TYPES = new Set(['market', 'limit', 'stop_limit']);

export class InvalidRequest extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    /** Fields Alpaca adds to some error bodies (`insufficient qty`: `available`, `existing_qty`, `held_for_orders`,
     *  `related_orders`, `symbol`). */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** How a cancel meets a working order (FakeAlpaca.cancelRace). */
export type CancelRace = 'immediate' | 'pending' | 'fill_first';

/** The US equity market's session on the fake's clock (FakeAlpaca.setSession): regular hours, the pre-market or
 *  after-hours session (extended-hours limit orders trade), or closed. Crypto trades in every one. */
export type FakeSession = 'open' | 'extended' | 'closed';

/** An order as Alpaca shows it: `parentId` is the fake's own, and legs are shown the same way. */
export function serialise(order: FakeOrder): Omit<FakeOrder, 'parentId'> {
  const { parentId: _parent, ...rest } = order;
  return { ...rest, legs: order.legs ? order.legs.map((l) => serialise(l) as FakeOrder) : null };
}

export function str(v: unknown): string | null {
  if (v === undefined || v === null || v === '') return null;
  if (typeof v === 'number' || typeof v === 'string') return String(v);
  throw new InvalidRequest(422, ERR_INVALID, 'invalid number');
}

export function classify(req: Request): RequestOp {
  if (req.method === 'POST' && req.path === '/v2/orders') return 'submit';
  if (req.method === 'DELETE') return 'cancel';
  if (req.path === '/v2/account') return 'account';
  return 'query';
}

export function errorBody(status: number): { code: number; message: string } {
  if (status === 429) return { code: 42910000, message: 'rate limit exceeded' };
  if (status === 401) return { code: 40110000, message: 'request is not authorized' };
  return { code: 50010000, message: 'internal server error occurred' };
}
