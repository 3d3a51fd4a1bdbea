// Options from flags and the environment: a variable set but empty means "not set", and the OS folders the default
// data directory is built from count only when they are absolute, so the data directory never lands in whatever
// the current directory happens to be.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_CONTROL_PORT, DEFAULT_WEBHOOK_PORT, defaultDataDir, resolveDataDir, resolveOptions } from './config.js';

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
    expect(o).toMatchObject({ webhookPort: DEFAULT_WEBHOOK_PORT, controlPort: DEFAULT_CONTROL_PORT, webhookHost: '0.0.0.0', logLevel: 'info', controlToken: undefined });
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
