// Electron main entry (package.json "main" → dist/main/electron/main.js). Thin on purpose: wire the real
// facade to the shell and let the shell decide everything else.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, dialog } from 'electron';
import { createElectronFacade } from './electron-facade.js';
import { DesktopShell } from './desktop-shell.js';
import { resolveAgentPlacement } from './desktop-config.js';

const here = dirname(fileURLToPath(import.meta.url));
// dist/main/electron → the app root (inside app.asar when packaged).
const appRoot = join(here, '..', '..', '..');

async function main(): Promise<void> {
  const placement = resolveAgentPlacement(process.env, app.getPath('appData'));
  const shell = new DesktopShell(createElectronFacade(), {
    agentEntry: join(appRoot, 'dist', 'main', 'cli.js'),
    ...placement,
    preloadPath: join(here, 'preload.cjs'),
    // Packaged: copied next to app.asar by electron-builder's extraResources (build/ itself is not packaged).
    trayIconPath: app.isPackaged ? join(process.resourcesPath, 'tray.png') : join(appRoot, 'build', 'tray.png'),
    startHidden: process.argv.includes('--hidden') || (process.platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin === true),
  });
  await shell.start();
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`Viewzenix could not start: ${message}`);
  void app.whenReady().then(() => {
    dialog.showErrorBox('Viewzenix could not start', message);
    app.exit(1);
  });
});
