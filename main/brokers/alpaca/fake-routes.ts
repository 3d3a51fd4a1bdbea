// The fake's HTTP routes: the Trading API v2 endpoints the adapter calls, answered from the books (fake-book.ts)
// with Alpaca's bodies and its {code, message} errors.
import type express from 'express';
import type { Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { Decimal } from 'decimal.js';
import type { FakeAlpacaBook } from './fake-book.js';
import { InvalidRequest, LISTED_OPEN, OPEN, serialise } from './fake-wire.js';

export function alpacaRoutes(app: express.Express, book: FakeAlpacaBook): void {
  const wrap = (fn: (req: Request, res: Response) => void) => (req: Request, res: Response) => {
    try {
      fn(req, res);
    } catch (err) {
      if (err instanceof InvalidRequest) res.status(err.status).json({ ...err.extra, code: err.code, message: err.message });
      else res.status(500).json({ code: 50010000, message: 'internal server error' });
    }
  };
  app.get('/v2/account', wrap((_req, res) => res.json(accountView(book))));
  app.get('/v2/clock', wrap((_req, res) => res.json(book.clock())));
  app.get('/v2/assets/:symbol', wrap((req, res) => {
    const symbol = String(req.params.symbol);
    const asset = assetView(book, symbol);
    if (!asset) throw new InvalidRequest(404, 40410000, 'asset not found');
    res.json(asset);
  }));
  app.post('/v2/orders', wrap((req, res) => {
    const body = req.body as Record<string, unknown>;
    book.submitAttempts.push(String(body.client_order_id ?? ''));
    res.json(serialise(book.create(body)));
  }));
  app.get(/^\/v2\/orders:by_client_order_id$/, wrap((req, res) => {
    const order = [...book.orders.values()].find((o) => o.client_order_id === req.query.client_order_id);
    if (!order) throw new InvalidRequest(404, 40410000, 'order not found');
    res.json(serialise(order));
  }));
  app.get('/v2/orders', wrap((req, res) => {
    // nested=true rolls legs up under their parent's `legs` and lists parents only; without it every order,
    // legs included, is listed on its own with `legs: null`. The status filter applies to each listed order,
    // and `held` legs are not open: once a bracket's entry has filled, nested=true&status=open lists nothing of
    // it and only the working leg shows without nesting.
    const status = String(req.query.status ?? 'open');
    const nested = String(req.query.nested ?? 'false') === 'true';
    const symbols = req.query.symbols ? String(req.query.symbols).split(',') : undefined;
    const after = req.query.after ? Date.parse(String(req.query.after)) : undefined;
    const until = req.query.until ? Date.parse(String(req.query.until)) : undefined;
    let list = [...book.orders.values()].filter((o) => !nested || !o.parentId);
    if (status === 'open') list = list.filter((o) => LISTED_OPEN.has(o.status));
    else if (status === 'closed') list = list.filter((o) => !OPEN.has(o.status));
    if (symbols) list = list.filter((o) => symbols.includes(o.symbol));
    if (after !== undefined) list = list.filter((o) => Date.parse(o.submitted_at) > after);
    if (until !== undefined) list = list.filter((o) => Date.parse(o.submitted_at) < until);
    if (String(req.query.direction ?? 'desc') === 'desc') list = list.reverse();
    const limit = Math.min(Number(req.query.limit ?? 50), 500);
    res.json(list.slice(0, limit).map((o) => (nested ? serialise(o) : { ...serialise(o), legs: null })));
  }));
  app.get('/v2/orders/:id', wrap((req, res) => {
    const order = book.orders.get(String(req.params.id));
    if (!order) throw new InvalidRequest(404, 40410000, 'order not found');
    res.json(serialise(order));
  }));
  app.delete('/v2/orders/:id', wrap((req, res) => {
    const order = book.orders.get(String(req.params.id));
    if (!order) throw new InvalidRequest(404, 40410000, 'order not found');
    book.requestCancel(order);
    res.status(204).end();
  }));
  app.delete('/v2/orders', wrap((_req, res) => {
    // Every open order, the working legs of a bracket whose entry has filled included (their parent is no longer
    // open); a leg canceled with its group a moment ago is not listed twice. Each answer is the one
    // DELETE /v2/orders/{id} would give: 200 with the order, or the refusal's status and body.
    const answers: { id: string; status: number; body: unknown }[] = [];
    for (const o of [...book.orders.values()].filter((x) => OPEN.has(x.status))) {
      if (!OPEN.has(o.status)) continue; // canceled with its group just now
      try {
        book.requestCancel(o);
        answers.push({ id: o.id, status: 200, body: serialise(o) });
      } catch (err) {
        const e = err as InvalidRequest;
        answers.push({ id: o.id, status: e.status, body: { code: e.code, message: e.message } });
      }
    }
    res.status(207).json(answers);
  }));
  app.get('/v2/positions', wrap((_req, res) => {
    res.json(
      [...book.positions.entries()]
        .filter(([, p]) => !p.qty.isZero())
        .map(([symbol, p]) => {
          const price = new Decimal(book.prices.get(symbol) ?? '0');
          const avg = p.cost.div(p.qty);
          return {
            symbol,
            asset_class: symbol.includes('/') ? 'crypto' : 'us_equity',
            qty: p.qty.toString(),
            side: p.qty.isNeg() ? 'short' : 'long',
            avg_entry_price: avg.toString(),
            current_price: price.toString(),
            market_value: price.mul(p.qty).toString(),
            unrealized_pl: price.minus(avg).mul(p.qty).toString(),
          };
        }),
    );
  }));
  app.get('/v2/account/activities/FILL', wrap((req, res) => {
    const after = req.query.after ? Date.parse(String(req.query.after)) : -Infinity;
    const direction = String(req.query.direction ?? 'desc');
    const pageSize = Math.min(Number(req.query.page_size ?? 100), 100);
    let list = book.activities.filter((a) => Date.parse(a.transaction_time) > after);
    if (direction === 'desc') list = list.reverse();
    const token = req.query.page_token ? String(req.query.page_token) : undefined;
    if (token) list = list.slice(list.findIndex((a) => a.id === token) + 1);
    res.json(list.slice(0, pageSize));
  }));
}

/** The account as Alpaca shows it; equity at the fake's prices. */
function accountView(book: FakeAlpacaBook) {
  const equity = [...book.positions.entries()].reduce(
    (sum, [s, p]) => sum.plus(p.qty.mul(book.prices.get(s) ?? '0')),
    book.cash,
  );
  return {
    id: 'a1b2c3', account_number: 'PA0000FAKE', status: 'ACTIVE', currency: 'USD',
    cash: book.cash.toString(), equity: equity.toString(), last_equity: book.lastEquity.toString(),
    buying_power: book.cash.mul(2).toString(), trading_blocked: false, shorting_enabled: true, pattern_day_trader: false,
  };
}

/** A symbol the fake has a price for, as an Alpaca asset. */
function assetView(book: FakeAlpacaBook, symbol: string) {
  if (!book.prices.has(symbol)) return undefined;
  const crypto = symbol.includes('/');
  return {
    id: randomUUID(), class: crypto ? 'crypto' : 'us_equity', exchange: crypto ? 'CRYPTO' : 'NASDAQ', symbol,
    status: 'active', tradable: true, marginable: !crypto, shortable: !crypto, easy_to_borrow: !crypto, fractionable: true,
    min_order_size: crypto ? '0.0001' : undefined, min_trade_increment: crypto ? '0.000000001' : undefined, price_increment: crypto ? '0.01' : undefined,
  };
}
