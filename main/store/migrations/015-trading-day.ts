import type { Migration } from './index.js';

/**
 * The risk rules' day may start at any time of day in any time zone (RiskRules.tradingDay), so a day in
 * account_day is keyed by the instant it started instead of its UTC date: a UTC day's row ("2026-11-29") becomes
 * "2026-11-29T00:00:00.000Z", the key the UTC day (the default) has from now on, so today's loss and high survive
 * the upgrade. Each row also says when its day ends, when its starting equity was read, and whether that was
 * carried over from the day that was running when the setting changed. account_day_scope remembers, per account and
 * per source of the setting (the account, or a strategy that overrides it), which setting was used last and its
 * day: a change is seen there.
 */
export const m015: Migration = {
  version: 15,
  name: 'trading-day',
  up(db) {
    db.exec(`
      UPDATE account_day SET day = day || 'T00:00:00.000Z' WHERE length(day) = 10;
      ALTER TABLE account_day ADD COLUMN day_end TEXT;
      UPDATE account_day SET day_end = strftime('%Y-%m-%dT%H:%M:%fZ', day, '+1 day');
      ALTER TABLE account_day ADD COLUMN start_read_at TEXT;
      ALTER TABLE account_day ADD COLUMN carried_from TEXT;
      CREATE TABLE account_day_scope (
        account_id TEXT NOT NULL,
        scope TEXT NOT NULL,
        definition TEXT NOT NULL,
        day TEXT NOT NULL,
        PRIMARY KEY (account_id, scope)
      ) WITHOUT ROWID;
    `);
  },
};
