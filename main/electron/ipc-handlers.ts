// Every IPC handler: the sender frame must be on the agent UI origin, the input must be exactly what the
// channel takes. Anything else is refused with one generic error, so a hostile frame learns nothing.
import type { ElectronFacade, IpcSender } from './facade.js';
import { openExternalSafely } from './external-links.js';
import { IPC } from './ipc-channels.js';
import { isOnOrigin } from './trusted-origin.js';

export const IPC_REFUSED = 'Refused';

export interface ControlAccess {
  readonly baseUrl: string;
  readonly token: string;
}

export interface IpcDeps {
  /** The agent UI origin, null while the agent is not running. */
  uiOrigin(): string | null;
  /** The control API base URL and token; null while the agent is not running. */
  control(): ControlAccess | null;
  settings(): { closeToTray: boolean; startAtLogin: boolean };
  setCloseToTray(enabled: boolean): void;
  setStartAtLogin(enabled: boolean): void;
}

type Validator = (args: readonly unknown[]) => boolean;
const noArgs: Validator = (args) => args.length === 0;
const oneBoolean: Validator = (args) => args.length === 1 && typeof args[0] === 'boolean';
const oneUrlString: Validator = (args) => args.length === 1 && typeof args[0] === 'string' && args[0].length <= 2048;

/** Wraps a handler with the sender and input checks. Exported for tests. */
export function guarded(
  uiOrigin: () => string | null,
  validate: Validator,
  handle: (args: readonly unknown[]) => unknown,
): (sender: IpcSender, args: readonly unknown[]) => unknown {
  return (sender, args) => {
    if (!isOnOrigin(sender.frameUrl, uiOrigin())) throw new Error(IPC_REFUSED);
    if (!Array.isArray(args) || !validate(args)) throw new Error(IPC_REFUSED);
    return handle(args);
  };
}

export function registerIpcHandlers(facade: Pick<ElectronFacade, 'handleIpc' | 'openExternal'>, deps: IpcDeps): void {
  const on = (channel: string, validate: Validator, handle: (args: readonly unknown[]) => unknown): void =>
    facade.handleIpc(channel, guarded(deps.uiOrigin, validate, handle));

  on(IPC.getControl, noArgs, () => {
    const control = deps.control();
    if (control === null) throw new Error('The agent is not running');
    return { baseUrl: control.baseUrl, token: control.token };
  });
  on(IPC.openExternal, oneUrlString, (args) => openExternalSafely(args[0], (href) => facade.openExternal(href)));
  on(IPC.getDesktopSettings, noArgs, () => {
    const { closeToTray, startAtLogin } = deps.settings();
    return { closeToTray, startAtLogin };
  });
  on(IPC.setCloseToTray, oneBoolean, (args) => {
    deps.setCloseToTray(args[0] as boolean);
    return true;
  });
  on(IPC.setStartAtLogin, oneBoolean, (args) => {
    deps.setStartAtLogin(args[0] as boolean);
    return true;
  });
}
