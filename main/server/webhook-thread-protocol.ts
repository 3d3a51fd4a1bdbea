// What the main thread and the webhook thread say to each other (structured-clone messages), and the counters
// they share.
import type { WebhookStats } from './webhook.js';
import type { ForwardedHeader } from './security.js';
import type { CommittedRows } from '../store/inbox-db.js';

export interface ThreadData {
  /** viewzenix.db, read for the strategies. */
  dbFile: string;
  /** inbox.db, which the thread writes. */
  inboxFile: string;
  /** The checkpoint thread runs: the inbox connection checkpoints only past the backstop. */
  checkpointed: boolean;
  host: string;
  port: number;
  logLevel: string;
  /** Three float64 counters: received, unknownWebhook, rateLimited. */
  stats: SharedArrayBuffer;
  bodyLimit?: number;
  dedupeWindowMs?: number;
  /** The forwarded-address header of the tunnel provider configured when the thread starts. */
  forwardedHeader?: ForwardedHeader;
}

export type ToMain =
  | { type: 'listening'; port: number }
  | { type: 'listen-error'; code?: string; message: string }
  /** Every inbox.db row up to `seq` is committed, its sync still running: copy and plan them, send nothing yet.
   *  `received` carries receive times when latency tracing is on. A few rows come along, with the seq they follow
   *  (`committed`: see InboxStore.takeCommitted), so the copy need not read them back. */
  | { type: 'committed'; seq: number; received: [string, number][]; committed?: CommittedRows }
  /** Every inbox.db row up to `seq` is on disk (its alerts are answered): their orders may go to the broker. */
  | { type: 'durable'; seq: number }
  | { type: 'log'; line: string }
  /** The acknowledgement's waits (ms) since the last report, when latency tracing is on. */
  | { type: 'intake-stages'; commitWait: number[]; syncWait: number[] }
  /** The cached strategy lookups were forgotten, as asked by the `invalidate` numbered `n`. */
  | { type: 'invalidated'; n: number };

export type ToThread =
  /** Forget the cached strategy lookups, and answer `invalidated` with `n`. */
  | { type: 'invalidate'; n: number }
  | { type: 'close' }
  /** The tunnel provider changed: believe this forwarded-address header from now on. */
  | { type: 'forwarded-header'; header: ForwardedHeader }
  /** Rows up to `seq` are copied into viewzenix.db and on disk there: inbox.db may delete them. */
  | { type: 'release'; seq: number };

export const STATS_BYTES = 3 * Float64Array.BYTES_PER_ELEMENT;

/**
 * The listener's counters in shared memory: the webhook thread is the only writer, the main thread reads them for
 * GET /api/status. Plain (non-atomic) float64 stores are enough for a single writer of monotonically rising counts.
 */
export function sharedWebhookStats(buffer: SharedArrayBuffer): WebhookStats {
  const c = new Float64Array(buffer);
  return {
    get received() {
      return c[0]!;
    },
    set received(v: number) {
      c[0] = v;
    },
    get unknownWebhook() {
      return c[1]!;
    },
    set unknownWebhook(v: number) {
      c[1] = v;
    },
    get rateLimited() {
      return c[2]!;
    },
    set rateLimited(v: number) {
      c[2] = v;
    },
  };
}
