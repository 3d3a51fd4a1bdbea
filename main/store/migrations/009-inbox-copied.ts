import type { Migration } from './index.js';

/**
 * Alerts are received into their own file, inbox.db (see store/inbox-db.ts), and copied from there into `signals`.
 * This records, per inbox file (its epoch), the last row copied; it is written in the same commit as the copy.
 */
export const m009: Migration = {
  version: 9,
  name: 'inbox-copied',
  up(db) {
    db.exec('CREATE TABLE inbox_copied (epoch TEXT PRIMARY KEY, seq INTEGER NOT NULL)');
  },
};
