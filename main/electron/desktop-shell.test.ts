import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SHUTDOWN_MESSAGE } from './agent-supervisor.js';
import { SETTINGS_FILE } from './desktop-settings.js';
import { DesktopShell } from './desktop-shell.js';
import { AGENT_STATUS_CHANNEL } from './ipc-channels.js';
import { FakeFacade, type FakeWindow } from './test-support/fake-facade.js';
import { startFakeAgentServer, type FakeAgentServer } from './test-support/fake-agent-server.js';
import { ManualClock } from './test-support/manual-clock.js';
import { secureWebPreferences } from './window-security.js';

let server: FakeAgentServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function setup(options: { lock?: boolean; userData?: string; startHidden?: boolean } = {}) {
  server = await startFakeAgentServer();
  const agent = server;
  const userData = options.userData ?? mkdtempSync(join(tmpdir(), 'vz-userdata-'));
  const dataDir = mkdtempSync(join(tmpdir(), 'vz-data-'));
  const facade = new FakeFacade({ userData, ...(options.lock === undefined ? {} : { lock: options.lock }) });
  const clock = new ManualClock();
  const logs: string[] = [];
  const shell = new DesktopShell(facade, {
    agentEntry: '/app/dist/main/cli.js',
    dataDir,
    webhookPort: 4780,
    controlPort: 4781,
    preloadPath: '/app/dist/main/electron/preload.cjs',
    trayIconPath: '/app/build/tray.png',
    startHidden: options.startHidden ?? false,
    clock,
    log: (m) => logs.push(m),
  });
  /** The agent process spawns and writes agent.json, as `cli.js start` does. */
  const agentComesUp = (): void => {
    const child = facade.lastChild;
    child.emitSpawn();
    writeFileSync(join(dataDir, 'agent.json'), JSON.stringify({ pid: child.pid, webhookPort: 4780, controlPort: 4781, uiUrl: `${agent.origin}/#token=${agent.token}` }));
    clock.advance(100);
  };
  const window = (): FakeWindow => {
    const win = facade.windows.at(-1);
    if (win === undefined) throw new Error('no window');
    return win;
  };
  /** Starts the shell, the agent comes up, and the shell's event stream is open. */
  const connect = async (): Promise<void> => {
    await shell.start();
    agentComesUp();
    await vi.waitFor(() => expect(agent.streamCount).toBe(1));
  };
  return { facade, clock, shell, agent, userData, dataDir, logs, agentComesUp, connect, window };
}

describe('DesktopShell', () => {
  it('a second launch does nothing but quit (no tray, no agent)', async () => {
    const { facade, shell } = await setup({ lock: false });
    await expect(shell.start()).resolves.toBe(false);
    expect(facade.calls).toEqual(['requestSingleInstanceLock', 'quit', 'quit:proceeded']);
    expect(facade.children).toHaveLength(0);
    expect(facade.trays).toHaveLength(0);
  });

  it('a second launch focuses the first instance window', async () => {
    const { facade, shell, agentComesUp, window } = await setup();
    await shell.start();
    agentComesUp();
    const win = window();
    win.hide();
    win.minimized = true;
    facade.emitSecondInstance();
    expect(win.visible).toBe(true);
    expect(win.minimized).toBe(false);
    expect(win.focused).toBe(1);
    expect(facade.windows).toHaveLength(1);
  });

  it('opens the agent UI in a window with the locked-down webPreferences once the agent is ready', async () => {
    const { facade, shell, agent, agentComesUp, window } = await setup();
    await shell.start();
    expect(facade.lastChild.args).toEqual(['start', '--data-dir', expect.any(String), '--webhook-port', '4780', '--control-port', '4781']);
    expect(facade.windows).toHaveLength(0);
    agentComesUp();
    const win = window();
    expect(win.spec.webPreferences).toEqual(secureWebPreferences('/app/dist/main/electron/preload.cjs', false));
    expect(win.loaded).toEqual([`${agent.origin}/#token=${agent.token}`]);
    expect(win.navigate('https://evil.example/')).toBe(true);
    expect(win.navigate(`${agent.origin}/orders`)).toBe(false);
  });

  it('starts hidden in the tray when launched at login', async () => {
    const { facade, shell, agentComesUp } = await setup({ startHidden: true });
    await shell.start();
    agentComesUp();
    expect(facade.windows).toHaveLength(0);
    facade.tray.item('open-window').click?.();
    expect(facade.windows).toHaveLength(1);
  });

  it('tray shows the trading state and halts trading through the control API with the token', async () => {
    const { facade, shell, agent, agentComesUp } = await setup();
    await shell.start();
    agentComesUp();
    await vi.waitFor(() => expect(facade.tray.item('status-trading').label).toBe('Trading: ACTIVE'));
    expect(facade.tray.item('status-agent').label).toBe('Agent: running');
    facade.tray.item('halt-trading').click?.();
    await vi.waitFor(() => expect(facade.tray.item('status-trading').label).toBe('Trading: HALTED'));
    expect(agent.tradingState).toBe('halted');
    expect(agent.requests.filter((r) => r.method === 'PUT')).toEqual([{ method: 'PUT', path: '/api/trading-state', authorization: `Bearer ${agent.token}`, body: '{"state":"halted"}' }]);
    expect(facade.tray.item('halt-trading').enabled).toBe(false);
  });

  it('says loudly when halting fails, without the token in the message', async () => {
    const { facade, shell, agent, connect } = await setup();
    await connect();
    await agent.close();
    server = null;
    await expect(shell.haltTrading()).resolves.toBe(false);
    const failure = facade.notifications.find((n) => n.title === 'Halt trading FAILED');
    expect(failure?.urgency).toBe('critical');
    expect(JSON.stringify(facade.notifications)).not.toContain(agent.token);
  });

  it('routes agent events to desktop notifications and the tray', async () => {
    const { facade, agent, connect } = await setup();
    await connect();
    agent.push({ type: 'order', status: 'filled', side: 'buy', filledQuantity: '5', symbol: 'AAPL', avgFillPrice: '190.10' });
    agent.push({ type: 'tunnel', status: 'down', reason: 'session expired' });
    agent.push({ type: 'trading-state', state: 'halted', reason: 'Position drift on AAPL' });
    await vi.waitFor(() => expect(facade.notifications.map((n) => n.title)).toEqual(['Order filled', 'Tunnel down', 'Trading halted']));
    expect(facade.notifications[0]?.body).toBe('BUY 5 AAPL @ 190.10');
    expect(facade.tray.item('status-tunnel').label).toBe('Tunnel: DOWN');
    expect(facade.tray.item('status-trading').label).toBe('Trading: HALTED');
  });

  it('announces a part filled while a cancel is pending once, however often the agent publishes it', async () => {
    const { facade, agent, connect } = await setup();
    await connect();
    const order = { id: 'ord_1', accountId: 'acc_1', side: 'sell', symbol: 'AAPL', type: 'limit', quantity: '10', filledQuantity: '4', averageFillPrice: '190.1' };
    agent.push({ type: 'order', order: { ...order, status: 'cancel_pending' } });
    agent.push({ type: 'order', order: { ...order, status: 'cancel_pending' } });
    agent.push({ type: 'order', order: { ...order, status: 'canceled' } });
    agent.push({ type: 'trading-state', state: 'halted', reason: 'x' }); // the last event: every order event before it is routed
    await vi.waitFor(() => expect(facade.notifications.map((n) => n.title)).toEqual(['Order partially filled, cancel pending', 'Trading halted']));
    expect(facade.notifications[0]?.body).toBe('SELL 4 of 10 AAPL @ 190.1 in account acc_1: filled before the cancel took effect; the rest is being canceled.');
  });

  describe("follows the trader's settings for the desktop notification channel", () => {
    const fill = (id: string, accountId = 'acc_1') => ({ type: 'order', order: { id, accountId, side: 'buy', symbol: 'AAPL', type: 'market', quantity: '5', filledQuantity: '5', averageFillPrice: '190', status: 'filled' } });
    const halted = { type: 'trading-state', state: { state: 'halted', reason: 'by the trader', updatedAt: 'now', accounts: {} } };
    const active = { type: 'trading-state', state: { state: 'active', reason: null, updatedAt: 'now', accounts: {} } };
    const tunnelDown = { type: 'tunnel', status: { state: 'down', lastError: { code: 'TUNNEL_DOWN', message: 'session expired', fix: null } } };
    /** The tray shows the state the last event set: every event before it was routed. */
    const routedUpTo = async (facade: FakeFacade, label: string) => vi.waitFor(() => expect(facade.tray.item('status-trading').label).toBe(label));

    it('turned off: nothing from the event stream is shown, and the tray still follows it', async () => {
      const { facade, agent, connect } = await setup();
      agent.notifyDesktop = { enabled: false, events: ['fill', 'halt', 'tunnel-down'] };
      await connect();
      agent.push(fill('ord_1'));
      agent.push(tunnelDown);
      agent.push(halted);
      await routedUpTo(facade, 'Trading: HALTED');
      expect(facade.tray.item('status-tunnel').label).toBe('Tunnel: DOWN');
      expect(facade.notifications).toEqual([]);
      expect(agent.requests.find((r) => r.path === '/api/notifications')?.authorization).toBe(`Bearer ${agent.token}`);
    });

    it('only some kinds chosen: only those are shown', async () => {
      const { facade, agent, connect } = await setup();
      agent.notifyDesktop = { enabled: true, events: ['halt', 'broker-down'] };
      await connect();
      agent.push(fill('ord_1'));
      agent.push(tunnelDown);
      agent.push(halted);
      await routedUpTo(facade, 'Trading: HALTED');
      expect(facade.notifications.map((n) => n.title)).toEqual(['Trading halted']);
    });

    it('a change the agent publishes applies from the next event on', async () => {
      const { facade, agent, connect } = await setup();
      await connect();
      agent.push(fill('ord_1'));
      agent.push({ type: 'notification-settings', config: { discord: { enabled: false, events: [] }, desktop: { enabled: false, events: ['fill', 'halt'] } } });
      agent.push(fill('ord_2'));
      agent.push(halted);
      await routedUpTo(facade, 'Trading: HALTED');
      agent.push({ type: 'notification-settings', config: { desktop: { enabled: true, events: ['fill'] } } });
      agent.push(fill('ord_3'));
      agent.push(active);
      await routedUpTo(facade, 'Trading: ACTIVE');
      expect(facade.notifications.map((n) => n.body)).toEqual(['BUY 5 AAPL @ 190 in account acc_1', 'BUY 5 AAPL @ 190 in account acc_1']);
      expect(agent.requests.filter((r) => r.path === '/api/notifications')).toHaveLength(1); // told, not polled
    });

    it('events that come before the settings are read wait for them, so none is shown against the trader\'s choice', async () => {
      const { facade, shell, agent, agentComesUp } = await setup();
      agent.notifyDesktop = { enabled: false, events: [] };
      const answer = agent.hold('/api/notifications');
      await shell.start();
      agentComesUp();
      await vi.waitFor(() => expect(agent.requests.some((r) => r.path === '/api/notifications')).toBe(true));
      agent.push(fill('ord_1'));
      agent.push(halted);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(facade.notifications).toEqual([]);
      answer();
      await routedUpTo(facade, 'Trading: HALTED');
      expect(facade.notifications).toEqual([]);
    });

    it('read again at every reconnect: a change made while the stream was down applies', async () => {
      const { facade, clock, agent, connect } = await setup();
      await connect();
      agent.dropStreams();
      agent.notifyDesktop = { enabled: true, events: ['tunnel-down'] };
      await vi.waitFor(() => expect(clock.pendingDelays()).toContain(2_000));
      clock.advance(2_000);
      await vi.waitFor(() => expect(agent.streamCount).toBe(1));
      await vi.waitFor(() => expect(agent.requests.filter((r) => r.path === '/api/notifications')).toHaveLength(2));
      agent.push(fill('ord_1'));
      agent.push(tunnelDown);
      agent.push(halted);
      await routedUpTo(facade, 'Trading: HALTED');
      expect(facade.notifications.map((n) => n.title)).toEqual(['Tunnel down']);
    });

    it('settings that cannot be read: the last ones read are used (kept for the next launch); never read, every kind is shown', async () => {
      const first = await setup();
      first.agent.failing.add('/api/notifications');
      await first.shell.start();
      first.agentComesUp();
      await vi.waitFor(() => expect(first.agent.streamCount).toBe(1));
      first.agent.push(fill('ord_1'));
      await vi.waitFor(() => expect(first.facade.notifications.map((n) => n.title)).toEqual(['Order filled']));
      expect(first.logs.join('\n')).toContain("Could not read the desktop notification settings: The agent answered 503 INTERNAL_ERROR; using the agent's default (on, every kind)");
      // It answers (the trader's choice: halts only), and is read again after the stream drops.
      first.agent.failing.clear();
      first.agent.notifyDesktop = { enabled: true, events: ['halt'] };
      first.agent.dropStreams();
      await vi.waitFor(() => expect(first.clock.pendingDelays()).toContain(2_000));
      first.clock.advance(2_000);
      await vi.waitFor(() => expect(first.agent.requests.filter((r) => r.path === '/api/notifications' && r.method === 'GET')).toHaveLength(2));
      await vi.waitFor(() => expect(JSON.parse(readFileSync(join(first.userData, SETTINGS_FILE), 'utf8')).notifyDesktop).toEqual({ enabled: true, events: ['halt'] }));
      await server?.close();

      // The next launch: the agent cannot answer; the trader's choice still holds, for the agent's crash too.
      const second = await setup({ userData: first.userData });
      second.agent.failing.add('/api/notifications');
      await second.shell.start();
      second.agentComesUp();
      await vi.waitFor(() => expect(second.agent.streamCount).toBe(1));
      second.agent.push(fill('ord_2'));
      second.agent.push(halted);
      await routedUpTo(second.facade, 'Trading: HALTED');
      expect(second.facade.notifications.map((n) => n.title)).toEqual(['Trading halted']);
      expect(second.logs.join('\n')).toContain('using the settings last read from the agent');
      second.facade.lastChild.emitExit(134);
      expect(second.facade.tray.item('status-agent').label).toBe('Agent: restarting…');
      expect(second.facade.notifications.map((n) => n.title)).toEqual(['Trading halted']);
    });

    it("the answer to the trader's own halt is shown even with the desktop channel off", async () => {
      const { facade, shell, agent, agentComesUp } = await setup();
      agent.notifyDesktop = { enabled: false, events: [] };
      await shell.start();
      agentComesUp();
      await vi.waitFor(() => expect(agent.requests.some((r) => r.path === '/api/notifications')).toBe(true));
      agent.failing.add('/api/trading-state');
      await expect(shell.haltTrading()).resolves.toBe(false);
      expect(facade.notifications.map((n) => n.title)).toEqual(['Halt trading FAILED']);
    });
  });

  it('names accounts as the trader did, learns new names from the event stream, and falls back to the id', async () => {
    const { facade, agent, connect } = await setup();
    agent.accounts = [{ id: 'acc_1', name: 'Paper' }];
    await connect();
    await vi.waitFor(() => expect(agent.requests.some((r) => r.path === '/api/accounts')).toBe(true));
    const fill = (id: string, accountId: string) => ({ type: 'order', order: { id, accountId, side: 'sell', symbol: 'ES', type: 'market', quantity: '1', filledQuantity: '1', status: 'filled' } });
    agent.push(fill('ord_1', 'acc_1'));
    agent.push({ type: 'accounts', accounts: [{ id: 'acc_1', name: 'Paper' }, { id: 'acc_2', name: 'Alpaca live' }] });
    agent.push(fill('ord_2', 'acc_2'));
    agent.push(fill('ord_3', 'acc_9'));
    await vi.waitFor(() => expect(facade.notifications).toHaveLength(3));
    expect(facade.notifications.map((n) => n.body)).toEqual(['SELL 1 ES in account "Paper" (acc_1)', 'SELL 1 ES in account "Alpaca live" (acc_2)', 'SELL 1 ES in account acc_9']);
    expect(agent.requests.filter((r) => r.path === '/api/accounts')).toHaveLength(1); // told, not polled
  });

  describe("announces a change of one account's trading state", () => {
    type State = 'active' | 'reducing' | 'halted';
    const accountChange = (accountId: string, from: State, to: State, reason: string | null, code?: string) => ({
      type: 'trading-state',
      state: { state: 'active', reason: null, updatedAt: 'then', accounts: { [accountId]: { state: to, reason } } },
      change: { scope: 'account', accountId, from, to, reason, ...(code === undefined ? {} : { code }), at: new Date().toISOString() },
    });
    const limitHalt = accountChange('acc_1', 'active', 'halted', 'DAILY_LOSS_LIMIT: loss=512.30, limit=500', 'DAILY_LOSS_LIMIT');
    /** A drift event after the others: when it is shown, every event before it was routed. */
    const marker = { type: 'drift', symbol: 'MARK', message: 'marker' };
    const routedUpTo = async (facade: FakeFacade, count: number) => vi.waitFor(() => expect(facade.notifications.filter((n) => n.body === 'MARK: marker')).toHaveLength(count));
    const titles = (facade: FakeFacade) => facade.notifications.filter((n) => n.body !== 'MARK: marker').map((n) => n.title);

    it('a loss limit halting one account: named as the trader named it, with the reason; the tray keeps the global state', async () => {
      const { facade, agent, connect } = await setup();
      agent.accounts = [{ id: 'acc_1', name: 'Alpaca live' }];
      await connect();
      await vi.waitFor(() => expect(facade.tray.item('status-trading').label).toBe('Trading: ACTIVE'));
      agent.push(limitHalt);
      await vi.waitFor(() => expect(facade.notifications).toHaveLength(1));
      expect(facade.notifications[0]).toMatchObject({
        title: 'Trading halted for account "Alpaca live" (acc_1)',
        body: 'The daily loss limit is reached (DAILY_LOSS_LIMIT: loss=512.30, limit=500). No new orders are sent to this account until trading is resumed for it.',
        urgency: 'critical',
      });
      expect(facade.tray.item('status-trading').label).toBe('Trading: ACTIVE');
    });

    it("follows the trader's desktop channel: a loss limit's halt is `daily-loss` and `halt`, any other is `halt`", async () => {
      const shown = async (events: string[]) => {
        const { facade, agent, connect } = await setup();
        agent.notifyDesktop = { enabled: true, events: [...events, 'drift'] };
        await connect();
        agent.push(limitHalt);
        agent.push(accountChange('acc_2', 'active', 'reducing', 'set by the trader'));
        agent.push(marker);
        await routedUpTo(facade, 1);
        await server?.close();
        server = null;
        return titles(facade);
      };
      expect(await shown(['daily-loss'])).toEqual(['Trading halted for account acc_1']);
      expect(await shown(['halt'])).toEqual(['Trading halted for account acc_1', 'Trading reduced to closing orders for account acc_2']);
      expect(await shown(['fill', 'tunnel-down'])).toEqual([]);
    });

    it('announces each state once: not when the agent publishes it again, nor after a reconnect or an agent restart re-reads it', async () => {
      const { facade, clock, agent, agentComesUp, connect } = await setup();
      await connect();
      agent.push(limitHalt);
      agent.accountStates = { acc_1: { state: 'halted', reason: 'DAILY_LOSS_LIMIT: loss=512.30, limit=500' } };
      agent.push({ ...limitHalt, change: undefined }); // the limit hit again: published without a change
      agent.push(limitHalt); // the same event again
      agent.push(marker);
      await routedUpTo(facade, 1);
      expect(titles(facade)).toEqual(['Trading halted for account acc_1']);

      // The stream drops; at reconnect the shell reads the states again, and what it already told is not told again.
      agent.dropStreams();
      await vi.waitFor(() => expect(clock.pendingDelays()).toContain(2_000));
      clock.advance(2_000);
      await vi.waitFor(() => expect(agent.streamCount).toBe(1));
      await vi.waitFor(() => expect(agent.requests.filter((r) => r.path === '/api/trading-state' && r.method === 'GET')).toHaveLength(2));
      agent.push(limitHalt);
      agent.push(marker);
      await routedUpTo(facade, 2);
      expect(titles(facade)).toEqual(['Trading halted for account acc_1']);

      // The agent crashes and comes back: the shell forgets what it knew, reads it again, and stays quiet about it.
      facade.lastChild.emitExit(134);
      expect(facade.tray.item('status-agent').label).toBe('Agent: restarting…');
      clock.advance(1_000);
      agentComesUp();
      await vi.waitFor(() => expect(agent.streamCount).toBe(1));
      await vi.waitFor(() => expect(agent.requests.filter((r) => r.path === '/api/trading-state' && r.method === 'GET')).toHaveLength(3));
      await vi.waitFor(() => expect(facade.tray.item('status-trading').label).toBe('Trading: ACTIVE')); // the read was applied
      agent.push(limitHalt);
      agent.push(marker);
      await routedUpTo(facade, 3);
      expect(titles(facade)).toEqual(['Trading halted for account acc_1', 'Agent stopped unexpectedly', 'Agent restarted']);

      // A real change is news again.
      agent.push(accountChange('acc_1', 'halted', 'active', 'set by the trader'));
      agent.push(marker);
      await routedUpTo(facade, 4);
      expect(titles(facade).at(-1)).toBe('Trading active again for account acc_1');
      expect(facade.notifications.at(-2)?.body).toBe('Reason: set by the trader. New orders are sent to this account again.');
    });
  });

  describe("tells the tunnel coming back, an approval waiting and a broker account down, in the agent's words", () => {
    const tunnel = (state: string, extra: Record<string, unknown> = {}) => ({ type: 'tunnel', status: { state, provider: 'ngrok', publicUrl: 'https://my-desk.ngrok-free.app', since: '2026-01-02T10:00:00.000Z', lastError: null, ...extra } });
    const tunnelDown = tunnel('down', { publicUrl: null, lastError: { code: 'TUNNEL_DOWN', message: 'session expired', fix: null } });
    const waiting = (approvalId: string) => ({ type: 'approval-waiting', approvalId, accountId: 'acc_1', strategyId: 'str_1', symbol: 'AAPL', side: 'buy', quantity: '10', expiresAt: '2026-01-02T10:15:00.000Z' });
    const brokerDown = { type: 'notice', level: 'error', code: 'BROKER_AUTH_FAILED', message: 'Alpaca paper: Alpaca (paper) refused the API key.', accountId: 'acc_1' };
    /** A drift event after the others: when it is shown, every event before it was routed. */
    const marker = { type: 'drift', symbol: 'MARK', message: 'marker' };
    const routedUpTo = async (facade: FakeFacade, count: number) => vi.waitFor(() => expect(facade.notifications.filter((n) => n.body === 'MARK: marker')).toHaveLength(count));
    const titles = (facade: FakeFacade) => facade.notifications.filter((n) => n.body !== 'MARK: marker').map((n) => n.title);
    const reconnect = async (clock: ManualClock, agent: FakeAgentServer) => {
      agent.dropStreams();
      await vi.waitFor(() => expect(clock.pendingDelays()).toContain(2_000));
      clock.advance(2_000);
      await vi.waitFor(() => expect(agent.streamCount).toBe(1));
    };
    /** The agent crashes (its event stream closes) and comes back; the app's new event stream is open. */
    const agentRestarts = async (facade: FakeFacade, clock: ManualClock, agent: FakeAgentServer, agentComesUp: () => void) => {
      facade.lastChild.emitExit(134);
      await vi.waitFor(() => expect(agent.streamCount).toBe(0));
      clock.advance(1_000);
      agentComesUp();
      await vi.waitFor(() => expect(agent.streamCount).toBe(1));
    };

    it('the tunnel up only when it comes back after the app saw it down: not at each connection or health check', async () => {
      const { facade, clock, agent, connect } = await setup();
      await connect();
      agent.push(tunnel('up')); // the state at connection: not news
      agent.push(marker);
      await routedUpTo(facade, 1);
      expect(titles(facade)).toEqual([]);
      agent.push(tunnelDown);
      agent.push(tunnelDown); // a reconnect attempt
      agent.push(tunnel('starting'));
      agent.push(tunnel('up'));
      agent.push(tunnel('up')); // the next health check
      agent.push(marker);
      await routedUpTo(facade, 2);
      expect(titles(facade)).toEqual(['Tunnel down', 'Tunnel up']);
      expect(facade.notifications.find((n) => n.title === 'Tunnel up')).toMatchObject({ title: 'Tunnel up', body: 'Public URL: https://my-desk.ngrok-free.app\nProvider: ngrok', urgency: 'normal' });
      expect(facade.tray.item('status-tunnel').label).toBe('Tunnel: up');
      await reconnect(clock, agent);
      agent.push(tunnel('up'));
      agent.push(marker);
      await routedUpTo(facade, 3);
      expect(titles(facade)).toEqual(['Tunnel down', 'Tunnel up']);
    });

    it('an approval waiting once per approval id, across reconnects and agent restarts', async () => {
      const { facade, clock, agent, agentComesUp, connect } = await setup();
      agent.accounts = [{ id: 'acc_1', name: 'Alpaca paper' }];
      await connect();
      agent.push(waiting('ap_1'));
      agent.push(waiting('ap_1'));
      agent.push(marker);
      await routedUpTo(facade, 1);
      expect(facade.notifications[0]).toMatchObject({ title: 'Approval waiting: buy 10 AAPL', body: 'Expires at 2026-01-02T10:15:00.000Z.\nAccount: "Alpaca paper" (acc_1)\nStrategy: str_1', urgency: 'normal' });
      await reconnect(clock, agent);
      agent.push(waiting('ap_1'));
      agent.push(marker);
      await routedUpTo(facade, 2);
      await agentRestarts(facade, clock, agent, agentComesUp);
      agent.push(waiting('ap_1'));
      agent.push(waiting('ap_2'));
      agent.push(marker);
      await routedUpTo(facade, 3);
      expect(titles(facade)).toEqual(['Approval waiting: buy 10 AAPL', 'Agent stopped unexpectedly', 'Agent restarted', 'Approval waiting: buy 10 AAPL']);
    });

    it('a broker account down once while it stays down (the agent tests it at each start), again once its broker worked', async () => {
      const { facade, clock, agent, agentComesUp, connect } = await setup();
      agent.accounts = [{ id: 'acc_1', name: 'Alpaca paper' }];
      await connect();
      agent.push(brokerDown);
      agent.push(marker);
      await routedUpTo(facade, 1);
      expect(facade.notifications[0]).toMatchObject({
        title: 'Broker account not usable (BROKER_AUTH_FAILED)',
        body: 'Alpaca paper: Alpaca (paper) refused the API key.\nIts alerts are denied until this is fixed: check the keys (PUT /api/accounts/:id/credentials) or the broker, then test the account.\nCode: BROKER_AUTH_FAILED',
        urgency: 'critical',
      });
      // The agent restarts and tests the keys again: still refused, not told again.
      await agentRestarts(facade, clock, agent, agentComesUp);
      agent.push(brokerDown);
      agent.push(marker);
      await routedUpTo(facade, 2);
      expect(titles(facade)).toEqual(['Broker account not usable (BROKER_AUTH_FAILED)', 'Agent stopped unexpectedly', 'Agent restarted']);
      // The trader set new keys; the broker took an order: when the account fails again, it is news.
      agent.push({ type: 'order', order: { id: 'ord_1', accountId: 'acc_1', side: 'buy', symbol: 'AAPL', type: 'market', quantity: '1', filledQuantity: '0', status: 'accepted' } });
      agent.push(brokerDown);
      agent.push(marker);
      await routedUpTo(facade, 3);
      expect(titles(facade).at(-1)).toBe('Broker account not usable (BROKER_AUTH_FAILED)');
      expect(titles(facade)).toHaveLength(4);
    });

    it("each only when the trader's desktop channel takes its kind", async () => {
      const shown = async (events: string[]) => {
        const { facade, agent, connect } = await setup();
        agent.notifyDesktop = { enabled: true, events: [...events, 'drift'] };
        await connect();
        for (const e of [tunnel('up'), tunnelDown, tunnel('up'), waiting('ap_1'), brokerDown, marker]) agent.push(e);
        await routedUpTo(facade, 1);
        await server?.close();
        server = null;
        return titles(facade);
      };
      expect(await shown(['tunnel-up', 'approval-waiting', 'broker-down'])).toEqual(['Tunnel up', 'Approval waiting: buy 10 AAPL', 'Broker account not usable (BROKER_AUTH_FAILED)']);
      expect(await shown(['tunnel-up'])).toEqual(['Tunnel up']);
      expect(await shown(['approval-waiting'])).toEqual(['Approval waiting: buy 10 AAPL']);
      expect(await shown(['broker-down'])).toEqual(['Broker account not usable (BROKER_AUTH_FAILED)']);
      expect(await shown(['fill', 'tunnel-down', 'halt'])).toEqual(['Tunnel down']);
    });
  });

  describe('tells a trading state changed while the app was not connected, once, at reconnect', () => {
    const reconnect = async (clock: ManualClock, agent: FakeAgentServer) => {
      agent.dropStreams();
      await vi.waitFor(() => expect(clock.pendingDelays()).toContain(2_000));
      clock.advance(2_000);
      await vi.waitFor(() => expect(agent.streamCount).toBe(1));
    };
    const reads = (agent: FakeAgentServer) => agent.requests.filter((r) => r.path === '/api/trading-state' && r.method === 'GET').length;

    it('after the event stream dropped and after the agent restarted; the same state read again tells nothing', async () => {
      const { facade, clock, agent, agentComesUp, connect } = await setup();
      agent.accounts = [{ id: 'acc_1', name: 'Paper' }];
      await connect();
      await vi.waitFor(() => expect(facade.tray.item('status-trading').label).toBe('Trading: ACTIVE'));
      // While the stream is down, the trader halts trading and a loss limit halts an account.
      agent.dropStreams();
      agent.tradingState = 'halted';
      agent.tradingReason = 'set by the trader';
      agent.accountStates = { acc_1: { state: 'halted', reason: 'DAILY_LOSS_LIMIT: loss=512.30, limit=500' } };
      await vi.waitFor(() => expect(clock.pendingDelays()).toContain(2_000));
      clock.advance(2_000);
      await vi.waitFor(() => expect(facade.notifications).toHaveLength(2));
      expect(facade.notifications).toMatchObject([
        { title: 'Trading halted while the app was disconnected', body: 'Reason: set by the trader. No new orders will be sent until trading is resumed. It was active when the app last heard from the agent.', urgency: 'critical' },
        {
          title: 'Trading halted for account "Paper" (acc_1) while the app was disconnected',
          body: 'The daily loss limit is reached (DAILY_LOSS_LIMIT: loss=512.30, limit=500). No new orders are sent to this account until trading is resumed for it. It was active when the app last heard from the agent.',
          urgency: 'critical',
        },
      ]);
      expect(facade.tray.item('status-trading').label).toBe('Trading: HALTED');

      // Read again at the next reconnect, unchanged: nothing more.
      await reconnect(clock, agent);
      await vi.waitFor(() => expect(reads(agent)).toBe(3));
      agent.push({ type: 'drift', symbol: 'MARK', message: 'marker' });
      await vi.waitFor(() => expect(facade.notifications).toHaveLength(3));
      expect(facade.notifications.map((n) => n.title).slice(2)).toEqual(['Position drift detected']);

      // The agent crashes; while it is away the trader resumes both.
      facade.lastChild.emitExit(134);
      agent.tradingState = 'active';
      agent.tradingReason = null;
      agent.accountStates = {};
      clock.advance(1_000);
      agentComesUp();
      await vi.waitFor(() => expect(facade.notifications).toHaveLength(7));
      expect(facade.notifications.slice(3).map((n) => [n.title, n.body])).toEqual([
        ['Agent stopped unexpectedly', expect.any(String)],
        ['Agent restarted', expect.any(String)],
        ['Trading resumed while the app was disconnected', 'Trading is active again. It was halted when the app last heard from the agent.'],
        ['Trading active again for account "Paper" (acc_1) while the app was disconnected', 'New orders are sent to this account again. It was halted when the app last heard from the agent.'],
      ]);
      expect(facade.tray.item('status-trading').label).toBe('Trading: ACTIVE');
    });

    it('the first connection tells nothing: the app knew no state before', async () => {
      const { facade, agent, connect } = await setup();
      agent.tradingState = 'halted';
      agent.accountStates = { acc_1: { state: 'halted', reason: 'set by the trader' } };
      await connect();
      await vi.waitFor(() => expect(facade.tray.item('status-trading').label).toBe('Trading: HALTED'));
      agent.push({ type: 'drift', symbol: 'MARK', message: 'marker' });
      await vi.waitFor(() => expect(facade.notifications).toHaveLength(1));
      expect(facade.notifications.map((n) => n.title)).toEqual(['Position drift detected']);
    });

    it("follows the desktop channel's settings read at that reconnect: a loss limit is `daily-loss`, the trader's halt `halt`", async () => {
      const { facade, clock, agent, connect } = await setup();
      await connect();
      await vi.waitFor(() => expect(facade.tray.item('status-trading').label).toBe('Trading: ACTIVE'));
      agent.dropStreams();
      agent.tradingState = 'halted';
      agent.tradingReason = 'set by the trader';
      agent.accountStates = { acc_1: { state: 'reducing', reason: 'DRAWDOWN_LIMIT: drawdown=8%, max=5%' } };
      agent.notifyDesktop = { enabled: true, events: ['daily-loss'] }; // changed while the app was not connected
      const answer = agent.hold('/api/notifications');
      await vi.waitFor(() => expect(clock.pendingDelays()).toContain(2_000));
      clock.advance(2_000);
      await vi.waitFor(() => expect(facade.tray.item('status-trading').label).toBe('Trading: HALTED')); // the states are read
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(facade.notifications).toEqual([]); // told once the settings are read
      answer();
      await vi.waitFor(() => expect(facade.notifications).toHaveLength(1));
      expect(facade.notifications[0]?.title).toBe('Trading reduced to closing orders for account acc_1 while the app was disconnected');
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(facade.notifications).toHaveLength(1);
    });
  });

  it('reconnects the event stream when it drops', async () => {
    const { facade, clock, agent, connect } = await setup();
    await connect();
    agent.dropStreams();
    await vi.waitFor(() => expect(clock.pendingDelays()).toContain(2_000));
    clock.advance(2_000);
    await vi.waitFor(() => expect(agent.streamCount).toBe(1));
    agent.push({ type: 'drift', symbol: 'AAPL' });
    await vi.waitFor(() => expect(facade.notifications.map((n) => n.title)).toEqual(['Position drift detected']));
  });

  it('closing the window keeps the agent in the tray and says so the first time only', async () => {
    const { facade, shell, agentComesUp, window } = await setup();
    await shell.start();
    agentComesUp();
    expect(window().userCloses()).toBe(true);
    expect(window().visible).toBe(false);
    expect(facade.notifications.map((n) => n.title)).toEqual(['Viewzenix is still running']);
    facade.tray.item('open-window').click?.();
    expect(window().visible).toBe(true);
    expect(window().userCloses()).toBe(true);
    expect(facade.notifications).toHaveLength(1);
    expect(facade.lastChild.messages).toEqual([]);
  });

  it('with close-to-tray off, closing the window quits and stops the agent', async () => {
    const { facade, shell, agentComesUp, window } = await setup();
    await shell.start();
    agentComesUp();
    facade.tray.item('close-to-tray').click?.();
    expect(facade.tray.item('close-to-tray').checked).toBe(false);
    expect(window().userCloses()).toBe(false);
    facade.emitWindowAllClosed();
    expect(facade.lastChild.messages).toEqual([SHUTDOWN_MESSAGE]);
  });

  it('quit asks the agent to stop, waits for it, then lets the app quit', async () => {
    const { facade, shell, agentComesUp } = await setup();
    await shell.start();
    agentComesUp();
    const child = facade.lastChild;
    facade.tray.item('quit').click?.();
    expect(facade.calls.filter((c) => c.startsWith('quit'))).toEqual(['quit']);
    expect(child.messages).toEqual([SHUTDOWN_MESSAGE]);
    expect(facade.tray.destroyed).toBe(false);
    child.emitExit(0);
    await vi.waitFor(() => expect(facade.calls.filter((c) => c.startsWith('quit'))).toEqual(['quit', 'quit', 'quit:proceeded']));
    expect(facade.tray.destroyed).toBe(true);
    expect(facade.children).toHaveLength(1);
  });

  it('a crashed agent is restarted and the UI is told "restarted, reconciling"', async () => {
    const { facade, clock, shell, agentComesUp, window } = await setup();
    await shell.start();
    agentComesUp();
    facade.lastChild.emitStderr('FATAL: out of memory');
    facade.lastChild.emitExit(134);
    expect(facade.notifications.at(-1)).toMatchObject({ title: 'Agent stopped unexpectedly', urgency: 'critical' });
    expect(facade.notifications.at(-1)?.body).toContain('FATAL: out of memory');
    expect(facade.tray.item('status-agent').label).toBe('Agent: restarting…');
    expect(window().sent.at(-1)).toMatchObject({ channel: AGENT_STATUS_CHANNEL, payload: { state: 'restarting' } });
    clock.advance(1_000);
    expect(facade.children).toHaveLength(2);
    agentComesUp();
    expect(window().sent.at(-1)).toEqual({ channel: AGENT_STATUS_CHANNEL, payload: { state: 'restarted', message: 'Agent restarted, reconciling open orders with the broker before trading again.' } });
    expect(facade.tray.item('status-agent').label).toBe('Agent: running');
    expect(facade.windows).toHaveLength(1);
  });

  it('remembers the window bounds for the next launch', async () => {
    const first = await setup();
    await first.shell.start();
    first.agentComesUp();
    first.window().moveTo({ x: 300, y: 200, width: 1100, height: 750 });
    first.clock.advance(500);
    expect(JSON.parse(readFileSync(join(first.userData, SETTINGS_FILE), 'utf8')).windowBounds).toEqual({ x: 300, y: 200, width: 1100, height: 750, maximized: false });
    await server?.close();
    const second = await setup({ userData: first.userData });
    await second.shell.start();
    second.agentComesUp();
    expect(second.window().spec.bounds).toEqual({ x: 300, y: 200, width: 1100, height: 750 });
  });

  it('start at login follows the tray checkbox and the OS state', async () => {
    const { facade, shell } = await setup();
    await shell.start();
    facade.tray.item('start-at-login').click?.();
    expect(facade.calls).toContain('setOpenAtLogin:true');
    expect(facade.tray.item('start-at-login').checked).toBe(true);
  });
});
