// `viewzenix audit verify`: asks the running agent (which seals first), or, with no agent running, checks the
// database file directly (read-only; rows not sealed yet are counted, not checked).
// `viewzenix audit history TABLE ROW_ID`: every recorded write of one row, oldest first (the same two ways).
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase } from '../store/db.js';
import { AUDITED_TABLES, auditHistory, verifyAudit, type AuditEntry, type AuditVerification } from '../store/audit.js';
import { readAgentInfo } from '../data-dir.js';
import { CliUsageError, GLOBAL_OPTIONS, printTable, type CliContext } from '../export/cli-context.js';

export async function runAuditCommand(args: string[], ctx: CliContext): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: { ...GLOBAL_OPTIONS } });
  if (positionals[0] === 'history') return history(positionals.slice(1), ctx);
  if (positionals[0] !== 'verify' || positionals.length > 1) throw new CliUsageError(USAGE);
  const v: AuditVerification = readAgentInfo(ctx.dataDir) ? ((await (await ctx.connect()).get('/api/audit/verify')) as AuditVerification) : fromFile(ctx, verifyAudit);
  if (ctx.json) ctx.stdout.write(`${JSON.stringify(v, null, 2)}\n`);
  else if (v.ok) ctx.stdout.write(`audit log ok: ${v.checked} row(s) verified${v.unsealed ? `, ${v.unsealed} not sealed yet` : ''}; head ${v.head}\n`);
  else ctx.stdout.write(`AUDIT LOG BROKEN at row ${v.firstBadRow!.seq} (${v.firstBadRow!.table} ${v.firstBadRow!.rowId}): ${v.firstBadRow!.reason}. ${v.checked} row(s) before it verified.\n`);
  return v.ok ? 0 : 1;
}

const USAGE = `Usage: viewzenix audit verify [--json]
       viewzenix audit history TABLE ROW_ID [--json]   (TABLE: ${AUDITED_TABLES.join(', ')})`;

/** Reads the database file itself (read-only): no agent is running. */
function fromFile<T>(ctx: CliContext, read: (db: ReturnType<typeof openDatabase>) => T): T {
  const db = openDatabase({ file: path.join(ctx.dataDir, 'viewzenix.db'), readonly: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

async function history(args: string[], ctx: CliContext): Promise<number> {
  const [table, rowId] = args;
  if (args.length !== 2 || !table || !rowId) throw new CliUsageError(USAGE);
  if (!(AUDITED_TABLES as readonly string[]).includes(table)) throw new CliUsageError(`No audit history is kept for "${table}". ${USAGE}`);
  const items: AuditEntry[] = readAgentInfo(ctx.dataDir)
    ? ((await (await ctx.connect()).get(`/api/audit/history?${new URLSearchParams({ table, rowId }).toString()}`)) as { items: AuditEntry[] }).items
    : fromFile(ctx, (db) => auditHistory(db, table, rowId));
  if (ctx.json) ctx.stdout.write(`${JSON.stringify({ items }, null, 2)}\n`);
  else if (items.length === 0) ctx.stdout.write(`no recorded writes of ${table} ${rowId}\n`);
  else printTable(ctx.stdout, items.map((e) => [String(e.seq), e.at, e.op, e.sealed ? 'sealed' : 'not sealed yet', JSON.stringify(e.payload)]), ['SEQ', 'AT', 'OP', 'CHAIN', 'ROW AS WRITTEN']);
  return 0;
}
