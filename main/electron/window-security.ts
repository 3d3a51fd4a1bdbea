// Electron's security checklist, applied in one place: locked webPreferences, a strict CSP on everything the
// agent serves, no navigation off the agent's origin, no new windows, no permissions, no remote content.
import { openExternalSafely } from './external-links.js';
import type { SecureWebPreferences, ShellSession, ShellWindow } from './facade.js';
import { isOnOrigin } from './trusted-origin.js';

export function secureWebPreferences(preloadPath: string, devTools: boolean): SecureWebPreferences {
  return {
    preload: preloadPath,
    sandbox: true,
    contextIsolation: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
    devTools,
  };
}

/**
 * The UI is a bundled React app served by the agent: its scripts, styles and API calls are all same-origin.
 * No inline script, no eval, no framing, no plugins, no form posts elsewhere.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "worker-src 'self'",
  "frame-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Schemes the browser engine itself uses (DevTools); never content. */
const INTERNAL_SCHEMES = ['devtools:', 'chrome-extension:'];

/**
 * Session-wide rules. `uiOrigin` is read at call time: the agent's origin can change when it restarts
 * on another port, and before it is known nothing is trusted.
 */
export function hardenSession(session: ShellSession, uiOrigin: () => string | null): void {
  session.setPermissionRequestHandler(() => false);
  session.setPermissionCheckHandler(() => false);
  session.onBeforeRequest((url) => {
    if (isOnOrigin(url, uiOrigin())) return false;
    return !INTERNAL_SCHEMES.some((scheme) => url.startsWith(scheme));
  });
  session.onHeadersReceived(({ url, responseHeaders }) => {
    const headers: Record<string, string[]> = {};
    for (const [name, values] of Object.entries(responseHeaders)) headers[name] = [...values];
    if (!isOnOrigin(url, uiOrigin())) return headers;
    // Added next to whatever the agent sends: browsers enforce every CSP present, so this can only tighten.
    const key = Object.keys(headers).find((name) => name.toLowerCase() === 'content-security-policy') ?? 'Content-Security-Policy';
    headers[key] = [...(headers[key] ?? []), CONTENT_SECURITY_POLICY];
    headers['X-Content-Type-Options'] = ['nosniff'];
    return headers;
  });
}

/** Per-window rules: navigation only within the agent UI; new windows never, links go to the system browser. */
export function hardenWindow(window: ShellWindow, uiOrigin: () => string | null, openExternal: (href: string) => Promise<void>): void {
  window.onWillNavigate((event, url) => {
    if (!isOnOrigin(url, uiOrigin())) event.preventDefault();
  });
  window.setWindowOpenHandler((url) => {
    void openExternalSafely(url, openExternal);
    return { action: 'deny' };
  });
  window.onWillAttachWebview((event) => event.preventDefault());
}
