import { describe, expect, it } from 'vitest';
import { IPC } from './ipc-channels.js';
import { IPC_REFUSED, registerIpcHandlers } from './ipc-handlers.js';
import { FakeFacade } from './test-support/fake-facade.js';

const ORIGIN = 'http://127.0.0.1:4781';

function setup(origin: string | null = ORIGIN) {
  const facade = new FakeFacade({ userData: '/x' });
  const state = { closeToTray: true, startAtLogin: false };
  registerIpcHandlers(facade, {
    uiOrigin: () => origin,
    control: () => (origin === null ? null : { baseUrl: origin, token: 'tok-123' }),
    settings: () => state,
    setCloseToTray: (enabled) => {
      state.closeToTray = enabled;
    },
    setStartAtLogin: (enabled) => {
      state.startAtLogin = enabled;
    },
  });
  const call = (channel: string, frameUrl: string | null, ...args: unknown[]): unknown => {
    const handler = facade.ipc.get(channel);
    if (handler === undefined) throw new Error(`no handler for ${channel}`);
    return handler({ frameUrl }, args);
  };
  return { facade, state, call };
}

const FOREIGN_SENDERS: (string | null)[] = [null, 'https://evil.example/', 'http://127.0.0.1:4780/', 'http://localhost:4781/', 'file:///app/index.html', 'data:text/html,x', 'about:blank', 'devtools://devtools/bundled/inspector.html'];

describe('IPC handlers', () => {
  it('register exactly the named channels', () => {
    const { facade } = setup();
    expect([...facade.ipc.keys()].sort()).toEqual(Object.values(IPC).sort());
  });

  it.each(Object.values(IPC))('%s refuses a sender frame that is not the agent UI', (channel) => {
    const { call, state } = setup();
    for (const frameUrl of FOREIGN_SENDERS) {
      expect(() => call(channel, frameUrl, true)).toThrow(IPC_REFUSED);
      expect(() => call(channel, frameUrl)).toThrow(IPC_REFUSED);
    }
    expect(state).toEqual({ closeToTray: true, startAtLogin: false });
  });

  it('refuses everything while the agent UI origin is unknown', () => {
    const { call } = setup(null);
    expect(() => call(IPC.getControl, `${ORIGIN}/`)).toThrow(IPC_REFUSED);
  });

  it('gives the control URL and token to the agent UI', () => {
    const { call } = setup();
    expect(call(IPC.getControl, `${ORIGIN}/orders`)).toEqual({ baseUrl: ORIGIN, token: 'tok-123' });
  });

  it('validates input: booleans only for settings, no extra arguments', () => {
    const { call, state } = setup();
    for (const bad of [['yes'], [1], [null], [{}], [], [true, true]]) {
      expect(() => call(IPC.setCloseToTray, `${ORIGIN}/`, ...bad)).toThrow(IPC_REFUSED);
      expect(() => call(IPC.setStartAtLogin, `${ORIGIN}/`, ...bad)).toThrow(IPC_REFUSED);
    }
    expect(() => call(IPC.getControl, `${ORIGIN}/`, 'extra')).toThrow(IPC_REFUSED);
    expect(state).toEqual({ closeToTray: true, startAtLogin: false });
    expect(call(IPC.setCloseToTray, `${ORIGIN}/`, false)).toBe(true);
    expect(call(IPC.setStartAtLogin, `${ORIGIN}/`, true)).toBe(true);
    expect(state).toEqual({ closeToTray: false, startAtLogin: true });
    expect(call(IPC.getDesktopSettings, `${ORIGIN}/`)).toEqual({ closeToTray: false, startAtLogin: true });
  });

  it('openExternal goes through the URL check: hostile links are not opened', async () => {
    const { call, facade } = setup();
    await expect(call(IPC.openExternal, `${ORIGIN}/`, 'javascript:alert(1)')).resolves.toBe(false);
    await expect(call(IPC.openExternal, `${ORIGIN}/`, 'file:///etc/passwd')).resolves.toBe(false);
    expect(() => call(IPC.openExternal, `${ORIGIN}/`, { href: 'https://example.com' })).toThrow(IPC_REFUSED);
    expect(() => call(IPC.openExternal, `${ORIGIN}/`, 'x'.repeat(3000))).toThrow(IPC_REFUSED);
    await expect(call(IPC.openExternal, `${ORIGIN}/`, 'https://example.com/help')).resolves.toBe(true);
    expect(facade.opened).toEqual(['https://example.com/help']);
  });
});
