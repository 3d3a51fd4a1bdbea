import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { openDatabase } from './db.js';
import { BACKSTOP_FRAMES, startCheckpointer } from './checkpointer.js';
import { builtWebhookThreadEntry, tempDir } from '../test-support/agent.js';

// The thread runs compiled JavaScript: the build's checkpoint-thread.js (npm test builds before vitest).
const entry = path.join(path.dirname(builtWebhookThreadEntry()), '..', 'store', 'checkpoint-thread.js');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('background checkpoints of the agent database files', () => {
  it('keeps each WAL bounded while its writer writes, with checkpoints out of the commits', async () => {
    const dir = tempDir();
    const files = [path.join(dir, 'main.db'), path.join(dir, 'inbox.db')];
    const [a, b] = files.map((file) => openDatabase({ file, migrations: [] }));
    for (const db of [a!, b!]) db.pragma(`wal_autocheckpoint = ${BACKSTOP_FRAMES}`); // as the webhook thread's connection does
    for (const db of [a!, b!]) db.exec('CREATE TABLE t (n INTEGER, pad TEXT)');
    const checkpointer = startCheckpointer(files, (err) => {
      throw err;
    }, entry);
    expect(checkpointer).toBeDefined();
    const pad = 'x'.repeat(3000);
    const insertA = a!.prepare('INSERT INTO t VALUES (?, ?)');
    const insertB = b!.prepare('INSERT INTO t VALUES (?, ?)');
    // At least 80 MB of WAL frames per file (a page or more per commit), in rounds of ~0.8 MB with ticks between them.
    // Without the thread, SQLite's own checkpoint would not start before 64 MB (the backstop); with it, the WAL is
    // restarted soon after 32 MB.
    for (let round = 0; round < 100; round++) {
      for (let i = 0; i < 200; i++) {
        insertA.run(i, pad);
        insertB.run(i, pad);
      }
      await sleep(150); // several ticks even on a loaded machine
    }
    for (const file of files) expect(fs.statSync(`${file}-wal`).size).toBeLessThan(52 * 1024 * 1024);
    await checkpointer!.close();
    for (const db of [a!, b!]) {
      expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 20000 });
      db.close();
    }
  }, 60_000);

  it('without the compiled thread (running from sources) nothing changes', () => {
    const db = openDatabase({ file: path.join(tempDir(), 'cp2.db') });
    expect(startCheckpointer([db.name], () => undefined, path.join(tempDir(), 'missing.js'))).toBeUndefined();
    // The connection's own checkpoint (past a 4 MB WAL: 4,096 frames of 1 KB) stays as openDatabase set it.
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(4096);
    db.close();
  });
});
