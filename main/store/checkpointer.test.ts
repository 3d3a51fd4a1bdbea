import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { openDatabase } from './db.js';
import { MAX_FAILED_STARTS, restartFrames, setBackstopCheckpoint, startCheckpointer, type Checkpointer, type CheckpointerEvents } from './checkpointer.js';
import { builtWebhookThreadEntry, eventually, tempDir } from '../test-support/agent.js';
import { finishesWithin } from '../time-limit.js';

// The thread runs compiled JavaScript: the build's checkpoint-thread.js (npm test builds before vitest).
const entry = path.join(path.dirname(builtWebhookThreadEntry()), '..', 'store', 'checkpoint-thread.js');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('background checkpoints of the agent database files', () => {
  it('keeps each WAL bounded while its writer writes, with checkpoints out of the commits', async () => {
    const dir = tempDir();
    const files = [path.join(dir, 'main.db'), path.join(dir, 'inbox.db')];
    const [a, b] = files.map((file) => openDatabase({ file, migrations: [] }));
    for (const db of [a!, b!]) setBackstopCheckpoint(db); // as the webhook thread's connection does
    for (const db of [a!, b!]) db.exec('CREATE TABLE t (n INTEGER, pad TEXT)');
    const checkpointer = startCheckpointer(
      files,
      {
        onError: (err) => {
          throw err;
        },
        onStopped: ({ err }) => {
          throw err ?? new Error('the checkpoint thread stopped');
        },
      },
      { entry },
    );
    expect(checkpointer).toBeDefined();
    const pad = 'x'.repeat(3000);
    const insertA = a!.prepare('INSERT INTO t VALUES (?, ?)');
    const insertB = b!.prepare('INSERT INTO t VALUES (?, ?)');
    // At least 80 MB of WAL frames per file (a page or more per commit), in rounds of ~0.8 MB with ticks between them.
    // Without the thread, SQLite's own checkpoint would not start before 256 MB (the backstop); with it, a PASSIVE
    // copies every frame during a pause, and the next commit starts the WAL over.
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

  it('restarts a WAL of small pages by its size in bytes, not its frames (128 MB), and a WAL caught up starts over by itself', async () => {
    // 128 MB whatever the page size: 131,072 frames of inbox.db's 1 KB pages, 32,768 of 4 KB (a file created before).
    expect(restartFrames(1024)).toBe(131_072);
    expect(restartFrames(4096)).toBe(32_768);
    const file = path.join(tempDir(), 'inbox.db');
    const db = openDatabase({ file, migrations: [] }); // 1 KB pages, as inbox.db's
    expect(db.pragma('page_size', { simple: true })).toBe(1024);
    setBackstopCheckpoint(db);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(262_144); // 256 MB of 1 KB frames
    expect(db.pragma('journal_size_limit', { simple: true })).toBe(-1); // never cut back in an alert's commit
    db.exec('CREATE TABLE t (n INTEGER, pad TEXT)');
    const errors: Error[] = [];
    const checkpointer = startCheckpointer([file], { onError: (err) => errors.push(err), onStopped: ({ err }) => errors.push(err ?? new Error('stopped')) }, { entry })!;
    const insert = db.prepare('INSERT INTO t VALUES (?, ?)');
    const pad = 'x'.repeat(700);
    let n = 0;
    try {
      // About 20,000 frames (a commit per row, one page each), with ticks of the thread in between. Whether the WAL
      // starts over meanwhile depends on the machine (once a PASSIVE has caught up during a pause, the writer's next
      // commit starts it over by itself, holding nothing; past 128 MB the thread's RESTART does): not asserted here.
      for (let round = 0; round < 25; round++) {
        for (let i = 0; i < 800; i++) insert.run(n++, pad);
        await sleep(100); // ticks of the thread (every 250 ms) happen in between
      }
      const wal = fs.statSync(`${file}-wal`).size;
      // Once the writer pauses, PASSIVE checkpoints copy every frame, and the next commit starts the WAL from the
      // beginning by itself: the file does not grow any further.
      await eventually(
        () => (db.pragma('wal_checkpoint(NOOP)') as { log: number; checkpointed: number }[])[0]!,
        (r) => r.log === r.checkpointed,
      );
      insert.run(n++, pad);
      expect((db.pragma('wal_checkpoint(NOOP)') as { log: number }[])[0]!.log).toBeLessThan(10);
      expect(fs.statSync(`${file}-wal`).size).toBe(wal);
      expect(errors).toEqual([]);
    } finally {
      await checkpointer.close();
    }
    expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n });
    db.close();
  }, 60_000);

  it('restarts a WAL past its threshold while the writer never pauses', async () => {
    const file = path.join(tempDir(), 'inbox.db');
    const db = openDatabase({ file, migrations: [] });
    setBackstopCheckpoint(db);
    db.exec('CREATE TABLE t (n INTEGER, pad TEXT)');
    const errors: Error[] = [];
    // 2 MB instead of 128: the same RESTART, reached sooner.
    const checkpointer = startCheckpointer([file], { onError: (err) => errors.push(err), onStopped: ({ err }) => errors.push(err ?? new Error('stopped')) }, { entry, thresholdBytes: 2 * 1024 * 1024 })!;
    const insert = db.prepare('INSERT INTO t VALUES (?, ?)');
    const pad = 'x'.repeat(700);
    let n = 0;
    let largest = 0;
    let restarted = false;
    try {
      await eventually(() => checkpointer.request(file), () => true); // started
      // A commit per row, one page each, with no pause a PASSIVE could catch up in: only the thread's RESTART starts
      // the WAL over. Without it, it would grow to the backstop (256 MB).
      const until = Date.now() + 4000;
      while (Date.now() < until && n < 200_000) {
        insert.run(n++, pad);
        if (n % 500 === 0) {
          const log = (db.pragma('wal_checkpoint(NOOP)') as { log: number }[])[0]!.log;
          restarted ||= log < largest; // fewer frames than before: it started over
          largest = Math.max(largest, log);
        }
      }
      expect(n).toBeGreaterThan(8000); // well past the threshold (2,048 frames of 1 KB)
      expect(restarted).toBe(true);
      expect(errors).toEqual([]);
    } finally {
      await checkpointer.close();
    }
    expect(largest).toBeGreaterThan(2048);
    expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n });
    db.close();
  }, 30_000);

  it('checkpoints a file it is given for requests only when asked, off the asking thread, one request at a time', async () => {
    const dir = tempDir();
    const main = path.join(dir, 'viewzenix.db');
    const db = openDatabase({ file: main, migrations: [] });
    db.exec('CREATE TABLE t (n INTEGER, pad TEXT)');
    const waiting = (): number => {
      const r = (db.pragma('wal_checkpoint(NOOP)') as { log: number; checkpointed: number }[])[0]!;
      return r.log - r.checkpointed;
    };
    const errors: Error[] = [];
    const checkpointer = startCheckpointer([], { onError: (err) => errors.push(err), onStopped: ({ err }) => errors.push(err ?? new Error('stopped')) }, { entry, onRequest: [main] })!;
    try {
      expect(checkpointer.request(main)).toBe(false); // not ready yet: the caller checkpoints itself
      const pad = 'x'.repeat(800);
      const insert = db.prepare('INSERT INTO t VALUES (?, ?)');
      db.transaction(() => {
        for (let i = 0; i < 1500; i++) insert.run(i, pad);
      })();
      await sleep(600); // several of the thread's ticks: it never checkpoints this file on its own
      expect(waiting()).toBeGreaterThan(1000);
      await eventually(() => checkpointer.request(main), (taken) => taken);
      expect(checkpointer.request(main)).toBe(true); // the one asked is under way (or done): taken either way
      await eventually(waiting, (n) => n === 0);
      expect(checkpointer.request(path.join(dir, 'other.db'))).toBe(true); // a file it was not given: ignored by the thread
      expect(errors).toEqual([]);
    } finally {
      await checkpointer.close();
    }
    expect(checkpointer.request(main)).toBe(false); // closed
    expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 1500 });
    db.close();
  });

  it('without the compiled thread (running from sources) nothing changes', () => {
    const db = openDatabase({ file: path.join(tempDir(), 'cp2.db') });
    expect(startCheckpointer([db.name], { onError: () => undefined, onStopped: () => undefined }, { entry: path.join(tempDir(), 'missing.js') })).toBeUndefined();
    // The connection's own checkpoint (past a 4 MB WAL: 4,096 frames of 1 KB) stays as openDatabase set it.
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(4096);
    db.close();
  });
});

describe('a checkpoint thread that stops', () => {
  type Stop = Parameters<CheckpointerEvents['onStopped']>[0];
  /** What the checkpointer reported, and its events. */
  const recorder = () => {
    const stops: Stop[] = [];
    const errors: Error[] = [];
    return { stops, errors, events: { onError: (err: Error) => errors.push(err), onStopped: (stop: Stop) => stops.push(stop) } satisfies CheckpointerEvents };
  };
  /** A stand-in for the compiled thread: `body` runs as the thread's module, where `started` is how many times a
   *  thread of this entry started (this one included). */
  const fakeThread = (body: string): { entry: string; starts: () => number } => {
    const dir = tempDir();
    const log = path.join(dir, 'starts');
    const entry = path.join(dir, 'thread.mjs');
    const count = (file: string): number => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').length : 0);
    fs.writeFileSync(
      entry,
      [
        "import fs from 'node:fs';",
        "import { parentPort } from 'node:worker_threads';",
        `fs.appendFileSync(${JSON.stringify(log)}, 'x');`,
        `const started = fs.readFileSync(${JSON.stringify(log)}, 'utf8').length;`,
        body,
      ].join('\n'),
    );
    return { entry, starts: () => count(log) };
  };
  /** The real thread's behaviour on close, for the fakes that get that far. */
  const readyThenClose = "parentPort.postMessage({ type: 'ready' });\nconst t = setInterval(() => {}, 1000);\nparentPort.on('message', (m) => { if (m.type === 'close') { clearInterval(t); parentPort.close(); } });";
  const dbFile = (): string => {
    const file = path.join(tempDir(), 'inbox.db');
    openDatabase({ file, migrations: [] }).close();
    return file;
  };
  /** close() must resolve promptly: well before any limit of its own. */
  const closesPromptly = async (checkpointer: Checkpointer): Promise<void> => {
    const started = Date.now();
    expect(await finishesWithin(checkpointer.close(), 2000)).toBe(true);
    expect(Date.now() - started).toBeLessThan(1000);
  };

  it('before it was ready (its file throws as it loads): reported, tried again a few times, then left stopped; close() after its exit resolves at once', async () => {
    const thread = fakeThread("throw new Error('checkpoint-thread.js failed to load');");
    const r = recorder();
    const checkpointer = startCheckpointer([dbFile()], r.events, { entry: thread.entry, restartDelayMs: 10 })!;
    expect(checkpointer).toBeDefined();
    await eventually(() => r.stops.length, (n) => n === MAX_FAILED_STARTS);
    expect(r.stops).toHaveLength(MAX_FAILED_STARTS);
    expect(r.stops[0]!.err?.message).toBe('checkpoint-thread.js failed to load');
    expect(r.stops[0]!.code).toBe(1);
    expect(r.stops.map((s) => s.restartInMs)).toEqual([10, 20, 40, 80, undefined]); // the last one is not restarted
    await sleep(200);
    expect(thread.starts()).toBe(MAX_FAILED_STARTS);
    await closesPromptly(checkpointer); // the thread's exit has come and gone: it used to wait for it forever
    await closesPromptly(checkpointer); // a second close is the first one's answer
  });

  it('the real thread, given a database it cannot open, is not restarted forever, and close() does not wait for it', async () => {
    const r = recorder();
    const checkpointer = startCheckpointer([path.join(tempDir(), 'gone.db')], r.events, { entry, restartDelayMs: 10 })!;
    await eventually(() => r.stops.length, (n) => n === MAX_FAILED_STARTS);
    expect(r.stops.at(-1)!.restartInMs).toBeUndefined(); // not started again
    expect(r.stops[0]!.err?.message).toMatch(/^cannot open .*gone\.db: unable to open database file$/);
    await closesPromptly(checkpointer);
  });

  it('close() while the thread is still loading (and about to die) resolves at once, and nothing is restarted', async () => {
    const thread = fakeThread("await new Promise((r) => setTimeout(r, 1000));\nthrow new Error('checkpoint-thread.js failed to load');");
    const r = recorder();
    const checkpointer = startCheckpointer([dbFile()], r.events, { entry: thread.entry, restartDelayMs: 10 })!;
    await eventually(() => thread.starts(), (n) => n === 1); // its module runs
    // It has not said it is ready: it is ended, not reported, not waited for again.
    expect(await finishesWithin(checkpointer.close(), 2500)).toBe(true);
    expect(r.errors).toEqual([]);
    await sleep(300);
    expect(r.stops).toEqual([]); // asked to stop: not reported, not restarted
    expect(thread.starts()).toBe(1);
  });

  it('close() while a thread takes long to start (a loaded machine) ends it at once instead of waiting for its start and then its close', async () => {
    // Ready after 10 s, and it would close when asked from then on; close() used to wait CLOSE_WAIT_MS (3 s) for it.
    const thread = fakeThread(`await new Promise((r) => setTimeout(r, 10_000));\n${readyThenClose}`);
    const r = recorder();
    const checkpointer = startCheckpointer([dbFile()], r.events, { entry: thread.entry })!;
    await eventually(() => thread.starts(), (n) => n === 1);
    await closesPromptly(checkpointer);
    expect(r.errors).toEqual([]); // ended on purpose: not a failure to report
    await sleep(300);
    expect(r.stops).toEqual([]); // asked to stop: not reported, not restarted
    expect(thread.starts()).toBe(1);
  });

  it('after it was ready: reported, restarted, and the new thread closes as the first would have', async () => {
    // The first thread dies once ready; the second (restarted) one runs.
    const thread = fakeThread(
      `if (started === 1) {\n  parentPort.postMessage({ type: 'ready' });\n  setTimeout(() => { throw new Error('the checkpoint thread failed'); }, 50);\n} else {\n${readyThenClose}\n}`,
    );
    const r = recorder();
    const checkpointer = startCheckpointer([dbFile()], r.events, { entry: thread.entry, restartDelayMs: 20 })!;
    await eventually(() => thread.starts(), (n) => n === 2);
    expect(r.stops).toEqual([{ code: 1, err: expect.objectContaining({ message: 'the checkpoint thread failed' }), restartInMs: 20 }]);
    await sleep(200); // the restarted thread is ready and runs
    expect(r.stops).toHaveLength(1);
    await closesPromptly(checkpointer);
    expect(thread.starts()).toBe(2);
    expect(r.stops).toHaveLength(1);
  });

  it('close() between a stop and its restart resolves at once and calls the restart off', async () => {
    const thread = fakeThread("parentPort.postMessage({ type: 'ready' });\nsetTimeout(() => process.exit(3), 20);");
    const r = recorder();
    const checkpointer = startCheckpointer([dbFile()], r.events, { entry: thread.entry, restartDelayMs: 5000 })!;
    await eventually(() => r.stops.length, (n) => n === 1);
    expect(r.stops).toEqual([{ code: 3, err: undefined, restartInMs: 5000 }]);
    await closesPromptly(checkpointer);
    expect(thread.starts()).toBe(1);
  });

  it('a thread that does not stop when asked is ended after the close limit, and said so', async () => {
    const thread = fakeThread("parentPort.postMessage({ type: 'ready' });\nparentPort.on('message', () => {}); // never closes");
    const r = recorder();
    const checkpointer = startCheckpointer([dbFile()], r.events, { entry: thread.entry, closeWaitMs: 200 })!;
    await sleep(200);
    const started = Date.now();
    expect(await finishesWithin(checkpointer.close(), 3000)).toBe(true);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(r.errors.map((e) => e.message)).toEqual(['the checkpoint thread did not stop within 200 ms; it was ended']);
    expect(r.stops).toEqual([]);
  });
});
