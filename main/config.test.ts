// Options from flags and the environment: a variable set but empty means "not set", and the OS folders the default
// data directory is built from count only when they are absolute, so the data directory never lands in whatever
// the current directory happens to be.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_CONTROL_PORT, DEFAULT_WEBHOOK_PORT, controlTokenFromEnv, defaultDataDir, resolveDataDir, resolveOptions } from './config.js';
import { tempDir } from './test-support/agent.js';
import { cliCommand } from './test-support/cli.js';

describe('defaultDataDir', () => {
  it('uses XDG_CONFIG_HOME on Linux only when it is an absolute path (the XDG spec ignores an empty or relative one)', () => {
    expect(defaultDataDir('linux', { XDG_CONFIG_HOME: '/cfg' }, '/home/t')).toBe('/cfg/Viewzenix');
    expect(defaultDataDir('linux', {}, '/home/t')).toBe('/home/t/.config/Viewzenix');
    expect(defaultDataDir('linux', { XDG_CONFIG_HOME: '' }, '/home/t')).toBe('/home/t/.config/Viewzenix');
    expect(defaultDataDir('linux', { XDG_CONFIG_HOME: '   ' }, '/home/t')).toBe('/home/t/.config/Viewzenix');
    expect(defaultDataDir('linux', { XDG_CONFIG_HOME: 'relative/cfg' }, '/home/t')).toBe('/home/t/.config/Viewzenix');
  });

  it('uses APPDATA on Windows only when it is an absolute path', () => {
    expect(defaultDataDir('win32', { APPDATA: 'C:\\Users\\t\\AppData\\Roaming' }, 'C:\\Users\\t')).toBe('C:\\Users\\t\\AppData\\Roaming\\Viewzenix');
    expect(defaultDataDir('win32', { APPDATA: '' }, 'C:\\Users\\t')).toBe('C:\\Users\\t\\AppData\\Roaming\\Viewzenix');
    expect(defaultDataDir('win32', { APPDATA: 'Roaming' }, 'C:\\Users\\t')).toBe('C:\\Users\\t\\AppData\\Roaming\\Viewzenix');
  });

  it('is under Application Support on macOS', () => {
    expect(defaultDataDir('darwin', { XDG_CONFIG_HOME: '/cfg' }, '/Users/t')).toBe('/Users/t/Library/Application Support/Viewzenix');
  });

  it('with an empty home given, looks the home directory up: the answer is absolute', () => {
    const dir = defaultDataDir(process.platform, { XDG_CONFIG_HOME: '', APPDATA: '' }, '');
    expect(path.isAbsolute(dir)).toBe(true);
    expect(path.basename(dir)).toBe('Viewzenix');
  });
});

describe('resolveOptions', () => {
  it('takes empty (or blank) variables as not set: the default data directory, ports, host and log level', () => {
    const env = { VIEWZENIX_DATA_DIR: '', VIEWZENIX_WEBHOOK_PORT: '', VIEWZENIX_CONTROL_PORT: ' ', VIEWZENIX_WEBHOOK_HOST: '', VIEWZENIX_LOG_LEVEL: ' ', VIEWZENIX_CONTROL_TOKEN: '', XDG_CONFIG_HOME: '' };
    const o = resolveOptions({}, env);
    expect(o.dataDir).toBe(defaultDataDir(process.platform, env));
    expect(o.dataDir).not.toBe(path.resolve('Viewzenix'));
    expect(path.isAbsolute(o.dataDir)).toBe(true);
    expect(o).toMatchObject({ webhookPort: DEFAULT_WEBHOOK_PORT, controlPort: DEFAULT_CONTROL_PORT, webhookHost: '127.0.0.1', logLevel: 'info', controlToken: undefined });
  });

  it('an empty XDG_CONFIG_HOME does not put the data directory in the current directory', () => {
    const o = resolveOptions({}, { XDG_CONFIG_HOME: '' });
    expect(o.dataDir).not.toBe(path.resolve('Viewzenix'));
    expect(path.isAbsolute(o.dataDir)).toBe(true);
  });

  it('flags come before variables, variables before defaults', () => {
    const env = { VIEWZENIX_DATA_DIR: '/from-env', VIEWZENIX_WEBHOOK_PORT: '5000', VIEWZENIX_CONTROL_PORT: '5001' };
    expect(resolveOptions({}, env)).toMatchObject({ dataDir: path.resolve('/from-env'), webhookPort: 5000, controlPort: 5001 });
    expect(resolveOptions({ 'data-dir': '/from-flag', 'webhook-port': '0' }, env)).toMatchObject({ dataDir: path.resolve('/from-flag'), webhookPort: 0, controlPort: 5001 });
  });

  it('refuses a port that is not a number, naming the flag and the variable', () => {
    expect(() => resolveOptions({}, { VIEWZENIX_WEBHOOK_PORT: 'abc' })).toThrow(/--webhook-port \/ VIEWZENIX_WEBHOOK_PORT must be a port number/);
    expect(() => resolveOptions({}, { VIEWZENIX_CONTROL_PORT: '70000' })).toThrow(ConfigError);
  });

  it('refuses a flag given an empty value instead of using the current directory', () => {
    expect(() => resolveOptions({ 'data-dir': '' }, {})).toThrow(/--data-dir was given an empty value/);
    expect(() => resolveOptions({ 'webhook-port': '' }, {})).toThrow(/--webhook-port was given an empty value/);
  });
});

describe('resolveDataDir (every CLI command)', () => {
  it('takes an empty VIEWZENIX_DATA_DIR as not set', () => {
    const env = { VIEWZENIX_DATA_DIR: '', XDG_CONFIG_HOME: '/cfg' };
    expect(resolveDataDir(undefined, env)).toBe(defaultDataDir(process.platform, env));
    expect(resolveDataDir(undefined, env)).not.toBe(process.cwd());
  });
});

describe('VIEWZENIX_CONTROL_TOKEN', () => {
  it('is used when it has at least 16 characters, and not set when empty', () => {
    expect(controlTokenFromEnv({ VIEWZENIX_CONTROL_TOKEN: 'abcdefghijklmnop' })).toBe('abcdefghijklmnop');
    expect(controlTokenFromEnv({ VIEWZENIX_CONTROL_TOKEN: '' })).toBeUndefined();
    expect(controlTokenFromEnv({})).toBeUndefined();
  });

  it('a shorter one is refused with the rule and how to fix it, without repeating the value', () => {
    let error: unknown;
    try {
      resolveOptions({}, { VIEWZENIX_CONTROL_TOKEN: 'short-secret' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toMatch(/VIEWZENIX_CONTROL_TOKEN is too short: it must be at least 16 characters long/);
    expect(message).toMatch(/randomBytes\(32\)/);
    expect(message).toMatch(/or unset it to use the token the agent keeps in <data-dir>\/control-token/);
    expect(message).not.toContain('short-secret');
  });

  it('one with a space, which no Authorization header can carry, is refused', () => {
    expect(() => controlTokenFromEnv({ VIEWZENIX_CONTROL_TOKEN: 'correct horse battery staple' })).toThrow(/contains a space or line break/);
  });

  it('`viewzenix start` with a short token exits with the error (78) before starting anything', async () => {
    const root = path.resolve(import.meta.dirname, '..');
    const dataDir = tempDir();
    const child = spawn(process.execPath, cliCommand('start', '--data-dir', dataDir, '--webhook-port', '0', '--control-port', '0', '--quiet', '--no-demo').argv, {
      cwd: root,
      env: { ...process.env, VIEWZENIX_CONTROL_TOKEN: 'tooshort' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill(), 60_000); // from the sources jiti compiles the CLI first: tens of seconds under load
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearTimeout(timer);
    expect(code).toBe(78);
    expect(stderr).toMatch(/^viewzenix: VIEWZENIX_CONTROL_TOKEN is too short: it must be at least 16 characters long\./);
    expect(stderr).not.toContain('tooshort');
  }, 90_000);
});
