// Where the desktop app puts the agent: the same data directory and ports the headless agent uses, with
// the same environment variables, so `npm start` and the desktop app see the same strategies and orders.
import { join } from 'node:path';

export const DEFAULT_WEBHOOK_PORT = 4780;
export const DEFAULT_CONTROL_PORT = 4781;

export interface AgentPlacement {
  readonly dataDir: string;
  readonly webhookPort: number;
  readonly controlPort: number;
}

export class DesktopConfigError extends Error {
  override name = 'DesktopConfigError';
}

function port(env: Readonly<Record<string, string | undefined>>, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  if (!/^\d{1,5}$/.test(raw.trim()) || Number(raw) > 65535) {
    throw new DesktopConfigError(`${name}=${raw} is not a port number (0-65535). Fix or unset ${name}.`);
  }
  return Number(raw);
}

/** `appDataDir` is the OS app-data folder (Electron's app.getPath('appData')). */
export function resolveAgentPlacement(env: Readonly<Record<string, string | undefined>>, appDataDir: string): AgentPlacement {
  const dataDir = env.VIEWZENIX_DATA_DIR !== undefined && env.VIEWZENIX_DATA_DIR.trim() !== '' ? env.VIEWZENIX_DATA_DIR : join(appDataDir, 'Viewzenix');
  return {
    dataDir,
    webhookPort: port(env, 'VIEWZENIX_WEBHOOK_PORT', DEFAULT_WEBHOOK_PORT),
    controlPort: port(env, 'VIEWZENIX_CONTROL_PORT', DEFAULT_CONTROL_PORT),
  };
}
