// Start at login on Linux: Electron's login-item API covers macOS and Windows only, so on Linux we write
// (or remove) an XDG autostart entry, the desktop-neutral way (freedesktop.org Desktop Application Autostart).
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const AUTOSTART_FILE = 'viewzenix.desktop';

/** `$XDG_CONFIG_HOME/autostart`, or `~/.config/autostart`. */
export function autostartDir(env: Readonly<Record<string, string | undefined>>, home: string): string {
  const base = env.XDG_CONFIG_HOME !== undefined && env.XDG_CONFIG_HOME.startsWith('/') ? env.XDG_CONFIG_HOME : join(home, '.config');
  return join(base, 'autostart');
}

/** Quotes an Exec argument per the Desktop Entry spec (double quotes; escape " ` $ \). */
export function quoteExecArg(arg: string): string {
  return `"${arg.replace(/["`$\\]/g, (c) => `\\${c}`)}"`;
}

export function desktopEntry(executable: string): string {
  return ['[Desktop Entry]', 'Type=Application', 'Name=Viewzenix', `Exec=${quoteExecArg(executable)} --hidden`, 'X-GNOME-Autostart-enabled=true', 'NoDisplay=false', ''].join('\n');
}

export function isAutostartEnabled(dir: string): boolean {
  return existsSync(join(dir, AUTOSTART_FILE));
}

export function setAutostart(dir: string, enabled: boolean, executable: string): void {
  const file = join(dir, AUTOSTART_FILE);
  if (!enabled) {
    rmSync(file, { force: true });
    return;
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, desktopEntry(executable), { mode: 0o644 });
}
