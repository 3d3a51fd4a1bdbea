import type { Migration } from './index.js';

/**
 * The notification outbox: a message is stored before it is sent, so a crash or an outage of the chat service
 * loses nothing. Rows hold the rendered, credential-free message; the channel's token or webhook URL is read
 * from the vault only at send time and never stored here.
 */
export const m004: Migration = {
  version: 4,
  name: 'notify-outbox',
  up(db) {
    db.exec(`
      CREATE TABLE notify_outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        channel TEXT NOT NULL,
        kind TEXT NOT NULL,
        -- Same event, same channel: one message (an event re-published after a restart is not sent twice).
        dedupe_key TEXT NOT NULL,
        message TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'dead')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL,
        last_error TEXT,
        created_at TEXT NOT NULL,
        sent_at TEXT,
        UNIQUE (channel, dedupe_key)
      );
      CREATE INDEX notify_outbox_due ON notify_outbox(status, next_attempt_at, id);
    `);
  },
};
