// A recording double of the ElectronFacade: it does what the real one would report (events, pids, lock
// results) and writes down every call, so tests assert on what the shell asked Electron to do.
import type {
  Cancellable,
  ElectronFacade,
  ForkSpec,
  HeadersReceived,
  IpcSender,
  MenuItemSpec,
  NotificationSpec,
  Rect,
  ShellChildProcess,
  ShellSession,
  ShellTray,
  ShellWindow,
  WindowSpec,
} from '../facade.js';

export class FakeCancellable implements Cancellable {
  prevented = false;
  preventDefault(): void {
    this.prevented = true;
  }
}

export class FakeChild implements ShellChildProcess {
  pid: number | undefined = undefined;
  readonly messages: unknown[] = [];
  kills = 0;
  private spawnListeners: (() => void)[] = [];
  private exitListeners: ((code: number) => void)[] = [];
  private messageListeners: ((m: unknown) => void)[] = [];
  private stderrListeners: ((line: string) => void)[] = [];

  constructor(
    readonly modulePath: string,
    readonly args: readonly string[],
    readonly spec: ForkSpec,
    private readonly nextPid: number,
  ) {}

  onSpawn(l: () => void): void {
    this.spawnListeners.push(l);
  }
  onExit(l: (code: number) => void): void {
    this.exitListeners.push(l);
  }
  onMessage(l: (m: unknown) => void): void {
    this.messageListeners.push(l);
  }
  onStderrLine(l: (line: string) => void): void {
    this.stderrListeners.push(l);
  }
  postMessage(message: unknown): void {
    this.messages.push(message);
  }
  kill(): boolean {
    this.kills += 1;
    return true;
  }

  emitSpawn(): void {
    this.pid = this.nextPid;
    for (const l of this.spawnListeners) l();
  }
  emitStderr(line: string): void {
    for (const l of this.stderrListeners) l(line);
  }
  emitExit(code: number): void {
    this.pid = undefined;
    for (const l of this.exitListeners) l(code);
  }
}

export class FakeWindow implements ShellWindow {
  readonly loaded: string[] = [];
  readonly sent: { channel: string; payload: unknown }[] = [];
  visible: boolean;
  minimized = false;
  destroyed = false;
  maximized = false;
  focused = 0;
  bounds: Rect;
  closeListeners: ((e: Cancellable) => void)[] = [];
  closedListeners: (() => void)[] = [];
  boundsListeners: (() => void)[] = [];
  navigateListeners: ((e: Cancellable, url: string) => void)[] = [];
  webviewListeners: ((e: Cancellable) => void)[] = [];
  openHandler: ((url: string) => { action: 'deny' }) | null = null;

  constructor(readonly spec: WindowSpec) {
    this.visible = spec.show;
    this.bounds = { ...spec.bounds };
    this.maximized = spec.maximized;
  }

  async loadURL(url: string): Promise<void> {
    this.loaded.push(url);
  }
  show(): void {
    this.visible = true;
  }
  hide(): void {
    this.visible = false;
  }
  focus(): void {
    this.focused += 1;
  }
  restore(): void {
    this.minimized = false;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  isVisible(): boolean {
    return this.visible;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  isMaximized(): boolean {
    return this.maximized;
  }
  getNormalBounds(): Rect {
    return { ...this.bounds };
  }
  send(channel: string, payload: unknown): void {
    this.sent.push({ channel, payload });
  }
  onClose(l: (e: Cancellable) => void): void {
    this.closeListeners.push(l);
  }
  onClosed(l: () => void): void {
    this.closedListeners.push(l);
  }
  onBoundsChanged(l: () => void): void {
    this.boundsListeners.push(l);
  }
  onWillNavigate(l: (e: Cancellable, url: string) => void): void {
    this.navigateListeners.push(l);
  }
  setWindowOpenHandler(handler: (url: string) => { action: 'deny' }): void {
    this.openHandler = handler;
  }
  onWillAttachWebview(l: (e: Cancellable) => void): void {
    this.webviewListeners.push(l);
  }

  /** The user clicks the close button; returns whether the close was cancelled. */
  userCloses(): boolean {
    const event = new FakeCancellable();
    for (const l of this.closeListeners) l(event);
    if (!event.prevented) {
      this.destroyed = true;
      for (const l of this.closedListeners) l();
    }
    return event.prevented;
  }
  /** A navigation attempt; returns whether it was blocked. */
  navigate(url: string): boolean {
    const event = new FakeCancellable();
    for (const l of this.navigateListeners) l(event, url);
    return event.prevented;
  }
  moveTo(bounds: Rect): void {
    this.bounds = { ...bounds };
    for (const l of this.boundsListeners) l();
  }
}

export class FakeTray implements ShellTray {
  tooltip = '';
  menu: readonly MenuItemSpec[] = [];
  destroyed = false;
  clickListeners: (() => void)[] = [];
  setToolTip(text: string): void {
    this.tooltip = text;
  }
  setMenu(items: readonly MenuItemSpec[]): void {
    this.menu = items;
  }
  onClick(l: () => void): void {
    this.clickListeners.push(l);
  }
  destroy(): void {
    this.destroyed = true;
  }
  item(id: string): MenuItemSpec {
    const found = this.menu.find((i) => i.id === id);
    if (found === undefined) throw new Error(`no tray item ${id} in [${this.menu.map((i) => i.id).join(', ')}]`);
    return found;
  }
}

export class FakeSession implements ShellSession {
  permissionRequest: ((permission: string, url: string) => boolean) | null = null;
  permissionCheck: ((permission: string, origin: string) => boolean) | null = null;
  headers: ((d: HeadersReceived) => Record<string, string[]>) | null = null;
  beforeRequest: ((url: string) => boolean) | null = null;
  setPermissionRequestHandler(h: (permission: string, url: string) => boolean): void {
    this.permissionRequest = h;
  }
  setPermissionCheckHandler(h: (permission: string, origin: string) => boolean): void {
    this.permissionCheck = h;
  }
  onHeadersReceived(h: (d: HeadersReceived) => Record<string, string[]>): void {
    this.headers = h;
  }
  onBeforeRequest(h: (url: string) => boolean): void {
    this.beforeRequest = h;
  }
}

export interface FakeFacadeOptions {
  userData: string;
  lock?: boolean;
  workAreas?: Rect[];
  notificationsSupported?: boolean;
}

export class FakeFacade implements ElectronFacade {
  readonly calls: string[] = [];
  readonly windows: FakeWindow[] = [];
  readonly trays: FakeTray[] = [];
  readonly children: FakeChild[] = [];
  readonly notifications: (NotificationSpec & { onClick?: () => void })[] = [];
  readonly opened: string[] = [];
  readonly ipc = new Map<string, (sender: IpcSender, args: readonly unknown[]) => unknown>();
  readonly session = new FakeSession();
  readonly isPackaged = true;
  openAtLogin = false;
  quits = 0;
  private nextPid = 4000;
  private secondInstance: (() => void)[] = [];
  private beforeQuit: ((e: Cancellable) => void)[] = [];
  private allClosed: (() => void)[] = [];
  private activate: (() => void)[] = [];

  constructor(private readonly options: FakeFacadeOptions) {}

  async whenReady(): Promise<void> {
    this.calls.push('whenReady');
  }
  requestSingleInstanceLock(): boolean {
    this.calls.push('requestSingleInstanceLock');
    return this.options.lock ?? true;
  }
  onSecondInstance(l: () => void): void {
    this.secondInstance.push(l);
  }
  onBeforeQuit(l: (e: Cancellable) => void): void {
    this.beforeQuit.push(l);
  }
  onWindowAllClosed(l: () => void): void {
    this.allClosed.push(l);
  }
  onActivate(l: () => void): void {
    this.activate.push(l);
  }
  /** Like app.quit(): emits before-quit; a listener may cancel it. */
  quit(): void {
    this.quits += 1;
    this.calls.push('quit');
    const event = new FakeCancellable();
    for (const l of this.beforeQuit) l(event);
    if (!event.prevented) this.calls.push('quit:proceeded');
  }
  exit(code: number): void {
    this.calls.push(`exit:${code}`);
  }
  getPath(name: 'userData' | 'appData'): string {
    return name === 'userData' ? this.options.userData : `${this.options.userData}/..`;
  }
  getOpenAtLogin(): boolean {
    return this.openAtLogin;
  }
  setOpenAtLogin(openAtLogin: boolean): void {
    this.calls.push(`setOpenAtLogin:${openAtLogin}`);
    this.openAtLogin = openAtLogin;
  }
  createWindow(spec: WindowSpec): ShellWindow {
    const win = new FakeWindow(spec);
    this.windows.push(win);
    return win;
  }
  getDisplayWorkAreas(): Rect[] {
    return this.options.workAreas ?? [{ x: 0, y: 0, width: 1920, height: 1040 }];
  }
  createTray(iconPath: string): ShellTray {
    this.calls.push(`createTray:${iconPath}`);
    const tray = new FakeTray();
    this.trays.push(tray);
    return tray;
  }
  isNotificationSupported(): boolean {
    return this.options.notificationsSupported ?? true;
  }
  showNotification(spec: NotificationSpec, onClick?: () => void): void {
    this.notifications.push(onClick === undefined ? { ...spec } : { ...spec, onClick });
  }
  async openExternal(url: string): Promise<void> {
    this.opened.push(url);
  }
  forkUtility(modulePath: string, args: readonly string[], spec: ForkSpec): ShellChildProcess {
    const child = new FakeChild(modulePath, args, spec, this.nextPid++);
    this.children.push(child);
    return child;
  }
  handleIpc(channel: string, handler: (sender: IpcSender, args: readonly unknown[]) => unknown): void {
    this.ipc.set(channel, handler);
  }

  emitSecondInstance(): void {
    for (const l of this.secondInstance) l();
  }
  emitWindowAllClosed(): void {
    for (const l of this.allClosed) l();
  }
  get lastChild(): FakeChild {
    const child = this.children.at(-1);
    if (child === undefined) throw new Error('no child forked');
    return child;
  }
  get tray(): FakeTray {
    const tray = this.trays.at(-1);
    if (tray === undefined) throw new Error('no tray');
    return tray;
  }
}
