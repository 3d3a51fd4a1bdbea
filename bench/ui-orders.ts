/// <reference lib="dom" />
// UI benchmark: with N orders stored, how long until the orders page shows its first rows, and how long a
// frame takes while scrolling fast through the virtualised table. Runs the built agent (npm run build first)
// and Debian's Chromium. Called by the bench harness; `node dist/bench/ui-orders.js [rows]` prints the figures.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { seedOrders } from './ui-orders-seed.js';

function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
  return dir;
}

async function startBuiltAgent(dataDir: string): Promise<{ uiUrl: string; stop: () => Promise<void> }> {
  const cli = path.join(packageRoot(), 'dist', 'main', 'cli.js');
  if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first.`);
  let out = '';
  const child = spawn(process.execPath, [cli, 'start', '--data-dir', dataDir, '--webhook-port', '0', '--control-port', '0', '--webhook-host', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const infoFile = path.join(dataDir, 'agent.json');
  const deadline = Date.now() + 30_000;
  while (!fs.existsSync(infoFile)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the agent did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const info = JSON.parse(fs.readFileSync(infoFile, 'utf8')) as { uiUrl: string };
  return {
    uiUrl: info.uiUrl,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export async function measureOrdersPage(opts: { rows: number }): Promise<{ firstRowsMs: number; scrollFrameMs?: number }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vz-bench-ui-'));
  seedOrders(dataDir, opts.rows);
  const agent = await startBuiltAgent(dataDir);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // Open the orders page directly: the token rides in the fragment, the route stays.
    const url = agent.uiUrl.replace('#token=', '#/orders&token=');
    const t0 = performance.now();
    if (process.env.VZ_BENCH_TRACE) page.on('requestfinished', (r) => process.stdout.write(`  ${(performance.now() - t0).toFixed(0)} ms ${r.url().replace(/^https?:\/\/[^/]+/, '')}\n`));
    await page.goto(url);
    await page.getByTestId('order').first().waitFor({ state: 'visible', timeout: 30_000 });
    const wallMs = performance.now() - t0;
    // From the page's navigation start to the first rendered rows (excludes launching the browser process).
    const mark = await page.evaluate(() => performance.getEntriesByName('vz-orders-first-rows')[0]?.startTime);
    const firstRowsMs = mark ?? wallMs;
    const total = await page.getByTestId('orders-total').textContent();
    if (!total?.includes(opts.rows.toLocaleString('en-US')) && !total?.replace(/\D/g, '').includes(String(opts.rows))) throw new Error(`the page shows "${total}", expected ${opts.rows} orders`);
    // Scroll fast through the table, one jump per frame, and time the frames.
    const scrollFrameMs = await page.evaluate(async () => {
      const el = document.querySelector('[data-testid="orders-scroll"]') as HTMLElement;
      const frames: number[] = [];
      let last = performance.now();
      for (let i = 0; i < 120; i++) {
        el.scrollTop += 3000;
        await new Promise((r) => requestAnimationFrame(r));
        const now = performance.now();
        frames.push(now - last);
        last = now;
      }
      frames.sort((a, b) => a - b);
      return frames[Math.floor(frames.length / 2)]!;
    });
    if (process.env.VZ_BENCH_TRACE) process.stdout.write(`  wall clock from goto: ${wallMs.toFixed(0)} ms\n`);
    return { firstRowsMs, scrollFrameMs };
  } finally {
    await browser.close();
    await agent.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const rows = Number(process.argv[2] ?? 100_000);
  measureOrdersPage({ rows }).then(
    (r) => process.stdout.write(`UI orders page with ${rows.toLocaleString('en-US')} orders: first rows ${r.firstRowsMs.toFixed(0)} ms; median scroll frame ${r.scrollFrameMs?.toFixed(1) ?? '–'} ms\n`),
    (err: unknown) => {
      process.stderr.write(`${(err as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
