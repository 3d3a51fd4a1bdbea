import type { Migration } from './index.js';

/**
 * The loss limits' memory of the day, kept across restarts: each account's equity at the start of the UTC day (the
 * first the agent read that day) and the day's highest equity (the drawdown rule's reference). And an index for
 * the cooldown rules, which read an account's latest exit fills.
 */
export const m013: Migration = {
  version: 13,
  name: 'account-day',
  up(db) {
    db.exec(`
      CREATE TABLE account_day (
        account_id TEXT NOT NULL,
        day TEXT NOT NULL,
        start_equity TEXT NOT NULL,
        high_equity TEXT NOT NULL,
        PRIMARY KEY (account_id, day)
      ) WITHOUT ROWID;
      CREATE INDEX fills_account_time ON fills(account_id, time);
    `);
  },
};
