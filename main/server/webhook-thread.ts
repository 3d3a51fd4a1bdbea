// The webhook listener's own thread. Receiving an alert (read the body, parse it, commit it, wait for the disk,
// answer 202) must not wait behind the order pipeline, which runs on the main thread: each order's router,
// lifecycle and broker writes, risk checks. Here the listener has its own event loop and writes its own file,
// inbox.db, which nothing else writes (store/inbox-db.ts): an alert's commit never waits for a lock, and its sync
// flushes alerts only. viewzenix.db is only read here (the strategies). The main thread learns of committed alerts,
// and then of durable ones, through messages, copies them into viewzenix.db and tells this thread which rows it
// may delete.
import { parentPort, workerData } from 'node:worker_threads';
import pino from 'pino';
import { openDatabase } from '../store/db.js';
import { StrategyRepo } from '../store/strategies.js';
import { InboxStore, openInboxDatabase } from '../store/inbox-db.js';
import { setBackstopCheckpoint } from '../store/checkpointer.js';
import { Inbox, pruneInbox } from '../signals/inbox.js';
import { latencyTracing, takeReceived } from '../latency-trace.js';
import { createWebhookServer, DEFAULT_DEDUPE_WINDOW_MS } from './webhook.js';
import { listen, closeServer } from './webhook-http.js';
import { sharedWebhookStats, type ThreadData, type ToMain, type ToThread } from './webhook-thread-protocol.js';

const port = parentPort;
if (!port) throw new Error('webhook-thread.js runs as a worker thread of the agent, not on its own.');
const data = workerData as ThreadData;
const post = (m: ToMain): void => port.postMessage(m);

// Log lines go to the main thread's logger (one file, one rotation, one redaction list).
const log = pino({ level: data.logLevel, base: undefined, timestamp: false }, { write: (line: string) => post({ type: 'log', line }) });

const mainDb = openDatabase({ file: data.dbFile, readonly: true });
const db = openInboxDatabase(data.inboxFile);
// Checkpoints (two fsyncs of the database file) run on their own thread (store/checkpoint-thread.ts), not in an
// alert's commit.
if (data.checkpointed) setBackstopCheckpoint(db);
// SQLite's busy handler sleeps 1, 2, 5, 10 … ms, blocking this thread, while a checkpoint's RESTART holds the write
// lock; the inbox retries a busy commit itself instead, on the next turn of the event loop.
db.pragma('busy_timeout = 0');
const store = new InboxStore(db);
// With latency tracing on (the benchmark), the ack's two waits are sent to the main thread's histograms each second.
const stages = { commit: [] as number[], sync: [] as number[] };
const inbox = new Inbox(store, log, {
  observe: latencyTracing
    ? (commitWait, syncWait) => {
        stages.commit.push(commitWait);
        stages.sync.push(syncWait);
      }
    : undefined,
});
if (latencyTracing) {
  setInterval(() => {
    if (stages.commit.length === 0) return;
    post({ type: 'intake-stages', commitWait: stages.commit.splice(0), syncWait: stages.sync.splice(0) });
  }, 1000).unref();
}
inbox.onWritten = (ids) => post({ type: 'committed', seq: store.lastCommittedSeq(), received: takeReceived(ids), committed: store.takeCommitted() });
inbox.onCommitted = () => post({ type: 'durable', seq: store.lastDurableSeq() });
const webhook = createWebhookServer({
  strategies: new StrategyRepo(mainDb),
  inbox,
  log,
  stats: sharedWebhookStats(data.stats),
  bodyLimit: data.bodyLimit,
  dedupeWindowMs: data.dedupeWindowMs,
  forwardedHeader: data.forwardedHeader,
});

port.on('message', (m: ToThread) => {
  if (m.type === 'invalidate') {
    webhook.invalidate();
    port.postMessage({ type: 'invalidated', n: m.n } satisfies ToMain);
  }
  else if (m.type === 'forwarded-header') webhook.setForwardedHeader(m.header);
  else if (m.type === 'release') pruneInbox(store, m.seq, data.dedupeWindowMs ?? DEFAULT_DEDUPE_WINDOW_MS, log);
  else if (m.type === 'close') void shutdown();
});

let closing: Promise<void> | undefined;
function shutdown(): Promise<void> {
  closing ??= (async () => {
    await closeServer(webhook.server); // nothing new arrives
    inbox.close(); // commits, syncs and answers what was received
    post({ type: 'durable', seq: store.lastDurableSeq() });
    db.close();
    mainDb.close();
    port!.close(); // the main thread waits for this thread's exit
  })();
  return closing;
}

listen(webhook.server, data.port, data.host).then(
  (bound) => post({ type: 'listening', port: bound }),
  (err: NodeJS.ErrnoException) => {
    post({ type: 'listen-error', code: err.code, message: err.message });
    db.close();
    mainDb.close();
    port.close();
  },
);
