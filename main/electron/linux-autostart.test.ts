import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AUTOSTART_FILE, autostartDir, isAutostartEnabled, quoteExecArg, setAutostart } from './linux-autostart.js';
import { DesktopConfigError, resolveAgentPlacement } from './desktop-config.js';

describe('Linux autostart entry', () => {
  it('is written to XDG_CONFIG_HOME/autostart (or ~/.config/autostart) and removed again', () => {
    expect(autostartDir({ XDG_CONFIG_HOME: '/cfg' }, '/home/t')).toBe('/cfg/autostart');
    expect(autostartDir({ XDG_CONFIG_HOME: 'relative' }, '/home/t')).toBe('/home/t/.config/autostart');
    const dir = join(mkdtempSync(join(tmpdir(), 'vz-autostart-')), 'autostart');
    expect(isAutostartEnabled(dir)).toBe(false);
    setAutostart(dir, true, '/opt/Viewzenix/viewzenix');
    expect(isAutostartEnabled(dir)).toBe(true);
    expect(readFileSync(join(dir, AUTOSTART_FILE), 'utf8')).toContain('Exec="/opt/Viewzenix/viewzenix" --hidden');
    setAutostart(dir, false, '/opt/Viewzenix/viewzenix');
    expect(isAutostartEnabled(dir)).toBe(false);
  });

  it('quotes the executable so a path cannot inject arguments', () => {
    expect(quoteExecArg('/home/a b/$HOME/`x`/"q"\\')).toBe('"/home/a b/\\$HOME/\\`x\\`/\\"q\\"\\\\"');
  });
});

describe('resolveAgentPlacement', () => {
  it('uses the same variables and defaults as the headless agent', () => {
    expect(resolveAgentPlacement({}, '/home/t/.config')).toEqual({ dataDir: '/home/t/.config/Viewzenix', webhookPort: 4780, controlPort: 4781 });
    expect(resolveAgentPlacement({ VIEWZENIX_DATA_DIR: '/d', VIEWZENIX_WEBHOOK_PORT: '0', VIEWZENIX_CONTROL_PORT: '5001' }, '/x')).toEqual({ dataDir: '/d', webhookPort: 0, controlPort: 5001 });
  });

  it('refuses a port that is not a number with a message naming the variable', () => {
    expect(() => resolveAgentPlacement({ VIEWZENIX_CONTROL_PORT: '80a' }, '/x')).toThrow(DesktopConfigError);
    expect(() => resolveAgentPlacement({ VIEWZENIX_WEBHOOK_PORT: '70000' }, '/x')).toThrow(/VIEWZENIX_WEBHOOK_PORT/);
  });
});
