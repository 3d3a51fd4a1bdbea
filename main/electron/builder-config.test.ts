// Checks electron-builder.yml without packaging anything (packaging needs Electron downloads): it parses,
// it matches electron-builder's own JSON schema, and it says what docs/desktop.md promises.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
// js-yaml ships with electron-builder (no type declarations of its own); only `load` is used.
const yaml = require('js-yaml') as { load(text: string): unknown };

const root = fileURLToPath(new URL('../../', import.meta.url));
const config = yaml.load(readFileSync(`${root}electron-builder.yml`, 'utf8')) as Record<string, unknown>;
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { main: string; scripts: Record<string, string>; dependencies: Record<string, string> };

type Target = string | { target: string; arch?: string[] };
const targets = (platform: string): Target[] => ((config[platform] as { target: Target[] }).target ?? []);
const targetNames = (platform: string): string[] => targets(platform).map((t) => (typeof t === 'string' ? t : t.target));

describe('electron-builder.yml', () => {
  it("is valid against electron-builder's own configuration schema", () => {
    const schema = JSON.parse(readFileSync(require.resolve('app-builder-lib/scheme.json'), 'utf8')) as object;
    const ajv = new Ajv({ strict: false, allErrors: true });
    const validate = ajv.compile(schema);
    const valid = validate(config);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    // The check can fail: a misspelt fuse block is caught.
    expect(validate({ ...config, electronFuse: { runAsNode: false } })).toBe(false);
  });

  it('names the app and builds AppImage + deb, NSIS, and a universal dmg', () => {
    expect(config.appId).toBe('com.viewzenix.desktop');
    expect(config.productName).toBe('Viewzenix');
    expect(targetNames('linux').sort()).toEqual(['AppImage', 'deb']);
    expect(targetNames('win')).toEqual(['nsis']);
    expect(targets('mac')).toEqual([{ target: 'dmg', arch: ['universal'] }]);
  });

  it('packages the compiled app, including the entry package.json points at', () => {
    const files = config.files as string[];
    expect(files).toEqual(expect.arrayContaining(['dist/**', 'package.json']));
    expect(pkg.main).toBe('dist/main/electron/main.js');
    expect(pkg.scripts.dist).toContain('electron-builder');
  });

  it('unpacks the native modules from the asar and rebuilds them for Electron', () => {
    const unpack = config.asarUnpack as string[];
    for (const native of ['better-sqlite3', 'keytar']) {
      expect(Object.keys(pkg.dependencies)).toContain(native);
      expect(unpack).toContain(`node_modules/${native}/**`);
    }
    expect(config.npmRebuild).toBe(true);
  });

  it('flips the security fuses: no run-as-node, no NODE_OPTIONS, asar integrity, asar only', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
  });

  it('publishes nothing (auto-update is off by default)', () => {
    expect(config.publish).toBeNull();
    expect(Object.keys(pkg.dependencies)).not.toContain('electron-updater');
  });

  it('ships the icons it refers to', () => {
    for (const platform of ['linux', 'win', 'mac']) {
      const icon = (config[platform] as { icon: string }).icon;
      expect(readFileSync(`${root}${icon}`).subarray(1, 4).toString()).toBe('PNG');
    }
    const tray = (config.extraResources as { from: string; to: string }[]).find((r) => r.to === 'tray.png');
    expect(readFileSync(`${root}${tray?.from ?? 'missing'}`).subarray(1, 4).toString()).toBe('PNG');
  });
});
