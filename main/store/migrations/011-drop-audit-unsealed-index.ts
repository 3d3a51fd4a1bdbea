import type { Migration } from './index.js';

/**
 * The sealer found unsealed audit rows through a partial index on seq (WHERE hash IS NULL): every audited write
 * inserted an entry into it, and sealing deleted it again, one more page in every commit of the pipeline. Unsealed
 * rows are always the tail of the log (rows are sealed in seq order, seq only grows), so the sealer now reads them
 * as the rows after the last sealed one, through the table's own seq order (store/audit.ts).
 */
export const m011: Migration = {
  version: 11,
  name: 'drop-audit-unsealed-index',
  up(db) {
    db.exec('DROP INDEX IF EXISTS audit_log_unsealed');
  },
};
