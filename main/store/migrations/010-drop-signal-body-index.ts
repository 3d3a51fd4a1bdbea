import type { Migration } from './index.js';

/**
 * Bodies with neither id nor time were recognised as re-sent through this index on `signals`. That window check
 * now runs in inbox.db (its `recent` table), before the alert is answered; here the index was only written, a
 * random-position B-tree insert for every alert.
 */
export const m010: Migration = {
  version: 10,
  name: 'drop-signal-body-index',
  up(db) {
    db.exec('DROP INDEX IF EXISTS signals_body_hash');
  },
};
