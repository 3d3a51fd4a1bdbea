import { describe, expect, it } from 'vitest';
import { FakeCancellable, FakeFacade, FakeWindow } from './test-support/fake-facade.js';
import { CONTENT_SECURITY_POLICY, hardenSession, hardenWindow, secureWebPreferences } from './window-security.js';
import { isOnOrigin, parseAgentUiUrl } from './trusted-origin.js';

const ORIGIN = 'http://127.0.0.1:4781';

describe('secureWebPreferences', () => {
  it('is exactly the locked-down set from the security checklist', () => {
    expect(secureWebPreferences('/app/dist/main/electron/preload.cjs', false)).toEqual({
      preload: '/app/dist/main/electron/preload.cjs',
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
      devTools: false,
    });
  });
});

describe('CONTENT_SECURITY_POLICY', () => {
  it('allows only same-origin scripts and connections, no inline code, no framing, no plugins', () => {
    const directives = new Map(CONTENT_SECURITY_POLICY.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1).join(' ')]));
    expect(directives.get('default-src')).toBe("'none'");
    expect(directives.get('script-src')).toBe("'self'");
    expect(directives.get('connect-src')).toBe("'self'");
    expect(directives.get('object-src')).toBe("'none'");
    expect(directives.get('frame-ancestors')).toBe("'none'");
    expect(directives.get('base-uri')).toBe("'none'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval|\*|https?:/);
  });
});

describe('hardenSession', () => {
  const harden = (origin: string | null) => {
    const facade = new FakeFacade({ userData: '/x' });
    hardenSession(facade.session, () => origin);
    return facade.session;
  };

  it('denies every permission request and check, even from the agent UI', () => {
    const session = harden(ORIGIN);
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen', 'hid', 'serial', 'usb', 'unknown']) {
      expect(session.permissionRequest?.(permission, `${ORIGIN}/`)).toBe(false);
      expect(session.permissionCheck?.(permission, ORIGIN)).toBe(false);
    }
  });

  it('cancels every request that is not to the agent UI origin (no remote content)', () => {
    const session = harden(ORIGIN);
    expect(session.beforeRequest?.(`${ORIGIN}/assets/index.js`)).toBe(false);
    expect(session.beforeRequest?.(`${ORIGIN}/api/orders`)).toBe(false);
    for (const url of ['https://cdn.example.com/lib.js', 'http://127.0.0.1:4780/health', 'http://localhost:4781/', 'file:///etc/passwd', 'http://127.0.0.1:47810/']) {
      expect(session.beforeRequest?.(url)).toBe(true);
    }
  });

  it('trusts nothing before the agent UI origin is known', () => {
    const session = harden(null);
    expect(session.beforeRequest?.(`${ORIGIN}/`)).toBe(true);
  });

  it('adds the CSP to agent UI responses without dropping a CSP the agent sent', () => {
    const session = harden(ORIGIN);
    const headers = session.headers?.({ url: `${ORIGIN}/`, responseHeaders: { 'content-security-policy': ["default-src 'self'"], 'Content-Type': ['text/html'] } });
    expect(headers?.['content-security-policy']).toEqual(["default-src 'self'", CONTENT_SECURITY_POLICY]);
    expect(headers?.['Content-Type']).toEqual(['text/html']);
    const fresh = session.headers?.({ url: `${ORIGIN}/index.html`, responseHeaders: {} });
    expect(fresh?.['Content-Security-Policy']).toEqual([CONTENT_SECURITY_POLICY]);
  });
});

describe('hardenWindow', () => {
  const setup = () => {
    const facade = new FakeFacade({ userData: '/x' });
    const win = new FakeWindow({ bounds: { x: 0, y: 0, width: 800, height: 600 }, maximized: false, title: 't', show: true, backgroundColor: '#000', webPreferences: secureWebPreferences('/p', false) });
    hardenWindow(win, () => ORIGIN, (href) => facade.openExternal(href));
    return { facade, win };
  };

  it('lets the window navigate within the agent UI origin only', () => {
    const { win } = setup();
    expect(win.navigate(`${ORIGIN}/orders`)).toBe(false);
    for (const url of ['https://evil.example/', 'http://127.0.0.1:4780/', 'file:///etc/passwd', 'javascript:alert(1)', 'data:text/html,hi', 'http://localhost:4781/']) {
      expect(win.navigate(url)).toBe(true);
    }
  });

  it('denies every window.open and sends only safe links to the system browser', async () => {
    const { facade, win } = setup();
    expect(win.openHandler?.('https://www.tradingview.com/')).toEqual({ action: 'deny' });
    expect(win.openHandler?.('file:///etc/passwd')).toEqual({ action: 'deny' });
    expect(win.openHandler?.(`${ORIGIN}/#token=abc`)).toEqual({ action: 'deny' });
    await Promise.resolve();
    expect(facade.opened).toEqual(['https://www.tradingview.com/']);
  });

  it('blocks webview attachment', () => {
    const { win } = setup();
    const event = new FakeCancellable();
    for (const l of win.webviewListeners) l(event);
    expect(event.prevented).toBe(true);
  });
});

describe('parseAgentUiUrl / isOnOrigin', () => {
  it('accepts the loopback UI URL and takes the token from the fragment', () => {
    expect(parseAgentUiUrl('http://127.0.0.1:4781/#token=abc123')).toEqual({ origin: ORIGIN, url: 'http://127.0.0.1:4781/#token=abc123', token: 'abc123' });
    expect(parseAgentUiUrl('http://[::1]:5000/')).toMatchObject({ origin: 'http://[::1]:5000', token: null });
  });

  it.each(['https://127.0.0.1:4781/', 'http://192.168.1.2:4781/', 'http://evil.example:4781/', 'http://127.0.0.1/', 'http://u:p@127.0.0.1:4781/', 'file:///x', 42, null])(
    'refuses %s as the agent UI',
    (url) => {
      expect(parseAgentUiUrl(url)).toBeNull();
    },
  );

  it('compares scheme, host and port exactly and never trusts null', () => {
    expect(isOnOrigin(`${ORIGIN}/x?y#z`, ORIGIN)).toBe(true);
    expect(isOnOrigin('http://127.0.0.1:4782/', ORIGIN)).toBe(false);
    expect(isOnOrigin('http://127.0.0.1.evil.example:4781/', ORIGIN)).toBe(false);
    expect(isOnOrigin(null, ORIGIN)).toBe(false);
    expect(isOnOrigin(`${ORIGIN}/`, null)).toBe(false);
    expect(isOnOrigin('data:text/html,x', 'null')).toBe(false);
  });
});
