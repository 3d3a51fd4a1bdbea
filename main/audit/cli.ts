// `viewzenix audit verify`: asks the running agent (which seals first), or, with no agent running, checks the
// database file directly (read-only; rows not sealed yet are counted, not checked).
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase } from '../store/db.js';
import { verifyAudit, type AuditVerification } from '../store/audit.js';
import { readAgentInfo } from '../data-dir.js';
import { CliUsageError, GLOBAL_OPTIONS, type CliContext } from '../export/cli-context.js';

export async function runAuditCommand(args: string[], ctx: CliContext): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: { ...GLOBAL_OPTIONS } });
  if (positionals[0] !== 'verify') throw new CliUsageError('Usage: viewzenix audit verify [--json]');
  let v: AuditVerification;
  if (readAgentInfo(ctx.dataDir)) v = (await (await ctx.connect()).get('/api/audit/verify')) as AuditVerification;
  else {
    const db = openDatabase({ file: path.join(ctx.dataDir, 'viewzenix.db'), readonly: true });
    try {
      v = verifyAudit(db);
    } finally {
      db.close();
    }
  }
  if (ctx.json) ctx.stdout.write(`${JSON.stringify(v, null, 2)}\n`);
  else if (v.ok) ctx.stdout.write(`audit log ok: ${v.checked} row(s) verified${v.unsealed ? `, ${v.unsealed} not sealed yet` : ''}; head ${v.head}\n`);
  else ctx.stdout.write(`AUDIT LOG BROKEN at row ${v.firstBadRow!.seq} (${v.firstBadRow!.table} ${v.firstBadRow!.rowId}): ${v.firstBadRow!.reason}. ${v.checked} row(s) before it verified.\n`);
  return v.ok ? 0 : 1;
}
