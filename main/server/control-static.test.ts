import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createControlApp } from './control.js';
import { createLogger } from '../log.js';
import { EventBus } from '../events.js';

let server: http.Server;
let base = '';
let uiDir = '';
beforeAll(async () => {
  uiDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vz-ui-static-'));
  fs.mkdirSync(path.join(uiDir, 'assets'));
  fs.writeFileSync(path.join(uiDir, 'index.html'), '<!doctype html><title>ui</title>');
  fs.writeFileSync(path.join(uiDir, 'assets', 'boot-AbC123.js'), 'export {};');
  let port = 0;
  const app = createControlApp({ token: 'x'.repeat(43), port: () => port, log: createLogger({ console: 'silent' }), bus: new EventBus(), uiDir, routes: () => undefined });
  server = await new Promise<http.Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  fs.rmSync(uiDir, { recursive: true, force: true });
});

describe('built UI serving', () => {
  it('lets the browser keep content-hashed assets, with the page security policy', async () => {
    const res = await fetch(`${base}/assets/boot-AbC123.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
  });

  it('always revalidates index.html, which names the current assets', async () => {
    for (const p of ['/', '/index.html', '/some/deep/link']) {
      const res = await fetch(base + p);
      expect(res.status, p).toBe(200);
      expect(res.headers.get('cache-control'), p).toBe('no-cache');
      expect(await res.text(), p).toContain('<title>ui</title>');
    }
  });
});
