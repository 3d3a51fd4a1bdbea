// What the tray shows and offers, as data: the shell renders it through the facade on every change.
import type { MenuItemSpec } from './facade.js';
import type { DesktopStatus } from './notification-router.js';

export type AgentPhase = 'starting' | 'running' | 'restarting' | 'failed' | 'stopping';

export interface TrayView extends DesktopStatus {
  readonly agent: AgentPhase;
  /** Why the agent is not running (shown when failed or restarting). */
  readonly agentDetail: string | null;
  readonly closeToTray: boolean;
  readonly startAtLogin: boolean;
}

export interface TrayActions {
  openWindow(): void;
  haltTrading(): void;
  restartAgent(): void;
  setCloseToTray(enabled: boolean): void;
  setStartAtLogin(enabled: boolean): void;
  quit(): void;
}

const AGENT_LABEL: Record<AgentPhase, string> = {
  starting: 'Agent: starting…',
  running: 'Agent: running',
  restarting: 'Agent: restarting…',
  failed: 'Agent: stopped',
  stopping: 'Agent: stopping…',
};

const TUNNEL_LABEL = { up: 'Tunnel: up', down: 'Tunnel: DOWN', off: 'Tunnel: off', unknown: 'Tunnel: unknown' } as const;

function tradingLabel(state: DesktopStatus['tradingState']): string {
  return state === 'unknown' ? 'Trading: unknown' : `Trading: ${state.toUpperCase()}`;
}

export function trayTooltip(view: TrayView): string {
  const parts = [`Viewzenix — ${AGENT_LABEL[view.agent].replace('Agent: ', 'agent ')}`];
  if (view.agent === 'running') parts.push(tradingLabel(view.tradingState).toLowerCase(), TUNNEL_LABEL[view.tunnel].toLowerCase());
  return parts.join(' · ');
}

export function buildTrayMenu(view: TrayView, actions: TrayActions): MenuItemSpec[] {
  const running = view.agent === 'running';
  const items: MenuItemSpec[] = [{ id: 'status-agent', label: AGENT_LABEL[view.agent], enabled: false }];
  if (view.agentDetail !== null && (view.agent === 'failed' || view.agent === 'restarting')) {
    items.push({ id: 'status-agent-detail', label: view.agentDetail.length > 90 ? `${view.agentDetail.slice(0, 90)}…` : view.agentDetail, enabled: false });
  }
  if (running) {
    items.push({ id: 'status-trading', label: tradingLabel(view.tradingState), enabled: false });
    items.push({ id: 'status-tunnel', label: TUNNEL_LABEL[view.tunnel], enabled: false });
  }
  items.push({ id: 'sep-1', label: '', type: 'separator' });
  items.push({ id: 'open-window', label: 'Open Viewzenix', enabled: running, click: actions.openWindow });
  items.push({ id: 'halt-trading', label: 'Halt trading', enabled: running && view.tradingState !== 'halted', click: actions.haltTrading });
  if (view.agent === 'failed') items.push({ id: 'restart-agent', label: 'Restart agent', click: actions.restartAgent });
  items.push({ id: 'sep-2', label: '', type: 'separator' });
  items.push({
    id: 'close-to-tray',
    label: 'Keep running in the tray when the window is closed',
    type: 'checkbox',
    checked: view.closeToTray,
    click: () => actions.setCloseToTray(!view.closeToTray),
  });
  items.push({ id: 'start-at-login', label: 'Start at login', type: 'checkbox', checked: view.startAtLogin, click: () => actions.setStartAtLogin(!view.startAtLogin) });
  items.push({ id: 'sep-3', label: '', type: 'separator' });
  items.push({ id: 'quit', label: 'Quit Viewzenix (stops the agent)', click: actions.quit });
  return items;
}
