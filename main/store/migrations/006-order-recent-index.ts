import type { Migration } from './index.js';

/**
 * The worker reads an account's orders of the day (time, symbol, side) for every signal, for the risk engine's
 * rate and duplicate rules. Without this index that read scans every order of the account.
 */
export const m006: Migration = {
  version: 6,
  name: 'order-recent-index',
  up(db) {
    db.exec('CREATE INDEX orders_account_created ON orders(account_id, created_at)');
  },
};
