// The real ElectronFacade: each method is one Electron call. No decisions here; they live in the modules
// that take the facade, where tests can reach them.
import { createInterface } from 'node:readline';
import { homedir } from 'node:os';
import { app, BrowserWindow, ipcMain, Menu, Notification, screen, session, shell, Tray, utilityProcess } from 'electron';
import type { MenuItemConstructorOptions } from 'electron';
import type { ElectronFacade, ShellChildProcess, ShellSession, ShellTray, ShellWindow, WindowSpec } from './facade.js';
import { autostartDir, isAutostartEnabled, setAutostart } from './linux-autostart.js';

function wrapWindow(win: BrowserWindow): ShellWindow {
  const contents = win.webContents;
  return {
    loadURL: (url) => win.loadURL(url),
    show: () => win.show(),
    hide: () => win.hide(),
    focus: () => win.focus(),
    restore: () => win.restore(),
    isMinimized: () => win.isMinimized(),
    isVisible: () => win.isVisible(),
    isDestroyed: () => win.isDestroyed(),
    isMaximized: () => win.isMaximized(),
    getNormalBounds: () => win.getNormalBounds(),
    send: (channel, payload) => {
      if (!win.isDestroyed()) contents.send(channel, payload);
    },
    onClose: (listener) => win.on('close', (event) => listener(event)),
    onClosed: (listener) => win.on('closed', listener),
    onBoundsChanged: (listener) => {
      for (const name of ['move', 'resize', 'maximize', 'unmaximize'] as const) win.on(name as 'move', listener);
    },
    onWillNavigate: (listener) => {
      contents.on('will-navigate', (event) => listener(event, event.url));
      contents.on('will-frame-navigate', (event) => listener(event, event.url));
      contents.on('will-redirect', (event) => listener(event, event.url));
    },
    setWindowOpenHandler: (handler) => contents.setWindowOpenHandler(({ url }) => handler(url)),
    onWillAttachWebview: (listener) => contents.on('will-attach-webview', (event) => listener(event)),
  };
}

function wrapChild(child: Electron.UtilityProcess): ShellChildProcess {
  const stderrListeners: ((line: string) => void)[] = [];
  if (child.stdout !== null) child.stdout.pipe(process.stdout);
  if (child.stderr !== null) {
    createInterface({ input: child.stderr }).on('line', (line) => {
      process.stderr.write(`${line}\n`);
      for (const listener of stderrListeners) listener(line);
    });
  }
  return {
    get pid() {
      return child.pid;
    },
    onSpawn: (listener) => child.on('spawn', listener),
    onExit: (listener) => child.on('exit', listener),
    onMessage: (listener) => child.on('message', listener),
    onStderrLine: (listener) => stderrListeners.push(listener),
    postMessage: (message) => child.postMessage(message),
    kill: () => child.kill(),
  };
}

function wrapSession(ses: Electron.Session): ShellSession {
  return {
    setPermissionRequestHandler: (handler) =>
      ses.setPermissionRequestHandler((_contents, permission, callback, details) => callback(handler(permission, details.requestingUrl))),
    setPermissionCheckHandler: (handler) => ses.setPermissionCheckHandler((_contents, permission, origin) => handler(permission, origin)),
    onHeadersReceived: (handler) =>
      ses.webRequest.onHeadersReceived((details, callback) => callback({ responseHeaders: handler({ url: details.url, responseHeaders: details.responseHeaders ?? {} }) })),
    onBeforeRequest: (handler) => ses.webRequest.onBeforeRequest((details, callback) => callback({ cancel: handler(details.url) })),
  };
}

export function createElectronFacade(): ElectronFacade {
  // Notifications are garbage-collected (and their click lost) unless something holds them.
  const liveNotifications = new Set<Notification>();
  const linuxAutostart = () => autostartDir(process.env, homedir());
  let defaultSession: ShellSession | null = null;
  return {
    whenReady: () => app.whenReady(),
    requestSingleInstanceLock: () => app.requestSingleInstanceLock(),
    onSecondInstance: (listener) => app.on('second-instance', () => listener()),
    onBeforeQuit: (listener) => app.on('before-quit', (event) => listener(event)),
    onWindowAllClosed: (listener) => app.on('window-all-closed', listener),
    onActivate: (listener) => app.on('activate', () => listener()),
    quit: () => app.quit(),
    exit: (code) => app.exit(code),
    getPath: (name) => app.getPath(name),
    get isPackaged() {
      return app.isPackaged;
    },
    getOpenAtLogin: () => (process.platform === 'linux' ? isAutostartEnabled(linuxAutostart()) : app.getLoginItemSettings().openAtLogin),
    setOpenAtLogin: (openAtLogin) => {
      if (process.platform === 'linux') setAutostart(linuxAutostart(), openAtLogin, process.env.APPIMAGE ?? process.execPath);
      else app.setLoginItemSettings({ openAtLogin, args: ['--hidden'] });
    },
    createWindow: (spec: WindowSpec) => {
      const win = new BrowserWindow({
        ...spec.bounds,
        minWidth: 640,
        minHeight: 420,
        title: spec.title,
        show: spec.show,
        backgroundColor: spec.backgroundColor,
        webPreferences: { ...spec.webPreferences },
      });
      if (spec.maximized) win.maximize();
      win.removeMenu();
      return wrapWindow(win);
    },
    getDisplayWorkAreas: () => {
      const primary = screen.getPrimaryDisplay();
      return [primary, ...screen.getAllDisplays().filter((d) => d.id !== primary.id)].map((d) => d.workArea);
    },
    createTray: (iconPath) => {
      const tray = new Tray(iconPath);
      const wrapped: ShellTray = {
        setToolTip: (text) => tray.setToolTip(text),
        setMenu: (items) =>
          tray.setContextMenu(
            Menu.buildFromTemplate(
              items.map((item): MenuItemConstructorOptions => ({
                id: item.id,
                label: item.label,
                type: item.type ?? 'normal',
                enabled: item.enabled ?? true,
                ...(item.checked === undefined ? {} : { checked: item.checked }),
                ...(item.click === undefined ? {} : { click: item.click }),
              })),
            ),
          ),
        onClick: (listener) => tray.on('click', () => listener()),
        destroy: () => tray.destroy(),
      };
      return wrapped;
    },
    isNotificationSupported: () => Notification.isSupported(),
    showNotification: (spec, onClick) => {
      const notification = new Notification({ title: spec.title, body: spec.body, urgency: spec.urgency });
      liveNotifications.add(notification);
      notification.on('close', () => liveNotifications.delete(notification));
      if (onClick !== undefined) notification.on('click', onClick);
      notification.show();
    },
    openExternal: (url) => shell.openExternal(url),
    forkUtility: (modulePath, args, spec) =>
      wrapChild(
        utilityProcess.fork(modulePath, [...args], {
          serviceName: spec.serviceName,
          stdio: 'pipe',
          ...(spec.env === undefined ? {} : { env: spec.env }),
        }),
      ),
    handleIpc: (channel, handler) => ipcMain.handle(channel, (event, ...args: unknown[]) => handler({ frameUrl: event.senderFrame?.url ?? null }, args)),
    // The session module only exists after app 'ready': wrap it on first use.
    get session() {
      defaultSession ??= wrapSession(session.defaultSession);
      return defaultSession;
    },
  };
}
