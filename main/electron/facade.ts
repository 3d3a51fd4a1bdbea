// The only surface of Electron the shell logic sees. `electron-facade.ts` implements it with the real
// APIs; unit tests implement it with a recording double. Keep it small: every method here is one Electron
// call (or one event subscription) with plain data in and out, so the logic around it stays testable.

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The webPreferences every Viewzenix window is created with (see window-security.ts). */
export interface SecureWebPreferences {
  readonly preload: string;
  readonly sandbox: true;
  readonly contextIsolation: true;
  readonly nodeIntegration: false;
  readonly nodeIntegrationInWorker: false;
  readonly nodeIntegrationInSubFrames: false;
  readonly webSecurity: true;
  readonly allowRunningInsecureContent: false;
  readonly experimentalFeatures: false;
  readonly webviewTag: false;
  readonly navigateOnDragDrop: false;
  readonly safeDialogs: true;
  readonly spellcheck: false;
  readonly devTools: boolean;
}

export interface WindowSpec {
  readonly bounds: Rect;
  readonly maximized: boolean;
  readonly title: string;
  readonly show: boolean;
  readonly backgroundColor: string;
  readonly webPreferences: SecureWebPreferences;
}

/** An event whose default action can be cancelled (close, will-navigate, before-quit...). */
export interface Cancellable {
  preventDefault(): void;
}

export interface ShellWindow {
  loadURL(url: string): Promise<void>;
  show(): void;
  hide(): void;
  focus(): void;
  restore(): void;
  isMinimized(): boolean;
  isVisible(): boolean;
  isDestroyed(): boolean;
  isMaximized(): boolean;
  /** Bounds when neither maximised nor minimised: what we persist. */
  getNormalBounds(): Rect;
  /** Sends to the renderer on a fixed channel; the preload forwards only the payload. */
  send(channel: string, payload: unknown): void;
  onClose(listener: (event: Cancellable) => void): void;
  onClosed(listener: () => void): void;
  /** move, resize, maximize, unmaximize. */
  onBoundsChanged(listener: () => void): void;
  /** will-navigate, will-frame-navigate and will-redirect: any navigation of any frame. */
  onWillNavigate(listener: (event: Cancellable, url: string) => void): void;
  /** window.open / target=_blank. The handler's answer is final: we always deny. */
  setWindowOpenHandler(handler: (url: string) => { action: 'deny' }): void;
  onWillAttachWebview(listener: (event: Cancellable) => void): void;
}

export interface MenuItemSpec {
  readonly id: string;
  readonly label: string;
  readonly type?: 'normal' | 'separator' | 'checkbox';
  readonly enabled?: boolean;
  readonly checked?: boolean;
  readonly click?: () => void;
}

export interface ShellTray {
  setToolTip(text: string): void;
  setMenu(items: readonly MenuItemSpec[]): void;
  onClick(listener: () => void): void;
  destroy(): void;
}

export interface NotificationSpec {
  readonly title: string;
  readonly body: string;
  readonly urgency: 'normal' | 'critical';
}

export interface ForkSpec {
  readonly serviceName: string;
  readonly env?: Record<string, string | undefined>;
}

/** A utilityProcess child (the agent). */
export interface ShellChildProcess {
  /** undefined until spawned and after exit. */
  readonly pid: number | undefined;
  onSpawn(listener: () => void): void;
  onExit(listener: (code: number) => void): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Lines the child writes to stderr (for "why it stopped"). */
  onStderrLine(listener: (line: string) => void): void;
  postMessage(message: unknown): void;
  /** SIGTERM on POSIX (graceful), TerminateProcess on Windows. */
  kill(): boolean;
}

/** Who sent an IPC message: the URL of the sending frame (null when the frame is gone). */
export interface IpcSender {
  readonly frameUrl: string | null;
}

export interface HeadersReceived {
  readonly url: string;
  readonly responseHeaders: Readonly<Record<string, readonly string[]>>;
}

export interface ShellSession {
  /** Answer for every permission request; called with the permission name and the requesting URL. */
  setPermissionRequestHandler(handler: (permission: string, requestingUrl: string) => boolean): void;
  setPermissionCheckHandler(handler: (permission: string, requestingOrigin: string) => boolean): void;
  /** Return the headers to use for the response. */
  onHeadersReceived(handler: (details: HeadersReceived) => Record<string, string[]>): void;
  /** Return true to cancel the request. */
  onBeforeRequest(handler: (url: string) => boolean): void;
}

export interface ElectronFacade {
  // --- app lifecycle ---
  whenReady(): Promise<void>;
  requestSingleInstanceLock(): boolean;
  onSecondInstance(listener: () => void): void;
  onBeforeQuit(listener: (event: Cancellable) => void): void;
  onWindowAllClosed(listener: () => void): void;
  onActivate(listener: () => void): void;
  quit(): void;
  exit(code: number): void;
  getPath(name: 'userData' | 'appData'): string;
  readonly isPackaged: boolean;
  // --- start at login ---
  getOpenAtLogin(): boolean;
  setOpenAtLogin(openAtLogin: boolean): void;
  // --- windows, screen ---
  createWindow(spec: WindowSpec): ShellWindow;
  getDisplayWorkAreas(): Rect[];
  // --- tray, notifications, external links ---
  createTray(iconPath: string): ShellTray;
  isNotificationSupported(): boolean;
  showNotification(spec: NotificationSpec, onClick?: () => void): void;
  /** Never call directly from shell logic: go through openExternalSafely. */
  openExternal(url: string): Promise<void>;
  // --- the agent process ---
  forkUtility(modulePath: string, args: readonly string[], spec: ForkSpec): ShellChildProcess;
  // --- IPC ---
  handleIpc(channel: string, handler: (sender: IpcSender, args: readonly unknown[]) => unknown): void;
  // --- the default session ---
  readonly session: ShellSession;
}
