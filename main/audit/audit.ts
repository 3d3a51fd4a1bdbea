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
  const timer = setInterval(() => {
    try {
      seal();
    } catch (err) {
      o.log.error({ err }, 'sealing the audit log failed; will retry');
    }
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
      clearInterval(timer);
      try {
        seal();
      } catch {
        /* the database may already be closed */
      }
    },
  };
}
