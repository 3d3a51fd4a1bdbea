// The desktop app: one agent in a utility process, one window on the agent's own UI, one tray icon.
// Everything Electron-specific goes through the facade; this file holds the decisions.
import type { AgentInfo } from './agent-info.js';
import { readControlToken as readControlTokenFromDisk } from './agent-info.js';
import { AgentSupervisor, type AgentStatus, type BackoffPolicy } from './agent-supervisor.js';
import type { Clock, TimerHandle } from './clock.js';
import { systemClock } from './clock.js';
import { ControlClient } from './control-client.js';
import { AgentFeed } from './agent-feed.js';
import { DesktopSettingsStore } from './desktop-settings.js';
import type { ElectronFacade, NotificationSpec, ShellTray, ShellWindow } from './facade.js';
import { AGENT_STATUS_CHANNEL, type AgentStatusMessage } from './ipc-channels.js';
import { registerIpcHandlers } from './ipc-handlers.js';
import { desktopShows } from './notify-preferences.js';
import type { NotifyKind } from '../../shared/notify.js';
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
  private token: string | null = null;
  private boundsTimer: TimerHandle | null = null;
  /** The agent's event stream and what it tells: the tray's states, what decides the notifications. */
  private readonly feed: AgentFeed;
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
    this.feed = new AgentFeed({
      clock: this.clock,
      log: this.log,
      settings: () => this.settings,
      changed: () => this.renderTray(),
      notify: (spec, kinds) => this.notify(spec, kinds),
    });
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
      control: () => (this.feed.client === null ? null : { baseUrl: this.feed.client.origin, token: this.token ?? '' }),
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
    return { ...this.feed.status, agent: this.phase, agentDetail: this.phaseDetail, closeToTray: settings.closeToTray, startAtLogin: settings.startAtLogin };
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
    const client = this.feed.client;
    if (client === null) {
      this.notify({ title: 'Trading not halted', body: 'The agent is not running, so it is not sending orders.', urgency: 'normal' });
      return false;
    }
    try {
      const state = await client.setTradingState('halted');
      this.feed.setTradingState(state);
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
        this.feed.disconnect();
        this.phase = 'restarting';
        this.phaseDetail = status.reason;
        const seconds = Math.round(status.restartInMs / 1000);
        this.toUi({ state: 'restarting', message: `${status.reason}. Restarting in ${seconds} s.` });
        if (status.consecutiveCrashes === 1) this.notify({ title: 'Agent stopped unexpectedly', body: `${status.reason}. Restarting in ${seconds} s.`, urgency: 'critical' }, AGENT_RESTART);
        break;
      }
      case 'failed':
        this.feed.disconnect();
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
      this.feed.disconnect();
    } else {
      this.feed.connect(new ControlClient(ui.origin, this.token));
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
    this.feed.disconnect();
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
    if (kinds !== undefined && !desktopShows(this.feed.notifyChannel, kinds)) return;
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
