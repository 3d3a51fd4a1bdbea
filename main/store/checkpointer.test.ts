import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { openDatabase } from './db.js';
import { startCheckpointer } from './checkpointer.js';
import { builtWebhookThreadEntry, tempDir } from '../test-support/agent.js';

// The thread runs compiled JavaScript: the build's checkpoint-thread.js (npm test builds before vitest).
const entry = path.join(path.dirname(builtWebhookThreadEntry()), '..', 'store', 'checkpoint-thread.js');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('background checkpoints for a database written by two connections', () => {
  it('keeps the WAL bounded while both write, takes checkpoints out of the commits, and gives them back on close', async () => {
    const file = path.join(tempDir(), 'cp.db');
    const a = openDatabase({ file });
    const b = openDatabase({ file });
    b.pragma('wal_autocheckpoint = 0'); // as the webhook thread's connection
    a.exec('CREATE TABLE t (n INTEGER, pad TEXT)');
    const checkpointer = startCheckpointer(a, (err) => {
      throw err;
    }, entry);
    expect(checkpointer).toBeDefined();
    expect(a.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    const pad = 'x'.repeat(3000);
    const insertA = a.prepare('INSERT INTO t VALUES (?, ?)');
    const insertB = b.prepare('INSERT INTO t VALUES (?, ?)');
    // At least 24 MB of WAL frames in all (a page or more per commit), in rounds of ~0.8 MB between its ticks.
    for (let round = 0; round < 30; round++) {
      for (let i = 0; i < 50; i++) {
        insertA.run(i, pad);
        insertB.run(i, pad);
      }
      await sleep(120);
    }
    const walBytes = fs.statSync(`${file}-wal`).size;
    expect(walBytes).toBeLessThan(16 * 1024 * 1024);
    await checkpointer!.close();
    expect(a.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    expect(a.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 3000 });
    a.close();
    b.close();
  }, 30_000);

  it('without the compiled thread (running from sources) nothing changes', () => {
    const db = openDatabase({ file: path.join(tempDir(), 'cp2.db') });
    expect(startCheckpointer(db, () => undefined, path.join(tempDir(), 'missing.js'))).toBeUndefined();
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    db.close();
  });
});
