// Agent options: command-line flag, then environment variable, then default (PRODUCT.md, "Interfaces").
import os from 'node:os';
import path from 'node:path';

export interface AgentOptions {
  dataDir: string;
  webhookPort: number;
  controlPort: number;
  /** Address the webhook listener binds; a tunnel client connects to it locally. */
  webhookHost: string;
  /** Terminal output: 'pretty' for people, 'json' for machines, 'silent' in tests. */
  console: 'pretty' | 'json' | 'silent';
  logLevel: string;
  /** Overrides the token file (VIEWZENIX_CONTROL_TOKEN). */
  controlToken?: string;
  /** Seed the paper account and demo strategy on first start. */
  seedDemo: boolean;
}

export const DEFAULT_WEBHOOK_PORT = 4780;
export const DEFAULT_CONTROL_PORT = 4781;

export function defaultDataDir(platform = process.platform, env = process.env, home = os.homedir()): string {
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Viewzenix');
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Viewzenix');
  return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), 'Viewzenix');
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function parsePort(value: string, name: string): number {
  if (!/^\d+$/.test(value.trim())) throw new ConfigError(`${name} must be a port number from 0 to 65535 (0 picks a free port), got "${value}".`);
  const n = Number(value);
  if (n > 65535) throw new ConfigError(`${name} must be a port number from 0 to 65535 (0 picks a free port), got "${value}".`);
  return n;
}

export interface StartFlags {
  'data-dir'?: string;
  'webhook-port'?: string;
  'control-port'?: string;
  'webhook-host'?: string;
  'log-level'?: string;
  json?: boolean;
  quiet?: boolean;
  'no-demo'?: boolean;
}

export function resolveOptions(flags: StartFlags, env: NodeJS.ProcessEnv = process.env): AgentOptions {
  const pick = (flag: string | undefined, envName: string): string | undefined => flag ?? (env[envName] !== '' ? env[envName] : undefined);
  const dataDir = pick(flags['data-dir'], 'VIEWZENIX_DATA_DIR') ?? defaultDataDir(process.platform, env);
  const webhookPort = pick(flags['webhook-port'], 'VIEWZENIX_WEBHOOK_PORT');
  const controlPort = pick(flags['control-port'], 'VIEWZENIX_CONTROL_PORT');
  const token = env.VIEWZENIX_CONTROL_TOKEN;
  if (token !== undefined && token !== '' && token.length < 16) {
    throw new ConfigError('VIEWZENIX_CONTROL_TOKEN must be at least 16 characters long.');
  }
  return {
    dataDir: path.resolve(dataDir),
    webhookPort: webhookPort === undefined ? DEFAULT_WEBHOOK_PORT : parsePort(webhookPort, '--webhook-port / VIEWZENIX_WEBHOOK_PORT'),
    controlPort: controlPort === undefined ? DEFAULT_CONTROL_PORT : parsePort(controlPort, '--control-port / VIEWZENIX_CONTROL_PORT'),
    webhookHost: pick(flags['webhook-host'], 'VIEWZENIX_WEBHOOK_HOST') ?? '0.0.0.0',
    console: flags.quiet ? 'silent' : flags.json ? 'json' : 'pretty',
    logLevel: pick(flags['log-level'], 'VIEWZENIX_LOG_LEVEL') ?? 'info',
    controlToken: token === '' ? undefined : token,
    seedDemo: !flags['no-demo'],
  };
}
