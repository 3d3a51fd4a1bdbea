// The control API's resources (docs/api.md). Thin: validate, call a service, shape the answer.
import type express from 'express';
import type { AgentServices } from '../services.js';
import { ApiFailure, check } from './control.js';
import { shownName, validator } from './validate.js';
import {
  createAccountSchema,
  createStrategySchema,
  deleteAccountQuerySchema,
  flattenSchema,
  ordersQuerySchema,
  replaceCredentialsSchema,
  setCredentialSchema,
  signalsQuerySchema,
  tradingStateSchema,
  tunnelSettingsSchema,
  updateStrategySchema,
} from '../../shared/schemas/api.js';
import { FixedApiFailure } from '../credentials-service.js';
import type { TunnelSettingsPatch } from '../tunnel-service.js';
import type { ApiError } from '../../shared/api-types.js';
import { CODES } from '../../shared/codes.js';
import { randomId } from '../ids.js';
import type { TradingState } from '../../shared/trading-state.js';
import { resetLatency } from '../latency-trace.js';
import type { OrderFilter } from '../store/orders.js';
import { mountAlertRoutes, type AlertRouteDeps } from './alert-routes.js';
import { ORDER_STATUSES } from '../../shared/order-status.js';
import type { SignalStatus } from '../../shared/api-types.js';

/** The most rows one list answer holds (docs/api.md); a larger `limit` gets this many, with `truncated` saying when
 *  more rows match (scripts written against earlier versions asked for more and got a list). */
export const MAX_LIST_LIMIT = 5000;
const SIGNAL_STATUSES: readonly SignalStatus[] = ['queued', 'processing', 'done', 'denied', 'rejected', 'failed'];

/** `limit` as a whole number of at least 1 (400 VALIDATION_FAILED otherwise), at most MAX_LIST_LIMIT, or
 *  `fallback` when not given. */
function listLimit(raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!(Number.isInteger(n) && n >= 1)) throw new ApiFailure('VALIDATION_FAILED', 'limit must be a whole number of at least 1.', [{ path: '/limit', message: 'must be a whole number ≥ 1' }]);
  return Math.min(n, MAX_LIST_LIMIT);
}

/** A status filter that no row can have is a mistake (a typo), answered 400 rather than an empty list. */
function statusFilter(raw: string | undefined, known: readonly string[]): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!known.includes(raw)) throw new ApiFailure('VALIDATION_FAILED', `status must be one of ${known.join(', ')}.`, [{ path: '/status', message: `unknown status "${raw}"` }]);
  return raw;
}

type Handler = (req: express.Request, res: express.Response) => unknown;
// Express 5 forwards rejected promises to the error handler. A refusal that carries its own fix (the keychain
// steps for this platform) is answered here, in the same error shape, since the shared handler only knows the
// code's generic fix.
const h =
  (fn: Handler): Handler =>
  async (req, res) => {
    try {
      return await fn(req, res);
    } catch (err) {
      if (!(err instanceof FixedApiFailure)) throw err;
      const body: ApiError = { status: 'error', code: err.code, message: err.message, fix: err.fix, requestId: (res.locals.requestId as string | undefined) ?? randomId('req') };
      res.status(CODES[err.code].http).json(body);
    }
  };

export function mountApiRoutes(s: AgentServices, alerts: AlertRouteDeps): (r: express.Router) => void {
  return (r) => {
    // The listings the window asks for first are validated from the first request on without compiling then: the
    // first schema an Ajv instance compiles also compiles JSON Schema's meta-schema, 50–100 ms that the first
    // request after start (the orders page opening) would otherwise wait for.
    for (const schema of [ordersQuerySchema, signalsQuerySchema]) validator(schema);
    mountAlertRoutes(r, alerts);
    r.get('/status', h((_req, res) => res.json(s.status())));
    // Only with VIEWZENIX_TRACE_LATENCY=1 (the benchmark): empties the latency histograms between scenarios.
    r.post('/status/latency/reset', h((_req, res) => (resetLatency() ? res.json({ reset: true }) : notFound())));

    r.get('/strategies', h((_req, res) => res.json({ items: s.strategies.list() })));
    r.get('/strategies/:id', h((req, res) => res.json(s.strategies.get(String(req.params.id)) ?? notFound('strategy', req.params.id))));
    // A strategy change is answered once the webhook listener has it: an alert sent after the answer meets it.
    r.post('/strategies', h(async (req, res) => {
      const body = check<{ name: string; accountIds: string[]; passphrase?: string; enabled?: boolean; config?: Record<string, unknown> }>(createStrategySchema, req.body);
      const created = s.strategies.create(body);
      await s.strategies.applied();
      res.status(201).json(created);
    }));

    r.put('/strategies/:id', h(async (req, res) => {
      const body = check<{ name?: string; accountIds?: string[]; passphrase?: string | null; enabled?: boolean; config?: Record<string, unknown> }>(updateStrategySchema, req.body);
      const updated = s.strategies.update(String(req.params.id), body);
      await s.strategies.applied();
      res.json(updated);
    }));
    r.post('/strategies/:id/webhook', h(async (req, res) => {
      const rotated = s.strategies.rotateWebhook(String(req.params.id));
      await s.strategies.applied();
      res.json(rotated);
    }));
    r.delete('/strategies/:id', h(async (req, res) => {
      const deleted = s.strategies.delete(String(req.params.id));
      await s.strategies.applied();
      res.json(deleted);
    }));

    r.get('/accounts', h(async (_req, res) => res.json({ items: await s.accounts.list() })));
    r.get('/accounts/:id', h(async (req, res) => res.json((await s.accounts.get(String(req.params.id))) ?? notFound('account', req.params.id))));
    r.post('/accounts', h(async (req, res) => {
      const body = check<{ name: string; broker: string; environment: string; baseUrl?: string; credentials?: Record<string, string>; config?: Record<string, unknown> }>(createAccountSchema, req.body);
      res.status(201).json(await s.accounts.create(body));
    }));
    r.put('/accounts/:id/credentials', h(async (req, res) => {
      const body = check<{ credentials: Record<string, string> }>(replaceCredentialsSchema, req.body);
      res.json(await s.accounts.replaceCredentials(String(req.params.id), body.credentials));
    }));
    r.post('/accounts/:id/test', h(async (req, res) => res.json(await s.accounts.testConnection(String(req.params.id)))));
    r.get('/accounts/:id/balance', h(async (req, res) => res.json(await s.accounts.balance(String(req.params.id)))));
    r.delete('/accounts/:id', h(async (req, res) => {
      const q = check<{ force?: 'true' | 'false' }>(deleteAccountQuerySchema, req.query);
      res.json(await s.accounts.delete(String(req.params.id), { force: q.force === 'true' }));
    }));

    r.get('/vault/status', h(async (_req, res) => res.json(await s.vault.status())));
    r.get('/credentials', h(async (_req, res) => res.json({ items: (await s.credentials.names()).map((name) => ({ name })) })));
    r.put('/credentials/:name', h(async (req, res) => {
      const body = check<{ value: string }>(setCredentialSchema, req.body);
      const name = String(req.params.name);
      await s.credentials.set(name, body.value);
      res.json({ name, status: 'set' });
    }));
    r.delete('/credentials/:name', h(async (req, res) => {
      const name = String(req.params.name);
      if (!(await s.credentials.delete(name))) notFound('credential', name);
      res.json({ name, status: 'not set' });
    }));

    r.get('/tunnel', h((_req, res) => res.json(s.tunnel.status())));
    r.put('/tunnel', h(async (req, res) => {
      const body = check<TunnelSettingsPatch>(tunnelSettingsSchema, req.body);
      res.json(await s.tunnel.update(body));
    }));
    r.post('/tunnel/start', h(async (_req, res) => res.json(await s.tunnel.start())));
    r.post('/tunnel/stop', h(async (_req, res) => res.json(await s.tunnel.stop())));
    r.post('/tunnel/check', h(async (_req, res) => res.json(await s.tunnel.check())));

    r.get('/signals', h((req, res) => {
      const q = check<{ limit?: string; status?: string; strategyId?: string }>(signalsQuerySchema, req.query);
      const limit = listLimit(q.limit, 200);
      // One row more than asked says whether the list was cut; at the maximum, a full page is reported as cut.
      const rows = s.signals.list({ limit: Math.min(limit + 1, MAX_LIST_LIMIT), status: statusFilter(q.status, SIGNAL_STATUSES), strategyId: q.strategyId });
      res.json({ items: rows.slice(0, limit), truncated: rows.length >= limit + 1 || (limit === MAX_LIST_LIMIT && rows.length === limit) });
    }));
    r.get('/signals/:id', h((req, res) => {
      const signal = s.signals.get(String(req.params.id)) ?? notFound('signal', req.params.id);
      res.json({ ...signal, decisions: s.signals.decisions(signal.id), orders: s.orders.list({ signalId: signal.id }).items });
    }));

    r.get('/orders', h((req, res) => {
      const q = check<Record<string, string | undefined>>(ordersQuerySchema, req.query);
      const filter: OrderFilter = {
        limit: listLimit(q.limit, 500),
        offset: q.offset ? Number(q.offset) : undefined,
        status: statusFilter(q.status, ORDER_STATUSES),
        symbol: q.symbol,
        accountId: q.accountId,
        strategyId: q.strategyId,
        signalId: q.signalId,
        search: q.search,
        sort: q.sort as OrderFilter['sort'],
        direction: q.direction as OrderFilter['direction'],
      };
      const { items, total } = s.orders.list(filter);
      // `truncated`: more orders match than this page holds (page on with offset).
      res.json({ items, total, truncated: (filter.offset ?? 0) + items.length < total });
    }));
    r.get('/orders/:id', h((req, res) => {
      const order = s.orders.get(String(req.params.id)) ?? notFound('order', req.params.id);
      res.json({ ...order, events: s.orders.events(order.id), fills: s.orders.fills(order.id) });
    }));

    // `{items, errors}`: an account whose broker cannot be read is reported in `errors`; the others are still listed.
    r.get('/positions', h(async (_req, res) => res.json(await s.positions({ days: true }))));

    r.get('/trading-state', h((_req, res) => res.json(s.tradingState.view())));
    r.put('/trading-state', h((req, res) => {
      const body = check<{ state: TradingState; reason?: string; accountId?: string }>(tradingStateSchema, req.body);
      if (body.accountId && !s.accounts.exists(body.accountId)) notFound('account', body.accountId);
      res.json(s.tradingState.set(body.state, body.reason ?? 'set by the trader', body.accountId));
    }));

    r.post('/flatten', h(async (req, res) => {
      const body = check<{ accountId?: string; halt?: boolean }>(flattenSchema, req.body);
      // An unknown account is 404 (as in trading-state), never "nothing to flatten".
      if (body.accountId && !s.accounts.exists(body.accountId)) notFound('account', body.accountId);
      res.json(await s.flatten(body));
    }));
  };
}

/** 404 NOT_FOUND; with a resource, the message names what was not found ("No account acc_…."), as the services'
 *  own refusals do, so a script's author sees which id was wrong. */
function notFound(what?: string, id?: unknown): never {
  throw new ApiFailure('NOT_FOUND', what === undefined ? undefined : `No ${what} ${shownName(String(id))}.`);
}
