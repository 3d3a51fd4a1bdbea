// The fake v20 account's close-position request (PUT /v3/accounts/{id}/positions/{instrument}/close), on its books
// (fake-book.ts): each side asked for is closed by a MARKET order of its own, or the whole request refused as v20 does.
import { Decimal } from 'decimal.js';
import type { FakeOandaBook } from './fake-book.js';
import { INSTRUMENTS, NUMBER, type Ext, type FakeOrder, type Txn } from './fake-wire.js';

/**
 * PUT /positions/{instrument}/close (v20 ClosePosition): `longUnits` / `shortUnits` are "ALL", "NONE" or a positive
 * number of units, a side left out meaning ALL. Each side asked for is closed by a MARKET order of its own (reason
 * POSITION_CLOSEOUT, `longPositionCloseout` / `shortPositionCloseout`, the side's client extensions), filled at once
 * as MARKET_ORDER_POSITION_CLOSEOUT against that side's trades only (REDUCE_ONLY). A side asked for that is not held
 * refuses the whole request with that side's MARKET_ORDER_REJECT, CLOSEOUT_POSITION_DOESNT_EXIST: 404 when nothing
 * is held at all, 400 otherwise; more units than held is CLOSEOUT_POSITION_UNITS_EXCEED_POSITION_SIZE. Answers
 * the status and the body v20 documents.
 */
export function closePosition(book: FakeOandaBook, instrumentName: string, body: Record<string, unknown>): { status: number; body: Record<string, unknown> } {
  const instrument = INSTRUMENTS.find((i) => i.name === instrumentName);
  if (!instrument) return { status: 400, body: { errorMessage: "Invalid value specified for 'instrument'", lastTransactionID: String(book.seq) } };
  const held = book.heldSides(instrument.name);
  const first = String(book.seq + 1);
  const plan: { side: 'long' | 'short'; units: Decimal; spec: string; ext?: Ext }[] = [];
  const rejects: Record<string, Txn> = {};
  let code: string | undefined;
  for (const side of ['long', 'short'] as const) {
    const spec = String(body[`${side}Units`] ?? 'ALL');
    if (spec === 'NONE') continue;
    const have = held[side].abs();
    const units = spec === 'ALL' ? have : NUMBER.test(spec) && new Decimal(spec).gt(0) ? new Decimal(spec) : undefined;
    const why = units === undefined ? 'CLOSEOUT_POSITION_PARTIAL_UNITS_MISSING' : have.isZero() ? 'CLOSEOUT_POSITION_DOESNT_EXIST' : units.gt(have) ? 'CLOSEOUT_POSITION_UNITS_EXCEED_POSITION_SIZE' : undefined;
    if (why) {
      code ??= why;
      rejects[`${side}OrderRejectTransaction`] = { type: 'MARKET_ORDER_REJECT', instrument: instrument.name, units: '0', timeInForce: 'FOK', positionFill: 'REDUCE_ONLY', reason: 'POSITION_CLOSEOUT', [`${side}PositionCloseout`]: { instrument: instrument.name, units: spec }, rejectReason: why } as unknown as Txn;
      continue;
    }
    const ext = body[`${side}ClientExtensions`] as Ext | undefined;
    plan.push({ side, units: side === 'long' ? units!.neg() : units!, spec, ...(ext ? { ext } : {}) });
  }
  if (code !== undefined) {
    for (const [key, t] of Object.entries(rejects)) rejects[key] = book.txn(t, false);
    const nothing = held.long.isZero() && held.short.isZero();
    const message = code === 'CLOSEOUT_POSITION_DOESNT_EXIST' ? 'The Position requested to be closed out does not exist' : code === 'CLOSEOUT_POSITION_UNITS_EXCEED_POSITION_SIZE' ? 'A partial Position closeout request specifies a number of units that exceeds the current Position' : 'The request to partially closeout a Position did not specify the number of units to close';
    return { status: nothing && code === 'CLOSEOUT_POSITION_DOESNT_EXIST' ? 404 : 400, body: { ...rejects, relatedTransactionIDs: Object.values(rejects).map((t) => t.id), lastTransactionID: String(book.seq), errorCode: code, errorMessage: message } };
  }
  if (plan.length === 0) return { status: 400, body: { errorMessage: 'The request to closeout a Position was specified incompletely', errorCode: 'CLOSEOUT_POSITION_INCOMPLETE_SPECIFICATION', lastTransactionID: String(book.seq) } };
  const answer: Record<string, unknown> = {};
  for (const { side, units, spec, ext } of plan) {
    const closeout = { instrument: instrument.name, units: spec };
    const created = book.txn({ type: 'MARKET_ORDER', instrument: instrument.name, units: units.toString(), timeInForce: 'FOK', positionFill: 'REDUCE_ONLY', reason: 'POSITION_CLOSEOUT', [`${side}PositionCloseout`]: closeout, clientExtensions: ext });
    const order: FakeOrder = { id: created.id, createTime: created.time, state: 'PENDING', type: 'MARKET', instrument: instrument.name, units: units.toString(), timeInForce: 'FOK', positionFill: 'REDUCE_ONLY', reason: 'POSITION_CLOSEOUT' };
    if (ext?.id !== undefined) order.clientExtensions = { ...ext };
    book.orders.set(order.id, order);
    answer[`${side}OrderCreateTransaction`] = created;
    const results = book.tryFill(order);
    if (results.fill) answer[`${side}OrderFillTransaction`] = results.fill;
    if (results.cancel) answer[`${side}OrderCancelTransaction`] = results.cancel;
  }
  answer.relatedTransactionIDs = book.transactions.filter((t) => Number(t.id) >= Number(first)).map((t) => t.id);
  answer.lastTransactionID = String(book.seq);
  return { status: 200, body: answer };
}
