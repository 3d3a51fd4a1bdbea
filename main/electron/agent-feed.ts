// What the desktop app knows from its agent, over the control API: the event stream (reconnected after a drop), the
// trading states it shows in the tray, and what decides its notifications (the desktop channel's settings, the names
// of the accounts, the fills, approvals, broker outages and trading states already told). Read again at every
// (re)connect; never polled. A trading state that changed while the app was not connected is told at reconnect.
import type { Clock, TimerHandle } from './clock.js';
import type { ControlClient, EventSubscription } from './control-client.js';
import type { DesktopSettingsStore } from './desktop-settings.js';
import type { NotificationSpec } from './facade.js';
import { BrokerOutages, INITIAL_STATUS, routeAgentEvent, type DesktopStatus } from './notification-router.js';
import { AccountTradingStates, missedStateNotification, type MissedStateChange } from './trading-state-notices.js';
import { desktopChannelOf, FALLBACK_DESKTOP_CHANNEL, parseAccountNames, sameDesktopChannel, type DesktopChannel } from './notify-preferences.js';
import { SeenKeys, type NotifyKind } from '../../shared/notify.js';
import type { TradingState } from '../../shared/trading-state.js';

const EVENTS_RECONNECT_MS = 2_000;
/** Events held while the settings and account names are read at (re)connect; past this they are routed at once. */
const MAX_HELD_EVENTS = 1_000;

export interface AgentFeedDeps {
  clock: Clock;
  log: (message: string) => void;
  /** Where the desktop channel's settings last read are kept (desktop-settings.json). */
  settings: () => DesktopSettingsStore;
  /** The status (or what the tray shows of it) changed. */
  changed: () => void;
  /** A notification of these kinds, shown if the trader's desktop channel takes one of them. */
  notify: (spec: NotificationSpec, kinds: readonly NotifyKind[]) => void;
}

export class AgentFeed {
  private currentClient: ControlClient | null = null;
  private events: EventSubscription | null = null;
  private eventsTimer: TimerHandle | null = null;
  private currentStatus: DesktopStatus = INITIAL_STATUS;
  /** What was told once for good (each fill quantity of an order, each approval waiting), kept across reconnects and
   *  agent restarts: the agent publishes an order again when it changes. */
  private readonly told = new SeenKeys();
  /** The broker accounts told down, kept across reconnects and agent restarts (the agent tests them at each start). */
  private readonly outages = new BrokerOutages();
  /** Each account's own trading state, as the global one is in `status`: read at each (re)connect, followed by events. */
  private readonly accountStates = new AccountTradingStates();
  /** The global trading state last known, kept while the agent is away (the tray shows it unknown meanwhile): a
   *  different one read at the next connection was changed while the app was not connected, and is told. */
  private lastGlobal: TradingState | null = null;
  /** Lets what changed while the app was not connected be told when the settings cannot be read at this connection. */
  private settlePreferences: (() => void) | null = null;
  /** The names the trader gave the accounts, read at each (re)connect and kept current by the `accounts` event. */
  private accountNames = new Map<string, { name: string }>();

  constructor(private readonly d: AgentFeedDeps) {}

  /** The agent's control API while connected (the tray's halt, the window's IPC), else null. */
  get client(): ControlClient | null {
    return this.currentClient;
  }

  get status(): DesktopStatus {
    return this.currentStatus;
  }

  /** The trading state the agent just confirmed (the tray's halt). */
  setTradingState(tradingState: TradingState): void {
    this.setStatus({ ...this.currentStatus, tradingState });
    this.d.changed();
  }

  private setStatus(status: DesktopStatus): void {
    this.currentStatus = status;
    if (status.tradingState !== 'unknown') this.lastGlobal = status.tradingState;
  }

  /** Follows the agent behind `client` (a new one: the agent started or came back). */
  connect(client: ControlClient): void {
    this.currentClient = client;
    this.connectEvents(client);
  }

  /**
   * Opens the event stream, then reads what decides the notifications (the desktop channel's settings, the account
   * names) from the API. The events that come meanwhile wait for those answers (or their failure), so none is shown
   * or hidden by settings the agent no longer has; the `notification-settings` and `accounts` events, which carry
   * the whole of each, keep them current after that. Read again at every reconnect; never polled.
   */
  private connectEvents(client: ControlClient): void {
    // What changed while the app was not connected is told with the settings read now, as the held events are.
    let settled!: () => void;
    const preferencesRead = new Promise<void>((resolve) => (settled = resolve));
    this.settlePreferences = settled;
    this.refreshTradingState(client, preferencesRead);
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
        settled(); // the stream did not open: the settings last read apply
        this.events = null;
        if (this.currentClient !== client) return;
        if (error !== null) this.d.log(`Agent event stream ended: ${error.message}; reconnecting.`);
        this.eventsTimer = this.d.clock.setTimeout(() => {
          this.eventsTimer = null;
          if (this.currentClient === client) this.connectEvents(client);
        }, EVENTS_RECONNECT_MS);
      },
      // Held events are routed even when the agent went away meanwhile: a fill it told of is still the trader's news.
      () =>
        void this.readPreferences(client).then(() => {
          release();
          settled();
        }),
    );
  }

  /** Never rejects: what cannot be read stays as last known (see notifyChannel). */
  private async readPreferences(client: ControlClient): Promise<void> {
    const reason = (error: unknown): string => (error instanceof Error ? error.message : String(error));
    await Promise.all([
      client.getDesktopChannel().then(
        (channel) => {
          if (this.currentClient === client) this.setNotifyChannel(channel);
        },
        (error: unknown) => {
          const using = this.d.settings().settings.notifyDesktop === null ? "the agent's default (on, every kind)" : 'the settings last read from the agent';
          this.d.log(`Could not read the desktop notification settings: ${reason(error)}; using ${using} until the next change or reconnect.`);
        },
      ),
      client.getAccountNames().then(
        (names) => {
          if (this.currentClient === client) this.accountNames = names;
        },
        (error: unknown) => this.d.log(`Could not read the account names: ${reason(error)}; notifications name accounts as last known, or by id.`),
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
    const routed = routeAgentEvent(event, this.currentStatus, this.told, this.accountNames, this.accountStates, this.outages);
    this.setStatus(routed.status);
    this.d.changed();
    if (routed.notification !== null) this.d.notify(routed.notification, routed.kinds);
  }

  /**
   * The trader's settings for the desktop channel: as last read from the agent, kept in desktop-settings.json so they
   * hold while the agent is down (its crash is told only if the trader wants `agent-restart`) or does not answer. Never
   * read at all (first start with an agent that cannot answer): the agent's default, every kind shown. A halt or an
   * unknown order the trader did not need costs a glance; one they missed can cost money.
   */
  get notifyChannel(): DesktopChannel {
    return this.d.settings().settings.notifyDesktop ?? FALLBACK_DESKTOP_CHANNEL;
  }

  private setNotifyChannel(channel: DesktopChannel): void {
    if (!sameDesktopChannel(this.d.settings().settings.notifyDesktop, channel)) this.d.settings().update({ notifyDesktop: channel });
  }

  /**
   * Read at each (re)connect and shown in the tray. A state that differs from the one the app last knew (before the
   * stream dropped, or the agent went away) changed while the app was not connected: it is told once, when the
   * settings read at this connection are known (`preferencesRead`). The first connection tells nothing (nothing was
   * known), and a change published after the read is told only if it is news against it (an account's state read here
   * is not told again when the agent publishes it again).
   */
  private refreshTradingState(client: ControlClient, preferencesRead: Promise<void>): void {
    const told = this.accountStates.version;
    client.getTradingStates().then(
      ({ state: tradingState, reason, accounts, accountReasons }) => {
        if (this.currentClient !== client) return;
        // An event routed since the read was sent told newer states than the read has, and told their changes.
        const current = this.accountStates.version === told;
        const missed: MissedStateChange[] = [];
        if (current && this.lastGlobal !== null && this.lastGlobal !== tradingState) missed.push({ accountId: null, from: this.lastGlobal, to: tradingState, reason });
        this.setStatus({ ...this.currentStatus, tradingState });
        if (accounts !== null && current) {
          for (const c of this.accountStates.reread(accounts)) missed.push({ ...c, reason: accountReasons.get(c.accountId) ?? null });
        }
        this.d.changed();
        // Told even when the agent went away meanwhile, as held events are: the app knows the new state already.
        if (missed.length === 0) return;
        void preferencesRead.then(() => {
          for (const change of missed) {
            const { spec, kinds } = missedStateNotification(change, tradingState, this.accountNames);
            this.d.notify(spec, kinds);
          }
        });
      },
      (error: unknown) => this.d.log(`Could not read the trading state: ${error instanceof Error ? error.message : String(error)}`),
    );
  }

  /** Closes the stream and forgets what the agent told: read again at the next connection (the trading states last
   *  known are kept to compare that read with, not shown). */
  disconnect(): void {
    this.settlePreferences?.(); // the stream is closed before the settings are read: the settings last read apply
    this.settlePreferences = null;
    this.events?.close();
    this.events = null;
    if (this.eventsTimer !== null) this.d.clock.clearTimeout(this.eventsTimer);
    this.eventsTimer = null;
    this.currentClient = null;
    this.currentStatus = INITIAL_STATUS;
    this.accountStates.forget();
  }
}
