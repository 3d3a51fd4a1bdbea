import type { Migration } from './index.js';

/**
 * The worker marks every signal `processing` (and counts the attempt) before it works on it, then writes the
 * final status. Copying that transient mark into audit_log cost about as much as all the rest of a denied
 * signal's writes together. The mark proves nothing the trail lacks: the final status, the decisions and the
 * order events are all audited. So the signals UPDATE trigger now skips exactly that change, queued/processing
 * → processing with nothing audited changed but the attempt counter; every other change to an audited column
 * (the final status, any edit made outside the agent) is still copied.
 */
const SIGNAL_COLUMNS = ['id', 'strategy_id', 'received_at', 'content_type', 'source_ip', 'body_hash', 'dedupe_key', 'status', 'code', 'message', 'symbol', 'attempts', 'processed_at'];
const UNCHANGED_BESIDES_MARK = SIGNAL_COLUMNS.filter((c) => c !== 'status' && c !== 'attempts')
  .map((c) => `NEW.${c} IS OLD.${c}`)
  .join(' AND ');

export const m008: Migration = {
  version: 8,
  name: 'audit-processing-mark',
  up(db) {
    const payload = `json_object(${SIGNAL_COLUMNS.map((c) => `'${c}', NEW.${c}`).join(', ')})`;
    db.exec(`
      DROP TRIGGER audit_signals_update;
      CREATE TRIGGER audit_signals_update AFTER UPDATE ON signals
      WHEN NOT (NEW.status = 'processing' AND OLD.status IN ('queued', 'processing') AND ${UNCHANGED_BESIDES_MARK})
      BEGIN
        INSERT INTO audit_log (at, tbl, row_id, op, payload)
        VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'signals', NEW.id, 'update', ${payload});
      END;`);
  },
};
