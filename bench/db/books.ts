// A look into an agent's database from outside the agent, for the reliability suite. The files are copied first
// (database, -wal, -shm) and the copy is opened, so a database left by a SIGKILL is recovered exactly as the
// next agent start would recover it, and the original is never touched.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { verifyAudit } from '../../main/store/audit.js';

export interface Books {
  integrity: string;
  /** 'ok', or where the audit trail's hash chain breaks (rows not sealed yet are not a break). */
  auditChain: string;
  /** signal id → status. */
  signalStatus(id: string): string | undefined;
  /** alert ids (the alert's own `id`) with more than one stored, non-rejected signal row. */
  duplicateAlertSignals(): number;
  /** client order ids that appear more than once in the paper broker's books (per account). */
  duplicateClientIds(): number;
  /** alerts that led to more than one order at the paper broker for the same leg. */
  alertsWithSeveralBrokerOrders(): number;
  paperOrders(): number;
  /** orders whose signal was rejected at intake: must be none. */
  ordersFromRejectedSignals(): number;
  paperOrdersForAlert(alertId: string): number;
  countByStatus(): Record<string, number>;
  /** Signals denied, by their code (why an acknowledged alert placed no order). */
  deniedByCode(): Record<string, number>;
  close(): void;
}

export function openBooksCopy(dataDir: string): Books {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vz-books-'));
  for (const name of ['viewzenix.db', 'inbox.db']) {
    const src = path.join(dataDir, name);
    for (const suffix of ['', '-wal', '-shm']) if (fs.existsSync(src + suffix)) fs.copyFileSync(src + suffix, path.join(dir, `${name}${suffix}`));
  }
  const db = new Database(path.join(dir, 'viewzenix.db'));
  // Both files must be sound: the agent's books and the inbox of alerts received but not yet copied into them.
  const checks = [(db.pragma('integrity_check', { simple: true }) as string) ?? 'no answer'];
  if (fs.existsSync(path.join(dir, 'inbox.db'))) {
    const inbox = new Database(path.join(dir, 'inbox.db'));
    checks.push(`inbox.db: ${(inbox.pragma('integrity_check', { simple: true }) as string) ?? 'no answer'}`);
    inbox.close();
  }
  const integrity = checks.every((c) => c === 'ok' || c === 'inbox.db: ok') ? 'ok' : checks.join('; ');
  const audit = verifyAudit(db);
  const auditChain = audit.ok ? 'ok' : `row ${audit.firstBadRow?.seq}: ${audit.firstBadRow?.reason}`;
  const n = (sql: string, ...args: unknown[]): number => Number((db.prepare(sql).get(...args) as { n: number } | undefined)?.n ?? 0);
  return {
    integrity,
    auditChain,
    signalStatus: (id) => (db.prepare('SELECT status FROM signals WHERE id = ?').get(id) as { status: string } | undefined)?.status,
    duplicateAlertSignals: () =>
      n("SELECT count(*) AS n FROM (SELECT json_extract(parsed, '$.id') AS aid FROM signals WHERE status != 'rejected' AND parsed IS NOT NULL AND json_extract(parsed, '$.id') IS NOT NULL GROUP BY strategy_id, aid HAVING count(*) > 1)"),
    duplicateClientIds: () => n('SELECT count(*) AS n FROM (SELECT client_order_id FROM paper_orders GROUP BY account_id, client_order_id HAVING count(*) > 1)'),
    alertsWithSeveralBrokerOrders: () =>
      n(
        "SELECT count(*) AS n FROM (SELECT s.strategy_id, json_extract(s.parsed, '$.id') AS aid, o.leg_key FROM paper_orders p JOIN (SELECT client_order_id, signal_id, account_id || ':' || json_extract(request, '$.leg') AS leg_key FROM orders) o ON o.client_order_id = p.client_order_id JOIN signals s ON s.id = o.signal_id WHERE json_extract(s.parsed, '$.id') IS NOT NULL GROUP BY s.strategy_id, aid, o.leg_key HAVING count(*) > 1)",
      ),
    paperOrders: () => n('SELECT count(*) AS n FROM paper_orders'),
    ordersFromRejectedSignals: () => n("SELECT count(*) AS n FROM orders o JOIN signals s ON s.id = o.signal_id WHERE s.status = 'rejected'"),
    paperOrdersForAlert: (alertId) =>
      n("SELECT count(*) AS n FROM paper_orders p JOIN orders o ON o.client_order_id = p.client_order_id JOIN signals s ON s.id = o.signal_id WHERE json_extract(s.parsed, '$.id') = ?", alertId),
    countByStatus: () => Object.fromEntries((db.prepare('SELECT status, count(*) AS n FROM signals GROUP BY status').all() as { status: string; n: number }[]).map((r) => [r.status, r.n])),
    deniedByCode: () => Object.fromEntries((db.prepare("SELECT coalesce(code, '') AS code, count(*) AS n FROM signals WHERE status = 'denied' GROUP BY code").all() as { code: string; n: number }[]).map((r) => [r.code, r.n])),
    close() {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Every file under the data directory (database, WAL, logs, agent.json, control token): where a leak would land. */
export function dataDirFiles(dataDir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(p);
    }
  };
  walk(dataDir);
  return out;
}
