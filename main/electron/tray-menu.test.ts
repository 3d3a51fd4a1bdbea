import { describe, expect, it } from 'vitest';
import { buildTrayMenu, trayTooltip, type TrayActions, type TrayView } from './tray-menu.js';

const VIEW: TrayView = { agent: 'running', agentDetail: null, tradingState: 'active', tunnel: 'up', closeToTray: true, startAtLogin: false };

function recorder() {
  const calls: string[] = [];
  const actions: TrayActions = {
    openWindow: () => calls.push('open'),
    haltTrading: () => calls.push('halt'),
    restartAgent: () => calls.push('restart'),
    setCloseToTray: (e) => calls.push(`closeToTray:${e}`),
    setStartAtLogin: (e) => calls.push(`startAtLogin:${e}`),
    quit: () => calls.push('quit'),
  };
  return { calls, actions };
}

const item = (items: ReturnType<typeof buildTrayMenu>, id: string) => items.find((i) => i.id === id);

describe('tray menu', () => {
  it('shows agent, trading state and tunnel, and wires each action to its item', () => {
    const { calls, actions } = recorder();
    const menu = buildTrayMenu(VIEW, actions);
    expect(menu.filter((i) => i.id.startsWith('status-')).map((i) => i.label)).toEqual(['Agent: running', 'Trading: ACTIVE', 'Tunnel: up']);
    for (const id of ['open-window', 'halt-trading', 'close-to-tray', 'start-at-login', 'quit']) item(menu, id)?.click?.();
    expect(calls).toEqual(['open', 'halt', 'closeToTray:false', 'startAtLogin:true', 'quit']);
  });

  it('disables halt when already halted or when the agent is not running', () => {
    const { actions } = recorder();
    expect(item(buildTrayMenu({ ...VIEW, tradingState: 'halted' }, actions), 'halt-trading')?.enabled).toBe(false);
    expect(item(buildTrayMenu({ ...VIEW, agent: 'restarting' }, actions), 'halt-trading')?.enabled).toBe(false);
    expect(item(buildTrayMenu(VIEW, actions), 'halt-trading')?.enabled).toBe(true);
  });

  it('offers "Restart agent" with the reason only when the agent has failed', () => {
    const { calls, actions } = recorder();
    expect(item(buildTrayMenu(VIEW, actions), 'restart-agent')).toBeUndefined();
    const menu = buildTrayMenu({ ...VIEW, agent: 'failed', agentDetail: 'The agent stopped with exit code 78' }, actions);
    expect(item(menu, 'status-agent-detail')?.label).toBe('The agent stopped with exit code 78');
    item(menu, 'restart-agent')?.click?.();
    expect(calls).toEqual(['restart']);
  });

  it('tooltip summarises the state', () => {
    expect(trayTooltip({ ...VIEW, tunnel: 'down', tradingState: 'halted' })).toBe('Viewzenix — agent running · trading: halted · tunnel: down');
    expect(trayTooltip({ ...VIEW, agent: 'failed' })).toBe('Viewzenix — agent stopped');
  });
});
