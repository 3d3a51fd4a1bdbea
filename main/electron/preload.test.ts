// Runs the real preload the way a sandboxed renderer does: as a CommonJS script whose `require` knows only
// 'electron', with a recording contextBridge and ipcRenderer.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { AGENT_STATUS_CHANNEL, IPC } from './ipc-channels.js';

type Listener = (event: unknown, ...args: unknown[]) => void;

function loadPreload() {
  const source = readFileSync(fileURLToPath(new URL('./preload.cts', import.meta.url)), 'utf8');
  const { outputText } = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } });
  const exposed = new Map<string, Record<string, unknown>>();
  const invoked: { channel: string; args: unknown[] }[] = [];
  const listeners = new Map<string, Set<Listener>>();
  const required: string[] = [];
  const electron = {
    contextBridge: { exposeInMainWorld: (key: string, api: Record<string, unknown>) => exposed.set(key, api) },
    ipcRenderer: {
      invoke: async (channel: string, ...args: unknown[]) => {
        invoked.push({ channel, args });
        return { channel };
      },
      on: (channel: string, l: Listener) => listeners.set(channel, (listeners.get(channel) ?? new Set()).add(l)),
      removeListener: (channel: string, l: Listener) => listeners.get(channel)?.delete(l),
    },
  };
  const module = { exports: {} };
  runInNewContext(outputText, {
    require: (name: string) => {
      required.push(name);
      if (name !== 'electron') throw new Error(`module not found: ${name}`);
      return electron;
    },
    module,
    exports: module.exports,
  });
  return { exposed, invoked, listeners, required };
}

describe('preload', () => {
  it('requires nothing but electron (what a sandboxed preload can load)', () => {
    expect(loadPreload().required).toEqual(['electron']);
  });

  it('exposes one object of named functions and nothing generic', () => {
    const { exposed } = loadPreload();
    expect([...exposed.keys()]).toEqual(['viewzenixDesktop']);
    const api = exposed.get('viewzenixDesktop') ?? {};
    expect(Object.keys(api).sort()).toEqual(['getControl', 'getDesktopSettings', 'onAgentStatus', 'openExternal', 'setCloseToTray', 'setStartAtLogin']);
    for (const value of Object.values(api)) expect(typeof value).toBe('function');
  });

  it('each function invokes its own channel from ipc-channels.ts with coerced arguments', async () => {
    const { exposed, invoked } = loadPreload();
    const api = exposed.get('viewzenixDesktop') as Record<string, (...a: unknown[]) => Promise<unknown>>;
    await api.getControl?.();
    await api.openExternal?.({ toString: () => 'https://example.com/' });
    await api.getDesktopSettings?.();
    await api.setCloseToTray?.('yes');
    await api.setStartAtLogin?.(true);
    expect(invoked).toEqual([
      { channel: IPC.getControl, args: [] },
      { channel: IPC.openExternal, args: ['https://example.com/'] },
      { channel: IPC.getDesktopSettings, args: [] },
      { channel: IPC.setCloseToTray, args: [false] },
      { channel: IPC.setStartAtLogin, args: [true] },
    ]);
  });

  it('onAgentStatus passes only the payload (never the IPC event) and unsubscribes', () => {
    const { exposed, listeners } = loadPreload();
    const api = exposed.get('viewzenixDesktop') as { onAgentStatus: (l: (...a: unknown[]) => void) => () => void };
    const received: unknown[][] = [];
    const unsubscribe = api.onAgentStatus((...args) => received.push(args));
    const forward = [...(listeners.get(AGENT_STATUS_CHANNEL) ?? [])];
    expect(forward).toHaveLength(1);
    forward[0]?.({ sender: 'secret-ipc-event' }, { state: 'restarted', message: 'Agent restarted' });
    expect(received).toEqual([[{ state: 'restarted', message: 'Agent restarted' }]]);
    unsubscribe();
    expect(listeners.get(AGENT_STATUS_CHANNEL)?.size).toBe(0);
    expect(listeners.size).toBe(1);
  });
});
