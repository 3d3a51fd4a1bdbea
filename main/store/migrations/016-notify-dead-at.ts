import type { Migration } from './index.js';

/**
 * When the dispatcher gave a message up (dead_at), so the record of undelivered messages can say when, be listed
 * newest first and be pruned by age (main/store/outbox.ts). A message given up before this version gets the time of
 * its last scheduled attempt, which is when it was given up or shortly before.
 */
export const m016: Migration = {
  version: 16,
  name: 'notify-dead-at',
  up(db) {
    db.exec(`
      ALTER TABLE notify_outbox ADD COLUMN dead_at TEXT;
      UPDATE notify_outbox SET dead_at = next_attempt_at WHERE status = 'dead';
    `);
  },
};
