// The disk's own floor under the acknowledgement: how long fdatasync of a small append takes in the directory
// the agents' data lives in (an alert is answered only after one), measured with nothing else of ours running.
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { tempDataDir } from './agent-process.js';
import { summarise, type LatencySummary } from './stats.js';

export function measureFdatasync(count = 300, bytes = 32 * 1024): LatencySummary {
  const dir = tempDataDir('vz-disk-');
  const file = path.join(dir, 'sync.bin');
  const fd = fs.openSync(file, 'w');
  const chunk = Buffer.alloc(bytes, 1);
  const times: number[] = [];
  try {
    for (let i = 0; i < count; i++) {
      fs.writeSync(fd, chunk);
      const t0 = performance.now();
      fs.fdatasyncSync(fd);
      times.push(performance.now() - t0);
    }
  } finally {
    fs.closeSync(fd);
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return summarise(times);
}
