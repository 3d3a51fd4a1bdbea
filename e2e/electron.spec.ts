// Launches the real desktop app with Playwright's Electron driver. Needs an Electron binary, which these
// machines cannot download: then the test is skipped with the reason (docs/desktop.md). Self-contained.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron as electron, expect, test } from '@playwright/test';

const root = fileURLToPath(new URL('..', import.meta.url));

function electronExecutable(): string | null {
  const dist = process.env.ELECTRON_OVERRIDE_DIST_PATH ?? join(root, 'node_modules', 'electron', 'dist');
  const name = process.platform === 'win32' ? 'electron.exe' : process.platform === 'darwin' ? 'Electron.app/Contents/MacOS/Electron' : 'electron';
  const file = join(dist, name);
  return existsSync(file) ? file : null;
}

test('the desktop app opens the dashboard in a locked-down window', async () => {
  const executablePath = electronExecutable();
  test.skip(executablePath === null, 'No Electron binary (ELECTRON_OVERRIDE_DIST_PATH or node_modules/electron/dist); installs here use ELECTRON_SKIP_BINARY_DOWNLOAD=1.');
  test.skip(!existsSync(join(root, 'dist', 'main', 'electron', 'main.js')) || !existsSync(join(root, 'dist', 'main', 'cli.js')), 'The app is not built: run `npm run build` first.');

  const dataDir = mkdtempSync(join(tmpdir(), 'vz-e2e-electron-'));
  const app = await electron.launch({
    executablePath: executablePath ?? undefined,
    args: [root],
    env: { ...process.env, VIEWZENIX_DATA_DIR: dataDir, VIEWZENIX_WEBHOOK_PORT: '0', VIEWZENIX_CONTROL_PORT: '0', ELECTRON_ENABLE_LOGGING: '1' },
    timeout: 60_000,
  });
  try {
    const page = await app.firstWindow({ timeout: 60_000 });
    await page.waitForLoadState('domcontentloaded');
    expect(page.url()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    await expect(page.locator('body')).not.toBeEmpty({ timeout: 30_000 });

    // Renderer: no Node, only the named preload API.
    const renderer = await page.evaluate(() => {
      // No DOM lib in this tsconfig: reach the page's globals through globalThis.
      const w = globalThis as unknown as Record<string, unknown> & { open(url: string): unknown };
      const api = w.viewzenixDesktop as Record<string, unknown> | undefined;
      let evalBlocked = false;
      try {
        eval('1'); // must be refused by the CSP (no unsafe-eval)
      } catch {
        evalBlocked = true;
      }
      return {
        require: typeof w.require,
        process: typeof w.process,
        api: api === undefined ? null : Object.keys(api).sort(),
        popup: w.open('https://example.com/') === null,
        evalBlocked,
      };
    });
    expect(renderer).toEqual({
      require: 'undefined',
      process: 'undefined',
      api: ['getControl', 'getDesktopSettings', 'onAgentStatus', 'openExternal', 'setCloseToTray', 'setStartAtLogin'],
      popup: true,
      evalBlocked: true,
    });

    // Main: the window's effective webPreferences, where this Electron exposes them.
    const prefs = await app.evaluate(({ BrowserWindow }) => {
      const contents = BrowserWindow.getAllWindows()[0]?.webContents as unknown as { getLastWebPreferences?: () => Record<string, unknown> } | undefined;
      return typeof contents?.getLastWebPreferences === 'function' ? contents.getLastWebPreferences() : null;
    });
    if (prefs !== null) {
      expect(prefs).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false, webSecurity: true, webviewTag: false });
    }

    // Navigation off the agent origin is blocked.
    const before = page.url();
    await page.evaluate(() => {
      (globalThis as unknown as { location: { href: string } }).location.href = 'https://example.com/';
    });
    await page.waitForTimeout(500);
    expect(new URL(page.url()).origin).toBe(new URL(before).origin);
  } finally {
    await app.close();
  }
});
