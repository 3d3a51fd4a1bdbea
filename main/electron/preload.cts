// The preload of the Viewzenix window. CommonJS on purpose: a sandboxed preload runs as a CommonJS script
// whose `require` only knows 'electron' (and a few Node built-ins), so this file imports nothing else and
// repeats its channel names (ipc-channels.ts holds the same strings; a test keeps the two equal).
// It exposes a few named functions. Never a generic invoke/send: the page cannot reach any other channel.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a sandboxed preload is CommonJS and 'electron' is all it may load
import electron = require('electron');

const CHANNELS = {
  getControl: 'viewzenix:get-control',
  openExternal: 'viewzenix:open-external',
  getDesktopSettings: 'viewzenix:get-desktop-settings',
  setCloseToTray: 'viewzenix:set-close-to-tray',
  setStartAtLogin: 'viewzenix:set-start-at-login',
  agentStatus: 'viewzenix:agent-status',
};

const { contextBridge, ipcRenderer } = electron;

contextBridge.exposeInMainWorld('viewzenixDesktop', {
  /** The control API base URL and its token: {baseUrl, token}. */
  getControl: (): Promise<unknown> => ipcRenderer.invoke(CHANNELS.getControl),
  /** Opens an http(s) link in the system browser; resolves to whether it was opened. */
  openExternal: (url: string): Promise<unknown> => ipcRenderer.invoke(CHANNELS.openExternal, String(url)),
  getDesktopSettings: (): Promise<unknown> => ipcRenderer.invoke(CHANNELS.getDesktopSettings),
  setCloseToTray: (enabled: boolean): Promise<unknown> => ipcRenderer.invoke(CHANNELS.setCloseToTray, enabled === true),
  setStartAtLogin: (enabled: boolean): Promise<unknown> => ipcRenderer.invoke(CHANNELS.setStartAtLogin, enabled === true),
  /** Agent status changes ("agent restarted, reconciling"). Returns an unsubscribe function. */
  onAgentStatus: (listener: (status: unknown) => void): (() => void) => {
    if (typeof listener !== 'function') return () => undefined;
    // Only the payload crosses over: the IPC event (and its sender) stays on this side.
    const forward = (_event: unknown, status: unknown): void => listener(status);
    ipcRenderer.on(CHANNELS.agentStatus, forward);
    return () => {
      ipcRenderer.removeListener(CHANNELS.agentStatus, forward);
    };
  },
});
