// The desktop app's own preferences (not the agent's config): persisted as JSON in Electron's userData.
// Written atomically (temp file + rename); a corrupt file is moved aside with a message, never silently lost.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Rect } from './facade.js';
import { parseDesktopChannel, type DesktopChannel } from './notify-preferences.js';

export interface SavedBounds extends Rect {
  readonly maximized: boolean;
}

export interface DesktopSettings {
  /** Closing the window keeps the agent running in the tray. */
  readonly closeToTray: boolean;
  /** The "still running in the tray" notice was shown once. */
  readonly trayNoticeShown: boolean;
  readonly startAtLogin: boolean;
  readonly windowBounds: SavedBounds | null;
  /** The desktop notification channel as last read from the agent (null: never read), used while the agent's
   *  settings cannot be read: the agent crashed or failed, or its answer did not come. */
  readonly notifyDesktop: DesktopChannel | null;
}

export const DEFAULT_SETTINGS: DesktopSettings = { closeToTray: true, trayNoticeShown: false, startAtLogin: false, windowBounds: null, notifyDesktop: null };

export const SETTINGS_FILE = 'desktop-settings.json';

const isInt = (v: unknown): v is number => Number.isInteger(v) && Math.abs(v as number) < 1_000_000;

function parseBounds(value: unknown): SavedBounds | null {
  if (typeof value !== 'object' || value === null) return null;
  const { x, y, width, height, maximized } = value as Record<string, unknown>;
  if (!isInt(x) || !isInt(y) || !isInt(width) || !isInt(height) || width <= 0 || height <= 0) return null;
  return { x, y, width, height, maximized: maximized === true };
}

/** Keeps every known field that has the right type; anything else falls back to its default. */
export function parseSettings(value: unknown): DesktopSettings {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return DEFAULT_SETTINGS;
  const raw = value as Record<string, unknown>;
  const bool = (key: keyof DesktopSettings, fallback: boolean): boolean => (typeof raw[key] === 'boolean' ? (raw[key] as boolean) : fallback);
  return {
    closeToTray: bool('closeToTray', DEFAULT_SETTINGS.closeToTray),
    trayNoticeShown: bool('trayNoticeShown', DEFAULT_SETTINGS.trayNoticeShown),
    startAtLogin: bool('startAtLogin', DEFAULT_SETTINGS.startAtLogin),
    windowBounds: parseBounds(raw.windowBounds),
    notifyDesktop: parseDesktopChannel(raw.notifyDesktop),
  };
}

export class DesktopSettingsStore {
  private current: DesktopSettings;
  readonly file: string;

  constructor(
    userDataDir: string,
    private readonly warn: (message: string) => void = (m) => console.warn(m),
  ) {
    this.file = join(userDataDir, SETTINGS_FILE);
    this.current = this.load();
  }

  get settings(): DesktopSettings {
    return this.current;
  }

  update(change: Partial<DesktopSettings>): DesktopSettings {
    this.current = { ...this.current, ...change };
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      const temp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(temp, `${JSON.stringify(this.current, null, 2)}\n`, { mode: 0o600 });
      renameSync(temp, this.file);
    } catch (error) {
      // Preferences are a convenience: failing to save them must not stop the agent or the window.
      this.warn(`Could not save desktop settings to ${this.file}: ${error instanceof Error ? error.message : String(error)}`);
    }
    return this.current;
  }

  private load(): DesktopSettings {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch {
      return DEFAULT_SETTINGS;
    }
    try {
      return parseSettings(JSON.parse(text));
    } catch {
      const aside = `${this.file}.corrupt-${Date.now()}`;
      try {
        renameSync(this.file, aside);
        this.warn(`${this.file} could not be read (not valid JSON); it was moved to ${aside} and defaults are used.`);
      } catch {
        this.warn(`${this.file} could not be read (not valid JSON); defaults are used.`);
      }
      return DEFAULT_SETTINGS;
    }
  }
}
