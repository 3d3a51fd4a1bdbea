import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, DesktopSettingsStore, SETTINGS_FILE } from './desktop-settings.js';
import { chooseWindowBounds, DEFAULT_SIZE, MIN_SIZE } from './window-bounds.js';

const PRIMARY = { x: 0, y: 0, width: 1920, height: 1040 };
const SECOND = { x: 1920, y: 0, width: 2560, height: 1400 };

describe('chooseWindowBounds', () => {
  it('restores saved bounds that are on a screen', () => {
    const saved = { x: 2000, y: 100, width: 1400, height: 900, maximized: true };
    expect(chooseWindowBounds(saved, [PRIMARY, SECOND])).toEqual(saved);
  });

  it('centres the default size on the primary screen when the saved screen is gone', () => {
    const saved = { x: 2000, y: 100, width: 1400, height: 900, maximized: false };
    expect(chooseWindowBounds(saved, [PRIMARY])).toEqual({ x: (1920 - DEFAULT_SIZE.width) / 2, y: (1040 - DEFAULT_SIZE.height) / 2, ...DEFAULT_SIZE, maximized: false });
  });

  it('uses the default the first time and never opens smaller than the minimum', () => {
    expect(chooseWindowBounds(null, [PRIMARY])).toMatchObject(DEFAULT_SIZE);
    expect(chooseWindowBounds({ x: 10, y: 10, width: 50, height: 20, maximized: false }, [PRIMARY])).toMatchObject({ x: 10, y: 10, ...MIN_SIZE });
  });

  it('treats a title bar pushed above the screen as unreachable', () => {
    expect(chooseWindowBounds({ x: 100, y: -900, width: 1000, height: 800, maximized: false }, [PRIMARY]).y).toBeGreaterThanOrEqual(0);
  });
});

describe('DesktopSettingsStore', () => {
  const dir = () => mkdtempSync(join(tmpdir(), 'vz-settings-'));

  it('persists window bounds and preferences across instances', () => {
    const userData = dir();
    const first = new DesktopSettingsStore(userData);
    expect(first.settings).toEqual(DEFAULT_SETTINGS);
    first.update({ windowBounds: { x: 5, y: 6, width: 1000, height: 700, maximized: false }, closeToTray: false });
    const second = new DesktopSettingsStore(userData);
    expect(second.settings).toEqual({ ...DEFAULT_SETTINGS, closeToTray: false, windowBounds: { x: 5, y: 6, width: 1000, height: 700, maximized: false } });
    expect(readdirSync(userData)).toEqual([SETTINGS_FILE]);
  });

  it('moves a corrupt file aside with a message instead of overwriting it silently', () => {
    const userData = dir();
    writeFileSync(join(userData, SETTINGS_FILE), '{"closeToTray": fal');
    const warnings: string[] = [];
    const store = new DesktopSettingsStore(userData, (m) => warnings.push(m));
    expect(store.settings).toEqual(DEFAULT_SETTINGS);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(SETTINGS_FILE);
    const aside = readdirSync(userData).find((f) => f.includes('.corrupt-'));
    expect(aside).toBeDefined();
    expect(readFileSync(join(userData, aside ?? ''), 'utf8')).toBe('{"closeToTray": fal');
  });

  it('drops fields of the wrong type and keeps the rest', () => {
    const userData = dir();
    writeFileSync(join(userData, SETTINGS_FILE), JSON.stringify({ closeToTray: 'no', startAtLogin: true, windowBounds: { x: 1, y: 2, width: -5, height: 3 } }));
    expect(new DesktopSettingsStore(userData).settings).toEqual({ ...DEFAULT_SETTINGS, startAtLogin: true, windowBounds: null });
  });
});
