// The desktop app: one agent in a utility process, one window on the agent's own UI, one tray icon.
// Everything Electron-specific goes through the facade; this file holds the decisions.
import type { AgentInfo } from './agent-info.js';
import { readControlToken as readControlTokenFromDisk } from './agent-info.js';
import { AgentSupervisor, type AgentStatus, type BackoffPolicy } from './agent-supervisor.js';
import type { Clock, TimerHandle } from './clock.js';
import { systemClock } from './clock.js';
import { ControlClient, type EventSubscription } from './control-client.js';
import { DesktopSettingsStore } from './desktop-settings.js';
import type { ElectronFacade, NotificationSpec, ShellTray, ShellWindow } from './facade.js';
import { AGENT_STATUS_CHANNEL, type AgentStatusMessage } from './ipc-channels.js';
import { registerIpcHandlers } from './ipc-handlers.js';
import { AccountTradingStates, INITIAL_STATUS, routeAgentEvent, type DesktopStatus } from './notification-router.js';
import { desktopChannelOf, desktopShows, FALLBACK_DESKTOP_CHANNEL, parseAccountNames, sameDesktopChannel, type DesktopChannel } from './notify-preferences.js';
import { SeenKeys, type NotifyKind } from '../../shared/notify.js';
import { buildTrayMenu, trayTooltip, type AgentPhase, type TrayView } from './tray-menu.js';
import type { AgentUi } from './trusted-origin.js';
import { chooseWindowBounds } from './window-bounds.js';
import { hardenSession, hardenWindow, secureWebPreferences } from './window-security.js';

export interface DesktopShellConfig {
  /** dist/main/cli.js */
  readonly agentEntry: string;
  readonly dataDir: string;
  readonly webhookPort: number;
  readonly controlPort: number;
  /** dist/main/electron/preload.cjs */
  readonly preloadPath: string;
  readonly trayIconPath: string;
  /** Launched at login: stay in the tray until the trader opens the window. */
  readonly startHidden: boolean;
  readonly clock?: Clock;
  readonly backoff?: Partial<BackoffPolicy>;
  readonly readAgentInfo?: (dataDir: string) => AgentInfo | null;
  readonly readControlToken?: (dataDir: string) => string | null;
  readonly forceKill?: (pid: number) => void;
  readonly stopTimeoutMs?: number;
  readonly log?: (message: string) => void;
}

const EVENTS_RECONNECT_MS = 2_000;
/** Events held while the settings and account names are read at (re)connect; past this they are routed at once. */
const MAX_HELD_EVENTS = 1_000;
const BOUNDS_SAVE_DELAY_MS = 500;
/** The agent process stopping, failing or coming back: the kind the agent's own start message is sent as. */
const AGENT_RESTART: readonly NotifyKind[] = ['agent-restart'];

export class DesktopShell {
  private readonly clock: Clock;
  private readonly log: (message: string) => void;
  private settings!: DesktopSettingsStore;
  private supervisor!: AgentSupervisor;
  private tray: ShellTray | null = null;
  private win: ShellWindow | null = null;
  private loadedUrl: string | null = null;
  private ui: AgentUi | null = null;
  private client: ControlClient | null = null;
  private token: string | null = null;
  private events: EventSubscription | null = null;
  private eventsTimer: TimerHandle | null = null;
  private boundsTimer: TimerHandle | null = null;
  private status: DesktopStatus = INITIAL_STATUS;
  /** Kept across reconnects and agent restarts: the agent publishes an order again when it changes. */
  private readonly fills = new SeenKeys();
  /** Each account's own trading state, as the global one is in `status`: read at each (re)connect, followed by events. */
  private readonly accountStates = new AccountTradingStates();
  /** The names the trader gave the accounts, read at each (re)connect and kept current by the `accounts` event. */
  private accountNames = new Map<string, { name: string }>();
  private phase: AgentPhase = 'starting';
  private phaseDetail: string | null = null;
  private quitting = false;
  private stopped = false;
  private windowWanted: boolean;

  constructor(
    private readonly facade: ElectronFacade,
    private readonly config: DesktopShellConfig,
  ) {
    this.clock = config.clock ?? systemClock();
    this.log = config.log ?? ((m) => console.log(m));
    this.windowWanted = !config.startHidden;
  }

  /** False when another instance already runs (that one is focused and this one quits). */
  async start(): Promise<boolean> {
    const { facade, config } = this;
    if (!facade.requestSingleInstanceLock()) {
      facade.quit();
      return false;
    }
    facade.onSecondInstance(() => this.openWindow());
    await facade.whenReady();

    this.settings = new DesktopSettingsStore(facade.getPath('userData'), this.log);
    const osLoginItem = facade.getOpenAtLogin();
    if (osLoginItem !== this.settings.settings.startAtLogin) this.settings.update({ startAtLogin: osLoginItem });

    hardenSession(facade.session, () => this.ui?.origin ?? null);
    registerIpcHandlers(facade, {
      uiOrigin: () => this.ui?.origin ?? null,
      control: () => (this.client === null ? null : { baseUrl: this.client.origin, token: this.token ?? '' }),
      settings: () => this.settings.settings,
      setCloseToTray: (enabled) => this.setCloseToTray(enabled),
      setStartAtLogin: (enabled) => this.setStartAtLogin(enabled),
    });

    this.tray = facade.createTray(config.trayIconPath);
    this.tray.onClick(() => this.openWindow());
    this.renderTray();

    facade.onBeforeQuit((event) => {
      if (this.stopped) return;
      event.preventDefault();
      void this.shutdown();
    });
    facade.onWindowAllClosed(() => {
      if (!this.settings.settings.closeToTray) facade.quit();
    });
    facade.onActivate(() => this.openWindow());

    this.supervisor = new AgentSupervisor({
      fork: (modulePath, args, spec) => facade.forkUtility(modulePath, args, spec),
      entry: config.agentEntry,
      dataDir: config.dataDir,
      webhookPort: config.webhookPort,
      controlPort: config.controlPort,
      clock: this.clock,
      onStatus: (status) => this.onAgentStatus(status),
      ...(config.backoff === undefined ? {} : { backoff: config.backoff }),
      ...(config.readAgentInfo === undefined ? {} : { readAgentInfo: config.readAgentInfo }),
      ...(config.forceKill === undefined ? {} : { forceKill: config.forceKill }),
      ...(config.stopTimeoutMs === undefined ? {} : { stopTimeoutMs: config.stopTimeoutMs }),
    });
    this.supervisor.start();
    return true;
  }

  get trayView(): TrayView {
    const settings = this.settings.settings;
    return { ...this.status, agent: this.phase, agentDetail: this.phaseDetail, closeToTray: settings.closeToTray, startAtLogin: settings.startAtLogin };
  }

  get window(): ShellWindow | null {
    return this.win;
  }

  get agent(): AgentSupervisor {
    return this.supervisor;
  }

  /** Shows (creating if needed) the window; a no-op while the agent's UI is not available. */
  openWindow(): void {
    this.windowWanted = true;
    if (this.win !== null && !this.win.isDestroyed()) {
      if (this.win.isMinimized()) this.win.restore();
      this.win.show();
      this.win.focus();
      return;
    }
    if (this.ui === null || this.phase !== 'running' || this.quitting) return;
    this.createWindow(this.ui);
  }

  /** The tray's halt button: PUT /api/trading-state {state: 'halted'}. Resolves to whether the agent confirmed it. */
  async haltTrading(): Promise<boolean> {
    const client = this.client;
    if (client === null) {
      this.notify({ title: 'Trading not halted', body: 'The agent is not running, so it is not sending orders.', urgency: 'normal' });
      return false;
    }
    try {
      const state = await client.setTradingState('halted');
      this.status = { ...this.status, tradingState: state };
      this.renderTray();
      return state === 'halted';
    } catch (error) {
      this.notify({
        title: 'Halt trading FAILED',
        body: `${error instanceof Error ? error.message : String(error)}. Open the window and halt there, or quit Viewzenix to stop the agent.`,
        urgency: 'critical',
      });
      return false;
    }
  }

  private setCloseToTray(enabled: boolean): void {
    this.settings.update({ closeToTray: enabled });
    this.renderTray();
  }

  private setStartAtLogin(enabled: boolean): void {
    try {
      this.facade.setOpenAtLogin(enabled);
    } catch (error) {
      this.log(`Could not change the login item: ${error instanceof Error ? error.message : String(error)}`);
    }
    this.settings.update({ startAtLogin: this.facade.getOpenAtLogin() });
    this.renderTray();
  }

  private onAgentStatus(status: AgentStatus): void {
    switch (status.state) {
      case 'starting':
        this.phase = this.phase === 'restarting' ? 'restarting' : 'starting';
        this.toUi({ state: 'starting', message: 'The agent is starting.' });
        break;
      case 'running':
        this.onAgentRunning(status.ui, status.restarted);
        break;
      case 'crashed': {
        this.disconnect();
        this.phase = 'restarting';
        this.phaseDetail = status.reason;
        const seconds = Math.round(status.restartInMs / 1000);
        this.toUi({ state: 'restarting', message: `${status.reason}. Restarting in ${seconds} s.` });
        if (status.consecutiveCrashes === 1) this.notify({ title: 'Agent stopped unexpectedly', body: `${status.reason}. Restarting in ${seconds} s.`, urgency: 'critical' }, AGENT_RESTART);
        break;
      }
      case 'failed':
        this.disconnect();
        this.phase = 'failed';
        this.phaseDetail = status.reason;
        this.toUi({ state: 'failed', message: status.reason });
        this.notify({ title: 'Agent stopped', body: `${status.reason}. Fix the cause, then choose "Restart agent" in the tray.`, urgency: 'critical' }, AGENT_RESTART);
        break;
      case 'stopping':
      case 'stopped':
        this.phase = 'stopping';
        break;
    }
    this.renderTray();
  }

  private onAgentRunning(ui: AgentUi, restarted: boolean): void {
    this.ui = ui;
    this.token = ui.token ?? (this.config.readControlToken ?? readControlTokenFromDisk)(this.config.dataDir);
    this.phase = 'running';
    this.phaseDetail = null;
    if (this.token === null) {
      this.log(`No control token in the UI URL or ${this.config.dataDir}/control-token; tray status and halt are unavailable.`);
      this.client = null;
    } else {
      this.client = new ControlClient(ui.origin, this.token);
      this.connectEvents(this.client);
    }
    if (restarted) {
      const message = 'Agent restarted, reconciling open orders with the broker before trading again.';
      this.toUi({ state: 'restarted', message });
      this.notify({ title: 'Agent restarted', body: message, urgency: 'normal' }, AGENT_RESTART);
    }
    if (this.win !== null && !this.win.isDestroyed()) {
      if (this.loadedUrl !== ui.url) this.load(this.win, ui.url);
    } else if (this.windowWanted) {
      this.createWindow(ui);
    }
  }

  /**
   * Opens the event stream, then reads what decides the notifications (the desktop channel's settings, the account
   * names) from the API. The events that come meanwhile wait for those answers (or their failure), so none is shown
   * or hidden by settings the agent no longer has; the `notification-settings` and `accounts` events, which carry
   * the whole of each, keep them current after that. Read again at every reconnect; never polled.
   */
  private connectEvents(client: ControlClient): void {
    this.refreshTradingState(client);
    let held: Record<string, unknown>[] | null = [];
    const release = (): void => {
      const queue = held ?? [];
      held = null;
      for (const event of queue) this.onAgentEvent(event);
    };
    this.events = client.subscribeEvents(
      (event) => {
        if (held === null) this.onAgentEvent(event);
        else if (held.push(event) >= MAX_HELD_EVENTS) release();
      },
      (error) => {
        this.events = null;
        if (this.client !== client || this.quitting) return;
        if (error !== null) this.log(`Agent event stream ended: ${error.message}; reconnecting.`);
        this.eventsTimer = this.clock.setTimeout(() => {
          this.eventsTimer = null;
          if (this.client === client && !this.quitting) this.connectEvents(client);
        }, EVENTS_RECONNECT_MS);
      },
      // Held events are routed even when the agent went away meanwhile: a fill it told of is still the trader's news.
      () => void this.readPreferences(client).then(release),
    );
  }

  /** Never rejects: what cannot be read stays as last known (see notifyChannel). */
  private async readPreferences(client: ControlClient): Promise<void> {
    const reason = (error: unknown): string => (error instanceof Error ? error.message : String(error));
    await Promise.all([
      client.getDesktopChannel().then(
        (channel) => {
          if (this.client === client) this.setNotifyChannel(channel);
        },
        (error: unknown) => {
          const using = this.settings.settings.notifyDesktop === null ? "the agent's default (on, every kind)" : 'the settings last read from the agent';
          this.log(`Could not read the desktop notification settings: ${reason(error)}; using ${using} until the next change or reconnect.`);
        },
      ),
      client.getAccountNames().then(
        (names) => {
          if (this.client === client) this.accountNames = names;
        },
        (error: unknown) => this.log(`Could not read the account names: ${reason(error)}; notifications name accounts as last known, or by id.`),
      ),
    ]);
  }

  private onAgentEvent(event: Record<string, unknown>): void {
    if (event.type === 'notification-settings') {
      const channel = desktopChannelOf(event.config);
      if (channel !== null) this.setNotifyChannel(channel);
      return;
    }
    if (event.type === 'accounts') {
      const names = parseAccountNames(event.accounts);
      if (names !== null) this.accountNames = names;
      return;
    }
    const routed = routeAgentEvent(event, this.status, this.fills, this.accountNames, this.accountStates);
    this.status = routed.status;
    this.renderTray();
    if (routed.notification !== null) this.notify(routed.notification, routed.kinds);
  }

  /**
   * The trader's settings for the desktop channel: as last read from the agent, kept in desktop-settings.json so they
   * hold while the agent is down (its crash is told only if the trader wants `agent-restart`) or does not answer. Never
   * read at all (first start with an agent that cannot answer): the agent's default, every kind shown. A halt or an
   * unknown order the trader did not need costs a glance; one they missed can cost money.
   */
  private get notifyChannel(): DesktopChannel {
    return this.settings.settings.notifyDesktop ?? FALLBACK_DESKTOP_CHANNEL;
  }

  private setNotifyChannel(channel: DesktopChannel): void {
    if (!sameDesktopChannel(this.settings.settings.notifyDesktop, channel)) this.settings.update({ notifyDesktop: channel });
  }

  /**
   * Read at each (re)connect and taken as it is, never announced: what changed while the stream was down is shown in
   * the tray (the global state), and a change published after the read is told only if it is news against it (an
   * account's state read here is not told again when the agent publishes it again).
   */
  private refreshTradingState(client: ControlClient): void {
    const told = this.accountStates.version;
    client.getTradingStates().then(
      ({ state: tradingState, accounts }) => {
        if (this.client !== client) return;
        this.status = { ...this.status, tradingState };
        // An event routed since the read was sent told newer states than the read has.
        if (accounts !== null && this.accountStates.version === told) this.accountStates.adopt(accounts);
        this.renderTray();
      },
      (error: unknown) => this.log(`Could not read the trading state: ${error instanceof Error ? error.message : String(error)}`),
    );
  }

  private disconnect(): void {
    this.events?.close();
    this.events = null;
    if (this.eventsTimer !== null) this.clock.clearTimeout(this.eventsTimer);
    this.eventsTimer = null;
    this.client = null;
    this.status = INITIAL_STATUS;
    this.accountStates.forget();
  }

  private createWindow(ui: AgentUi): void {
    const { facade } = this;
    const bounds = chooseWindowBounds(this.settings.settings.windowBounds, facade.getDisplayWorkAreas());
    const win = facade.createWindow({
      bounds: { x: bounds.x, y: bounds.y, width: bounds.width, height: bounds.height },
      maximized: bounds.maximized,
      title: 'Viewzenix',
      show: true,
      backgroundColor: '#101418',
      webPreferences: secureWebPreferences(this.config.preloadPath, !facade.isPackaged),
    });
    this.win = win;
    hardenWindow(win, () => this.ui?.origin ?? null, (href) => facade.openExternal(href));
    win.onBoundsChanged(() => this.scheduleBoundsSave());
    win.onClose((event) => {
      this.saveBounds();
      if (this.quitting || !this.settings.settings.closeToTray) return;
      event.preventDefault();
      win.hide();
      if (!this.settings.settings.trayNoticeShown) {
        this.settings.update({ trayNoticeShown: true });
        this.notify({
          title: 'Viewzenix is still running',
          body: 'The agent keeps receiving alerts and trading in the background. Open it or quit from the tray icon. (You can change this in the tray menu.)',
          urgency: 'normal',
        });
      }
    });
    win.onClosed(() => {
      if (this.win === win) {
        this.win = null;
        this.loadedUrl = null;
      }
    });
    this.load(win, ui.url);
  }

  private load(win: ShellWindow, url: string): void {
    this.loadedUrl = url;
    win.loadURL(url).catch((error: unknown) => this.log(`The window could not load the agent UI: ${error instanceof Error ? error.message : String(error)}`));
  }

  private scheduleBoundsSave(): void {
    if (this.boundsTimer !== null) this.clock.clearTimeout(this.boundsTimer);
    this.boundsTimer = this.clock.setTimeout(() => {
      this.boundsTimer = null;
      this.saveBounds();
    }, BOUNDS_SAVE_DELAY_MS);
  }

  private saveBounds(): void {
    const win = this.win;
    if (win === null || win.isDestroyed()) return;
    const { x, y, width, height } = win.getNormalBounds();
    this.settings.update({ windowBounds: { x, y, width, height, maximized: win.isMaximized() } });
  }

  private async shutdown(): Promise<void> {
    if (this.quitting) return;
    this.quitting = true;
    if (this.boundsTimer !== null) this.clock.clearTimeout(this.boundsTimer);
    this.saveBounds();
    this.disconnect();
    this.renderTray();
    const { graceful } = await this.supervisor.stop();
    if (!graceful) this.log('The agent did not stop in time and was killed; it will reconcile at the next start.');
    this.stopped = true;
    this.tray?.destroy();
    this.tray = null;
    this.facade.quit();
  }

  private toUi(message: AgentStatusMessage): void {
    if (this.win !== null && !this.win.isDestroyed()) this.win.send(AGENT_STATUS_CHANNEL, message);
  }

  /**
   * `kinds`: what the notification is about, shown only when the trader's desktop channel takes one of them. Without:
   * the answer to something the trader just did (the tray's halt failing) or the one-time tray notice, always shown.
   */
  private notify(spec: NotificationSpec, kinds?: readonly NotifyKind[]): void {
    if (kinds !== undefined && !desktopShows(this.notifyChannel, kinds)) return;
    if (!this.facade.isNotificationSupported()) {
      this.log(`${spec.title}: ${spec.body}`);
      return;
    }
    this.facade.showNotification(spec, () => this.openWindow());
  }

  private renderTray(): void {
    if (this.tray === null) return;
    const view = this.trayView;
    this.tray.setToolTip(trayTooltip(view));
    this.tray.setMenu(
      buildTrayMenu(view, {
        openWindow: () => this.openWindow(),
        haltTrading: () => void this.haltTrading(),
        restartAgent: () => this.supervisor.restartNow(),
        setCloseToTray: (enabled) => this.setCloseToTray(enabled),
        setStartAtLogin: (enabled) => this.setStartAtLogin(enabled),
        quit: () => this.facade.quit(),
      }),
    );
  }
}
