// The fake's HTTP routes: the v20 endpoints the adapter calls, answered from the books (fake-book.ts) with v20's
// bodies: orderCreateTransaction / orderFillTransaction / orderCancelTransaction (with reason) or 400
// {orderRejectTransaction, errorCode, errorMessage}; a position's close answers per side (long/short
// OrderCreate / OrderFill / OrderCancel, or OrderReject with 400 / 404); the transactions stream is fake-stream.ts.
import type express from 'express';
import type { Request, Response } from 'express';
import { Decimal } from 'decimal.js';
import type { FakeOandaBook } from './fake-book.js';
import { INSTRUMENTS, Reject, orderView, type FakeOrder, type FakeTrade } from './fake-wire.js';

/** `baseUrl` is the fake's own address, which the transaction pages name. */
export function oandaRoutes(app: express.Express, book: FakeOandaBook, baseUrl: () => string): void {
  const acct = '/v3/accounts/:accountId';
  app.get(`${acct}/summary`, (_req, res) => res.json({ account: summary(book), lastTransactionID: String(book.seq) }));
  app.get(acct, (_req, res) => res.json({ account: { ...summary(book), orders: book.pending().map(orderView), positions: [] }, lastTransactionID: String(book.seq) }));
  app.get(`${acct}/instruments`, (req, res) => {
    const wanted = req.query.instruments ? String(req.query.instruments).split(',') : undefined;
    res.json({ instruments: INSTRUMENTS.filter((i) => !wanted || wanted.includes(i.name)), lastTransactionID: String(book.seq) });
  });
  app.post(`${acct}/orders`, (req, res) => create(book, req, res));
  app.get(`${acct}/orders/:spec`, (req, res) => {
    const order = book.find(String(req.params.spec));
    if (!order) {
      res.status(404).json({ errorMessage: 'The Order specified does not exist', lastTransactionID: String(book.seq) });
      return;
    }
    res.json({ order: orderView(order), lastTransactionID: String(book.seq) });
  });
  app.get(`${acct}/pendingOrders`, (_req, res) => res.json({ orders: book.pending().map(orderView), lastTransactionID: String(book.seq) }));
  app.get(`${acct}/openTrades`, (_req, res) => res.json({ trades: [...book.trades.values()].filter((t) => t.state === 'OPEN').reverse().map((t) => tradeView(book, t)), lastTransactionID: String(book.seq) }));
  app.get(`${acct}/trades/:spec`, (req, res) => {
    const trade = book.findTrade(String(req.params.spec));
    if (!trade) {
      res.status(404).json({ errorMessage: 'The Trade specified does not exist', lastTransactionID: String(book.seq) });
      return;
    }
    res.json({ trade: tradeView(book, trade), lastTransactionID: String(book.seq) });
  });
  app.put(`${acct}/orders/:spec/cancel`, (req, res) => {
    const order = book.find(String(req.params.spec));
    if (!order || order.state !== 'PENDING') {
      const reject = book.txn({ type: 'ORDER_CANCEL_REJECT', orderID: order?.id ?? '', rejectReason: 'ORDER_DOESNT_EXIST' }, false);
      res.status(404).json({ orderCancelRejectTransaction: reject, relatedTransactionIDs: [reject.id], lastTransactionID: String(book.seq), errorCode: 'ORDER_DOESNT_EXIST', errorMessage: 'The Order specified does not exist' });
      return;
    }
    const cancel = book.cancelOrder(order, 'CLIENT_REQUEST');
    res.json({ orderCancelTransaction: cancel, relatedTransactionIDs: [cancel.id], lastTransactionID: String(book.seq) });
  });
  app.get(`${acct}/openPositions`, (_req, res) => {
    const open = book.hedging ? book.tradedInstruments() : [...book.positions.entries()].filter(([, p]) => !p.units.isZero()).map(([i]) => i);
    res.json({ positions: open.map((i) => positionView(book, i)), lastTransactionID: String(book.seq) });
  });
  // One instrument's position, open or not (v20 GetPosition); an instrument the account cannot trade is refused.
  app.get(`${acct}/positions/:instrument`, (req, res) => {
    const instrument = String(req.params.instrument);
    if (!INSTRUMENTS.some((i) => i.name === instrument)) {
      res.status(400).json({ errorMessage: "Invalid value specified for 'instrument'" });
      return;
    }
    res.json({ position: positionView(book, instrument), lastTransactionID: String(book.seq) });
  });
  app.put(`${acct}/positions/:instrument/close`, (req, res) => {
    const answer = book.closePosition(String(req.params.instrument), (req.body ?? {}) as Record<string, unknown>);
    res.status(answer.status).json(answer.body);
  });
  app.get(`${acct}/transactions`, (req, res) => {
    const from = req.query.from ? Date.parse(String(req.query.from)) : 0;
    const type = req.query.type ? String(req.query.type).split(',') : undefined;
    const list = book.transactions.filter((t) => Date.parse(t.time) >= from && (!type || type.includes(t.type)));
    const pageSize = Number(req.query.pageSize ?? 100);
    const pages: string[] = [];
    for (let i = 0; i < list.length; i += pageSize) {
      const chunk = list.slice(i, i + pageSize);
      pages.push(`${baseUrl()}/v3/accounts/${book.accountId}/transactions/idrange?from=${chunk[0]!.id}&to=${chunk.at(-1)!.id}${type ? `&type=${type.join(',')}` : ''}`);
    }
    res.json({ from: req.query.from, pageSize, count: list.length, pages, lastTransactionID: String(book.seq) });
  });
  app.get(`${acct}/transactions/idrange`, (req, res) => {
    const from = Number(req.query.from);
    const to = Number(req.query.to);
    const type = req.query.type ? String(req.query.type).split(',') : undefined;
    res.json({ transactions: book.transactions.filter((t) => Number(t.id) >= from && Number(t.id) <= to && (!type || type.includes(t.type))), lastTransactionID: String(book.seq) });
  });
  app.get(`${acct}/transactions/sinceid`, (req, res) => {
    const id = Number(req.query.id);
    res.json({ transactions: book.transactions.filter((t) => Number(t.id) > id), lastTransactionID: String(book.seq) });
  });
  app.get(`${acct}/transactions/stream`, (_req, res) => book.stream.open(res));
  app.get(`${acct}/transactions/:id`, (req, res) => {
    const t = book.transactions.find((x) => x.id === String(req.params.id));
    if (!t) {
      res.status(404).json({ errorMessage: 'The Transaction specified does not exist' });
      return;
    }
    res.json({ transaction: t, lastTransactionID: String(book.seq) });
  });
}

/** An instrument's position as v20 shows it (Position): on a hedging account each side from its open trades, else
 *  the net position on its side; the short side's units negative, a side not held '0'. */
function positionView(book: FakeOandaBook, instrument: string): Record<string, unknown> {
  if (book.hedging) return hedgedPosition(book, instrument);
  const p = book.positions.get(instrument);
  if (!p || p.units.isZero()) return { instrument, long: { units: '0', unrealizedPL: '0' }, short: { units: '0', unrealizedPL: '0' }, unrealizedPL: '0', pl: '0' };
  const avg = p.cost.div(p.units).toDecimalPlaces(5).toString();
  const upl = new Decimal(book.prices.get(instrument)!).minus(avg).mul(p.units).toDecimalPlaces(4).toString();
  const long = p.units.gt(0) ? { units: p.units.toString(), averagePrice: avg, unrealizedPL: upl } : { units: '0', unrealizedPL: '0' };
  const short = p.units.lt(0) ? { units: p.units.toString(), averagePrice: avg, unrealizedPL: upl } : { units: '0', unrealizedPL: '0' };
  return { instrument, long, short, unrealizedPL: upl, pl: '0' };
}

/** A hedging account's position (v20 Position): each side from its open trades, the short side's units negative. */
function hedgedPosition(book: FakeOandaBook, instrument: string): Record<string, unknown> {
  const price = new Decimal(book.prices.get(instrument)!);
  const view = (side: { units: Decimal; cost: Decimal }) => {
    if (side.units.isZero()) return { units: '0', unrealizedPL: '0.0000', tradeIDs: [] };
    const avg = side.cost.div(side.units).toDecimalPlaces(5);
    const ids = book.openTrades(instrument).filter((t) => t.currentUnits.isNeg() === side.units.isNeg()).map((t) => t.id);
    return { units: side.units.toString(), averagePrice: avg.toString(), unrealizedPL: price.minus(avg).mul(side.units).toFixed(4), tradeIDs: ids };
  };
  const { long, short } = book.sides(instrument);
  const l = view(long);
  const s = view(short);
  return { instrument, long: l, short: s, unrealizedPL: new Decimal(l.unrealizedPL).plus(s.unrealizedPL).toFixed(4), pl: '0' };
}

/** The account as v20 shows it (AccountSummary), its unrealised P&L at the fake's prices. */
function summary(book: FakeOandaBook) {
  const upl = book.hedging
    ? [...book.trades.values()].filter((t) => t.state === 'OPEN').reduce((s, t) => s.plus(new Decimal(book.prices.get(t.instrument)!).minus(t.price).mul(t.currentUnits)), new Decimal(0))
    : [...book.positions.entries()].reduce((s, [i, p]) => s.plus(new Decimal(book.prices.get(i)!).mul(p.units).minus(p.cost)), new Decimal(0));
  const used = book.marginUsed();
  const nav = book.balance.plus(upl);
  return {
    id: book.accountId, alias: 'Primary', currency: 'USD', balance: book.balance.toFixed(4), NAV: nav.toFixed(4), unrealizedPL: upl.toFixed(4),
    marginUsed: used.toFixed(4), marginAvailable: nav.minus(used).toFixed(4), openTradeCount: [...book.positions.values()].filter((p) => !p.units.isZero()).length, hedgingEnabled: book.hedging,
    pendingOrderCount: book.pending().length, lastTransactionID: String(book.seq),
  };
}

/** A trade as v20 shows it, with its dependent orders. */
function tradeView(book: FakeOandaBook, t: FakeTrade): Record<string, unknown> {
  const dependent = (id: string | undefined) => {
    const o = id === undefined ? undefined : book.orders.get(id);
    return o ? orderView(o) : undefined;
  };
  const upl = t.state === 'OPEN' ? new Decimal(book.prices.get(t.instrument)!).minus(t.price).mul(t.currentUnits).toFixed(4) : '0.0000';
  return {
    id: t.id, instrument: t.instrument, price: t.price, openTime: t.openTime, state: t.state, initialUnits: t.initialUnits, currentUnits: t.currentUnits.toString(),
    realizedPL: t.realizedPL.toFixed(4), unrealizedPL: upl, financing: '0.0000', closingTransactionIDs: t.closingTransactionIDs, closeTime: t.closeTime, clientExtensions: t.clientExtensions,
    takeProfitOrder: dependent(t.takeProfitOrderID), stopLossOrder: dependent(t.stopLossOrderID), trailingStopLossOrder: dependent(t.trailingStopLossOrderID),
  };
}

/** POST /orders: the order validated and stored, filled at once when it can be, or the reject transaction. */
function create(book: FakeOandaBook, req: Request, res: Response): void {
  let order: FakeOrder;
  try {
    order = book.validate(req.body as Record<string, unknown>).order;
  } catch (err) {
    if (!(err instanceof Reject)) throw err;
    const o = ((req.body as { order?: Record<string, unknown> }).order ?? {}) as Record<string, unknown>;
    const reject = book.txn({ type: `${String(o.type ?? 'MARKET')}_ORDER_REJECT`, instrument: o.instrument, units: o.units, rejectReason: err.reason }, false);
    res.status(400).json({ orderRejectTransaction: reject, relatedTransactionIDs: [reject.id], lastTransactionID: String(book.seq), errorCode: err.reason, errorMessage: err.message });
    return;
  }
  const created = book.txn({ type: `${order.type}_ORDER`, instrument: order.instrument, units: order.units, timeInForce: order.timeInForce, price: order.price, positionFill: order.positionFill, reason: 'CLIENT_ORDER', clientExtensions: order.clientExtensions, tradeClientExtensions: order.tradeClientExtensions, takeProfitOnFill: order.takeProfitOnFill, stopLossOnFill: order.stopLossOnFill, trailingStopLossOnFill: order.trailingStopLossOnFill });
  order.id = created.id;
  order.createTime = created.time;
  book.orders.set(order.id, order);
  const answer: Record<string, unknown> = { orderCreateTransaction: created };
  const results = book.tryFill(order);
  if (results.fill) answer.orderFillTransaction = results.fill;
  if (results.cancel) answer.orderCancelTransaction = results.cancel;
  answer.relatedTransactionIDs = book.transactions.filter((t) => Number(t.id) >= Number(created.id)).map((t) => t.id);
  answer.lastTransactionID = String(book.seq);
  res.status(201).json(answer);
}
