// Agent options: command-line flag, then environment variable, then default (PRODUCT.md, "Interfaces").
// An environment variable that is set but empty (or only blanks) counts as not set, and the OS folders the default
// data directory is built from are used only when they are absolute paths (as the XDG spec says of
// XDG_CONFIG_HOME): a stray `VAR=` never puts the data directory in whatever the current directory happens to be.
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
/** The webhook listener's address by default: loopback. Every tunnel client (ngrok, cloudflared, localtunnel) runs on
 *  this machine and connects over loopback, so listening on every interface would only expose the webhook route to
 *  the local network (public Wi-Fi included). 0.0.0.0 is for a reverse proxy on another machine. */
export const DEFAULT_WEBHOOK_HOST = '127.0.0.1';

/** An address as it is written in a URL (the start banner): an IPv6 address in brackets. */
export function hostInUrl(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
export const DEFAULT_CONTROL_PORT = 4781;
/** VIEWZENIX_CONTROL_TOKEN must be at least this long (the token the agent generates has 43 characters). */
export const MIN_CONTROL_TOKEN_LENGTH = 16;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** The variable's value, or undefined when it is not set, empty or only blanks. */
export function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v;
}

/** The variable's value when it is an absolute path on `platform`, else undefined (ignored, as XDG says). */
function absoluteDir(env: NodeJS.ProcessEnv, name: string, platform: NodeJS.Platform): string | undefined {
  const v = envValue(env, name);
  const p = platform === 'win32' ? path.win32 : path.posix;
  return v !== undefined && p.isAbsolute(v) ? v : undefined;
}

/** The user's home directory: HOME (USERPROFILE on Windows) when absolute, else the one the OS account names. */
function systemHome(): string {
  const home = os.homedir();
  if (home !== '' && path.isAbsolute(home)) return home;
  try {
    const own = os.userInfo().homedir;
    if (own !== '' && path.isAbsolute(own)) return own;
  } catch {
    /* no account entry (e.g. a container user without one) */
  }
  throw new ConfigError('Cannot find the home directory for the default data directory (HOME is empty or not an absolute path). Set HOME to your home directory, or choose the data directory with --data-dir / VIEWZENIX_DATA_DIR.');
}

/**
 * The OS app-data folder + Viewzenix: %APPDATA%\Viewzenix, ~/Library/Application Support/Viewzenix,
 * $XDG_CONFIG_HOME/Viewzenix or ~/.config/Viewzenix. `home` defaults to the user's home directory, looked up only
 * when it is needed.
 */
export function defaultDataDir(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env, home?: string): string {
  const homeDir = (): string => (home !== undefined && home !== '' ? home : systemHome());
  if (platform === 'win32') return path.win32.join(absoluteDir(env, 'APPDATA', platform) ?? path.win32.join(homeDir(), 'AppData', 'Roaming'), 'Viewzenix');
  if (platform === 'darwin') return path.posix.join(homeDir(), 'Library', 'Application Support', 'Viewzenix');
  return path.posix.join(absoluteDir(env, 'XDG_CONFIG_HOME', platform) ?? path.posix.join(homeDir(), '.config'), 'Viewzenix');
}

/** A flag given with an empty value is a mistake, not "use the default". */
function flagValue(flag: string | undefined, name: string): string | undefined {
  if (flag !== undefined && flag.trim() === '') throw new ConfigError(`--${name} was given an empty value. Give it a value, or leave the option out to use the default.`);
  return flag;
}

/** --data-dir, then VIEWZENIX_DATA_DIR, then the OS app-data folder; absolute (a relative one is taken from the
 *  current directory). Every command that finds the agent's files uses this. */
export function resolveDataDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(flagValue(flag, 'data-dir') ?? envValue(env, 'VIEWZENIX_DATA_DIR') ?? defaultDataDir(process.platform, env));
}

/**
 * VIEWZENIX_CONTROL_TOKEN, or undefined when it is not set (or empty): the agent then uses <data-dir>/control-token.
 * A value that is too short, or that an Authorization header cannot carry, is refused with the rule and the fix;
 * the message never repeats the value.
 */
export function controlTokenFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const token = envValue(env, 'VIEWZENIX_CONTROL_TOKEN');
  if (token === undefined) return undefined;
  const fix =
    'Set it to a long random value, for example the output of ' +
    `node -e "console.log(require('crypto').randomBytes(32).toString('base64url'))", ` +
    'or unset it to use the token the agent keeps in <data-dir>/control-token.';
  if (token.length < MIN_CONTROL_TOKEN_LENGTH) {
    throw new ConfigError(`VIEWZENIX_CONTROL_TOKEN is too short: it must be at least ${MIN_CONTROL_TOKEN_LENGTH} characters long. ${fix}`);
  }
  if (/\s/.test(token)) {
    throw new ConfigError(`VIEWZENIX_CONTROL_TOKEN contains a space or line break, which an Authorization header cannot carry. ${fix}`);
  }
  return token;
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
  'stop-with-parent'?: boolean;
}

export function resolveOptions(flags: StartFlags, env: NodeJS.ProcessEnv = process.env): AgentOptions {
  const pick = (flag: keyof StartFlags & string, envName: string): string | undefined => flagValue(flags[flag] as string | undefined, flag) ?? envValue(env, envName);
  const webhookPort = pick('webhook-port', 'VIEWZENIX_WEBHOOK_PORT');
  const controlPort = pick('control-port', 'VIEWZENIX_CONTROL_PORT');
  const controlToken = controlTokenFromEnv(env);
  return {
    dataDir: resolveDataDir(flags['data-dir'], env),
    webhookPort: webhookPort === undefined ? DEFAULT_WEBHOOK_PORT : parsePort(webhookPort, '--webhook-port / VIEWZENIX_WEBHOOK_PORT'),
    controlPort: controlPort === undefined ? DEFAULT_CONTROL_PORT : parsePort(controlPort, '--control-port / VIEWZENIX_CONTROL_PORT'),
    webhookHost: pick('webhook-host', 'VIEWZENIX_WEBHOOK_HOST') ?? DEFAULT_WEBHOOK_HOST,
    console: flags.quiet ? 'silent' : flags.json ? 'json' : 'pretty',
    logLevel: pick('log-level', 'VIEWZENIX_LOG_LEVEL') ?? 'info',
    controlToken,
    seedDemo: !flags['no-demo'],
  };
}
