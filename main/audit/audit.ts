// The audit trail's running part: seal new rows every few seconds (and once more at stop), verify on demand.
import type { Db } from '../store/db.js';
import { sealAudit, verifyAudit, auditHistory, type AuditVerification, type AuditEntry } from '../store/audit.js';
import type { Logger } from '../log.js';

export type { AuditVerification, AuditEntry };

export interface AuditTrail {
  seal(): number;
  verify(): AuditVerification;
  history(table: string, rowId: string): AuditEntry[];
  stop(): void;
}

export function startAudit(o: { db: Db; log: Pick<Logger, 'error' | 'warn'>; intervalMs?: number }): AuditTrail {
  const seal = (): number => {
    let total = 0;
    for (let n = sealAudit(o.db); n > 0; n = sealAudit(o.db)) total += n;
    return total;
  };
  // The periodic sealer works in small batches and yields between them, so a large backlog (a first start on a
  // big database, a burst of alerts) never holds the event loop for long, nor the database's write lock, which the
  // inbox's commits (and so the alerts' answers) wait for: one batch is hashed and written in about 3 ms.
  const BATCH = 100;
  let draining = false;
  let stopped = false;
  const step = (): void => {
    if (stopped) {
      draining = false;
      return;
    }
    try {
      if (sealAudit(o.db, BATCH) === BATCH) {
        setImmediate(step);
        return;
      }
    } catch (err) {
      o.log.error({ err }, 'sealing the audit log failed; will retry');
    }
    draining = false;
  };
  const timer = setInterval(() => {
    if (draining) return;
    draining = true;
    step();
  }, o.intervalMs ?? 2000);
  timer.unref();
  return {
    seal,
    verify() {
      seal(); // rows written up to now are covered by the check
      const v = verifyAudit(o.db);
      if (!v.ok) o.log.warn({ firstBadRow: v.firstBadRow }, 'audit log verification failed');
      return v;
    },
    history: (table, rowId) => auditHistory(o.db, table, rowId),
    stop() {
      stopped = true;
      clearInterval(timer);
      try {
        seal();
      } catch {
        /* the database may already be closed */
      }
    },
  };
}
