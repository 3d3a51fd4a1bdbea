// Composition root: options → store, brokers, engines, listeners. Start-up and crash recovery are one path:
// open the store, reconcile every order whose outcome is not known, resume the inbox, then listen.
import type http from 'node:http';
import path from 'node:path';
import type { AgentOptions } from './config.js';
import { createLogger, registerSecret, type Logger } from './log.js';
import { openDatabase, type Db } from './store/db.js';
import { StrategyRepo } from './store/strategies.js';
import { AccountRepo } from './store/accounts.js';
import { SignalRepo } from './store/signals.js';
import { OrderRepo } from './store/orders.js';
import { AccountDayRepo } from './store/account-days.js';
import { SettingsRepo, TradingStateRepo } from './store/settings.js';
import { PaperRepo } from './store/paper.js';
import { EventBus } from './events.js';
import { OrderLifecycle } from './orders/lifecycle.js';
import { OrderRouter } from './orders/router.js';
import { Reconciler } from './orders/reconciler.js';
import { TradingStateService } from './trading-state.js';
import { SignalWorker } from './signals/worker.js';
import { listen, closeServer } from './server/webhook-http.js';
import { INBOX_FILE, type InboxRow } from './store/inbox-db.js';
import { arrivalRate, startWebhookListener, type WebhookListener } from './server/webhook-listener.js';
import { paceCheckpoints } from './store/checkpoint-pace.js';
import { createControlApp, createControlServer } from './server/control.js';
import { mountApiRoutes } from './server/api-routes.js';
import { createServices, type AgentServices } from './services.js';
import { PaperBroker } from './brokers/paper/paper-broker.js';
import { startNotifications, type Notifications } from './notify/index.js';
import { accountLabel } from './account-label.js';
import { mountNotifyRoutes } from './notify/routes.js';
import { mountExportRoutes } from './export/routes.js';
import { BackupService } from './backup/backups.js';
import { mountBackupRoutes } from './backup/routes.js';
import { startAudit } from './audit/audit.js';
import { mountAuditRoutes } from './audit/routes.js';
import { ApprovalRepo } from './store/approvals.js';
import { ApprovalService } from './approvals/service.js';
import { mountApprovalRoutes } from './server/approval-routes.js';
import { readAgentInfo } from './data-dir.js';
import type { BrokerAdapter } from './brokers/port.js';
import type { AccountRow } from './store/accounts.js';
import { acquireLock, ensureDataDir, loadControlToken, removeAgentInfo, writeAgentInfo, type AgentInfo } from './data-dir.js';
import { defaultUiDir } from './package-root.js';
import { newWebhookId, randomId } from './ids.js';
import { Vault } from './secrets/index.js';
import { CredentialsService, platformFix, type VaultLike } from './credentials-service.js';
import { AccountConnections, type AdapterFactory } from './account-connections.js';
import { TunnelService, configuredTunnelProvider } from './tunnel-service.js';
import { forwardedHeaderFor } from './server/security.js';
import { finishesWithin } from './time-limit.js';
import type { BackoffOptions, HealthProbeOptions } from './tunnel/index.js';

export interface Agent {
  info: AgentInfo;
  token: string;
  db: Db;
  log: Logger;
  services: AgentServices;
  vault: VaultLike;
  tunnel: TunnelService;
  /** The notification channels; the desktop app shows its own notifications from the event stream (main/electron/notification-router.ts). */
  notifications: Notifications;
  demoWebhookUrl?: string;
  /** Where the webhook listener runs: its own thread (the default with a build) or the main thread. */
  webhookMode: 'thread' | 'in-process';
  /** The listener itself (tests end its thread to check the restart). */
  webhookListener: WebhookListener;
  stop(): Promise<void>;
}

/**
 * A clean stop waits for its parts this long in all (the desktop shell sends SIGTERM after 10 s and kills the agent
 * 3 s later), and for any one part at most STOP_PART_MS. Once the whole limit is spent, each part still to come is
 * started all the same (closing a server, ending reconciliation) and waited for STOP_PART_FLOOR_MS.
 */
const STOP_LIMIT_MS = 8_000;
/** How long after the start the real brokers' keys are tested again (AccountConnections.testAtStart). */
const KEY_TEST_DELAY_MS = 2_000;
const STOP_PART_MS = 5_000;
const STOP_PART_FLOOR_MS = 250;

/** Alerts per millisecond (200/s) and signals in the worker above which viewzenix.db's checkpoints are large. */
const BUSY_ALERTS_PER_MS = 0.2;
const BUSY_BACKLOG = 50;

/** What the agent hands an injected adapter factory. */
export interface AdapterContext {
  /** The paper broker's books on the agent's own connection. A paper broker must use this one: it reports fills
   *  inside its transaction, and the agent records them through the same connection in that same commit. */
  paperRepo: PaperRepo;
}

export interface StartOverrides {
  uiDir?: string;
  /**
   * Makes the adapter for an account from its credentials (read from the vault). Tests and benchmarks inject
   * theirs; what it does not handle falls back to the built-in ones (paper).
   */
  adapterFactory?: (account: AccountRow, credentials: Record<string, string>, context: AdapterContext) => BrokerAdapter | undefined | Promise<BrokerAdapter | undefined>;
  fillWaitMs?: number;
  /** Run the webhook listener in its own thread (default: when the built thread entry exists). */
  webhookThread?: boolean;
  /** The webhook thread's compiled entry (tests running from sources point at the build). */
  webhookThreadEntry?: string;
  /** How long a new webhook thread may take to listen before it is ended (default 10 s). */
  webhookThreadStartLimitMs?: number;
  /** The checkpoint thread's compiled entry (the same; default: store/checkpoint-thread.js of this build). */
  checkpointThreadEntry?: string;
  /** The credential vault. Default: the OS keychain under service VIEWZENIX_KEYCHAIN_SERVICE (else "viewzenix"), VIEWZENIX_SECRET_* as read-only fallback. */
  vault?: VaultLike;
  /** Tunnel self-check and retry timing (tests point the probe at a local tunnel server). */
  tunnel?: { probe?: HealthProbeOptions; checkIntervalMs?: number; failuresBeforeRestart?: number; backoff?: Partial<BackoffOptions> };
}

export async function startAgent(options: AgentOptions, overrides: StartOverrides = {}): Promise<Agent> {
  ensureDataDir(options.dataDir);
  const releaseLock = acquireLock(options.dataDir);
  // agent.json is removed on a clean stop: finding one means the previous run crashed (or was killed).
  const leftBehind = readAgentInfo(options.dataDir);
  let db: Db | undefined;
  let listening: WebhookListener | undefined;
  let controlListening: http.Server | undefined;
  let tunnelStarted: TunnelService | undefined;
  try {
    const log = createLogger({ dataDir: options.dataDir, level: options.logLevel, console: options.console });
    const token = loadControlToken(options.dataDir, options.controlToken);
    registerSecret(token);
    db = openDatabase({ file: path.join(options.dataDir, 'viewzenix.db') });
    const strategies = new StrategyRepo(db);
    const accounts = new AccountRepo(db);
    const signals = new SignalRepo(db);
    const orders = new OrderRepo(db);
    const accountDays = new AccountDayRepo(db);
    accountDays.prune(new Date(Date.now() - 7 * 86_400_000).toISOString()); // a week is plenty
    const settings = new SettingsRepo(db);
    const paperRepo = new PaperRepo(db);
    const bus = new EventBus();
    const lifecycle = new OrderLifecycle(orders, bus, log);
    const router = new OrderRouter(orders, lifecycle, log);
    router.nameAccounts(accounts); // its notices name an account as the trader knows it
    const tradingState = new TradingStateService(new TradingStateRepo(db), bus);

    const firstRun = settings.get('seeded') === undefined;
    const demo = options.seedDemo ? seedDemo(strategies, accounts, settings) : undefined;

    const vault: VaultLike = overrides.vault ?? new Vault(process.env.VIEWZENIX_KEYCHAIN_SERVICE ? { service: process.env.VIEWZENIX_KEYCHAIN_SERVICE } : {});
    // The keychain probe only reports (it can take up to its 5 s timeout on a locked keychain): it runs once the
    // listeners are up, so it never delays start-up to healthy.
    const reportVault = async (): Promise<void> => {
      const vaultStatus = await vault.status();
      if (vaultStatus.writable) log.info({ backend: vaultStatus.backend }, `credential vault: ${vaultStatus.message}`);
      else if (vaultStatus.available) log.warn({ backend: vaultStatus.backend, fix: platformFix(vaultStatus) }, `credential vault read-only: ${vaultStatus.message} Credentials cannot be saved until the keychain works.`);
      else log.warn({ backend: vaultStatus.backend, fix: platformFix(vaultStatus) }, `credential vault unavailable: ${vaultStatus.message} Broker accounts and tunnels that need a credential cannot start; the paper broker works.`);
    };
    const credentials = new CredentialsService(vault);

    // Real-broker adapters (and CCXT with its hundred exchanges) load only when an account needs them: the
    // default agent (paper broker) starts faster and idles in far less memory.
    const builtInAdapter: AdapterFactory = async (a, creds) => {
      if (a.broker === 'paper') return new PaperBroker(a.id, paperRepo, a.config.paper as Record<string, never> | undefined);
      if (a.broker === 'alpaca' || a.broker === 'oanda' || a.broker === 'ccxt') {
        const { createAdapter } = await import('./brokers/factory.js');
        return createAdapter({ ...a, broker: a.broker }, creds, { warn: (message) => log.warn({ accountId: a.id, broker: a.broker }, message) });
      }
      return undefined;
    };
    const connections = new AccountConnections({
      router,
      credentials,
      log,
      factory: async (a, creds) => (await overrides.adapterFactory?.(a, creds, { paperRepo })) ?? builtInAdapter(a, creds),
    });
    await connections.connectAll(accounts.list());

    // Reconciled before any alert is processed (below, once the listeners are open).
    const reconciler = prepareReconciler(orders, router, tradingState, log);

    const approvals = new ApprovalService({ repo: new ApprovalRepo(db), signals, strategies, accounts, orders, accountDays, router, lifecycle, tradingState, bus, log, fillWaitMs: overrides.fillWaitMs });
    // Alerts are received (stored and answered) from the moment the listener runs, but the worker takes none before
    // the start-up reconciliation has ended.
    let reconciled = false;
    // Set once the listener runs (below); until then there is no storm to give way to, and every alert is on disk.
    let intakeStorm: () => boolean = () => false;
    let untilDurable: (signalId: string) => Promise<void> | undefined = () => undefined;
    let signalDone: () => void = () => {};
    const worker = new SignalWorker({
      signals,
      strategies,
      accounts,
      orders,
      accountDays,
      router,
      lifecycle,
      tradingState,
      bus,
      log,
      fillWaitMs: overrides.fillWaitMs,
      approvals,
      intakeStorm: () => intakeStorm(),
      untilDurable: (id) => untilDurable(id),
      onDone: () => signalDone(),
      brokerHealth: connections,
    });

    const dbFile = path.join(options.dataDir, 'viewzenix.db');
    const inboxFile = path.join(options.dataDir, INBOX_FILE);
    const openDb = db;
    const notifications: Notifications = await startNotifications({ db: openDb, bus, log, secrets: vault, names: { account: (id) => accounts.get(id)?.name, strategy: (id) => strategies.get(id)?.name }, orders });
    const audit = startAudit({ db: openDb, log });
    const backups = new BackupService({ db: openDb, dir: path.join(options.dataDir, 'backups'), log });
    backups.start();

    // Alerts are received from here on; the worker takes them once everything below is up (worker.kick()).
    // Alerts rejected at the webhook never reach the worker, which announces the others once processed.
    const onRejected = (rows: readonly InboxRow[]): void => {
      for (const r of rows) bus.publish({ type: 'signal', signal: { id: r.id, strategyId: r.strategy_id, status: 'rejected', code: r.code ?? undefined, symbol: r.symbol ?? undefined } });
    };
    const webhook = await startWebhookListener({ dbFile, inboxFile, host: options.webhookHost, port: options.webhookPort, strategies, signals, log, onCopied: () => {
        if (reconciled) worker.kick();
      }, workerWants: () => worker.wantsMore, onRejected, thread: overrides.webhookThread, threadEntry: overrides.webhookThreadEntry, checkpointThreadEntry: overrides.checkpointThreadEntry, threadStartLimitMs: overrides.webhookThreadStartLimitMs, forwardedHeader: forwardedHeaderFor(configuredTunnelProvider(settings)) });
    listening = webhook;
    intakeStorm = () => webhook.storm();
    untilDurable = webhook.untilDurable;
    // viewzenix.db's checkpoints: small ones after signals while alerts are few, SQLite's own 4 MB ones while many
    // arrive or wait (checkpoint-pace.ts).
    const arriving = arrivalRate(webhook.stats);
    const checkpoints = paceCheckpoints(openDb, () => arriving(BUSY_ALERTS_PER_MS) || worker.backlog >= BUSY_BACKLOG, undefined, () => webhook.checkpointAgentDb());
    signalDone = () => checkpoints.signalDone();
    const webhookPort = webhook.port;
    let controlPort = 0;
    const tunnel = new TunnelService({
      settings,
      secrets: vault,
      bus,
      log,
      webhookPort: () => webhookPort, // the webhook listener only: the control listener is never exposed
      // The listener believes only the forwarded-address header the configured provider sets (server/security.ts).
      providerChanged: (provider) => webhook.setForwardedHeader(forwardedHeaderFor(provider)),
      ...overrides.tunnel,
    });
    /** The `accounts` event: every account's id and name, so the desktop app names accounts as the trader does. */
    const publishAccounts = (): void => bus.publish({ type: 'accounts', accounts: accounts.list().map((a) => ({ id: a.id, name: a.name })) });
    const services = createServices({
      strategies,
      accounts,
      signals,
      orders,
      router,
      tradingState,
      accountDays,
      webhookBase: () => tunnel.publicUrl() ?? settings.get('publicUrl') ?? `http://127.0.0.1:${webhookPort}`,
      strategiesChanged: () => webhook.invalidate(),
      accountsChanged: publishAccounts,
      connections,
      credentials,
      tunnel,
      status: () => ({
        pid: process.pid,
        webhookPort,
        controlPort,
        signals: withNotCopied(signals.countByStatus(), webhook.notCopied()),
        webhook: { ...webhook.stats, mode: webhook.mode, restarts: webhook.restarts, listening: webhook.listening },
        tradingState: tradingState.view(),
        tunnel: { state: tunnel.status().state, publicUrl: tunnel.publicUrl() ?? null },
      }),
    });
    const control = createControlApp({ token, port: () => controlPort, log, bus, uiDir: overrides.uiDir ?? defaultUiDir(), routes: (r) => {
        mountApiRoutes(services, { signals, strategies, accounts, orders, accountDays, router, tradingState })(r);
        r.post('/reconcile', async (_req, res) => {
          res.json({ reports: (await router.reconciler?.reconcileAll('manual')) ?? [] });
        });
        mountNotifyRoutes(r, { notifications, credentials });
        mountExportRoutes(r, {
          db: openDb,
          dbFile,
          inboxFile, // the signals export holds the alerts waiting there too
          positions: () => services.positions(),
          log,
          // An import may bring accounts and notification settings: the window and the desktop app are told.
          configChanged: () => {
            const applied = webhook.invalidate();
            publishAccounts();
            notifications.settingsChanged();
            return applied;
          },
          // Accounts an import created are connected now, like those POST /api/accounts creates.
          accountsAdded: (ids) => connections.connectAll(ids.map((id) => accounts.get(id)).filter((a): a is AccountRow => a !== undefined)),
        });
        mountBackupRoutes(r, { backups });
        mountAuditRoutes(r, { audit });
        mountApprovalRoutes(r, approvals);
      },
    });
    const controlServer = createControlServer(control);

    controlPort = await listen(controlServer, options.controlPort, '127.0.0.1'); // on failure the listener closes below
    controlListening = controlServer;

    const demoStrategy = demo ? strategies.get(demo) : strategies.list()[0];
    // Encoded: a token the trader set may hold characters that end or change a fragment's value (&, #, %, +).
    const uiUrl = `http://127.0.0.1:${controlPort}/#token=${encodeURIComponent(token)}`;
    const demoWebhookUrl = demoStrategy ? `http://127.0.0.1:${webhookPort}/webhook/${demoStrategy.webhookId}` : undefined;
    const info: AgentInfo = { pid: process.pid, webhookPort, controlPort, uiUrl, webhookUrl: demoWebhookUrl ?? '', startedAt: new Date().toISOString() };
    writeAgentInfo(options.dataDir, info); // the CLI finds the agent from here on
    tunnel.autoStart(); // reopens the tunnel if it was running when the agent last stopped; does not wait
    tunnelStarted = tunnel;

    // Start-up and crash recovery are one path: every account is reconciled (orders whose outcome is not known are
    // resolved at the broker, missed fills recovered) before any alert is processed. The listeners are open
    // meanwhile: alerts are stored and answered, and the trader can look, halt or flatten, however long the brokers
    // take. Then the approvals a crash left approved are sent, and the inbox is resumed in arrival order.
    const reports = await reconciler.reconcileAll('startup');
    log.info({ reports }, 'start-up reconciliation finished');
    reconciler.start(); // then periodically, until the router closes
    await approvals.start(); // expire what passed while stopped, send approved orders a crash left unsent
    reconciled = true;
    worker.kick(); // rows left by a previous run first, then what arrived meanwhile

    log.info({ webhookPort, controlPort, dataDir: options.dataDir }, 'agent started');
    bus.publish({ type: 'agent', state: 'started', previousRun: leftBehind ? 'crashed' : firstRun ? 'first' : 'clean' });
    void reportVault().catch((err: unknown) => log.warn({ err }, 'could not probe the credential vault'));
    // Keys revoked or expired while the agent was stopped (or a broker that cannot be reached) show now, in the UI
    // and as a `broker-down` notification, not when the next alert is denied.
    // Tested a moment after the start, once the window (and the desktop notifications) can hear of it.
    const keyTest = setTimeout(() => {
      void connections.testAtStart(accounts.list(), (a, r) => bus.publish({ type: 'notice', level: 'error', code: r.code ?? 'ACCOUNT_UNAVAILABLE', message: `${accountLabel(accounts, a.id)}: ${r.message}`, accountId: a.id }));
    }, KEY_TEST_DELAY_MS);
    keyTest.unref();
    let stopping: Promise<void> | undefined;
    const stop = (): Promise<void> => {
      stopping ??= (async () => {
        log.info('agent stopping');
        // Each part in turn, each waited for a limited time: one that fails or hangs is logged and left behind, so
        // the stop always gets to the end (agent.json and the lock removed). Whatever it left undone is what a
        // crash leaves: the next start reconciles it.
        const deadline = performance.now() + STOP_LIMIT_MS;
        const part = async (name: string, run: () => unknown): Promise<void> => {
          const limitMs = Math.round(Math.max(STOP_PART_FLOOR_MS, Math.min(STOP_PART_MS, deadline - performance.now())));
          try {
            if (await finishesWithin(Promise.resolve().then(run), limitMs)) return;
            log.error({ part: name, limitMs }, `stopping: ${name} did not finish in time; the agent stops without waiting for it`);
          } catch (err) {
            log.error({ err, part: name }, `stopping: ${name} failed; the agent stops all the same`);
          }
        };
        clearTimeout(keyTest);
        await part('the tunnel', () => tunnel.shutdown()); // close the public URL first: nothing new arrives through it
        await part('the webhook listener', () => webhook.close()); // stop accepting alerts; what was received is committed and answered
        await part('the signal worker', () => worker.stop()); // finish in-flight work
        await part('checkpoint pacing', () => checkpoints.stop());
        await part('approvals', () => approvals.stop());
        await part('the control server', () => {
          control.endStreams(); // the window's event stream: the server would wait 2 s for it
          return closeServer(controlServer);
        });
        await part('notifications', () => notifications.stop());
        await part('the audit trail', () => audit.stop());
        await part('backups', () => backups.stop());
        await part('the order router and reconciliation', () => router.close());
        await part('the broker connections', () => Promise.allSettled(router.accountIds().map((id) => router.adapter(id)?.disconnect())));
        await part('the database', () => openDb.close());
        try {
          removeAgentInfo(options.dataDir);
        } catch (err) {
          log.error({ err }, 'stopping: could not remove agent.json');
        }
        releaseLock();
        log.info('agent stopped');
        await finishesWithin(new Promise<void>((resolve) => log.flush(() => resolve())), STOP_PART_MS);
      })();
      return stopping;
    };
    return { info, token, db: openDb, log, services, vault, tunnel, notifications, demoWebhookUrl, webhookMode: webhook.mode, webhookListener: webhook, stop };
  } catch (err) {
    await tunnelStarted?.shutdown().catch(() => undefined);
    if (controlListening) await closeServer(controlListening).catch(() => undefined);
    await listening?.close().catch(() => undefined);
    db?.close();
    releaseLock();
    throw err;
  }
}

/** First start: a paper account and a demo strategy, so a new user sees the whole pipeline work. */
function seedDemo(strategies: StrategyRepo, accounts: AccountRepo, settings: SettingsRepo): string | undefined {
  if (settings.get('seeded')) return settings.get('demoStrategyId');
  const now = new Date().toISOString();
  const accountId = randomId('acc');
  accounts.insert({ id: accountId, name: 'Paper', broker: 'paper', environment: 'paper', config: {}, createdAt: now });
  const strategyId = randomId('str');
  strategies.insert({ id: strategyId, name: 'Demo strategy', webhookId: newWebhookId(), enabled: true, config: {}, accountIds: [accountId], createdAt: now });
  settings.set('seeded', now);
  settings.set('demoStrategyId', strategyId);
  return strategyId;
}

/** The router's reconciler (the API's "reconcile now" uses it too), not run yet. */
function prepareReconciler(orders: OrderRepo, router: OrderRouter, tradingState: TradingStateService, log: Logger): Reconciler {
  router.configure(tradingState);
  const reconciler = new Reconciler(orders, router.lifecycleRef, router, tradingState, log);
  router.reconciler = reconciler;
  return reconciler;
}

/** Signal counts with the alerts still waiting in inbox.db (an alert storm's, not copied yet) counted in. */
export function withNotCopied(counts: Record<string, number>, notCopied: Record<string, number>): Record<string, number> {
  const out = { ...counts };
  for (const [status, n] of Object.entries(notCopied)) out[status] = (out[status] ?? 0) + n;
  return out;
}
