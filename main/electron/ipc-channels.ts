// The only IPC channels between the UI and the shell. preload.cts repeats these strings (a sandboxed preload
// cannot import this file); a test runs the preload and checks it uses exactly these.

export const IPC = {
  getControl: 'viewzenix:get-control',
  openExternal: 'viewzenix:open-external',
  getDesktopSettings: 'viewzenix:get-desktop-settings',
  setCloseToTray: 'viewzenix:set-close-to-tray',
  setStartAtLogin: 'viewzenix:set-start-at-login',
} as const;

/** Main → renderer: agent status changes ("agent restarted, reconciling"). */
export const AGENT_STATUS_CHANNEL = 'viewzenix:agent-status';

/** What the renderer receives on AGENT_STATUS_CHANNEL. */
export interface AgentStatusMessage {
  readonly state: 'starting' | 'running' | 'restarting' | 'restarted' | 'failed' | 'stopping';
  readonly message: string;
}
