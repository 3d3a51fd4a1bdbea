// What the control API, the CLI and the UI can do, over the stores and the pipeline.
import type { StrategyInUse, StrategyRepo, StrategyRow } from './store/strategies.js';
import { isInUse, type AccountInUse, type AccountRepo } from './store/accounts.js';
import type { SignalRepo } from './store/signals.js';
import type { OrderRepo } from './store/orders.js';
import type { OrderRouter } from './orders/router.js';
import type { TradingStateService } from './trading-state.js';
import type { AccountRow } from './store/accounts.js';
import type { AccountBalanceView, AccountDayView, AccountReadErrorView, AccountView, ConnectionTestView, PositionsView, StrategyView, TunnelStatusView, VaultStatusView } from '../shared/api-types.js';
import type { AccountConnections } from './account-connections.js';
import { credentialVariables, type CredentialsService } from './credentials-service.js';
import { BrokerError, type AccountSnapshot, type Position } from './brokers/port.js';
import type { AccountDayRepo } from './store/account-days.js';
import type { AccountSettings } from './signals/decide.js';
import { tradingDayAt } from './risk/index.js';
import { codeForReadError } from './brokers/http/codes.js';
import { scrubText } from './log.js';
import type { TunnelService, TunnelSettingsPatch } from './tunnel-service.js';
import { ApiFailure } from './server/control.js';
import { hashPassphrase } from './server/security.js';
import { flatten, type FlattenResult } from './orders/flatten.js';
import { newWebhookId, randomId } from './ids.js';
import { latencyStatus } from './latency-trace.js';
import { accountLabel as labelOf, accountName } from './account-label.js';
import { Decimal } from 'decimal.js';

export interface AgentServices {
  status(): Record<string, unknown>;
  strategies: {
    list(): StrategyView[];
    get(id: string): StrategyView | undefined;
    create(input: { name: string; accountIds: string[]; passphrase?: string; enabled?: boolean; config?: Record<string, unknown> }): StrategyView;
    /** Changes the given fields; `passphrase: null` removes it. The webhook id (the URL) never changes here. */
    update(id: string, input: { name?: string; accountIds?: string[]; passphrase?: string | null; enabled?: boolean; config?: Record<string, unknown> }): StrategyView;
    /** A new webhook id (a new URL, for one that leaked); the old URL answers 404 WEBHOOK_NOT_FOUND at once. */
    rotateWebhook(id: string): StrategyView;
    /**
     * Deletes the strategy: 404 NOT_FOUND when unknown, 409 CONFLICT while its alerts are queued or processing or
     * its orders wait for manual approval. Its webhook URL answers 404 WEBHOOK_NOT_FOUND at once; its history
     * (signals, decisions, orders) stays with its id; nothing at the broker changes.
     */
    delete(id: string): { id: string; deleted: true };
    /** Resolves once the last change above reached the webhook listener (its thread caches lookups): the API answers
     *  after it, so an alert sent after the answer meets the change (a rotated URL 404, a disabled strategy 409). */
    applied(): Promise<void>;
  };
  accounts: {
    list(): Promise<AccountView[]>;
    get(id: string): Promise<AccountView | undefined>;
    exists(id: string): boolean;
    create(input: { name: string; broker: string; environment: string; baseUrl?: string; credentials?: Record<string, string>; config?: Record<string, unknown> }): Promise<AccountView>;
    /** Replaces the account's credentials in the vault (they must connect first) and reconnects it. */
    replaceCredentials(id: string, credentials: Record<string, string>): Promise<AccountView>;
    testConnection(id: string): Promise<ConnectionTestView>;
    /**
     * The account's money as its broker reports it now (currency, cash, equity, buying power): 404 NOT_FOUND when
     * unknown, 409 ACCOUNT_UNAVAILABLE when it is not connected, the read's code (502 BROKER_UNREACHABLE, …) when
     * its broker cannot be read.
     */
    balance(id: string): Promise<AccountBalanceView>;
    /**
     * Deletes the account: 404 NOT_FOUND when unknown; 409 CONFLICT while a strategy trades it, an order of it is not
     * final, an approval for it waits, or the broker shows open positions; the broker's code (502 BROKER_UNREACHABLE,
     * …) or 409 ACCOUNT_UNAVAILABLE when its positions cannot be read, unless `force`. Then its adapter leaves the
     * router, its credentials the vault, and its row (and its own trading state) the database; history stays.
     */
    delete(id: string, opts?: { force?: boolean }): Promise<{ id: string; deleted: true }>;
  };
  vault: { status(): Promise<VaultStatusView> };
  /** Vault entries by name; values go in, never out. */
  credentials: {
    names(): Promise<string[]>;
    set(name: string, value: string): Promise<void>;
    delete(name: string): Promise<boolean>;
  };
  tunnel: {
    status(): TunnelStatusView;
    update(patch: TunnelSettingsPatch): Promise<TunnelStatusView>;
    start(): Promise<TunnelStatusView>;
    stop(): Promise<TunnelStatusView>;
    check(): Promise<TunnelStatusView>;
  };
  signals: SignalRepo;
  orders: OrderRepo;
  tradingState: TradingStateService;
  /** Every account's positions; an account whose broker cannot be read is listed in `errors` with its code. With
   *  `days`, each account's equity is read too and its day P&L answered (an account whose equity could not be read
   *  has none). */
  positions(opts?: { days?: boolean }): Promise<PositionsView>;
  flatten(input: { accountId?: string; halt?: boolean }): Promise<FlattenResult>;
}

export interface ServiceDeps {
  strategies: StrategyRepo;
  accounts: AccountRepo;
  signals: SignalRepo;
  orders: OrderRepo;
  router: OrderRouter;
  tradingState: TradingStateService;
  /** The day each account's loss limits measure (the day P&L of GET /api/positions reads and records it). */
  accountDays: AccountDayRepo;
  /** The base the webhook URL is built on: the tunnel's public URL when up, else the local listener. */
  webhookBase: () => string;
  /** Called when strategies change (the webhook listener caches lookups); resolves once the listener applies it. */
  strategiesChanged: () => void | Promise<void>;
  /** Called when an account is added or deleted (the `accounts` event tells the window and the desktop app). */
  accountsChanged?: () => void;
  /** Stores an account's credentials in the vault and makes, connects and registers its adapter. */
  connections: Pick<AccountConnections, 'add' | 'replace' | 'test' | 'isConnected' | 'connectionProblem' | 'observe' | 'remove'>;
  credentials: Pick<CredentialsService, 'status' | 'names' | 'set' | 'delete' | 'accountStatus'>;
  tunnel: Pick<TunnelService, 'status' | 'update' | 'start' | 'stop' | 'check'>;
  status: () => Record<string, unknown>;
  now?: () => string;
}

/** How long an account's equity read for the day P&L of GET /api/positions is reused. */
const EQUITY_READ_MS = 1000;

export function createServices(d: ServiceDeps): AgentServices {
  const now = d.now ?? (() => new Date().toISOString());
  const view = (s: StrategyRow): StrategyView => ({
    id: s.id,
    name: s.name,
    webhookId: s.webhookId,
    webhookUrl: `${d.webhookBase().replace(/\/$/, '')}/webhook/${s.webhookId}`,
    accountIds: s.accountIds,
    enabled: s.enabled,
    hasPassphrase: s.passphraseHash !== undefined,
    config: s.config,
    createdAt: s.createdAt,
  });
  const accountView = async (id: string): Promise<AccountView | undefined> => {
    const a = d.accounts.get(id);
    if (!a) return undefined;
    const credentials = await d.credentials.accountStatus(a.id, a.broker);
    const connectionError = d.connections.connectionProblem(a.id);
    const variables = credentialVariables(a.id, a.broker, credentials);
    return { ...a, credentials, connected: d.connections.isConnected(a.id), ...(connectionError ? { connectionError } : {}), ...(variables ? { credentialVariables: variables } : {}) };
  };
  // The window refreshes the positions after every order and position event: an account's equity is read at most
  // once a second for them (a read under way, or one less than a second old, is shared), so the day P&L adds little
  // to what the broker's rate limit must carry beside the alerts' own reads.
  const equityReads = new Map<string, { at: number; read: Promise<AccountSnapshot> }>();
  const readEquity = (accountId: string): Promise<AccountSnapshot> => {
    const at = Date.parse(now());
    const kept = equityReads.get(accountId);
    if (kept && at >= kept.at && at - kept.at < EQUITY_READ_MS) return kept.read;
    const read = d.router.adapter(accountId)!.account();
    equityReads.set(accountId, { at, read });
    return read;
  };
  // The account's own trading day (its risk setting; a strategy's override is that strategy's), read and recorded
  // as an alert's reading is: the P&L shown is the one the daily loss limit measures.
  const dayView = (accountId: string, snapshot: AccountSnapshot, at: string): AccountDayView => {
    const risk = (d.accounts.get(accountId)?.config as AccountSettings | undefined)?.risk;
    const window = tradingDayAt(at, risk?.tradingDay);
    const day = d.accountDays.observe({ accountId, scope: 'account', day: window, equity: snapshot.equity, brokerStart: snapshot.dayStartEquity, now: at });
    return {
      accountId,
      currency: snapshot.currency,
      equity: snapshot.equity,
      dayPnl: new Decimal(snapshot.equity).minus(day.start).toFixed(),
      dayStartEquity: day.start,
      dayHighEquity: day.high,
      dayStart: window.start,
      dayEnd: window.end,
      timeZone: window.timeZone,
      startsAt: window.startsAt,
      startFrom: day.startFrom,
      ...(day.startReadAt ? { startReadAt: day.startReadAt } : {}),
    };
  };
  const accountRow = (id: string): AccountRow => {
    const a = d.accounts.get(id);
    if (!a) throw new ApiFailure('NOT_FOUND', `No account ${id}.`);
    return a;
  };
  // Every account the trader has, stored or registered: one without an adapter (its keys were not available at
  // start, or it never connected) is still the trader's, and may hold positions at its broker.
  const allAccountIds = (): string[] => [...new Set([...d.accounts.list().map((a) => a.id), ...d.router.accountIds()])];
  /** `Account "Paper" (acc_…)`: an account as a message names it (the id alone for one the store does not know). */
  const accountLabel = (accountId: string): string => labelOf(d.accounts, accountId);
  const unavailable = (accountId: string, consequence = 'its positions at the broker cannot be read or closed here'): AccountReadErrorView => {
    const problem = d.connections.connectionProblem(accountId);
    const why = problem ? scrubText(problem.message) : 'its credentials were not available when the agent started (keychain locked or a VIEWZENIX_SECRET_* variable not set)';
    return {
      accountId,
      code: 'ACCOUNT_UNAVAILABLE',
      message: `${accountLabel(accountId)} is not connected, so ${consequence}: ${why}.`,
    };
  };
  /**
   * Refuses (409 CONFLICT) an account whose broker shows open positions: deleting it would leave them unwatched.
   * Positions that cannot be read refuse it with the broker's code (or ACCOUNT_UNAVAILABLE when it is not
   * connected), unless `force`.
   */
  const checkNoPositions = async (accountId: string, label: string, force: boolean): Promise<void> => {
    const adapter = d.router.adapter(accountId);
    const anyway = 'or delete it anyway with ?force=true (any positions at the broker stay open, and the agent no longer watches them)';
    if (!adapter) {
      if (force) return;
      throw new ApiFailure('ACCOUNT_UNAVAILABLE', `${unavailable(accountId).message} Connect it (test the connection) so its positions can be checked, ${anyway}.`);
    }
    let positions: Position[];
    try {
      positions = await adapter.positions();
      d.connections.observe(accountId);
    } catch (err) {
      if (!(err instanceof BrokerError)) throw err;
      d.connections.observe(accountId, err);
      if (force) return;
      throw new ApiFailure(codeForReadError(err), `${label} cannot be deleted now: its positions could not be read at the broker (${scrubText(err.message)}). Try again once the broker answers, ${anyway}.`);
    }
    const open = positions.filter((p) => !new Decimal(p.quantity).isZero());
    if (open.length === 0) return;
    const list = open.map((p) => `${p.symbol} ${p.quantity}`).join(', ');
    throw new ApiFailure('CONFLICT', `${label} has open positions at the broker (${list}). Close them first (the Positions page, or POST /api/flatten with {"accountId": "${accountId}"}), then delete it.`);
  };
  let strategiesApplied: Promise<void> = Promise.resolve();
  const strategiesChanged = (): void => {
    strategiesApplied = Promise.resolve(d.strategiesChanged()).catch(() => undefined);
  };
  return {
    status: () => ({ ...d.status(), ...latencyStatus() }),
    strategies: {
      applied: () => strategiesApplied,
      list: () => d.strategies.list().map(view),
      get: (id) => {
        const s = d.strategies.get(id);
        return s && view(s);
      },
      create(input) {
        for (const a of input.accountIds) if (!d.accounts.get(a)) throw new ApiFailure('VALIDATION_FAILED', `Account ${a} does not exist.`, [{ path: '/accountIds', message: `unknown account ${a}` }]);
        const row: StrategyRow = {
          id: randomId('str'),
          name: input.name,
          webhookId: newWebhookId(),
          passphraseHash: input.passphrase ? hashPassphrase(input.passphrase) : undefined,
          enabled: input.enabled ?? true,
          config: input.config ?? {},
          accountIds: input.accountIds,
          createdAt: now(),
        };
        d.strategies.insert(row);
        strategiesChanged();
        return view(row);
      },
      update(id, input) {
        const current = d.strategies.get(id);
        if (!current) throw new ApiFailure('NOT_FOUND', `No strategy ${id}.`);
        for (const a of input.accountIds ?? []) if (!d.accounts.get(a)) throw new ApiFailure('VALIDATION_FAILED', `Account ${a} does not exist.`, [{ path: '/accountIds', message: `unknown account ${a}` }]);
        const row: StrategyRow = {
          ...current,
          name: input.name ?? current.name,
          accountIds: input.accountIds ?? current.accountIds,
          enabled: input.enabled ?? current.enabled,
          config: input.config ?? current.config,
          passphraseHash: input.passphrase === null ? undefined : input.passphrase !== undefined ? hashPassphrase(input.passphrase) : current.passphraseHash,
        };
        d.strategies.update(row);
        strategiesChanged();
        return view(row);
      },
      rotateWebhook(id) {
        const current = d.strategies.get(id);
        if (!current) throw new ApiFailure('NOT_FOUND', `No strategy ${id}.`);
        const row: StrategyRow = { ...current, webhookId: newWebhookId() };
        d.strategies.update(row);
        strategiesChanged(); // the listener forgets the old id's cached lookup
        return view(row);
      },
      delete(id) {
        const name = d.strategies.get(id)?.name;
        const result = d.strategies.deleteIfUnused(id);
        if (!result.deleted) {
          if (result.notFound) throw new ApiFailure('NOT_FOUND', `No strategy ${id}.`);
          throw new ApiFailure('CONFLICT', strategyInUseMessage(`Strategy "${name ?? id}" (${id})`, result.inUse));
        }
        strategiesChanged(); // the listener forgets the cached lookup: the webhook URL answers 404 from now on
        return { id, deleted: true };
      },
    },
    accounts: {
      async list() {
        const out: AccountView[] = [];
        for (const a of d.accounts.list()) out.push((await accountView(a.id))!);
        return out;
      },
      get: accountView,
      exists: (id) => d.accounts.get(id) !== undefined,
      async create(input) {
        const row: AccountRow = { id: randomId('acc'), name: input.name, broker: input.broker, environment: input.environment, baseUrl: input.baseUrl, config: input.config ?? {}, createdAt: now() };
        // Credentials are stored (vault) and the adapter connected before the row exists: a refused key leaves nothing behind.
        await d.connections.add(row, input.credentials ?? {});
        d.accounts.insert(row);
        d.accountsChanged?.();
        return (await accountView(row.id))!;
      },
      async replaceCredentials(id, credentials) {
        await d.connections.replace(accountRow(id), credentials);
        return (await accountView(id))!;
      },
      testConnection: (id) => d.connections.test(accountRow(id)),
      async balance(id) {
        const account = accountRow(id);
        const adapter = d.router.adapter(id);
        if (!adapter) throw new ApiFailure('ACCOUNT_UNAVAILABLE', unavailable(id, 'its balance at the broker cannot be read').message);
        try {
          const a = await adapter.account();
          d.connections.observe(id);
          const view: AccountBalanceView = { accountId: account.id, currency: a.currency, cash: a.cash, equity: a.equity, buyingPower: a.buyingPower };
          if (a.dayStartEquity !== undefined) view.dayStartEquity = a.dayStartEquity;
          return view;
        } catch (err) {
          if (!(err instanceof BrokerError)) throw err;
          d.connections.observe(id, err);
          throw new ApiFailure(codeForReadError(err), `The balance of account ${accountName(d.accounts, id)} could not be read at the broker: ${scrubText(err.message)}.`);
        }
      },
      async delete(id, opts = {}) {
        const account = accountRow(id);
        const label = accountLabel(id);
        // What the agent itself knows is checked first: no broker call for an account a strategy still trades.
        const before = d.accounts.inUse(id);
        if (isInUse(before)) throw new ApiFailure('CONFLICT', accountInUseMessage(label, before));
        await checkNoPositions(id, label, opts.force === true);
        // Checked again with the delete, in one transaction: an order placed while the broker was asked is seen.
        const result = d.accounts.deleteIfUnused(id);
        if (!result.deleted) {
          if (result.notFound) throw new ApiFailure('NOT_FOUND', `No account ${id}.`);
          throw new ApiFailure('CONFLICT', accountInUseMessage(label, result.inUse));
        }
        d.accountsChanged?.();
        await d.connections.remove(account);
        return { id, deleted: true };
      },
    },
    vault: { status: () => d.credentials.status() },
    credentials: {
      names: () => d.credentials.names(),
      set: (name, value) => d.credentials.set(name, value),
      delete: (name) => d.credentials.delete(name),
    },
    tunnel: d.tunnel,
    signals: d.signals,
    orders: d.orders,
    tradingState: d.tradingState,
    async positions(opts = {}) {
      // Accounts are read at once, and one broker that cannot be read never hides the others' positions.
      // An account without an adapter is reported, never left out: its positions may be open at the broker.
      const out: PositionsView = { items: [], errors: [] };
      const accountIds: string[] = [];
      for (const accountId of allAccountIds()) {
        if (d.router.adapter(accountId)) accountIds.push(accountId);
        else out.errors.push(unavailable(accountId));
      }
      const [read, equities] = await Promise.all([
        Promise.allSettled(accountIds.map((accountId) => d.router.adapter(accountId)!.positions())),
        opts.days ? Promise.allSettled(accountIds.map((accountId) => readEquity(accountId))) : undefined,
      ]);
      if (equities) {
        out.days = [];
        const at = now();
        equities.forEach((r, i) => {
          // An equity that could not be read leaves the account's day unknown (the positions' errors say why, when
          // the broker is down); the agent's own fault is answered as such.
          if (r.status === 'rejected') {
            if (!(r.reason instanceof BrokerError)) throw r.reason;
            return;
          }
          const accountId = accountIds[i]!;
          out.days!.push(dayView(accountId, r.value, at));
        });
      }
      read.forEach((r, i) => {
        const accountId = accountIds[i]!;
        if (r.status === 'fulfilled') {
          d.connections.observe(accountId);
          for (const p of r.value) out.items.push({ accountId, ...p });
          return;
        }
        // Anything but a broker's failure is the agent's own fault: answered as such (500), not hidden here.
        if (!(r.reason instanceof BrokerError)) throw r.reason;
        d.connections.observe(accountId, r.reason);
        // The id stays in `accountId`; the words name the account as the trader knows it.
        out.errors.push({ accountId, code: codeForReadError(r.reason), message: `The positions of account ${accountName(d.accounts, accountId)} could not be read at the broker: ${scrubText(r.reason.message)}` });
      });
      return out;
    },
    async flatten(input) {
      // A mistyped account id is refused before anything is halted or sent (as trading-state refuses it).
      const id = input.accountId;
      if (id !== undefined && !allAccountIds().includes(id)) throw new ApiFailure('NOT_FOUND', `No account ${id}.`);
      if (input.halt) d.tradingState.set('halted', id === undefined ? 'flatten-all by the trader' : `flatten of account ${accountName(d.accounts, id)} by the trader`, id);
      return flatten(d.router, d.orders, randomId('flat'), id === undefined ? allAccountIds() : [id], unavailable, accountLabel);
    },
  };
}

/** Why a strategy cannot be deleted yet, and what to do, in one sentence the trader can act on. */
function strategyInUseMessage(label: string, u: StrategyInUse): string {
  const why: string[] = [];
  const todo: string[] = [];
  if (u.activeSignals > 0) {
    why.push(`${u.activeSignals} of its alerts ${u.activeSignals === 1 ? 'is' : 'are'} still queued or being processed`);
    todo.push('wait for them to finish (the Signals page)');
  }
  if (u.pendingApprovals > 0) {
    why.push(`${u.pendingApprovals} of its orders ${u.pendingApprovals === 1 ? 'waits' : 'wait'} for manual approval`);
    todo.push('approve or reject them (the Approvals page)');
  }
  return `${label} cannot be deleted yet: ${why.join(', and ')}. ${capitalise(todo.join(', and '))}, then delete it again.`;
}

/** Why an account cannot be deleted yet (every reason at once), and what to do about each. */
function accountInUseMessage(label: string, u: AccountInUse): string {
  const parts: string[] = [];
  if (u.strategies.length > 0) {
    const names = u.strategies.map((s) => `"${s.name}" (${s.id})`).join(', ');
    parts.push(`${u.strategies.length === 1 ? 'the strategy' : 'the strategies'} ${names} still ${u.strategies.length === 1 ? 'trades' : 'trade'} it: remove the account from ${u.strategies.length === 1 ? 'that strategy' : 'them'} or delete ${u.strategies.length === 1 ? 'it' : 'them'} first`);
  }
  if (u.openOrders.length > 0) {
    const shown = u.openOrders.slice(0, 5).map((o) => `${o.id} ${o.symbol} ${o.status}`).join(', ');
    const more = u.openOrders.length > 5 ? ` and ${u.openOrders.length - 5} more` : '';
    parts.push(`${u.openOrders.length} of its orders ${u.openOrders.length === 1 ? 'is' : 'are'} not final (${shown}${more}): cancel ${u.openOrders.length === 1 ? 'it' : 'them'} (or flatten the account) and wait until ${u.openOrders.length === 1 ? 'it is' : 'they are'} final`);
  }
  if (u.pendingApprovals > 0) {
    parts.push(`${u.pendingApprovals} of its orders ${u.pendingApprovals === 1 ? 'waits' : 'wait'} for manual approval: approve or reject ${u.pendingApprovals === 1 ? 'it' : 'them'} (the Approvals page)`);
  }
  return `${label} cannot be deleted yet: ${parts.join('; ')}. Then delete it again.`;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
